#!/usr/bin/env bats
# code/reuseaddr: SO_REUSEADDR's state, the accept loop, Ctrl+C, and the experiment.

load helpers

setup() {
    cd "$ROOT/code"
}

# Its line is "Listening on port: N", not start_server's "Listening at ('HOST', N)".
start_reuseaddr() {     # start_reuseaddr NAME PROGRAM [ARGS...]: sets $PORT
    local name=$1
    spawn "$@"
    wait_for "$name" '^Listening on port: [0-9]+$' || return 1
    PORT=$(sed -n 's/^Listening on port: \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/$name.out")
    [ "$PORT" -gt 0 ]
}

# A client that stays until the server has closed the connection: the server closes
# first, so its side of the connection is the one left in TIME_WAIT.
connect_and_wait_for_close() {
    local client
    exec {client}<>"/dev/tcp/127.0.0.1/$1"
    read -r -t 5 -u "$client" _ || true     # end of file: the server closed
    exec {client}>&-
}

# interrupt NAME: Ctrl+C, then return its exit status (not under `run`: wait needs the
# process to be a child of this shell)
interrupt() {
    local pid_variable="PID_$1"
    kill -INT "${!pid_variable}"
    wait_exit "${!pid_variable}"
    wait "${!pid_variable}"
}

@test "prints the option's state before and after setting it, and the port -p 0 got" {
    start_reuseaddr server ./reuseaddr -p 0
    run out server
    [ "${#lines[@]}" -eq 3 ]
    [ "${lines[0]}" = "Old sock state: 0" ]
    [ "${lines[1]}" = "New sock state: 1" ]
    [ "${lines[2]}" = "Listening on port: $PORT" ]
}

@test "each connection prints Connected by 127.0.0.1:PORT, and the server keeps listening" {
    start_reuseaddr server ./reuseaddr -p 0
    connect_and_wait_for_close "$PORT"
    connect_and_wait_for_close "$PORT"
    wait_for server '^Connected by'
    [ "$(grep -cE '^Connected by 127\.0\.0\.1:[0-9]+$' "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
    kill -0 "$PID_server"
}

@test "Ctrl+C (SIGINT) ends the server with exit 0 and closes its socket" {
    start_reuseaddr server ./reuseaddr -p 0
    status=0
    interrupt server || status=$?
    [ "$status" -eq 0 ]
    [ -z "$(err server)" ]
    run bash -c "exec 7<>/dev/tcp/127.0.0.1/$PORT"          # nobody listens any more
    [ "$status" -ne 0 ]
}

@test "a restart on the same port right after a connection works: SO_REUSEADDR" {
    start_reuseaddr server ./reuseaddr -p 0
    connect_and_wait_for_close "$PORT"
    wait_for server '^Connected by'
    interrupt server
    first=$PORT
    start_reuseaddr again ./reuseaddr -p "$first"
    [ "$PORT" -eq "$first" ]
}

@test "experiment: without SO_REUSEADDR the state stays 0 and the restart fails with EADDRINUSE" {
    build_without_experiment reuseaddr.c "$BATS_TEST_TMPDIR/reuseaddr"
    start_reuseaddr server "$BATS_TEST_TMPDIR/reuseaddr" -p 0
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/server.out")" = "New sock state: 0" ]
    connect_and_wait_for_close "$PORT"
    wait_for server '^Connected by'
    interrupt server
    run "$BATS_TEST_TMPDIR/reuseaddr" -p "$PORT"
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "Old sock state: 0" ]
    [ "${lines[1]}" = "New sock state: 0" ]
    [ "${lines[2]}" = "reuseaddr: bind ('0.0.0.0', $PORT): EADDRINUSE Address already in use" ]
}

@test "a port another server listens on fails with bind EADDRINUSE even with SO_REUSEADDR, exit 1" {
    start_reuseaddr server ./reuseaddr -p 0
    run ./reuseaddr -p "$PORT"
    [ "$status" -eq 1 ]
    [ "${lines[2]}" = "reuseaddr: bind ('0.0.0.0', $PORT): EADDRINUSE Address already in use" ]
}

@test "-h shows the default port 8282 and exits 0" {
    run ./reuseaddr -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: reuseaddr [-h] [-p PORT]" ]
    [[ "$output" == *"TCP port (default 8282; 0 lets the OS choose)"* ]]
}

@test "bad ports and extra arguments are usage errors, exit 2" {
    for port in abc 70000 -1 ""; do
        run ./reuseaddr -p "$port"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "reuseaddr: error: argument -p: invalid port: '$port' (must be 0..65535)" ]
    done
    run ./reuseaddr extra
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "reuseaddr: error: unrecognized arguments: extra" ]
}
