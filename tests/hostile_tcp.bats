#!/usr/bin/env bats
# Hostile peers against the TCP chapter. Servers get connections that send random bytes,
# stop mid-message, reset, hang up at once or say nothing (tests/hostile_tcp), then serve
# a good client correctly. Clients meet a server (tests/tcp_peer -l) that closes at once,
# resets, or answers garbage, and end with one clear line on stderr, exit 1.

load lib/helpers

setup() {
    cd "$ROOT/tcp"
}

# A quick peer (partial, reset, hangup) is followed by one that waits: garbage waits for the
# server to close, silent gives it 0.1 s. tcp_sixteen and tcp_deadlock listen with a
# backlog of 1: with a third connection waiting to be accepted, the next SYN would be
# dropped and resent a second later.
HOSTILE="garbage partial garbage reset silent hangup garbage partial silent reset garbage"

# The server survived and printed nothing raw: no control character but the progress
# lines' \r, valid UTF-8, whatever the peers sent.
assert_server_clean() {
    kill -0 "$1"
    run bash -c "LC_ALL=C tr -d '\r\n' <'$BATS_TEST_TMPDIR/$2.out' | LC_ALL=C grep -c '[[:cntrl:]]'"
    [ "$output" = 0 ]
    iconv -f UTF-8 -t UTF-8 "$BATS_TEST_TMPDIR/$2.out" >/dev/null
}

# A client's failure: exit 1 and exactly one line on stderr, from the program itself.
assert_one_error() {   # PROGRAM
    [ "$status" -eq 1 ]
    run cat "$BATS_TEST_TMPDIR/client.err"
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "$1: "* ]]
}

# hostile [PEER...]: the peers (default $HOSTILE), one after another, against the server at $PORT.
hostile() {
    run "$ROOT/tests/hostile_tcp" 127.0.0.1 "$PORT" ${@:-$HOSTILE}
    echo "$output"                                  # the seed, to replay a failure
    [ "$status" -eq 0 ]
}

@test "tcp_sixteen server: after garbage, half messages, resets, hang-ups and silence it serves a good client" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    hostile
    run timeout 5 ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
    wait_for server "Incoming sixteen-octet message: b'Hi there, server'"
    assert_server_clean "$PID_server" server
}

@test "tcp_deadlock server: after hostile connections it echoes a good client's bytes in upper case" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    hostile
    run timeout 5 ./tcp_deadlock_poll client 127.0.0.1 64 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"64 bytes received, each the upper case of the byte sent"* ]]
    assert_server_clean "$PID_server" server
}

@test "tcp_closing server (each step): after hostile connections it answers a good half-closing client" {
    # shutrd is left out: it waits up to 10 s for each silent client's data. Each kind of
    # peer once per step: the other tests meet each twice.
    for step in halfclose reset epipe shared; do
        start_server "server_$step" ./tcp_closing server "$step" 127.0.0.1 -p 0
        if [ "$step" = epipe ]; then
            # epipe waits up to 2 s for a client that keeps reading (as garbage does).
            hostile partial reset hangup silent
        else
            hostile garbage partial reset hangup silent
        fi
        eval "pid=\$PID_server_$step"
        assert_server_clean "$pid" "server_$step"
    done
    PORT=$(port_of server_halfclose)
    run timeout 5 ./tcp_closing client halfclose 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"The server answered b'You sent me "*" bytes'"* ]]
}

@test "tcp_file server: after hostile connections it capitalizes a good client's lines" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    hostile
    run timeout 5 ./tcp_file client 127.0.0.1 -p "$PORT" <<<$'one\ntwo'
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server answered 'ONE\\n'" ]
    [ "${lines[3]}" = "The server answered 'TWO\\n'" ]
    assert_server_clean "$PID_server" server
}

@test "tcp_keepalive server: after hostile connections it sees the next client close" {
    start_server server ./tcp_keepalive server 127.0.0.1 -p 0
    hostile
    run "$ROOT/tests/hostile_tcp" 127.0.0.1 "$PORT" hangup
    [ "$status" -eq 0 ]
    wait_for server "recv\(\) returned 0"
    [ "$(grep -c '^Accepted a connection' "$BATS_TEST_TMPDIR/server.out")" -eq $(($(wc -w <<<"$HOSTILE") + 1)) ]
    assert_server_clean "$PID_server" server
}

# tcp_peer -l STEPS... as a fake server: "" closes at once, reset sends RST, send X answers X.
# (The old peer.out goes first: spawn truncates it only once the new process has started,
# and wait_for could meanwhile read the last fake server's Listening line.)
fake_server() {
    rm -f "$BATS_TEST_TMPDIR/peer.out"
    start_server peer "$ROOT/tests/tcp_peer" -l 127.0.0.1 0 "$@"
}

GARBAGE=$'\x1b[2J\xff\xfe\r\n\x01garbage-garbage-garbage'

@test "tcp_sixteen client: a server that closes at once, resets, or sends 3 bytes is one error, exit 1" {
    for steps in "" reset "send abc"; do
        fake_server $steps
        run bash -c "./tcp_sixteen client 127.0.0.1 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
        assert_one_error tcp_sixteen
        kill_spawned
    done
}

@test "tcp_sixteen client: a garbage answer is shown escaped, as repr(bytes)" {
    fake_server send "$GARBAGE" shut drain    # the client reads on until the server's FIN
    run timeout 5 ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "The server said b'\\x1b[2J\\xff\\xfe\\r\\n\\x01garbage'" ]
}

@test "tcp_deadlock's cures: a server that closes early, resets, or answers garbage is one error, exit 1" {
    for program in tcp_deadlock_threads tcp_deadlock_poll tcp_deadlock_select; do
        for steps in "" reset garbage; do
            # (GARBAGE holds a line end: as one word, not split at it)
            if [ "$steps" = garbage ]; then fake_server send "$GARBAGE" shut drain; else fake_server $steps; fi
            run bash -c "timeout 5 ./$program client 127.0.0.1 64 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
            echo "$program with a server that does '$steps': $output"
            assert_one_error "$program"
            kill_spawned
        done
    done
}

@test "tcp_deadlock_threads: both threads failing at once is still one error line, 30 times over" {
    # The receiver dies of the garbage while the sender's shutdown() fails on the closed
    # connection. Without die()'s lock on stderr both errors were printed in 1 run of 4 under
    # make sanitize (this test failed every time there), and now and then in a plain build.
    start_server peer "$ROOT/tests/tcp_peer" -n 30 -l 127.0.0.1 0 send "$GARBAGE"
    for i in $(seq 30); do
        run --separate-stderr timeout 5 ./tcp_deadlock_threads client 127.0.0.1 64 -p "$PORT"
        [ "$status" -eq 1 ]
        [ "$(wc -l <<<"$stderr")" -eq 1 ]
        [[ "$stderr" == "tcp_deadlock_threads: "* ]]
    done
}

@test "tcp_deadlock client: a server that closes without answering is an error, exit 1" {
    fake_server
    run bash -c "timeout 5 ./tcp_deadlock client 127.0.0.1 64 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
    assert_one_error tcp_deadlock       # send's EPIPE, or "sent back 0 of 64 bytes"
}

@test "tcp_deadlock client: a reset is one error, exit 1; a short garbage answer is shown escaped, then an error" {
    fake_server reset
    run bash -c "timeout 5 ./tcp_deadlock client 127.0.0.1 64 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
    assert_one_error tcp_deadlock
    kill_spawned
    fake_server send "$GARBAGE" drain
    run bash -c "timeout 5 ./tcp_deadlock client 127.0.0.1 64 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
    [[ "$output" == *"The first data received says b'\\x1b[2J\\xff\\xfe\\r\\n\\x01garbage-garbage-garbage'"* ]]
    assert_one_error tcp_deadlock
}

@test "tcp_file client: a server that closes at once, resets, or ends mid-line is one error, exit 1" {
    for steps in "" reset "send half-a-line"; do
        fake_server $steps
        run bash -c "printf 'one\n' | timeout 5 ./tcp_file client 127.0.0.1 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
        echo "with a server that does '$steps': $output"
        assert_one_error tcp_file
        kill_spawned
    done
}

@test "tcp_closing client (halfclose): a server that resets is one error, exit 1" {
    fake_server reset
    run bash -c "timeout 5 ./tcp_closing client halfclose 127.0.0.1 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
    assert_one_error tcp_closing
}

@test "tcp_keepalive client: a server that resets is one error, exit 1" {
    fake_server reset
    run bash -c "timeout 5 ./tcp_keepalive client 127.0.0.1 -p $PORT 2>'$BATS_TEST_TMPDIR/client.err'"
    assert_one_error tcp_keepalive
}
