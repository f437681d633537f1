#!/usr/bin/env bats
# udp/udp_remote: the exchange, the connected client's filtering (and its limit: a forged
# source gets in), backoff, port unreachable, the connect() experiment and a student's edit
# of the message (udp/README.md). The server's guard against forged datagrams (its own
# address, port 0, a reflection loop) is tested in hostile_udp.bats. The full backoff (3.1 s) is waited for once, by a client
# that setup_file starts while the other tests run (its test is the last); the other tests
# that need the client to give up shorten it with -w.

load lib/helpers

setup_file() {
    cd "$ROOT/udp"
    local dir=$BATS_FILE_TMPDIR tries=500
    ./udp_remote server 127.0.0.1 -p 0 -d 1 >"$dir/dropper.out" 2>&1 </dev/null 3>&- &
    echo $! >"$dir/dropper.pid"
    until grep -q '^Listening' "$dir/dropper.out" && ((--tries > 0)); do sleep 0.01; done
    sed -nE "s/^Listening at \('127\.0\.0\.1', ([0-9]+)\)$/\1/p" "$dir/dropper.out" >"$dir/dropper.port"
    (
        date +%s.%N >"$dir/backoff.start"
        status=0
        ./udp_remote client 127.0.0.1 -p "$(cat "$dir/dropper.port")" >"$dir/backoff.out" 2>&1 ||
            status=$?
        echo "exit $status" >>"$dir/backoff.out"
        date +%s.%N >"$dir/backoff.end"
    ) </dev/null >/dev/null 2>&1 3>&- &
    echo $! >"$dir/backoff.pid"
}

teardown_file() {
    kill "$(cat "$BATS_FILE_TMPDIR/backoff.pid")" "$(cat "$BATS_FILE_TMPDIR/dropper.pid")" 2>/dev/null || :
}

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

@test "the client retries after a dropped datagram and gets the reply" {
    # With -d 0.5 and -w 0.4 (three tries, 0.7 s at most) a client is dropped once or twice
    # and then answered 3 times in 8. 30 clients at once: none of them so is 1 in a million.
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0.5
    pids=()
    for i in $(seq 30); do
        ./udp_remote client 127.0.0.1 -p "$PORT" -w 0.4 >"$BATS_TEST_TMPDIR/client$i.out" 2>&1 3>&- &
        pids+=($!)
    done
    wait "${pids[@]}" || :                      # some give up: -d 0.5 drops all three tries
    retried=0
    for i in $(seq 30); do
        out=$BATS_TEST_TMPDIR/client$i.out
        if [ "$(sed -n 3p "$out")" = "Waiting up to 0.2 seconds for a reply" ] &&
            [ "$(tail -n 1 "$out")" = "The server says 'Your data was 23 bytes long'" ]; then
            retried=$((retried + 1))
        fi
    done
    ((retried > 0))
    grep -q '^Pretending to drop packet from' "$BATS_TEST_TMPDIR/server.out"
}

@test "the connected client's kernel refuses a stranger's datagram (port unreachable); the genuine reply gets in" {
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    kill -STOP "$PID_server"                      # Ctrl+Z: the client waits
    spawn client ./udp_remote client 127.0.0.1 -p "$PORT"
    wait_for client '^Client socket name is'
    client_port=$(sed -nE "s/^Client socket name is \('127\.0\.0\.1', ([0-9]+)\)$/\1/p" \
        "$BATS_TEST_TMPDIR/client.out")
    # The stranger (a connected socket too) hears the ICMP "port unreachable" that the
    # client's kernel sent back: no socket there takes a datagram from the stranger's port.
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$client_port" 4
    [ "$status" -eq 1 ]
    [ "$output" = "udp_probe: recv ('127.0.0.1', $client_port): ECONNREFUSED Connection refused" ]
    kill -CONT "$PID_server"
    wait_exit "$PID_client"
    run out client
    [ "${lines[-1]}" = "The server says 'Your data was 23 bytes long'" ]
    run ! grep -q '####' "$BATS_TEST_TMPDIR/client.out"
}

@test "EXPERIMENT: without connect() the client takes a stranger's datagram as the server's reply" {
    build_without_experiment "$ROOT/udp/udp_remote.c" "$BATS_TEST_TMPDIR/udp_remote"
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 1   # drops all, names the client
    spawn client "$BATS_TEST_TMPDIR/udp_remote" client 127.0.0.1 -p "$PORT" -w 4
    wait_for server '^Pretending to drop packet from'
    client_port=$(sed -nE "1,2s/^Pretending to drop packet from \('127\.0\.0\.1', ([0-9]+)\)$/\1/p" \
        "$BATS_TEST_TMPDIR/server.out")
    printf 'FAKE' >"/dev/udp/127.0.0.1/$client_port"      # from another port: bash's own
    wait_exit "$PID_client"
    run out client
    [ "${lines[0]}" = "Client socket name is ('0.0.0.0', 0)" ]   # no port before the first send
    [ "${lines[-1]}" = "The server says 'FAKE'" ]
}

@test "connect() filters, it does not authenticate: a reply forged from the server's address and port is believed" {
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs a raw socket: root"
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    kill -STOP "$PID_server"
    spawn client ./udp_remote client 127.0.0.1 -p "$PORT" -w 4
    wait_for client '^Waiting up to'
    client_port=$(sed -nE "s/^Client socket name is \('127\.0\.0\.1', ([0-9]+)\)$/\1/p" \
        "$BATS_TEST_TMPDIR/client.out")
    "$ROOT/tests/udp_forge" 127.0.0.1 "$PORT" 127.0.0.1 "$client_port" 'Your data was 0 bytes long'
    wait_exit "$PID_client"
    run out client
    [ "${lines[-1]}" = "The server says 'Your data was 0 bytes long'" ]
    [ "$(grep -c ' says ' "$BATS_TEST_TMPDIR/server.out")" -eq 0 ]  # the real server said nothing
}

@test "Ctrl+Z and fg during the client's wait end it early (EINTR on Linux): the client tries again, no error" {
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    kill -STOP "$PID_server"                      # no reply yet
    spawn client ./udp_remote client 127.0.0.1 -p "$PORT" -w 60
    wait_for client '^Waiting up to 0.4 seconds'  # in a 0.4 s recv() now
    kill -STOP "$PID_client"
    kill -CONT "$PID_client"
    wait_for client '^Waiting up to 0.8 seconds'
    kill -CONT "$PID_server"
    wait_exit "$PID_client"
    [ -z "$(err client)" ]
    run out client
    [ "${lines[-1]}" = "The server says 'Your data was 23 bytes long'" ]
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

@test "an unknown host is one line naming it, exit 1 (no DNS: a private hosts file)" {
    with_hosts_file $'127.0.0.1 localhost\n' ./udp_remote client nosuch.invalid
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "udp_remote: getaddrinfo 'nosuch.invalid': [Errno -2] Name or service not known" ]
}

@test "usage errors: missing host, bad role, bad port, bad probability, exit 2" {
    run ./udp_remote client
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: udp_remote [-h] [-p PORT] [-d PROBABILITY] [-w MAX_WAIT]" ]
    [ "${lines[1]}" = "                  {client,server} host" ]
    [ "${lines[-1]}" = "udp_remote: error: the following arguments are required: host" ]
    run ./udp_remote
    [ "${lines[-1]}" = "udp_remote: error: the following arguments are required: role, host" ]
    run ./udp_remote both 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument role: invalid choice: 'both' (choose from 'client', 'server')" ]
    run ./udp_remote client 127.0.0.1 -p 65536
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument -p: invalid value: '65536' (must be 0..65535)" ]
    run ./udp_remote server 127.0.0.1 -d 1.5
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument -d: invalid value: '1.5' (must be 0..1)" ]
    run ./udp_remote server 127.0.0.1 -d half
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument -d: invalid float value: 'half'" ]
    run ./udp_remote client 127.0.0.1 -w soon
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument -w: invalid float value: 'soon'" ]
    run ./udp_remote client 127.0.0.1 -w -1
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument -w: invalid value: '-1' (must be 0..86400)" ]
    run ./udp_remote client 127.0.0.1 extra more
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: unrecognized arguments: extra more" ]
}

@test "argparse's words: a bad role is reported before the missing host (udp_remote.py's line)" {
    run ./udp_remote bad
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 3 ]                 # the usage line, wrapped, and the error
    [ "${lines[-1]}" = "udp_remote: error: argument role: invalid choice: 'bad' (choose from 'client', 'server')" ]
    run ./udp_remote -p abc client 127.0.0.1
    [ "${lines[-1]}" = "udp_remote: error: argument -p: invalid int value: 'abc'" ]
    run ./udp_remote client 127.0.0.1 -p -h
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "udp_remote: error: argument -p: expected one argument" ]
    run ./udp_remote --port=5 client 127.0.0.1
    [ "${lines[-1]}" = "udp_remote: error: unrecognized arguments: --port=5" ]
}

@test "-h prints the usage and exits 0, as its unique prefix --he does; -d 0.25 is taken" {
    run ./udp_remote -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: udp_remote [-h] [-p PORT] [-d PROBABILITY] [-w MAX_WAIT]" ]
    [ "${lines[1]}" = "                  {client,server} host" ]
    run ./udp_remote --he
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: udp_remote [-h] [-p PORT] [-d PROBABILITY] [-w MAX_WAIT]" ]
    [ "${lines[1]}" = "                  {client,server} host" ]
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0.25
}

@test "EXPERIMENT: a client of 127.0.0.2 never hears a server bound to \"\": the reply comes from 127.0.0.1" {
    # The server prints every request, but answers from the address the kernel picks for
    # the way back (127.0.0.1); the client connect()ed to 127.0.0.2 and its kernel drops
    # a datagram from anyone else. udp_remote.py does exactly the same.
    # -w 0.2: the backoff stops after the 0.2 s wait (0.3 s in all, not 3.1).
    start_server server ./udp_remote server "" -p 0 -d 0
    run ./udp_remote client 127.0.0.2 -p "$PORT" -w 0.2
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" =~ ^Client\ socket\ name\ is\ \(\'127\.0\.0\.1\',\ ([0-9]+)\)$ ]]
    client_port=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${lines[2]}" = "Waiting up to 0.2 seconds for a reply" ]
    [ "${lines[3]}" = "udp_remote: I think the server is down" ]
    [ "${#lines[@]}" -eq 4 ]
    [ "$(grep -c "^The client at ('127.0.0.1', $client_port) says 'This is another message'$" \
        "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
}

@test "a client started with stderr closed sends the server nothing but its requests" {
    # A listener that never answers (udp_broadcast's server) shows every datagram. The
    # client gives up and writes its error to descriptor 2: /dev/null, not its socket.
    start_server listener ./udp_broadcast server 127.0.0.1 -p 0
    run bash -c './udp_remote client 127.0.0.1 -p "$1" -w 0.1 2>&-' bash "$PORT"
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${#lines[@]}" -eq 2 ]
    printf 'END' >"/dev/udp/127.0.0.1/$PORT"        # after everything the client sent
    wait_for listener "says: 'END'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/listener.out")" -eq 2 ]
    [ "$(grep -c "says: 'This is another message'$" "$BATS_TEST_TMPDIR/listener.out")" -eq 1 ]
}

@test "a server whose log reader goes away says so once on stderr and goes on serving" {
    port=$(free_udp_port)
    # head reads the Listening line and exits: the server's next log line meets EPIPE.
    spawn server bash -c 'exec ./udp_remote server 127.0.0.1 -p "$1" -d 0 > >(head -n 1 >"$2")' \
        bash "$port" "$BATS_TEST_TMPDIR/head.out"
    for size in $(seq 1 20); do
        run "$ROOT/tests/udp_probe" 127.0.0.1 "$port" "$size"
        [ -s "$BATS_TEST_TMPDIR/server.err" ] && break
    done
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$port" 30
    [ "$output" = "'Your data was 30 bytes long'" ]
    [ "$(err server)" = "udp_remote: write to stdout: EPIPE Broken pipe" ]
    [ "$(cat "$BATS_TEST_TMPDIR/head.out")" = "Listening at ('127.0.0.1', $port)" ]
}

@test "a student's edit of the message: the server gets the new text, the client its length" {
    build_edited "$ROOT/udp/udp_remote.c" "$BATS_TEST_TMPDIR/udp_remote" \
        's/"This is another message"/"Hi, server"/'
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    run "$BATS_TEST_TMPDIR/udp_remote" client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server says 'Your data was 10 bytes long'" ]
    wait_for server "says 'Hi, server'$"
    [ "$(grep -c ' says ' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]
}

@test "backoff: against a server that drops everything the client waits 0.1 to 1.6 s (3.1 s in all), then gives up" {
    # The client setup_file started at the beginning of this file.
    wait_exit "$(cat "$BATS_FILE_TMPDIR/backoff.pid")" 10
    run cat "$BATS_FILE_TMPDIR/backoff.out"
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${lines[2]}" = "Waiting up to 0.2 seconds for a reply" ]
    [ "${lines[3]}" = "Waiting up to 0.4 seconds for a reply" ]
    [ "${lines[4]}" = "Waiting up to 0.8 seconds for a reply" ]
    [ "${lines[5]}" = "Waiting up to 1.6 seconds for a reply" ]
    [ "${lines[6]}" = "udp_remote: I think the server is down" ]
    [ "${lines[7]}" = "exit 1" ]
    [ "${#lines[@]}" -eq 8 ]
    [ "$(grep -c '^Pretending to drop packet from' "$BATS_FILE_TMPDIR/dropper.out")" -eq 5 ]
    start=$(cat "$BATS_FILE_TMPDIR/backoff.start") end=$(cat "$BATS_FILE_TMPDIR/backoff.end")
    awk -v s="$start" -v e="$end" 'BEGIN { exit !(e - s >= 3.1) }'    # it did wait each time
}
