#!/usr/bin/env bats
# tcp/tcp_sixteen: the 16-octet exchange, recvall() against misbehaving peers, and the
# lecture's three experiments (no server, SO_REUSEADDR, 127.0.0.1 versus "").

load lib/helpers

setup() {
    cd "$ROOT/tcp"
    PEER="$ROOT/tests/tcp_peer"
}

# Wait until NAME.out has at least N lines matching REGEX.
wait_count() {
    local name=$1 regex=$2 n=$3 tries=500
    while (($(grep -Ec -- "$regex" "$BATS_TEST_TMPDIR/$name.out") < n)); do
        ((tries-- > 0)) || { echo "timed out waiting for $n x /$regex/ from $name" >&2; return 1; }
        sleep 0.01
    done
}

# The sockets in TIME_WAIT whose local port is $1, from /proc/net/tcp (state 06).
time_wait_on_port() {
    awk -v port=":$(printf '%04X' "$1")" '$4 == "06" && substr($2, length($2) - 4) == port' \
        /proc/net/tcp
}

@test "server prints its Listening line and waits for a connection" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    wait_for server '^Waiting to accept a new connection$'
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Waiting to accept a new connection" ]
}

@test "client and server exchange sixteen octets each way with the exact lines" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^Client\ has\ been\ assigned\ socket\ name\ \(\'127\.0\.0\.1\',\ ([0-9]+)\)$ ]]
    client_port=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
    [ "${#lines[@]}" -eq 2 ]
    wait_count server '^Waiting to accept' 2
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)
Waiting to accept a new connection
We have accepted a connection from ('127.0.0.1', $client_port)
  Socket name: ('127.0.0.1', $PORT)
  Socket peer: ('127.0.0.1', $client_port)
  Incoming sixteen-octet message: b'Hi there, server'
  Reply sent, socket closed
Waiting to accept a new connection" ]
    [ -z "$(err server)" ]
}

@test "recvall joins a message that arrives in two pieces" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn peer "$PEER" 127.0.0.1 "$PORT" send 'Hi th' await "$BATS_TEST_TMPDIR/go" \
        send 'ere, server' drain
    wait_for server '^  Socket peer'
    [ "$(out peer)" = "" ]                  # 5 bytes came; the server is still waiting
    run grep -c Incoming "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    touch "$BATS_TEST_TMPDIR/go"
    wait_for server "^  Incoming sixteen-octet message: b'Hi there, server'$"
    wait_exit "$PID_peer"
    [ "$(out peer)" = "b'Farewell, client'" ]
}

@test "experiment: recvall() without its loop line takes one recv(): half a message is shown as the message" {
    build_without_experiment tcp_sixteen.c "$BATS_TEST_TMPDIR/tcp_sixteen" 'recvall()'
    grep -qx '//         if (received < length) continue;' "$BATS_TEST_TMPDIR/tcp_sixteen.c"
    start_server server "$BATS_TEST_TMPDIR/tcp_sixteen" server 127.0.0.1 -p 0
    spawn peer "$PEER" 127.0.0.1 "$PORT" send 'Hi th' await "$BATS_TEST_TMPDIR/go" \
        send 'ere, server' drain
    wait_for server "^  Incoming sixteen-octet message: b'Hi th'$"
    wait_for server '^  Reply sent, socket closed$'
    touch "$BATS_TEST_TMPDIR/go"
}

@test "edit: shorter texts are sent as they are, and the peer's recvall(16) waits for the rest" {
    build_edited tcp_sixteen.c "$BATS_TEST_TMPDIR/tcp_sixteen" \
        's/"Farewell, client"/"Goodbye"/; s/"Hi there, server"/"Hello"/'
    # The edited server answers 7 bytes and closes: the unedited client says so.
    start_server edited "$BATS_TEST_TMPDIR/tcp_sixteen" server 127.0.0.1 -p 0
    run "$PEER" 127.0.0.1 "$PORT" send 'Hi there, server' drain
    [ "$status" -eq 0 ]
    [ "$output" = "b'Goodbye'" ]                # the new text, and not a byte past it
    run --separate-stderr ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "tcp_sixteen: recvall ('127.0.0.1', $PORT): was expecting 16 bytes but only received 7 bytes before the socket closed" ]
    # The edited client sends 5 bytes to the unedited server: the framing lesson, both wait.
    # The server has 5 of its 16 bytes and waits for more; the client waits for the answer.
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn client "$BATS_TEST_TMPDIR/tcp_sixteen" client 127.0.0.1 -p "$PORT"
    wait_for server '^  Socket peer'
    asleep_in_recv "$PID_server"
    asleep_in_recv "$PID_client"
    run grep -c Incoming "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    kill "$PID_client"                      # Ctrl+C: its close() ends the 5-byte message
    wait_count server '^Waiting to accept' 2
    [[ "$(err server)" =~ ^tcp_sixteen:\ recvall\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ was\ expecting\ 16\ bytes\ but\ only\ received\ 5\ bytes\ before\ the\ socket\ closed$ ]]
}

@test "server prints a binary message escaped, as repr(bytes) does" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    run "$PEER" 127.0.0.1 "$PORT" send $'\x1b[31m\xff\t\n\rcaf\xc3\xa9\\\'' drain
    [ "$status" -eq 0 ]
    wait_for server '^  Reply sent'
    # The message holds a ' and no ", so Python quotes it with ".
    grep -qxF '  Incoming sixteen-octet message: b"\x1b[31m\xff\t\n\rcaf\xc3\xa9\\'\''"' \
        "$BATS_TEST_TMPDIR/server.out"
    run grep -c $'\x1b' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
}

@test "a client that sends 3 bytes and closes is reported and the server serves the next" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    run "$PEER" 127.0.0.1 "$PORT" send 'Hi!' shut drain
    [ "$status" -eq 0 ]
    [ "$output" = "b''" ]                   # no reply: the server dropped the connection
    wait_count server '^Waiting to accept' 2
    [[ "$(err server)" =~ ^tcp_sixteen:\ recvall\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ was\ expecting\ 16\ bytes\ but\ only\ received\ 3\ bytes\ before\ the\ socket\ closed$ ]]
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
}

@test "a client that resets the connection without sending is reported and the server goes on" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn peer "$PEER" 127.0.0.1 "$PORT" await "$BATS_TEST_TMPDIR/go" reset
    wait_for server '^  Socket peer'       # the server is in recvall() now
    touch "$BATS_TEST_TMPDIR/go"
    wait_count server '^Waiting to accept' 2
    [[ "$(err server)" =~ ^tcp_sixteen:\ recv\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ ECONNRESET\ Connection\ reset\ by\ peer$ ]]
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
}

@test "client reports a server that closes after 3 bytes and exits 1" {
    start_server fake "$PEER" -l 127.0.0.1 0 send 'Bye' shut drain
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" == "Client has been assigned socket name ('127.0.0.1', "* ]]
    [ "${lines[1]}" = "tcp_sixteen: recvall ('127.0.0.1', $PORT): was expecting 16 bytes but only received 3 bytes before the socket closed" ]
    wait_exit "$PID_fake"
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/fake.out")" = "b'Hi there, server'" ]
}

@test "experiment 1: client with no server reports Connection refused and exits 1" {
    port=$(free_tcp_port)
    run ./tcp_sixteen client 127.0.0.1 -p "$port"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_sixteen: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}

@test "experiment 2: without SO_REUSEADDR a restart after an exchange fails with Address already in use, every time" {
    build_without_experiment tcp_sixteen.c "$BATS_TEST_TMPDIR/tcp_sixteen" SO_REUSEADDR
    grep -qx '//     status = setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));' \
        "$BATS_TEST_TMPDIR/tcp_sixteen.c"
    # "Every time" rests on the client: it closes only after the server's FIN, so the server
    # is always the end that closes first (TIME_WAIT). Against a server that has answered and
    # not yet closed, the client has printed its reply and is still connected, waiting.
    start_server fake "$PEER" -l 127.0.0.1 0 send 'Farewell, client' await "$BATS_TEST_TMPDIR/close"
    spawn client "$BATS_TEST_TMPDIR/tcp_sixteen" client 127.0.0.1 -p "$PORT"
    wait_for client "^The server said b'Farewell, client'$"
    asleep_in_recv "$PID_client"            # after its last line: still waiting for the FIN
    touch "$BATS_TEST_TMPDIR/close"
    wait_exit "$PID_client"
    # The README's steps, twice: one exchange with the real client, stop the server, restart.
    for round in 1 2; do
        start_server "server$round" "$BATS_TEST_TMPDIR/tcp_sixteen" server "" -p 0
        run "$BATS_TEST_TMPDIR/tcp_sixteen" client 127.0.0.1 -p "$PORT"
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "The server said b'Farewell, client'" ]
        pid=$(eval echo "\$PID_server$round")
        kill "$pid"                    # as Ctrl+C does: the process ends, its sockets close
        wait_exit "$pid"
        # The client waited for the server's FIN: the server closed first, and its end of
        # the connection sits in TIME_WAIT on the port.
        [ -n "$(time_wait_on_port "$PORT")" ]
        run "$BATS_TEST_TMPDIR/tcp_sixteen" server "" -p "$PORT"
        [ "$status" -eq 1 ]
        [ "$output" = "tcp_sixteen: bind ('0.0.0.0', $PORT): EADDRINUSE Address already in use" ]
        kill_spawned || true
    done
}

@test "experiment 2: with SO_REUSEADDR the same restart works" {
    start_server server ./tcp_sixteen server "" -p 0
    first_port=$PORT
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    kill "$PID_server"             # as Ctrl+C does: the process ends, its sockets close
    wait_exit "$PID_server"
    [ -n "$(time_wait_on_port "$PORT")" ]
    start_server again ./tcp_sixteen server "" -p "$first_port"
    [ "$PORT" = "$first_port" ]
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
}

@test "experiment 3: a server bound to 127.0.0.1 refuses a client that connects to 127.0.0.2" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    run ./tcp_sixteen client 127.0.0.2 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_sixteen: connect ('127.0.0.2', $PORT): ECONNREFUSED Connection refused" ]
    run grep -c 'accepted' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
}

@test "experiment 3: a server bound to \"\" accepts clients on 127.0.0.1 and 127.0.0.2" {
    start_server server ./tcp_sixteen server "" -p 0
    [ "$(head -n 1 "$BATS_TEST_TMPDIR/server.out")" = "Listening at ('0.0.0.0', $PORT)" ]
    for address in 127.0.0.1 127.0.0.2; do
        run ./tcp_sixteen client "$address" -p "$PORT"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "Client has been assigned socket name ('127.0.0.1', "* ]]
        [ "${lines[1]}" = "The server said b'Farewell, client'" ]
        wait_for server "^  Socket name: \('$address', $PORT\)$"
    done
}

@test "200 connections in a row, good and bad, leave no descriptor open in the server" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    before=$(ls "/proc/$PID_server/fd" | wc -l)
    "$PEER" -n 100 127.0.0.1 "$PORT" send 'Hi there, server' drain >/dev/null
    "$PEER" -n 90 127.0.0.1 "$PORT" send 'Hi!' shut drain >/dev/null
    # One reset at a time: a burst would overflow the backlog of 1 and wait for SYN retries.
    for i in $(seq 10); do
        "$PEER" 127.0.0.1 "$PORT" send 'Hi' reset
        wait_count server '^Waiting to accept' $((191 + i))
    done
    [ "$(grep -c '^  Reply sent' "$BATS_TEST_TMPDIR/server.out")" -eq 100 ]
    after=$(ls "/proc/$PID_server/fd" | wc -l)
    [ "$before" -eq "$after" ]
    kill -0 "$PID_server"
}

@test "-h prints the usage and exits 0" {
    run ./tcp_sixteen -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_sixteen [-h] [-p PORT] {client,server} host" ]
}

@test "a missing host, an unknown role or a bad port is a usage error, exit 2" {
    run ./tcp_sixteen client
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: tcp_sixteen [-h] [-p PORT] {client,server} host" ]
    [ "${lines[1]}" = "tcp_sixteen: error: the following arguments are required: host" ]
    run ./tcp_sixteen serve 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_sixteen: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
    run ./tcp_sixteen client 127.0.0.1 -p 70000
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_sixteen: error: argument -p: invalid value: '70000' (must be 0..65535)" ]
    run ./tcp_sixteen client 127.0.0.1 -p abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_sixteen: error: argument -p: invalid int value: 'abc'" ]
    run ./tcp_sixteen client 127.0.0.1 extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_sixteen: error: unrecognized arguments: extra more" ]
    run ./tcp_sixteen --port=1 client 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_sixteen: error: unrecognized arguments: --port=1" ]
}

@test "a server on a port already listened on reports bind EADDRINUSE, exit 1" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    run ./tcp_sixteen server 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_sixteen: bind ('127.0.0.1', $PORT): EADDRINUSE Address already in use" ]
}

@test "a client started with stdout closed sends the server exactly its 16 bytes" {
    start_server fake "$PEER" -l 127.0.0.1 0 send 'Farewell, client' shut drain
    # Closed inside bash -c: bats' `run ... >&-` would leave the program a pipe as stdout.
    run bash -c './tcp_sixteen client 127.0.0.1 -p "$1" >&-' sh "$PORT"
    [ "$status" -eq 0 ]
    wait_exit "$PID_fake"
    # what the fake server received: the message, and not "Client has been assigned ..."
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/fake.out")" = "b'Hi there, server'" ]
    [ "$(wc -l <"$BATS_TEST_TMPDIR/fake.out")" -eq 2 ]
}

@test "a client whose stdout is full says so and exits 1" {
    [ -w /dev/full ] || skip "no /dev/full here"
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    run bash -c "./tcp_sixteen client 127.0.0.1 -p $PORT >/dev/full"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_sixteen: write to stdout: ENOSPC No space left on device" ]
    wait_for server '^  Reply sent'         # the exchange itself went through
}

@test "a server whose log fails says so once on stderr and goes on serving" {
    [ -w /dev/full ] || skip "no /dev/full here"
    port=$(free_tcp_port)
    ./tcp_sixteen server 127.0.0.1 -p "$port" >/dev/full 2>"$BATS_TEST_TMPDIR/server.err" </dev/null 3>&- &
    SPAWNED_PIDS+=($!)
    pid=$!
    tries=500
    until ./tcp_sixteen client 127.0.0.1 -p "$port" >/dev/null 2>&1; do ((tries-- > 0)); sleep 0.01; done
    run ./tcp_sixteen client 127.0.0.1 -p "$port"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
    [ "$(cat "$BATS_TEST_TMPDIR/server.err")" = "tcp_sixteen: write to stdout: ENOSPC No space left on device" ]
    kill -0 "$pid"
}

@test "a silent connection holds the one-at-a-time server: the next client waits until it closes" {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"      # the README's exec 3<>/dev/tcp/...: says nothing
    wait_for server '^  Socket peer'
    spawn next sh -c 'exec ./tcp_sixteen client 127.0.0.1 -p "$1" 5>&-' sh "$PORT"
    wait_for next '^Client has been assigned'   # connected: the kernel completed it
    # The server sleeps in recv() on the silent connection, so it cannot accept the next
    # one: no fixed wait, the state itself is the proof.
    asleep_in_recv "$PID_server"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/next.out")" -eq 1 ]
    run grep -c '^  Incoming' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    exec 5>&-                               # close the silent connection: the server moves on
    wait_for next "^The server said b'Farewell, client'$"
    [[ "$(err server)" == *"was expecting 16 bytes but only received 0 bytes before the socket closed" ]]
}
