#!/usr/bin/env bats
# tcp/tcp_closing: the half-close, orderly close (recv() returns 0) versus abortive close
# (ECONNRESET), EPIPE after the peer has gone (and SIGPIPE when it is not ignored),
# shutdown(SHUT_RD) on Linux, and close() versus shutdown() on a socket two processes share.

load lib/helpers

setup() {
    cd "$ROOT/tcp"
}

# Wait until NAME.out has at least N lines matching REGEX.
wait_count() {
    local name=$1 regex=$2 n=$3 tries=500
    while (($(grep -Ec -- "$regex" "$BATS_TEST_TMPDIR/$name.out") < n)); do
        ((tries-- > 0)) || { echo "timed out waiting for $n x /$regex/ from $name" >&2; return 1; }
        sleep 0.01
    done
}

CONNECTED='^Connected from \(.127\.0\.0\.1., ([0-9]+)\) to \(.127\.0\.0\.1., [0-9]+\)$'

@test "halfclose: the server reads to end of file and its answer still reaches the client" {
    start_server server ./tcp_closing server halfclose 127.0.0.1 -p 0
    run ./tcp_closing client halfclose 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ $CONNECTED ]]
    client_port=${BASH_REMATCH[1]}
    [ "${lines[0]}" = "Connected from ('127.0.0.1', $client_port) to ('127.0.0.1', $PORT)" ]
    [ "${lines[1]}" = "Sent b'Hi there, server. That is all I have to say.', then shutdown(SHUT_WR): I will send no more" ]
    [ "${lines[2]}" = "The server answered b'You sent me 44 bytes'" ]
    [ "${lines[3]}" = "recv() returned 0: the server has closed the connection too" ]
    [ "${#lines[@]}" -eq 4 ]
    wait_for server '^  Socket closed$'
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $client_port)
  Received 44 bytes: b'Hi there, server. That is all I have to say.'
  recv() returned 0: end of file, the client sent FIN (it will send no more)
  send() of b'You sent me 44 bytes' succeeded
  Socket closed" ]
    [ -z "$(err server)" ]
}

@test "reset: recv() returns 0 after an orderly close and fails with ECONNRESET after an abortive one" {
    start_server server ./tcp_closing server reset 127.0.0.1 -p 0
    run ./tcp_closing client reset 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ $CONNECTED ]]
    first=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "close(): an orderly close, the kernel sends FIN" ]
    [[ "${lines[2]}" =~ $CONNECTED ]]
    second=${BASH_REMATCH[1]}
    [ "${lines[3]}" = "SO_LINGER {on, 0 s}, close(): an abortive close, the kernel sends RST" ]
    wait_count server '^  Socket closed$' 2
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $first)
  recv() returned 0: end of file, the client sent FIN (it will send no more)
  Socket closed
Accepted a connection from ('127.0.0.1', $second)
  recv() failed with ECONNRESET (Connection reset by peer): the client aborted the connection (RST)
  Socket closed" ]
}

@test "epipe: the first send to a closed client succeeds, the second fails with EPIPE" {
    start_server server ./tcp_closing server epipe 127.0.0.1 -p 0
    run ./tcp_closing client epipe 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ $CONNECTED ]]
    client_port=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "Sent b'Hi there, server. That is all I have to say.', then close() without reading the answer" ]
    wait_for server '^  Socket closed$'
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $client_port)
  Received 44 bytes: b'Hi there, server. That is all I have to say.'
  recv() returned 0: end of file, the client sent FIN (it will send no more)
  First send() of b'You sent me 44 bytes' succeeded
  Second send() of b'Goodbye' failed with EPIPE (Broken pipe)
  Socket closed" ]
    # and it goes on serving the next client
    run ./tcp_closing client epipe 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_count server '^  Second send\(\) of b.Goodbye. failed with EPIPE' 2
    kill -0 "$PID_server"
}

@test "experiment: without ignoring SIGPIPE the server dies at its second send, exit status 141" {
    build_without_experiment tcp_closing.c "$BATS_TEST_TMPDIR/tcp_closing" SIGPIPE
    grep -qx '//     signal(SIGPIPE, SIG_IGN);' "$BATS_TEST_TMPDIR/tcp_closing.c"
    start_server server "$BATS_TEST_TMPDIR/tcp_closing" server epipe 127.0.0.1 -p 0
    run ./tcp_closing client epipe 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_exit "$PID_server"
    status=0
    wait "$PID_server" || status=$?
    [ "$status" -eq 141 ]                   # 128 + SIGPIPE (13): killed by the signal
    [ "$(tail -n 1 "$BATS_TEST_TMPDIR/server.out")" = "  First send() of b'You sent me 44 bytes' succeeded" ]
    [ -z "$(err server)" ]                  # no word about it
}

@test "shutrd: recv() returns 0 after SHUT_RD, yet later data is queued (Recv-Q 29) and read" {
    start_server server ./tcp_closing server shutrd 127.0.0.1 -p 0
    run ./tcp_closing client shutrd 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ $CONNECTED ]]
    client_port=${BASH_REMATCH[1]}
    [ "$output" = "Connected from ('127.0.0.1', $client_port) to ('127.0.0.1', $PORT)
The server said b'shutdown(SHUT_RD) done: go on sending\\n'
Sent b'More data, after your SHUT_RD' after the server's SHUT_RD
The server answered b'You sent me 29 bytes after my SHUT_RD'
recv() returned 0: the server has closed the connection" ]
    wait_for server '^  Socket closed$'
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $client_port)
  shutdown(SHUT_RD), then recv() returned 0: nothing is queued, so end of file
  send() of b'shutdown(SHUT_RD) done: go on sending\\n' succeeded
  29 bytes arrived after SHUT_RD: queued and acknowledged all the same (ss -tn: Recv-Q 29)
  recv() returned 29 bytes after SHUT_RD: b'More data, after your SHUT_RD'
  send() of b'You sent me 29 bytes after my SHUT_RD' succeeded
  Socket closed" ]
    [ -z "$(err server)" ]
}

@test "shared: one process's close() ends nothing; one shutdown(SHUT_RDWR) ends it for both" {
    start_server server ./tcp_closing server shared 127.0.0.1 -p 0
    run ./tcp_closing client shared 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ $CONNECTED ]]
    first=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "The server answered b'Still open: the child holds the connection'" ]
    [ "${lines[2]}" = "recv() returned 0: the child, the last holder, closed it (FIN)" ]
    [[ "${lines[3]}" =~ $CONNECTED ]]
    second=${BASH_REMATCH[1]}
    [ "${lines[4]}" = "recv() returned 0: the server's shutdown(SHUT_RDWR) ended it, though its child still holds it" ]
    [ "${#lines[@]}" -eq 5 ]
    wait_count server '^  Socket closed$' 2
    parent=$PID_server
    # the children's PIDs, as the server printed them
    run sed -nE 's/^  fork\(\): parent [0-9]+ and child ([0-9]+) both hold the connection$/\1/p' \
        "$BATS_TEST_TMPDIR/server.out"
    [ "${#lines[@]}" -eq 2 ]
    child1=${lines[0]} child2=${lines[1]}
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $first)
  fork(): parent $parent and child $child1 both hold the connection
  [parent $parent] close(): only my descriptor is gone; the child still holds the connection, no FIN
  [child $child1] send() of b'Still open: the child holds the connection' succeeded
  [child $child1] close(): the last descriptor is gone, the kernel sends FIN
  Socket closed
Accepted a connection from ('127.0.0.1', $second)
  fork(): parent $parent and child $child2 both hold the connection
  [parent $parent] shutdown(SHUT_RDWR): the connection ends for every process that holds it (FIN)
  [child $child2] recv() returned 0: the parent's shutdown() ended it here too
  Socket closed" ]
    [ -z "$(err server)" ]
    kill -0 "$PID_server"
    # the children are gone (reaped), and the server holds no descriptor of theirs
    [ ! -e "/proc/$child1" ] && [ ! -e "/proc/$child2" ]
}

@test "experiment: without the client's shutdown(SHUT_WR) the server never reads end of file and never answers" {
    build_without_experiment tcp_closing.c "$BATS_TEST_TMPDIR/tcp_closing" 'never answers'
    grep -qx '//         status = shutdown(sock, SHUT_WR);' "$BATS_TEST_TMPDIR/tcp_closing.c"
    start_server server ./tcp_closing server halfclose 127.0.0.1 -p 0
    spawn client "$BATS_TEST_TMPDIR/tcp_closing" client halfclose 127.0.0.1 -p "$PORT"
    wait_for client '^Sent '
    # Both wait in recv(): the server for more of the request, the client for the answer.
    asleep_in_recv "$PID_server"
    asleep_in_recv "$PID_client"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/server.out")" -eq 2 ]     # Listening, Accepted: no more
    kill "$PID_client"                      # Ctrl+C: the client's close() sends the FIN
    wait_for server '^  recv\(\) returned 0: end of file'
}

@test "edit: each text the two sides send arrives as edited, and is counted by its own length" {
    build_edited tcp_closing.c "$BATS_TEST_TMPDIR/tcp_closing" \
        's/"Hi there, server. That is all I have to say."/"Hello"/; s/"Goodbye"/"Bye"/;
         s/"shutdown(SHUT_RD) done: go on sending\\n"/"go on\\n"/; s/"More data, after your SHUT_RD"/"Late"/;
         s/"Still open: the child holds the connection"/"Open"/'
    edited="$BATS_TEST_TMPDIR/tcp_closing"
    for step in halfclose epipe shutrd shared; do
        start_server "server_$step" "$edited" server "$step" 127.0.0.1 -p 0
        run "$edited" client "$step" 127.0.0.1 -p "$PORT"
        [ "$status" -eq 0 ]
        printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/client_$step.out"
    done
    grep -qx "Sent b'Hello', then shutdown(SHUT_WR): I will send no more" "$BATS_TEST_TMPDIR/client_halfclose.out"
    grep -qx "The server answered b'You sent me 5 bytes'" "$BATS_TEST_TMPDIR/client_halfclose.out"
    wait_for server_epipe "^  Second send\(\) of b'Bye' failed with EPIPE"
    grep -qx "The server said b'go on\\\\n'" "$BATS_TEST_TMPDIR/client_shutrd.out"
    grep -qx "The server answered b'You sent me 4 bytes after my SHUT_RD'" "$BATS_TEST_TMPDIR/client_shutrd.out"
    grep -qx "  recv() returned 4 bytes after SHUT_RD: b'Late'" "$BATS_TEST_TMPDIR/server_shutrd.out"
    grep -qx "The server answered b'Open'" "$BATS_TEST_TMPDIR/client_shared.out"
}

# A client that sends before the server's shutdown(): its bytes wait in the connection's
# receive queue before accept() (the server is stopped meanwhile), so the order is certain.
client_sends_first() {   # NAME TEXT: a tcp_peer that sends TEXT while the server is stopped
    kill -STOP "$PID_server"
    spawn "$1" "$ROOT/tests/tcp_peer" 127.0.0.1 "$PORT" send "$2" mark sent drain
    wait_for "$1" '^sent$'
    kill -CONT "$PID_server"
}

@test "shutrd: a client that sends first is told so: recv() after SHUT_RD returns its queued bytes" {
    start_server server ./tcp_closing server shutrd 127.0.0.1 -p 0
    client_sends_first peer 'Hello'
    wait_for server '^  shutdown'
    grep -qx "  shutdown(SHUT_RD), then recv() returned 5: bytes queued before the shutdown are still read: b'Hello'" \
        "$BATS_TEST_TMPDIR/server.out"
    run ! grep -q 'nothing is queued' "$BATS_TEST_TMPDIR/server.out"
}

@test "shared: a client that sends first: the child reads its bytes, then end of file from the shutdown" {
    start_server server ./tcp_closing server shared 127.0.0.1 -p 0
    run "$ROOT/tests/tcp_peer" 127.0.0.1 "$PORT" drain         # the first connection: close()
    [ "$output" = "b'Still open: the child holds the connection'" ]
    client_sends_first peer 'x'             # the second: shutdown(SHUT_RDWR)
    wait_count server '^  Socket closed$' 2
    grep -Eqx "  \[child [0-9]+\] recv\(\) read 1 bytes the client sent before the shutdown: b'x'" \
        "$BATS_TEST_TMPDIR/server.out"
    grep -Eqx "  \[child [0-9]+\] recv\(\) returned 0: the parent's shutdown\(\) ended it here too" \
        "$BATS_TEST_TMPDIR/server.out"
}

@test "a long request is counted whole and shown cut at 64 bytes" {
    start_server server ./tcp_closing server halfclose 127.0.0.1 -p 0
    head -c 100000 /dev/zero | tr '\0' 'x' >"$BATS_TEST_TMPDIR/big"
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    cat "$BATS_TEST_TMPDIR/big" >&5
    exec 5>&-                               # bash cannot half-close: this closes both ways
    wait_for server '^  Socket closed$'
    grep -qx "  Received 100000 bytes: b'$(printf 'x%.0s' {1..64})'\.\.\." "$BATS_TEST_TMPDIR/server.out"
}

@test "a client run against a server of another step ends instead of hanging" {
    start_server server ./tcp_closing server reset 127.0.0.1 -p 0
    run timeout 5 ./tcp_closing client halfclose 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "recv() returned 0: the server has closed the connection too" ]
    run timeout 5 ./tcp_closing client epipe 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    kill -0 "$PID_server"
}

@test "40 connections in a row per step, orderly and aborted, leave no descriptor open in the server" {
    for step in halfclose reset epipe; do
        start_server "server_$step" ./tcp_closing server "$step" 127.0.0.1 -p 0
        pid=$(eval echo "\$PID_server_$step")
        before=$(ls "/proc/$pid/fd" | wc -l)
        for i in $(seq 20); do               # a leak of one descriptor would show here
            ./tcp_closing client reset 127.0.0.1 -p "$PORT" >/dev/null
        done
        wait_count "server_$step" '^  Socket closed$' 40
        after=$(ls "/proc/$pid/fd" | wc -l)
        [ "$before" -eq "$after" ]
        kill -0 "$pid"
    done
}

@test "-h prints the usage and exits 0" {
    run ./tcp_closing -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_closing [-h] [-p PORT]" ]
    [ "${lines[1]}" = "                   {client,server} {halfclose,reset,epipe,shutrd,shared} host" ]
}

@test "a missing argument, an unknown role or step or a bad port is a usage error, exit 2" {
    run ./tcp_closing client halfclose
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_closing: error: the following arguments are required: host" ]
    run ./tcp_closing serve halfclose 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_closing: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
    run ./tcp_closing client close 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_closing: error: argument step: invalid choice: 'close' (choose from 'halfclose', 'reset', 'epipe', 'shutrd', 'shared')" ]
    run ./tcp_closing client reset 127.0.0.1 -p 70000
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_closing: error: argument -p: invalid value: '70000' (must be 0..65535)" ]
    run ./tcp_closing client
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_closing: error: the following arguments are required: step, host" ]
}

@test "client with no server reports Connection refused and exits 1" {
    port=$(free_tcp_port)
    run ./tcp_closing client halfclose 127.0.0.1 -p "$port"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_closing: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}
