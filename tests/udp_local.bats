#!/usr/bin/env bats
# udp/udp_local: the local UDP exchange, bad arguments, the spoofing experiment, the bind()
# experiment and a student's edit of the client's message (udp/README.md).

load lib/helpers

setup() {
    cd "$ROOT/udp"
}

@test "server prints its Listening line with the port the OS chose" {
    start_server server ./udp_local server -p 0
    [ "$(out server)" = "Listening at ('127.0.0.1', $PORT)" ]
}

@test "client and server exchange a datagram with the exact lines" {
    start_server server ./udp_local server -p 0
    run ./udp_local client -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^The\ OS\ assigned\ me\ the\ address\ \(\'0\.0\.0\.0\',\ ([0-9]+)\)$ ]]
    client_port=${BASH_REMATCH[1]}
    [[ "${lines[1]}" =~ ^The\ server\ \(\'127\.0\.0\.1\',\ $PORT\)\ replied\ \'Your\ data\ was\ [0-9]+\ bytes\ long\'$ ]]
    wait_for server "^The client at \('127\.0\.0\.1', $client_port\) says 'The time is [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?'$"
}

@test "the reply counts the bytes the client sent" {
    start_server server ./udp_local server -p 0
    run ./udp_local client -p "$PORT"
    [ "$status" -eq 0 ]
    line=$(grep 'The time is' "$BATS_TEST_TMPDIR/server.out")
    text=${line#*says \'}
    text=${text%\'}
    [[ "${lines[1]}" == *"'Your data was ${#text} bytes long'" ]]
}

@test "two clients in a row are both answered" {
    start_server server ./udp_local server -p 0
    run ./udp_local client -p "$PORT"
    [ "$status" -eq 0 ]
    run ./udp_local client -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "The server ('127.0.0.1', $PORT) replied 'Your data was "* ]]
    [ "$(grep -c '^The client at' "$BATS_TEST_TMPDIR/server.out")" -eq 2 ]
}

@test "spoofing: while the server is stopped, a stranger's datagram is taken as the reply" {
    start_server server ./udp_local server -p 0
    kill -STOP "$PID_server"                      # Ctrl+Z in the lecture
    spawn client ./udp_local client -p "$PORT"
    wait_for client '^The OS assigned me the address'
    client_port=$(sed -nE "s/.*'0\.0\.0\.0', ([0-9]+)\)$/\1/p" "$BATS_TEST_TMPDIR/client.out")
    printf 'FAKE' >"/dev/udp/127.0.0.1/$client_port"
    wait_exit "$PID_client"
    run out client
    [[ "${lines[1]}" =~ ^The\ server\ \(\'127\.0\.0\.1\',\ [0-9]+\)\ replied\ \'FAKE\'$ ]]
    [[ "${lines[1]}" != *", $PORT) replied"* ]]
}

@test "server prints empty, binary and invalid UTF-8 datagrams escaped and answers them" {
    start_server server ./udp_local server -p 0
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$PORT" 0
    [ "$output" = "'Your data was 0 bytes long'" ]
    printf 'caf\xc3\xa9\x00\x1b[31m\xff\n' >"/dev/udp/127.0.0.1/$PORT"
    wait_for server "says 'caf"
    grep -qx "The client at ('127.0.0.1', [0-9]*) says ''" "$BATS_TEST_TMPDIR/server.out"
    grep -qF "says 'caf"$'\xc3\xa9'"\\x00\\x1b[31m\\xff\\n'" "$BATS_TEST_TMPDIR/server.out"
    run ! grep -q $'\x1b' "$BATS_TEST_TMPDIR/server.out"
}

@test "server answers the largest datagram UDP allows (65,507 bytes)" {
    start_server server ./udp_local server -p 0
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$PORT" 65507
    [ "$status" -eq 0 ]
    [ "$output" = "'Your data was 65507 bytes long'" ]
}

@test "-h prints the usage and exits 0" {
    run ./udp_local -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: udp_local [-h] [-p PORT] {client,server}" ]
}

@test "a missing role is a usage error, exit 2" {
    run ./udp_local
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: udp_local [-h] [-p PORT] {client,server}" ]
    [ "${lines[1]}" = "udp_local: error: the following arguments are required: role" ]
}

@test "an unknown role is a usage error, exit 2" {
    run ./udp_local serve
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_local: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
}

@test "bad ports are usage errors in argparse's words, exit 2" {
    for port in abc 12x "" 1.5; do
        run ./udp_local client -p "$port"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "udp_local: error: argument -p: invalid int value: '$port'" ]
    done
    for port in 70000 -1; do        # Python's traceback is a usage error here (README)
        run ./udp_local client -p "$port"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "udp_local: error: argument -p: invalid value: '$port' (must be 0..65535)" ]
    done
    run ./udp_local client -p
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_local: error: argument -p: expected one argument" ]
}

@test "argparse's lines for the lecture's bad command lines, word for word" {
    check() {
        run ./udp_local "$@"
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 2 ]
        [ "${lines[0]}" = "usage: udp_local [-h] [-p PORT] {client,server}" ]
    }
    check
    [ "${lines[1]}" = "udp_local: error: the following arguments are required: role" ]
    check bad
    [ "${lines[1]}" = "udp_local: error: argument role: invalid choice: 'bad' (choose from 'client', 'server')" ]
    check client extra more
    [ "${lines[1]}" = "udp_local: error: unrecognized arguments: extra more" ]
    check -p abc client
    [ "${lines[1]}" = "udp_local: error: argument -p: invalid int value: 'abc'" ]
    check -p
    [ "${lines[1]}" = "udp_local: error: argument -p: expected one argument" ]
    check -p -h
    [ "${lines[1]}" = "udp_local: error: argument -p: expected one argument" ]
    check $'\x1b[31mbad'
    [ "${lines[1]}" = "udp_local: error: argument role: invalid choice: '\\x1b[31mbad' (choose from 'client', 'server')" ]
}

@test "a server on a port already taken reports bind EADDRINUSE, exit 1" {
    start_server server ./udp_local server -p 0
    run ./udp_local server -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "udp_local: bind ('127.0.0.1', $PORT): EADDRINUSE Address already in use" ]
}

@test "a client whose stdout is full says so on stderr and exits 1" {
    start_server server ./udp_local server -p 0
    run --separate-stderr bash -c './udp_local client -p "$1" >/dev/full' bash "$PORT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "udp_local: write to stdout: ENOSPC No space left on device" ]
    wait_for server "says 'The time is "
}

@test "a server whose stdout is full says so once on stderr and goes on serving" {
    port=$(free_udp_port)
    spawn server bash -c 'exec ./udp_local server -p "$1" >/dev/full' bash "$port"
    for _ in $(seq 500); do
        [ -s "$BATS_TEST_TMPDIR/server.err" ] && break
        sleep 0.01
    done
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$port" 3
    [ "$output" = "'Your data was 3 bytes long'" ]
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$port" 4
    [ "$output" = "'Your data was 4 bytes long'" ]
    [ "$(err server)" = "udp_local: write to stdout: ENOSPC No space left on device" ]
}

@test "a datagram forged from the server's own address and port is ignored, not answered forever" {
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs a raw socket: root"
    start_server server ./udp_local server -p 0
    "$ROOT/tests/udp_forge" 127.0.0.1 "$PORT" 127.0.0.1 "$PORT" hello
    wait_for server "'hello'$|^Ignoring"
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$PORT" 5
    [ "$output" = "'Your data was 5 bytes long'" ]
    [ "$(grep -c ' says ' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/server.out")" = "Ignoring a datagram from ('127.0.0.1', $PORT): the server's own address and port" ]
    "$ROOT/tests/udp_forge" 127.0.0.1 0 127.0.0.1 "$PORT" zero
    wait_for server "^Ignoring a datagram from \('127\.0\.0\.1', 0\): port 0$"
    [ -z "$(err server)" ]
}

@test "EXPERIMENT: a server without bind() has no port at all, so the client's datagram finds nobody" {
    build_without_experiment "$ROOT/udp/udp_local.c" "$BATS_TEST_TMPDIR/udp_local"
    port=$(free_udp_port)
    spawn server "$BATS_TEST_TMPDIR/udp_local" server -p "$port"
    wait_for server '^Listening'
    [ "$(out server)" = "Listening at ('0.0.0.0', 0)" ]
    # A connected probe hears the kernel's "port unreachable" at once: nobody is at $port.
    run "$ROOT/tests/udp_probe" 127.0.0.1 "$port" 4
    [ "$status" -eq 1 ]
    [ "$output" = "udp_probe: recv ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
    [ "$(out server)" = "Listening at ('0.0.0.0', 0)" ]
}

@test "a student's edit of the client's text: the server gets the new text and its length" {
    build_edited "$ROOT/udp/udp_local.c" "$BATS_TEST_TMPDIR/udp_local" 's/"The time is %s"/"Now: %s"/'
    start_server server ./udp_local server -p 0
    run "$BATS_TEST_TMPDIR/udp_local" client -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for server " says 'Now: [0-9]{4}-"
    text=$(sed -nE "s/^The client at .* says '(.*)'$/\1/p" "$BATS_TEST_TMPDIR/server.out")
    [[ "$text" =~ ^Now:\ [0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?$ ]]
    [ "${lines[1]}" = "The server ('127.0.0.1', $PORT) replied 'Your data was ${#text} bytes long'" ]
}
