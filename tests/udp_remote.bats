#!/usr/bin/env bats
# udp/udp_remote: the exchange, the connected client's filtering, backoff, port unreachable.

load helpers

setup() {
    cd "$ROOT/udp"
}

@test "client and a never-dropping server exchange the exact lines" {
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)" ]
    run ./udp_remote client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^Client\ socket\ name\ is\ \(\'127\.0\.0\.1\',\ ([0-9]+)\)$ ]]
    client_port=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${lines[2]}" = "The server says 'Your data was 23 bytes long'" ]
    [ "${#lines[@]}" -eq 3 ]
    wait_for server "^The client at \('127\.0\.0\.1', $client_port\) says 'This is another message'$"
}

@test "a server bound to \"\" listens at 0.0.0.0 and answers two clients in a row" {
    start_server server ./udp_remote server "" -p 0 -d 0
    [ "$(out server)" = "Listening at ('0.0.0.0', $PORT)" ]
    run ./udp_remote client localhost -p "$PORT"
    [ "$status" -eq 0 ]
    run ./udp_remote client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server says 'Your data was 23 bytes long'" ]
    [ "$(grep -c "says 'This is another message'" "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
}

@test "backoff: against a server that drops everything the client waits 0.1 to 1.6 s, then gives up" {
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 1
    run ./udp_remote client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${lines[2]}" = "Waiting up to 0.2 seconds for a reply" ]
    [ "${lines[3]}" = "Waiting up to 0.4 seconds for a reply" ]
    [ "${lines[4]}" = "Waiting up to 0.8 seconds for a reply" ]
    [ "${lines[5]}" = "Waiting up to 1.6 seconds for a reply" ]
    [ "${lines[6]}" = "udp_remote: I think the server is down" ]
    [ "${#lines[@]}" -eq 7 ]
    [ "$(grep -c '^Pretending to drop packet from' "$BATS_TEST_TMPDIR/server.out")" -eq 5 ]
}

@test "the client retries after a dropped datagram and gets the reply" {
    # With -d 0.5 a client sees at least one drop half of the time: run clients until one
    # has waited twice and still got its answer (at most 20; all failing is 1 in a million).
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0.5
    for _ in $(seq 20); do
        run ./udp_remote client 127.0.0.1 -p "$PORT"
        if [ "$status" -eq 0 ] && [ "${lines[2]}" = "Waiting up to 0.2 seconds for a reply" ]; then
            [ "${lines[-1]}" = "The server says 'Your data was 23 bytes long'" ]
            grep -q '^Pretending to drop packet from' "$BATS_TEST_TMPDIR/server.out"
            return 0
        fi
    done
    false
}

@test "the connected client ignores a stranger's datagram and takes the genuine reply" {
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    kill -STOP "$PID_server"
    spawn client ./udp_remote client 127.0.0.1 -p "$PORT"
    wait_for client '^Client socket name is'
    client_port=$(sed -nE "s/^Client socket name is \('127\.0\.0\.1', ([0-9]+)\)$/\1/p" \
        "$BATS_TEST_TMPDIR/client.out")
    printf 'FAKE' >"/dev/udp/127.0.0.1/$client_port"
    kill -CONT "$PID_server"
    wait_exit "$PID_client"
    run out client
    [ "${lines[-1]}" = "The server says 'Your data was 23 bytes long'" ]
    ! grep -q FAKE "$BATS_TEST_TMPDIR/client.out"
}

@test "with no server, the connected client hears port unreachable: ECONNREFUSED, exit 1" {
    port=$(free_udp_port)
    run ./udp_remote client 127.0.0.1 -p "$port"
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${lines[2]}" = "udp_remote: recv ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}

@test "server prints binary and invalid UTF-8 datagrams escaped and answers empty ones" {
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$PORT" 0
    [ "$output" = "'Your data was 0 bytes long'" ]
    printf '\x00\x7f\xfe\r' >"/dev/udp/127.0.0.1/$PORT"
    wait_for server "says '.x00.x7f.xfe.r'$"
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$PORT" 65507
    [ "$output" = "'Your data was 65507 bytes long'" ]
}

@test "an unknown host is one line naming it, exit 1" {
    run ./udp_remote client nosuch.invalid
    [ "$status" -eq 1 ]
    [ "$output" = "udp_remote: getaddrinfo 'nosuch.invalid': EAI_NONAME Name or service not known" ]
}

@test "usage errors: missing host, bad role, bad port, bad probability, exit 2" {
    run ./udp_remote client
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: udp_remote [-h] [-p PORT] [-d PROBABILITY] {client,server} host" ]
    [ "${lines[1]}" = "udp_remote: error: the following arguments are required: host" ]
    run ./udp_remote
    [ "${lines[1]}" = "udp_remote: error: the following arguments are required: role, host" ]
    run ./udp_remote both 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_remote: error: argument role: invalid choice: 'both' (choose from 'client', 'server')" ]
    run ./udp_remote client 127.0.0.1 -p 65536
    [ "$status" -eq 2 ]
    run ./udp_remote server 127.0.0.1 -d 1.5
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_remote: error: argument -d: invalid probability: '1.5' (must be 0..1)" ]
    run ./udp_remote client 127.0.0.1 extra
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_remote: error: unrecognized arguments: extra" ]
}

@test "-h prints the usage and exits 0" {
    run ./udp_remote -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: udp_remote [-h] [-p PORT] [-d PROBABILITY] {client,server} host" ]
}
