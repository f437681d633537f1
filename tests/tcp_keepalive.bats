#!/usr/bin/env bats
# tcp/tcp_keepalive: keepalive options read back as set and armed in the kernel, a peer that
# closes (FIN) versus one whose kernel resets (RST), a server that serves the next client,
# and one that runs out of descriptors. The dead peer found by the probes (ETIMEDOUT) needs
# a link that goes down: as root, lo of a network namespace of the test's own.

load lib/helpers

setup() {
    cd "$ROOT/tcp"
}

# The timer running on the established connection whose local port is $1, from
# /proc/net/tcp (state 01; column tr: 00 none, 01 retransmit, 02 keepalive, ...).
timer_of() {
    awk -v port=":$(printf '%04X' "$1")" \
        '$4 == "01" && substr($2, length($2) - 4) == port { print substr($6, 1, 2) }' /proc/net/tcp
}

# The state of process $1: R running (or ready to run), S asleep, ... (/proc/PID/stat
# field 3; the name in field 2 has no space here).
process_state() {
    awk '{ print $3 }' "/proc/$1/stat"
}

client_port() {
    sed -nE "s/^Connected from \('127\.0\.0\.1', ([0-9]+)\) to .*/\1/p" "$BATS_TEST_TMPDIR/$1.out"
}

@test "with -k both sides print the keepalive settings read back from the kernel" {
    start_server server ./tcp_keepalive server 127.0.0.1 -p 0 -k
    spawn client ./tcp_keepalive client 127.0.0.1 -p "$PORT" -k
    wait_for client '^Waiting in recv'
    wait_for server '^Waiting in poll'
    port=$(client_port client)
    [ "$(out client)" = "Connected from ('127.0.0.1', $port) to ('127.0.0.1', $PORT)
Keepalive on: first probe after 1 s idle, then every 1 s, give up after 3 probes
Waiting in recv() for data that never comes" ]
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $port)
Keepalive on: first probe after 1 s idle, then every 1 s, give up after 3 probes
Waiting in poll() for data that never comes, on 1 connection" ]
}

@test "-i and -n set the timers (and imply -k); the kernel arms a keepalive timer only with them" {
    start_server server ./tcp_keepalive server 127.0.0.1 -p 0
    spawn client ./tcp_keepalive client 127.0.0.1 -p "$PORT" -i 5 -n 2
    wait_for client '^Waiting in recv'
    wait_for server '^Waiting in poll'
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/client.out")" = "Keepalive on: first probe after 5 s idle, then every 5 s, give up after 2 probes" ]
    run grep -c Keepalive "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    port=$(client_port client)
    [ "$(timer_of "$port")" = "02" ]         # the client's side: the keepalive timer
    [ "$(timer_of "$PORT")" = "00" ]         # the server's side: no timer, silent forever
}

@test "the guide's experiment: two clients, one with -k, both served; the killed server's FIN ends both, exit 0" {
    start_server server ./tcp_keepalive server "" -p 0
    spawn kept ./tcp_keepalive client 127.0.0.1 -p "$PORT" -k
    spawn plain ./tcp_keepalive client 127.0.0.1 -p "$PORT"
    wait_for kept '^Waiting in recv'
    wait_for plain '^Waiting in recv'
    wait_for server '^Waiting in poll\(\) for data that never comes, on 2 connections$'
    [ "$(grep -c '^Accepted a connection' "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
    kill "$PID_server"                      # as Ctrl+C does: the process ends, its sockets close
    for client in kept plain; do
        eval "pid=\$PID_$client"
        wait_exit "$pid"
        status=0
        wait "$pid" || status=$?
        [ "$status" -eq 0 ]
        [ "$(tail -n 1 "$BATS_TEST_TMPDIR/$client.out")" = "The server closed the connection: recv() returned 0" ]
        [ -z "$(err "$client")" ]
    done
}

@test "a server that resets the connection makes the client report ECONNRESET and exit 1" {
    start_server fake "$ROOT/tests/tcp_peer" -l 127.0.0.1 0 await "$BATS_TEST_TMPDIR/go" reset
    spawn client ./tcp_keepalive client 127.0.0.1 -p "$PORT"
    wait_for client '^Waiting in recv'
    touch "$BATS_TEST_TMPDIR/go"
    wait_exit "$PID_client"
    status=0
    wait "$PID_client" || status=$?
    [ "$status" -eq 1 ]
    [ "$(err client)" = "tcp_keepalive: recv ('127.0.0.1', $PORT): ECONNRESET Connection reset by peer" ]
}

@test "killing the client makes the server say the client closed, and it accepts the next" {
    start_server server ./tcp_keepalive server 127.0.0.1 -p 0 -k
    spawn first ./tcp_keepalive client 127.0.0.1 -p "$PORT"
    wait_for server '^Waiting in poll'
    port=$(client_port first)
    kill -KILL "$PID_first"
    wait_for server "^The client at \('127\.0\.0\.1', $port\) closed the connection: recv\(\) returned 0$"
    spawn second ./tcp_keepalive client 127.0.0.1 -p "$PORT"
    wait_for second '^Waiting in recv'
    [ "$(grep -c '^Accepted a connection' "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
    wait_for server '^Waiting in poll\(\) for data that never comes, on 1 connection$'
    [ "$(grep -c 'on 1 connection$' "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
}

@test "the server shows data that does come, and reports a client that resets, on stderr" {
    start_server server ./tcp_keepalive server 127.0.0.1 -p 0
    spawn peer "$ROOT/tests/tcp_peer" 127.0.0.1 "$PORT" send $'hi\x1b\n' await "$BATS_TEST_TMPDIR/go" reset
    wait_for server "^Received b'hi\\\\x1b\\\\n' from \('127\.0\.0\.1', [0-9]+\)$"
    touch "$BATS_TEST_TMPDIR/go"
    wait_exit "$PID_peer"
    tries=500
    until [ -s "$BATS_TEST_TMPDIR/server.err" ]; do ((tries-- > 0)); sleep 0.01; done
    [[ "$(err server)" =~ ^tcp_keepalive:\ recv\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ ECONNRESET\ Connection\ reset\ by\ peer$ ]]
    run grep -c $'\x1b' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    kill -0 "$PID_server"
}

@test "20 connections in a row, closed and reset, leave no descriptor open in the server" {
    start_server server ./tcp_keepalive server 127.0.0.1 -p 0 -k
    before=$(ls "/proc/$PID_server/fd" | wc -l)
    for i in $(seq 15); do                  # a leak of one descriptor a connection shows at once
        "$ROOT/tests/tcp_peer" 127.0.0.1 "$PORT" send 'hello'
    done
    for i in $(seq 5); do
        "$ROOT/tests/tcp_peer" 127.0.0.1 "$PORT" reset
    done
    tries=500
    until [ "$(grep -c '^Waiting in poll' "$BATS_TEST_TMPDIR/server.out")" -eq 20 ] &&
        [ "$(grep -c 'closed the connection' "$BATS_TEST_TMPDIR/server.out")" -eq 15 ] &&
        [ "$(grep -c ECONNRESET "$BATS_TEST_TMPDIR/server.err")" -eq 5 ]; do
        ((tries-- > 0))
        sleep 0.01
    done
    after=$(ls "/proc/$PID_server/fd" | wc -l)
    [ "$before" -eq "$after" ]
    kill -0 "$PID_server"
}

@test "the server's link goes down: the -k client gives up with ETIMEDOUT; the experiment's never notices" {
    [ "$(id -u)" -eq 0 ] || skip "needs root to take a link down (lo, in a namespace of the test's own)"
    in_namespace
    start_server server $NS ./tcp_keepalive server 127.0.0.1 -p 0
    spawn kept $NS ./tcp_keepalive client 127.0.0.1 -p "$PORT" -i 1 -n 1
    wait_for kept '^Waiting in recv'
    # (built while the kept client's idle second runs)
    build_without_experiment tcp_keepalive.c "$BATS_TEST_TMPDIR/tcp_keepalive"
    grep -qx '//     status = setsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);' \
        "$BATS_TEST_TMPDIR/tcp_keepalive.c"
    spawn blind $NS "$BATS_TEST_TMPDIR/tcp_keepalive" client 127.0.0.1 -p "$PORT" -i 1 -n 1
    wait_for blind '^Waiting in recv'
    $NS ip link set lo down                 # the server vanishes: no FIN, no RST, silence
    wait_exit "$PID_kept" 5
    status=0
    wait "$PID_kept" || status=$?
    [ "$status" -eq 1 ]
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/kept.out")" = "Keepalive on: first probe after 1 s idle, then every 1 s, give up after 1 probe" ]
    [ "$(err kept)" = "tcp_keepalive: recv ('127.0.0.1', $PORT): ETIMEDOUT Connection timed out" ]
    # The blind client still waits in recv(), and its connection has no timer at all
    # (/proc/net/tcp column tr 00): no probe will ever end it.
    kill -0 "$PID_blind"
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/blind.out")" = "Keepalive off (SO_KEEPALIVE is 0): no probe is ever sent" ]
    [ -z "$(err blind)" ]
    [ "$($NS awk -v port=":$(printf '%04X' "$(client_port blind)")" \
        '$4 == "01" && substr($2, length($2) - 4) == port { print substr($6, 1, 2) }' /proc/net/tcp)" = 00 ]
}

@test "out of descriptors, the server says so once, keeps its connections, and takes a client when one closes" {
    start_server server bash -c 'ulimit -n 12 && exec ./tcp_keepalive server 127.0.0.1 -p 0'
    # Room: the descriptor numbers below 12 still free (bats holds a few of its own open).
    local room=$((12 - $(ls "/proc/$PID_server/fd" | awk '$1 < 12' | wc -l))) fds=() fd i
    for ((i = 0; i < room + 2; i++)); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
        fds+=("$fd")
    done
    wait_for server "on $room connections\$"
    local tries=500
    until [ -s "$BATS_TEST_TMPDIR/server.err" ]; do ((tries-- > 0)); sleep 0.01; done
    [ "$(err server)" = "tcp_keepalive: accept ('127.0.0.1', $PORT): EMFILE Too many open files (new clients wait until one of the $room connections closes)" ]
    # One connection closes: the server takes one of the two waiting clients, and no more.
    exec {fds[0]}>&-
    wait_for server "closed the connection"
    tries=500
    until [ "$(grep -c '^Accepted a connection' "$BATS_TEST_TMPDIR/server.out")" -eq $((room + 1)) ]; do
        ((tries-- > 0))
        sleep 0.01
    done
    # A client still waits in the backlog: a server that tried accept() again and again
    # would be running (R) at every look; this one sleeps in poll() (S).
    for i in 1 2 3 4 5 6 7 8 9 10; do
        [ "$(process_state "$PID_server")" = S ]
        sleep 0.01
    done
    [ "$(grep -c '^Accepted a connection' "$BATS_TEST_TMPDIR/server.out")" -eq $((room + 1)) ]
    [ "$(tail -n 1 "$BATS_TEST_TMPDIR/server.out")" = "Waiting in poll() for data that never comes, on $room connections" ]
    [ "$(err server)" = "tcp_keepalive: accept ('127.0.0.1', $PORT): EMFILE Too many open files (new clients wait until one of the $room connections closes)" ]
    kill -0 "$PID_server"
}

@test "-h prints the usage and exits 0; bad arguments are usage errors, exit 2" {
    run ./tcp_keepalive -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_keepalive [-h] [-p PORT] [-k] [-i IDLE] [-n COUNT]" ]
    [ "${lines[1]}" = "                     {client,server} host" ]
    run ./tcp_keepalive client
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_keepalive: error: the following arguments are required: host" ]
    run ./tcp_keepalive serve 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_keepalive: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
    for value in 0 -1 40000; do
        run ./tcp_keepalive client 127.0.0.1 -i "$value"
        [ "$status" -eq 2 ]
        [ "${lines[-1]}" = "tcp_keepalive: error: argument -i: invalid value: '$value' (must be 1..32767)" ]
    done
    for value in x 1x ""; do
        run ./tcp_keepalive client 127.0.0.1 -i "$value"
        [ "$status" -eq 2 ]
        [ "${lines[-1]}" = "tcp_keepalive: error: argument -i: invalid int value: '$value'" ]
    done
    run ./tcp_keepalive client 127.0.0.1 -i
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_keepalive: error: argument -i: expected one argument" ]
    run ./tcp_keepalive client 127.0.0.1 -n 128
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_keepalive: error: argument -n: invalid value: '128' (must be 1..127)" ]
    run ./tcp_keepalive client 127.0.0.1 -k extra
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_keepalive: error: unrecognized arguments: extra" ]
}

@test "client with no server reports Connection refused and exits 1" {
    port=$(free_tcp_port)
    run ./tcp_keepalive client 127.0.0.1 -p "$port" -k
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_keepalive: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}
