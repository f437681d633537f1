#!/usr/bin/env bats
# Hostile peers against the SNTP chapter: the server takes random datagrams of every size
# (tests/hostile_udp) and still answers a real client; the clients meet a "server" that
# answers garbage (tests/hostile_udp -l).

load lib/helpers

setup() {
    cd "$ROOT/sntp"
}

@test "sntp_server: 200 random datagrams are each dropped or answered in one line, then sntp_client gets the time" {
    start_server server ./sntp_server 127.0.0.1 -p 0
    run "$ROOT/tests/hostile_udp" 127.0.0.1 "$PORT" 200
    echo "$output"                                  # the seed, to replay a failure
    [ "$status" -eq 0 ]
    run timeout 10 ./sntp_client 127.0.0.1 -p "$PORT" -t 5
    [ "$status" -eq 0 ]
    [[ "$output" == *"Response received from: ('127.0.0.1', $PORT)"* ]]
    [[ "$output" == *$'\nStratum: 10\n'* ]]
    kill -0 "$PID_server"
    run grep -cvE "^(Precision: .*|(Listening at|Answered a version [1-4] (symmetric active )?request from|Dropped [0-9]+ bytes from) \('127\.0\.0\.1', [0-9]+\))" "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    [ ! -s "$BATS_TEST_TMPDIR/server.err" ]
}

@test "sntp_client: a garbage answer is ignored and counted, never fatal: it waits for the real one" {
    start_server fake "$ROOT/tests/hostile_udp" -l 127.0.0.1 0 1
    run bash -c "timeout 10 ./sntp_client 127.0.0.1 -p $PORT -t 2 -v 2>'$BATS_TEST_TMPDIR/client.err'"
    [ "$status" -eq 1 ]
    grep -q "^Ignored a datagram from ('127.0.0.1', $PORT): " <<<"$output"
    [ "$(err client)" = "sntp_client: no answer from ('127.0.0.1', $PORT) after 3 tries in 2 s (ignored 1 other datagram)" ]
}

@test "sntp_time: a garbage answer is read as a time without a crash, exit 0" {
    start_server fake "$ROOT/tests/hostile_udp" -l 127.0.0.1 0 1
    run timeout 10 ./sntp_time 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Response received from: ('127.0.0.1', $PORT)" ]
    [[ "${lines[1]}" =~ ^$'\t'Time=[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]]
}
