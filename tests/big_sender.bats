#!/usr/bin/env bats
# udp/big_sender: MTU discovery on loopback (the lab tests a 1400-byte link).

load helpers

setup() {
    cd "$ROOT/udp"
}

@test "on loopback the big datagram is sent and loopback's MTU is reported" {
    mtu=$(cat /sys/class/net/lo/mtu)
    ((mtu > 65535)) && mtu=65535         # IP_MTU never reports more than an IP packet holds
    run ./big_sender 127.0.0.1 -p "$(free_udp_port)"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    [ "${lines[1]}" = "Actual MTU: $mtu" ]
}

@test "an unknown host is one line naming it, exit 1" {
    run ./big_sender nosuch.invalid
    [ "$status" -eq 1 ]
    [ "$output" = "big_sender: getaddrinfo 'nosuch.invalid': EAI_NONAME Name or service not known" ]
}

@test "usage errors exit 2; -h exits 0" {
    run ./big_sender
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: big_sender [-h] [-p PORT] host" ]
    [ "${lines[1]}" = "big_sender: error: the following arguments are required: host" ]
    run ./big_sender 127.0.0.1 -p x
    [ "$status" -eq 2 ]
    run ./big_sender 127.0.0.1 127.0.0.2
    [ "$status" -eq 2 ]
    run ./big_sender -h
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Send UDP packet to get MTU" ]
}
