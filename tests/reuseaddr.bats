#!/usr/bin/env bats
# code/reuseaddr: SO_REUSEADDR's state, the accept loop, Ctrl+C, and the experiment.

load lib/helpers

setup() {
    cd "$ROOT/code"
}

# Its line is reuseaddr.py's "Listening on port: N " (with the script's trailing space),
# not start_server's "Listening at ('HOST', N)".
start_reuseaddr() {     # start_reuseaddr NAME PROGRAM [ARGS...]: sets $PORT
    local name=$1
    spawn "$@"
    wait_for "$name" '^Listening on port: [0-9]+ $' || return 1
    PORT=$(sed -n 's/^Listening on port: \([0-9]*\) $/\1/p' "$BATS_TEST_TMPDIR/$name.out")
    [ "$PORT" -gt 0 ]
}

# connect_client VARIABLE: a client connection on descriptor $VARIABLE, kept open
connect_client() {
    exec {client}<>"/dev/tcp/127.0.0.1/$PORT"
    printf -v "$1" %s "$client"
}

# still_open FD: the server has not closed it (no end of file within 0.3 s)
still_open() {
    local status=0
    read -r -t 0.3 -u "$1" _ || status=$?
    [ "$status" -gt 128 ]                   # a timeout; 1 would be end of file
}

# closed_by_server FD: end of file comes (within 5 s), nothing before it
closed_by_server() {
    local status=0 line=
    read -r -t 5 -u "$1" line || status=$?
    [ "$status" -eq 1 ] && [ -z "$line" ]
}

connected_count() {
    grep -cE '^Connected by 127\.0\.0\.1:[0-9]+$' "$BATS_TEST_TMPDIR/$1.out" || true
}

# interrupt NAME: Ctrl+C; succeeds if it ended at once (within 1 s), killed by SIGINT: status
# 130 (not under `run`: wait needs the process to be a child of this shell)
interrupt() {
    local pid_variable="PID_$1" status=0
    kill -INT "${!pid_variable}"
    wait_exit "${!pid_variable}" 1
    wait "${!pid_variable}" || status=$?
    [ "$status" -eq 130 ]
}

@test "prints the option's state before and after setting it, and the port -p 0 got" {
    start_reuseaddr server ./reuseaddr -p 0
    run out server
    [ "${#lines[@]}" -eq 3 ]
    [ "${lines[0]}" = "Old sock state: 0" ]
    [ "${lines[1]}" = "New sock state: 1" ]
    [ "${lines[2]}" = "Listening on port: $PORT " ]       # reuseaddr.py's trailing space
}

@test "each connection prints Connected by 127.0.0.1:PORT, and the server keeps listening" {
    start_reuseaddr server ./reuseaddr -p 0
    connect_client first
    wait_for server '^Connected by'
    connect_client second
    for _ in $(seq 500); do [ "$(connected_count server)" -eq 2 ] && break; sleep 0.01; done
    [ "$(connected_count server)" -eq 2 ]
    kill -0 "$PID_server"
}

@test "a connection stays open until the next one is accepted, as when the script rebinds connection" {
    start_reuseaddr server ./reuseaddr -p 0
    connect_client first
    wait_for server '^Connected by'
    still_open "$first"                     # not closed at once
    connect_client second
    closed_by_server "$first"               # closed when the second one is accepted
    still_open "$second"
    [ "$(connected_count server)" -eq 2 ]
}

@test "Ctrl+C (SIGINT) ends the server at once by its default action (130) and closes its socket" {
    start_reuseaddr server ./reuseaddr -p 0       # started with &: bash ignores SIGINT there
    connect_client client
    wait_for server '^Connected by'
    interrupt server
    [ -z "$(err server)" ]
    run bash -c "exec 7<>/dev/tcp/127.0.0.1/$PORT"          # nobody listens any more
    [ "$status" -ne 0 ]
}

@test "a restart on the same port right after a connection works: SO_REUSEADDR" {
    start_reuseaddr server ./reuseaddr -p 0
    connect_client client
    wait_for server '^Connected by'
    interrupt server
    closed_by_server "$client"              # the server closed first: TIME_WAIT is its side
    exec {client}>&-
    first=$PORT
    start_reuseaddr again ./reuseaddr -p "$first"
    [ "$PORT" -eq "$first" ]
}

@test "experiment: without SO_REUSEADDR the state stays 0 and the restart fails with EADDRINUSE" {
    build_without_experiment reuseaddr.c "$BATS_TEST_TMPDIR/reuseaddr"
    start_reuseaddr server "$BATS_TEST_TMPDIR/reuseaddr" -p 0
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/server.out")" = "New sock state: 0" ]
    connect_client client
    wait_for server '^Connected by'
    interrupt server
    closed_by_server "$client"
    exec {client}>&-
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

@test "out of descriptors, it says so once, frees the connection it kept and goes on (no spinning)" {
    # ulimit -n 5: 0-2, the listening socket 3, and one connection: 4.
    start_reuseaddr server bash -c 'ulimit -n 5 && exec 4>&- && exec ./reuseaddr -p 0'
    connect_client first
    wait_for server '^Connected by'
    connect_client second                   # accept: EMFILE; the first one goes, then it fits
    closed_by_server "$first"
    for _ in $(seq 200); do [ "$(connected_count server)" -eq 2 ] && break; sleep 0.01; done
    [ "$(connected_count server)" -eq 2 ]
    [ "$(err server)" = "reuseaddr: accept: EMFILE Too many open files" ]
    exec {second}>&-
}

@test "with no descriptor left for any connection, it says so once and waits, without spinning" {
    start_reuseaddr server bash -c 'ulimit -n 4 && exec ./reuseaddr -p 0'
    connect_client client                   # waits in the listen queue
    wait_for_err() { for _ in $(seq 200); do [ -s "$BATS_TEST_TMPDIR/server.err" ] && return; sleep 0.01; done; false; }
    wait_for_err
    sleep 0.3                               # a spinning server would write thousands of lines
    [ "$(err server)" = "reuseaddr: accept: EMFILE Too many open files" ]
    cpu=$(awk '{ print $14 + $15 }' "/proc/$PID_server/stat")    # user + system ticks
    [ "$cpu" -le 10 ]
}

@test "-h shows the default port 8282 and exits 0" {
    run ./reuseaddr -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: reuseaddr [-h] [-p PORT]" ]
    [[ "$output" == *"TCP port (default 8282; 0 lets the OS choose)"* ]]
}

@test "bad ports and extra arguments are usage errors in argparse's words, exit 2" {
    for port in abc ""; do
        run ./reuseaddr -p "$port"
        [ "$status" -eq 2 ]
        [ "${lines[0]}" = "usage: reuseaddr [-h] [-p PORT]" ]
        [ "${lines[1]}" = "reuseaddr: error: argument -p: invalid int value: '$port'" ]
    done
    for port in 70000 -1; do        # argparse takes them, then Python fails in bind()
        run ./reuseaddr -p "$port"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "reuseaddr: error: argument -p: invalid value: '$port' (must be 0..65535)" ]
    done
    for args in "-p" "-p -h"; do
        run ./reuseaddr $args
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "reuseaddr: error: argument -p: expected one argument" ]
    done
    run ./reuseaddr extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "reuseaddr: error: unrecognized arguments: extra more" ]
    run ./reuseaddr -p 0 -x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "reuseaddr: error: unrecognized arguments: -x" ]
}

@test "more than FD_SETSIZE descriptors open: the socket is number 1101 and still serves" {
    [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1200 ] ||
        skip "the hard limit on open files is below 1200"
    # Inherited descriptors 3..1100 push the listening socket past select()'s 1024.
    start_reuseaddr server bash -c 'ulimit -n 1200 && for i in $(seq 3 1100); do eval "exec $i</dev/null"; done && exec ./reuseaddr -p 0'
    connect_client client
    wait_for server '^Connected by 127\.0\.0\.1:'
    [[ "$(readlink "/proc/$PID_server/fd/1101")" == socket:* ]]
    kill -0 "$PID_server"
    [ ! -s "$BATS_TEST_TMPDIR/server.err" ]
}
