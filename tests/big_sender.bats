#!/usr/bin/env bats
# udp/big_sender: MTU discovery on loopback; the IP_MTU_DISCOVER experiment on a loopback
# of MTU 1400 in a network namespace of the test's own (the lab tests a 1400-byte link);
# a student's edit of the lecture's size.

load lib/helpers

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

# Run CMD... (bats run) in a network namespace of its own whose lo has MTU 1400, as on the
# lab's link: as root, or as anyone where user namespaces are allowed (unshare -r).
in_small_loopback() {
    local unshare=(unshare -n)
    [ "$(id -u)" -eq 0 ] || unshare=(unshare -r -n)
    "${unshare[@]}" true 2>/dev/null ||
        skip "needs a network namespace of its own: root, or user namespaces for unshare -r -n"
    run "${unshare[@]}" sh -c 'ip link set lo mtu 1400 up && "$@"' sh "$@"
}

# The namespace's count of fragments made (Ip FragCreates in /proc/net/snmp).
FRAGMENTS='awk '\''$1 == "Ip:" && !n { for (i = 2; i <= NF; i++) c[$i] = i; n = 1; next }
    $1 == "Ip:" { print "fragments made: " $c["FragCreates"] }'\'' /proc/net/snmp'

@test "on a 1400-byte path 1372 bytes leave (1400 - 20 IP - 8 UDP) and 1373 do not" {
    in_small_loopback sh -c "./big_sender -s 1372 127.0.0.1 && ./big_sender -s 1373 127.0.0.1 && $FRAGMENTS"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    [ "${lines[1]}" = "Actual MTU: 1400" ]
    [ "${lines[2]}" = "Alas, the datagram did not make it" ]
    [ "${lines[3]}" = "Actual MTU: 1400" ]
    [ "${lines[4]}" = "fragments made: 0" ]
}

@test "EXPERIMENT: without IP_MTU_DISCOVER 1373 bytes leave in two fragments; 999,999 still cannot" {
    build_without_experiment "$ROOT/udp/big_sender.c" "$BATS_TEST_TMPDIR/big_sender"
    in_small_loopback sh -c "\"\$1\" -s 1373 127.0.0.1 && $FRAGMENTS && \"\$1\" 127.0.0.1" sh \
        "$BATS_TEST_TMPDIR/big_sender"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    [ "${lines[1]}" = "Actual MTU: 1400" ]
    [ "${lines[2]}" = "fragments made: 2" ]
    [ "${lines[3]}" = "Alas, the datagram did not make it" ]      # over UDP's 65,507 bytes
}

@test "a student's edit of the lecture's size to 1000: the datagram leaves, 1000 bytes of '#'" {
    build_edited "$ROOT/udp/big_sender.c" "$BATS_TEST_TMPDIR/big_sender" \
        's/^#define LECTURE_SIZE 999999$/#define LECTURE_SIZE 1000/'
    start_server listener ./udp_broadcast server 127.0.0.1 -p 0
    run "$BATS_TEST_TMPDIR/big_sender" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    wait_for listener "says: '#+'$"
    [ "$(grep -o "'#*'$" "$BATS_TEST_TMPDIR/listener.out")" = "'$(printf '#%.0s' $(seq 1000))'" ]
    run "$BATS_TEST_TMPDIR/big_sender" -s 1001 127.0.0.1             # -s follows the size too
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "big_sender: error: argument -s: invalid value: '1001' (must be 0..1000)" ]
}
