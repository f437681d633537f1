#!/usr/bin/env bats
# udp/udp_broadcast on loopback only: 127.255.255.255 never leaves the machine. The
# SO_BROADCAST experiment and a student's edit of the message (udp/README.md).
# (Broadcast to several hosts is in the network-namespace lab, tests/lab*.bats.)

load lib/helpers

setup() {
    cd "$ROOT/udp"
}

@test "a broadcast to 127.255.255.255 reaches a server bound to \"\"" {
    start_server server ./udp_broadcast server "" -p 0
    [ "$(out server)" = "Listening for datagrams at ('0.0.0.0', $PORT)" ]
    run ./udp_broadcast client 127.255.255.255 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    wait_for server "^The client at \('127\.0\.0\.1', [0-9]+\) says: 'Broadcast datagram!'$"
}

@test "a server bound to 127.0.0.1 does not receive the broadcast, only direct datagrams" {
    start_server server ./udp_broadcast server 127.0.0.1 -p 0
    run ./udp_broadcast client 127.255.255.255 -p "$PORT"
    [ "$status" -eq 0 ]
    # On loopback the broadcast has reached every socket it would reach by the time sendto()
    # returns, so had it arrived, it would be the first of two lines.
    run ./udp_broadcast client 127.0.0.1 -p "$PORT"    # the direct one, sent second
    [ "$status" -eq 0 ]
    wait_for server "says: 'Broadcast datagram!'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]
}

@test "EXPERIMENT: without SO_BROADCAST the client's sendto fails with EACCES, exit 1" {
    build_without_experiment "$ROOT/udp/udp_broadcast.c" "$BATS_TEST_TMPDIR/udp_broadcast"
    start_server server ./udp_broadcast server "" -p 0
    run "$BATS_TEST_TMPDIR/udp_broadcast" client 127.255.255.255 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "udp_broadcast: sendto ('127.255.255.255', $PORT): EACCES Permission denied" ]
    run ./udp_broadcast client 127.255.255.255 -p "$PORT"   # the real one still works
    [ "$status" -eq 0 ]
}

@test "server prints non-UTF-8 and control bytes escaped" {
    start_server server ./udp_broadcast server "" -p 0
    printf '\xff\x1b]0;owned\x07' >"/dev/udp/127.0.0.1/$PORT"
    wait_for server "says: '.xff.x1b\]0;owned.x07'$"
    run ! grep -q $'\x1b' "$BATS_TEST_TMPDIR/server.out"
}

@test "usage errors exit 2; -h exits 0" {
    run ./udp_broadcast client
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: udp_broadcast [-h] [-p port] {client,server} host" ]
    [ "${lines[1]}" = "udp_broadcast: error: the following arguments are required: host" ]
    run ./udp_broadcast talk 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_broadcast: error: argument role: invalid choice: 'talk' (choose from 'client', 'server')" ]
    run ./udp_broadcast server "" -p 99999
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_broadcast: error: argument -p: invalid value: '99999' (must be 0..65535)" ]
    run ./udp_broadcast server "" -p x
    [ "${lines[1]}" = "udp_broadcast: error: argument -p: invalid int value: 'x'" ]
    run ./udp_broadcast client 127.0.0.1 extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_broadcast: error: unrecognized arguments: extra more" ]
    run ./udp_broadcast -h
    [ "$status" -eq 0 ]
}

@test "an unknown host is one line naming it, exit 1 (no DNS: a private hosts file)" {
    with_hosts_file $'127.0.0.1 localhost\n' ./udp_broadcast client nosuch.invalid
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "udp_broadcast: getaddrinfo 'nosuch.invalid': [Errno -2] Name or service not known" ]
}

@test "a student's edit of the client's text: the server gets exactly the new text" {
    build_edited "$ROOT/udp/udp_broadcast.c" "$BATS_TEST_TMPDIR/udp_broadcast" \
        's/"Broadcast datagram!"/"Hello, everyone"/'
    start_server server ./udp_broadcast server "" -p 0
    run "$BATS_TEST_TMPDIR/udp_broadcast" client 127.255.255.255 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for server "says: 'Hello, everyone'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]
}
