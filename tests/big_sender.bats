#!/usr/bin/env bats
# udp/big_sender: MTU discovery on loopback (the lab tests a 1400-byte link).

load helpers

setup() {
    cd "$ROOT/udp"
}

# Loopback's MTU as IP_MTU reports it: never more than an IP packet holds.
loopback_mtu() {
    local mtu
    mtu=$(cat /sys/class/net/lo/mtu)
    echo $((mtu > 65535 ? 65535 : mtu))
}

@test "the lecture's 999,999-byte datagram never leaves: big_sender.py's two lines" {
    run ./big_sender 127.0.0.1
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[0]}" = "Alas, the datagram did not make it" ]
    [ "${lines[1]}" = "Actual MTU: $(loopback_mtu)" ]
}

@test "-s 65507, UDP's largest payload, leaves by loopback; 65508 cannot" {
    run ./big_sender -s 65507 127.0.0.1 -p "$(free_udp_port)"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    [ "${lines[1]}" = "Actual MTU: $(loopback_mtu)" ]
    run ./big_sender -s 65508 127.0.0.1
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Alas, the datagram did not make it" ]
}

@test "a full stdout is one line on stderr, exit 1" {
    run --separate-stderr bash -c './big_sender 127.0.0.1 >/dev/full'
    [ "$status" -eq 1 ]
    [ "$stderr" = "big_sender: write to stdout: ENOSPC No space left on device" ]
}

@test "an unknown host is one line naming it, exit 1 (no DNS: a private hosts file)" {
    with_hosts_file $'127.0.0.1 localhost\n' ./big_sender nosuch.invalid
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "big_sender: getaddrinfo 'nosuch.invalid': [Errno -2] Name or service not known" ]
}

@test "usage errors exit 2 in argparse's words; -h exits 0" {
    run ./big_sender
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: big_sender [-h] [-p PORT] [-s SIZE] host" ]
    [ "${lines[1]}" = "big_sender: error: the following arguments are required: host" ]
    run ./big_sender 127.0.0.1 -p x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "big_sender: error: argument -p: invalid int value: 'x'" ]
    run ./big_sender -s 1000000 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "big_sender: error: argument -s: invalid value: '1000000' (must be 0..999999)" ]
    run ./big_sender 127.0.0.1 127.0.0.2 127.0.0.3
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "big_sender: error: unrecognized arguments: 127.0.0.2 127.0.0.3" ]
    run ./big_sender -h
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Send UDP packet to get MTU" ]
}
