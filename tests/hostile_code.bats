#!/usr/bin/env bats
# Hostile peers against the network-information chapter (code/). Its one server, reuseaddr,
# takes connections that send garbage, reset, hang up or say nothing, and goes on
# accepting. (hserror, the one client that talks to a peer, meets resets, silence and
# escapes in tests/hserror.bats.)

load helpers

setup() {
    cd "$ROOT/code"
}

@test "reuseaddr: after garbage, resets, hang-ups and silence it still reports the next connection" {
    spawn server ./reuseaddr -p 0
    wait_for server '^Listening on port: [0-9]+ $'
    PORT=$(sed -nE 's/^Listening on port: ([0-9]+) $/\1/p' "$BATS_TEST_TMPDIR/server.out")
    run "$ROOT/tests/hostile_tcp" 127.0.0.1 "$PORT" garbage partial reset hangup silent partial reset
    echo "$output"                                  # the seed, to replay a failure
    [ "$status" -eq 0 ]
    run "$ROOT/tests/hostile_tcp" 127.0.0.1 "$PORT" hangup
    [ "$status" -eq 0 ]
    for _ in $(seq 100); do
        [ "$(grep -c '^Connected by' "$BATS_TEST_TMPDIR/server.out")" -eq 8 ] && break
        sleep 0.01
    done
    [ "$(grep -c '^Connected by 127\.0\.0\.1:[0-9]*$' "$BATS_TEST_TMPDIR/server.out")" -eq 8 ]
    kill -0 "$PID_server"
    [ ! -s "$BATS_TEST_TMPDIR/server.err" ]
}
