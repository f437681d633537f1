#!/usr/bin/env bats
# tcp/tcp_file: lines through stdio streams on a socket; long lines; peers that close in
# the middle of a line or reset; the fflush() experiment (the client waits forever).

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

@test "the server answers each line upper-cased, with the exact lines on both sides" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    run ./tcp_file client 127.0.0.1 -p "$PORT" < <(printf 'hello\nTCP is a stream\n\n')
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^Connected\ from\ \(\'127\.0\.0\.1\',\ ([0-9]+)\)\ to\ \(\'127\.0\.0\.1\',\ $PORT\)$ ]]
    client_port=${BASH_REMATCH[1]}
    [[ "${lines[1]}" =~ ^Socket\ descriptor\ ([0-9]+)\;\ fileno\(in\)\ =\ ([0-9]+),\ fileno\(out\)\ =\ ([0-9]+)\ \(its\ dup\(\)\)$ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]     # the in stream reads the socket itself
    [ "${BASH_REMATCH[3]}" != "${BASH_REMATCH[1]}" ]
    [ "${lines[2]}" = "The server answered 'HELLO\n'" ]
    [ "${lines[3]}" = "The server answered 'TCP IS A STREAM\n'" ]
    [ "${lines[4]}" = "The server answered '\n'" ]
    [ "${#lines[@]}" -eq 5 ]
    wait_for server '^  Socket closed$'
    # the numbers depend on what the server inherited: the test below checks them
    [ "$(sed -E 's/[0-9]+/N/g' <<<"$(sed -n 3p "$BATS_TEST_TMPDIR/server.out")")" = \
        "  Socket descriptor N; fileno(in) = N, fileno(out) = N (its dup())" ]
    [ "$(sed 3d "$BATS_TEST_TMPDIR/server.out")" = "Listening at ('127.0.0.1', $PORT)
Accepted a connection from ('127.0.0.1', $client_port)
  Line 1, 6 bytes: 'hello\n'
  Line 2, 16 bytes: 'TCP is a stream\n'
  Line 3, 1 bytes: '\n'
  The client closed the connection after 3 lines
  Socket closed" ]
    [ -z "$(err server)" ]
}

@test "lines far longer than any buffer come back whole" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    long=$(head -c 100000 /dev/zero | tr '\0' 'a')
    run ./tcp_file client 127.0.0.1 -p "$PORT" < <(printf '%s\nshort\n%s\n' "$long" "${long:0:5000}")
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server answered '${long^^}\n'" ]
    [ "${lines[3]}" = "The server answered 'SHORT\n'" ]
    [ "${lines[4]}" = "The server answered '$(head -c 5000 /dev/zero | tr '\0' 'A')\n'" ]
    wait_for server '^  Socket closed$'
    grep -qx "  Line 1, 100001 bytes: '${long:0:60}'\.\.\." "$BATS_TEST_TMPDIR/server.out"
    grep -qx "  Line 3, 5001 bytes: '${long:0:60}'\.\.\." "$BATS_TEST_TMPDIR/server.out"
}

@test "the client ends a last line that has no newline, so the server can answer it" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    run ./tcp_file client 127.0.0.1 -p "$PORT" < <(printf 'one\nno newline')
    [ "$status" -eq 0 ]
    [ "${lines[3]}" = "The server answered 'NO NEWLINE\n'" ]
}

@test "the server escapes what it shows and passes any byte through, NUL included" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    printf 'caf\xc3\xa9 \x00\x1b[31m\xff\n' >"$BATS_TEST_TMPDIR/in"
    run ./tcp_file client 127.0.0.1 -p "$PORT" <"$BATS_TEST_TMPDIR/in"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server answered 'CAF"$'\xc3\xa9'" \\x00\\x1b[31M\\xff\\n'" ]
    wait_for server '^  Socket closed$'
    grep -qxF "  Line 1, 14 bytes: 'caf"$'\xc3\xa9'" \\x00\\x1b[31m\\xff\\n'" "$BATS_TEST_TMPDIR/server.out"
    run grep -c $'\x1b' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
}

@test "a client that closes in the middle of a line gets that piece answered, and the server goes on" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    run "$PEER" 127.0.0.1 "$PORT" send $'whole line\nhalf a li' shut drain
    [ "$status" -eq 0 ]
    [ "$output" = "b'WHOLE LINE\\nHALF A LI'" ]
    wait_for server '^  Socket closed$'
    [ "$(tail -n 4 "$BATS_TEST_TMPDIR/server.out")" = "  Line 1, 11 bytes: 'whole line\n'
  Line 2, 9 bytes: 'half a li'
  The client closed the connection in the middle of a line
  Socket closed" ]
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'next'
    [ "${lines[2]}" = "The server answered 'NEXT\n'" ]
}

@test "a client that resets is reported as a read error and the server goes on" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    spawn peer "$PEER" 127.0.0.1 "$PORT" send $'hello\n' await "$BATS_TEST_TMPDIR/go" reset
    wait_for server "^  Line 1, 6 bytes: 'hello\\\\n'$"
    touch "$BATS_TEST_TMPDIR/go"
    wait_for server '^  Socket closed$'
    [[ "$(err server)" =~ ^tcp_file:\ read\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ ECONNRESET\ Connection\ reset\ by\ peer$ ]]
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'next'
    [ "${lines[2]}" = "The server answered 'NEXT\n'" ]
}

@test "a client that resets in the middle of a line is reported as ECONNRESET, not as a cut line" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    spawn peer "$PEER" 127.0.0.1 "$PORT" send 'half a li' await "$BATS_TEST_TMPDIR/go" reset
    wait_for server '^  Socket descriptor'
    touch "$BATS_TEST_TMPDIR/go"
    wait_for server '^  Socket closed$'
    [[ "$(err server)" =~ ^tcp_file:\ read\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ ECONNRESET\ Connection\ reset\ by\ peer$ ]]
    run grep -c 'middle of a line' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
}

@test "a line over 1 MiB gets one line from the server, which goes on to the next client" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    # a raw client (not ours: ours refuses to send it) sends 2 MB without a newline
    exec 5<>"/dev/tcp/127.0.0.1/$PORT"
    head -c 2000000 /dev/zero | tr '\0' 'a' >&5 2>/dev/null || true   # the server hangs up mid-way
    exec 5>&-
    wait_for server '^  Socket closed$'
    [[ "$(err server)" =~ ^tcp_file:\ the\ client\ \(\'127\.0\.0\.1\',\ [0-9]+\)\ sent\ a\ line\ longer\ than\ 1048576\ bytes\ \(the\ limit\)$ ]]
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'next'
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server answered 'NEXT\n'" ]
}

@test "a line of exactly 1 MiB passes; the client refuses an input line over 1 MiB with one line, exit 1" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    head -c 1048575 /dev/zero | tr '\0' 'b' >"$BATS_TEST_TMPDIR/in"
    echo >>"$BATS_TEST_TMPDIR/in"          # 1048576 bytes with its newline: the limit
    run ./tcp_file client 127.0.0.1 -p "$PORT" <"$BATS_TEST_TMPDIR/in"
    [ "$status" -eq 0 ]
    [ "${#lines[2]}" -eq $((1048575 + 24)) ]          # The server answered 'BBB...\n'
    wait_for server "^  Line 1, 1048576 bytes: "
    printf 'b\n' >>"$BATS_TEST_TMPDIR/in"   # now line 2 is fine, and make line 1 too long:
    { printf 'x'; cat "$BATS_TEST_TMPDIR/in"; } >"$BATS_TEST_TMPDIR/long"
    run --separate-stderr ./tcp_file client 127.0.0.1 -p "$PORT" <"$BATS_TEST_TMPDIR/long"
    [ "$status" -eq 1 ]
    [ "$stderr" = "tcp_file: the standard input has a line longer than 1048576 bytes (the limit)" ]
}

@test "a server out of memory for a line says ENOMEM (not 'closed after 0 lines') and goes on" {
    grep -qa __asan_init tcp_file && skip "AddressSanitizer reserves far more address space than ulimit -v allows"
    start_server probe ./tcp_file server 127.0.0.1 -p 0
    size=$(sed -nE 's/^VmSize:[[:space:]]+([0-9]+) kB/\1/p' "/proc/$PID_probe/status")
    # room for the program and a line of a few hundred KiB, not for one of 900 KB
    start_server server bash -c "ulimit -v $((size + 400)) && exec ./tcp_file server 127.0.0.1 -p 0"
    run bash -c "{ head -c 900000 /dev/zero | tr '\\0' a; echo; } | ./tcp_file client 127.0.0.1 -p $PORT"
    [ "$status" -eq 1 ]                     # the server hung up on it
    wait_for server '^  Socket closed$'
    [[ "$(err server)" =~ ^tcp_file:\ realloc\ \(\'127\.0\.0\.1\',\ [0-9]+\):\ ENOMEM\ Cannot\ allocate\ memory$ ]]
    run grep -c 'closed the connection after' "$BATS_TEST_TMPDIR/server.out"
    [ "$output" = 0 ]
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'next'
    [ "${lines[2]}" = "The server answered 'NEXT\n'" ]
}

@test "the printed descriptors are the socket's, as /proc/PID/fd shows them" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    spawn peer "$PEER" 127.0.0.1 "$PORT" send $'hi\n' await "$BATS_TEST_TMPDIR/go" shut drain
    wait_for server "^  Line 1"
    line=$(grep '^  Socket descriptor' "$BATS_TEST_TMPDIR/server.out")
    [[ "$line" =~ ^\ \ Socket\ descriptor\ ([0-9]+)\;\ fileno\(in\)\ =\ ([0-9]+),\ fileno\(out\)\ =\ ([0-9]+) ]]
    sock=${BASH_REMATCH[1]} in=${BASH_REMATCH[2]} out=${BASH_REMATCH[3]}
    link=$(readlink "/proc/$PID_server/fd/$sock")
    [[ "$link" =~ ^socket:\[[0-9]+\]$ ]]
    [ "$(readlink "/proc/$PID_server/fd/$in")" = "$link" ]     # the same socket...
    [ "$(readlink "/proc/$PID_server/fd/$out")" = "$link" ]    # ...through its dup()
    [ "$in" = "$sock" ]
    [ "$out" != "$sock" ]
    touch "$BATS_TEST_TMPDIR/go"
    wait_for server '^  Socket closed$'
    [ ! -e "/proc/$PID_server/fd/$out" ]    # both closed with the streams
    [ ! -e "/proc/$PID_server/fd/$in" ]
}

@test "a server that closes in the middle of its answer: the client shows the piece and exits 1" {
    start_server fake "$PEER" -l 127.0.0.1 0 send 'HEL' shut drain
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'hello'
    [ "$status" -eq 1 ]
    [ "${lines[2]}" = "The server answered 'HEL'" ]
    [ "${lines[3]}" = "tcp_file: the server closed the connection in the middle of a line" ]
    wait_exit "$PID_fake"
    [ "$(tail -n 1 "$BATS_TEST_TMPDIR/fake.out")" = "b'hello\\n'" ]
}

@test "a server that closes without answering: the client says so and exits 1" {
    start_server fake "$PEER" -l 127.0.0.1 0 shut drain
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'hello'
    [ "$status" -eq 1 ]
    [ "${lines[2]}" = "tcp_file: the server closed the connection without answering" ]
}

@test "experiment: without the server's fflush() the client waits forever for its answer" {
    build_without_experiment tcp_file.c "$BATS_TEST_TMPDIR/tcp_file"
    grep -qx '//         fflush(out);' "$BATS_TEST_TMPDIR/tcp_file.c"
    start_server server "$BATS_TEST_TMPDIR/tcp_file" server 127.0.0.1 -p 0
    printf 'hello\n' >"$BATS_TEST_TMPDIR/in"
    spawn client sh -c 'exec ./tcp_file client 127.0.0.1 -p "$1" <"$2"' sh "$PORT" "$BATS_TEST_TMPDIR/in"
    # The server has read the line and "answered" it: into its stream's buffer only. An
    # answer that left would reach the client within a millisecond; none does in 0.2 s.
    wait_for server "^  Line 1, 6 bytes: 'hello\\\\n'$"
    sleep 0.2
    kill -0 "$PID_client"                   # still waiting in read_line()
    [ "$(wc -l <"$BATS_TEST_TMPDIR/client.out")" -eq 2 ]    # "Connected from", descriptors
    [[ "$(head -n 1 "$BATS_TEST_TMPDIR/client.out")" == "Connected from "* ]]
}

@test "edit: a server changed to answer in lower case, lines of 16 bytes at most, does just that" {
    build_edited tcp_file.c "$BATS_TEST_TMPDIR/tcp_file" \
        's/toupper(/tolower(/; s/^#define MAX_LINE (1024 \* 1024) /#define MAX_LINE 16 /'
    start_server server "$BATS_TEST_TMPDIR/tcp_file" server 127.0.0.1 -p 0
    run ./tcp_file client 127.0.0.1 -p "$PORT" < <(printf 'Hello, TCP!\n0123456789abcde\n')
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "The server answered 'hello, tcp!\n'" ]
    [ "${lines[3]}" = "The server answered '0123456789abcde\n'" ]
    run ./tcp_file client 127.0.0.1 -p "$PORT" <<<'0123456789abcdef'   # 17 bytes
    [ "$status" -eq 1 ]
    [ "${lines[2]}" = "tcp_file: the server closed the connection without answering" ]
    wait_count server '^  Socket closed$' 2
    [[ "$(err server)" =~ ^tcp_file:\ the\ client\ \(\'127\.0\.0\.1\',\ [0-9]+\)\ sent\ a\ line\ longer\ than\ 16\ bytes\ \(the\ limit\)$ ]]
}

@test "with a client connected, pgrep -f 'tcp_file server' finds the server's PID only (pgrep tcp_file both)" {
    command -v pgrep >/dev/null || skip "needs pgrep (procps)"
    start_server server ./tcp_file server 127.0.0.1 -p 0
    mkfifo "$BATS_TEST_TMPDIR/in"
    exec {keep}<>"$BATS_TEST_TMPDIR/in"     # held open here: the client waits for a line
    spawn client bash -c 'exec ./tcp_file client 127.0.0.1 -p "$1" <"$2"' sh "$PORT" \
        "$BATS_TEST_TMPDIR/in"
    wait_for server '^Accepted a connection'
    client=$(pgrep -f "^./tcp_file client 127.0.0.1 -p $PORT\$")
    [ -n "$client" ]
    run pgrep -f 'tcp_file server'
    grep -qx "$PID_server" <<<"$output"
    run grep -qx "$client" <<<"$output"
    [ "$status" -eq 1 ]
    run pgrep tcp_file
    grep -qx "$PID_server" <<<"$output"
    grep -qx "$client" <<<"$output"
}

@test "40 connections in a row, good, cut and reset, leave no descriptor open in the server" {
    start_server server ./tcp_file server 127.0.0.1 -p 0
    before=$(ls "/proc/$PID_server/fd" | wc -l)
    for i in $(seq 20); do                  # good: a line, its answer, close (a leak of one
                                            # descriptor a connection would show at once)
        exec 5<>"/dev/tcp/127.0.0.1/$PORT"
        printf 'line %d\n' "$i" >&5
        read -r answer <&5
        [ "$answer" = "LINE $i" ]
        exec 5>&-
    done
    for i in $(seq 10); do                  # cut: half a line, close
        "$PEER" 127.0.0.1 "$PORT" send 'half a' shut drain >/dev/null
    done
    for i in $(seq 10); do                  # reset
        "$PEER" 127.0.0.1 "$PORT" send 'x' reset
    done
    wait_count server '^  Socket closed$' 40
    after=$(ls "/proc/$PID_server/fd" | wc -l)
    [ "$before" -eq "$after" ]
    kill -0 "$PID_server"
}

@test "-h prints the usage and exits 0; bad arguments are usage errors, exit 2" {
    run ./tcp_file -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_file [-h] [-p PORT] {client,server} host" ]
    run ./tcp_file client
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_file: error: the following arguments are required: host" ]
    run ./tcp_file serve 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_file: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
    run ./tcp_file client 127.0.0.1 -p x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_file: error: argument -p: invalid int value: 'x'" ]
}

@test "client with no server reports Connection refused and exits 1" {
    port=$(free_tcp_port)
    run ./tcp_file client 127.0.0.1 -p "$port" <<<'hello'
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_file: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}
