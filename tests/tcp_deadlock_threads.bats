#!/usr/bin/env bats
# tcp/tcp_deadlock_threads: cure 1 of tcp_deadlock (two threads, one sends and one receives).
# It moves 16000000 bytes through the unchanged tcp_deadlock server with every byte
# checked, and reports a server that misbehaves.

load helpers
bats_require_minimum_version 1.5.0

setup() {
    cd "$ROOT/tcp"
    PEER="$ROOT/tests/tcp_peer"
}

@test "16000000 bytes go through tcp_deadlock's server and all come back upper-cased" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run timeout 30 ./tcp_deadlock_threads client 127.0.0.1 16000000 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[0]}" = "Sending 16000000 bytes of data, in chunks of 65536 bytes, while a second thread receives" ]
    [ "${lines[1]}" = "  16000000 bytes sent" ]
    [ "${lines[2]}" = "  16000000 bytes received, each the upper case of the byte sent" ]
    [[ "${lines[3]}" =~ ^\ \ Elapsed\ [0-9]+\.[0-9]{3}\ seconds:\ [0-9]+\.[0-9]\ MB/s\ each\ way$ ]]
    wait_for server '^  Socket closed$'
    [ "$(tr '\r' '\n' <"$BATS_TEST_TMPDIR/server.out" | grep -c '^  16000000 bytes processed so far $')" -eq 1 ]
}

@test "small counts are rounded up to a multiple of 16; 0 sends nothing and ends cleanly" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run ./tcp_deadlock_threads client 127.0.0.1 17 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Sending 32 bytes of data, in chunks of 65536 bytes, while a second thread receives" ]
    [ "${lines[2]}" = "  32 bytes received, each the upper case of the byte sent" ]
    run ./tcp_deadlock_threads client 127.0.0.1 0 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "  0 bytes sent" ]
    [ "${lines[2]}" = "  0 bytes received, each the upper case of the byte sent" ]
}

@test "a server that echoes without upper-casing is caught at byte 0, one line, exit 1" {
    start_server fake "$PEER" -l 127.0.0.1 0 echo
    run --separate-stderr ./tcp_deadlock_threads client 127.0.0.1 100000 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "tcp_deadlock_threads: byte 0 came back as b'c' instead of b'C'" ]
}

@test "a server that closes after 10 of 32 bytes is reported, exit 1" {
    start_server fake "$PEER" -l 127.0.0.1 0 send 'CAPITALIZE' shut drain
    run --separate-stderr ./tcp_deadlock_threads client 127.0.0.1 32 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "tcp_deadlock_threads: the server closed the connection after sending back 10 of 32 bytes" ]
}

@test "client with no server reports Connection refused and exits 1" {
    port=$(free_tcp_port)
    run ./tcp_deadlock_threads client 127.0.0.1 32 -p "$port"
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "tcp_deadlock_threads: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}

@test "-h prints the usage; the only role is client (the server is tcp_deadlock's)" {
    run ./tcp_deadlock_threads -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_deadlock_threads [-h] [-p PORT] {client} host [bytecount]" ]
    run ./tcp_deadlock_threads server 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_deadlock_threads: error: argument role: invalid choice: 'server' (choose from 'client'; the server is tcp_deadlock's)" ]
    run ./tcp_deadlock_threads client 127.0.0.1 lots
    [ "$status" -eq 2 ]
    [[ "${lines[1]}" == "tcp_deadlock_threads: error: argument bytecount: invalid count: 'lots'"* ]]
}
