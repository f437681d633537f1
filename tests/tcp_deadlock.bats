#!/usr/bin/env bats
# tcp/tcp_deadlock: a small exchange completes; a big one deadlocks with both sides blocked
# in send(); the server survives the client being killed and serves the next one.

load helpers

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

# What a terminal shows of FILE: each \r sends the cursor back, so only the text after a
# line's last \r stays visible (the progress lines only ever grow).
terminal() { sed 's/.*\r//' "$1"; }

# The last number a progress line of FILE shows ("  N bytes sent ").
last_count() { tr '\r' '\n' <"$1" | sed -nE "s/^  ([0-9]+) bytes $2.*/\1/p" | tail -n 1; }

@test "32 bytes: the client sends, half-closes and gets them back upper-cased, exact lines" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    ./tcp_deadlock client 127.0.0.1 32 -p "$PORT" >"$BATS_TEST_TMPDIR/client.out"
    # The sending part is exact to the byte, \r progress included.
    [ "$(head -c 82 "$BATS_TEST_TMPDIR/client.out")" = $'Sending 32 bytes of data, in chunks of 16 bytes\n\r  16 bytes sent \r  32 bytes sent ' ]
    run terminal "$BATS_TEST_TMPDIR/client.out"
    [ "${#lines[@]}" -eq 5 ]
    [ "${lines[0]}" = "Sending 32 bytes of data, in chunks of 16 bytes" ]
    [ "${lines[1]}" = "  32 bytes sent " ]
    [ "${lines[2]}" = "Receiving all the data the server sends back" ]
    # TCP decides how the 32 bytes are cut: the server may have sent them back in one
    # piece or two by the time the client reads (at most 42 bytes per recv).
    [[ "${lines[3]}" =~ ^\ \ The\ first\ data\ received\ says\ b\'(CAPITALIZE\ THIS!){1,2}\'$ ]]
    [ "${lines[4]}" = "  32 bytes received " ]
    wait_for server '^  Socket closed$'
    run terminal "$BATS_TEST_TMPDIR/server.out"
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[0]}" = "Listening at ('127.0.0.1', $PORT)" ]
    [[ "${lines[1]}" =~ ^Processing\ up\ to\ 1024\ bytes\ at\ a\ time\ from\ \(\'127\.0\.0\.1\',\ [0-9]+\)$ ]]
    [ "${lines[2]}" = "  32 bytes processed so far " ]
    [ "${lines[3]}" = "  Socket closed" ]
}

@test "the client rounds the byte count up to a multiple of 16; 0 sends nothing" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run ./tcp_deadlock client 127.0.0.1 17 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Sending 32 bytes of data, in chunks of 16 bytes" ]
    [[ "$output" == *$'\r  32 bytes received ' ]]
    run ./tcp_deadlock client 127.0.0.1 0 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = $'Sending 0 bytes of data, in chunks of 16 bytes\n\nReceiving all the data the server sends back\n  The first data received says b\'\'' ]
    run ./tcp_deadlock client 127.0.0.1 -p "$PORT"         # the default is 16
    [ "${lines[0]}" = "Sending 16 bytes of data, in chunks of 16 bytes" ]
}

@test "16000000 bytes deadlock: neither side moves for two seconds, both alive and blocked in send" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    spawn client ./tcp_deadlock client 127.0.0.1 16000000 -p "$PORT"
    # Poll every 0.1 s until neither output has grown for 2 s (20 polls in a row).
    local files=("$BATS_TEST_TMPDIR/client.out" "$BATS_TEST_TMPDIR/server.out")
    local last="" now still=0 polls=0
    while ((still < 20)); do
        ((polls++ < 300)) || { echo "progress never stopped" >&2; return 1; }
        sleep 0.1
        now=$(stat -c %s "${files[@]}" | tr '\n' ' ')
        if [ "$now" = "$last" ]; then ((++still)); else still=0; last=$now; fi
    done
    sent=$(last_count "${files[0]}" sent)
    processed=$(last_count "${files[1]}" 'processed so far')
    echo "# deadlocked after $sent bytes sent, $processed processed" >&3
    ((sent > 0 && sent < 16000000 && processed > 0 && processed < sent))
    ! grep -q Receiving "${files[0]}"
    # Both are alive, sleeping (state S) and inside sendto(), where /proc/PID/syscall can be
    # read (it needs ptrace rights) and we know the system call's number.
    case $(uname -m) in x86_64) sendto=44 ;; aarch64) sendto=206 ;; *) sendto="" ;; esac
    for pid in "$PID_client" "$PID_server"; do
        kill -0 "$pid"
        [ "$(cut -d ' ' -f 3 "/proc/$pid/stat")" = S ]
        call=$(cut -d ' ' -f 1 "/proc/$pid/syscall" 2>/dev/null) || call=""
        [ -z "$sendto" ] || [ -z "$call" ] || [ "$call" = "$sendto" ]
    done
    # Ctrl+C on the client: the server reports the reset and serves the next client.
    kill "$PID_client"
    wait_for server '^  Socket closed$'
    grep -Eq "^tcp_deadlock: (send|recv) \('127\.0\.0\.1', [0-9]+\): (ECONNRESET|EPIPE) " \
        "$BATS_TEST_TMPDIR/server.err"
    run ./tcp_deadlock client 127.0.0.1 32 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\r  32 bytes received ' ]]
}

@test "the server upper-cases ASCII letters and sends every other byte back unchanged" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run "$PEER" 127.0.0.1 "$PORT" send $'caf\xc3\xa9 xyz 123 \xff!' shut drain
    [ "$status" -eq 0 ]
    [ "$output" = "b'CAF\\xc3\\xa9 XYZ 123 \\xff!'" ]
}

@test "200 connections in a row, good and reset, leave no descriptor open in the server" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    before=$(ls "/proc/$PID_server/fd" | wc -l)
    run "$PEER" -n 190 127.0.0.1 "$PORT" send 'capitalize this!' shut drain
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort -u)" = "b'CAPITALIZE THIS!'" ]
    # One reset at a time: a burst would overflow the backlog of 1 and wait for SYN retries.
    for i in $(seq 10); do
        "$PEER" 127.0.0.1 "$PORT" send 'capitalize' reset
        wait_count server 'Socket closed$' $((190 + i))
    done
    after=$(ls "/proc/$PID_server/fd" | wc -l)
    [ "$before" -eq "$after" ]
    kill -0 "$PID_server"
}

@test "client with no server reports Connection refused and exits 1" {
    port=$(free_tcp_port)
    run ./tcp_deadlock client 127.0.0.1 32 -p "$port"
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "tcp_deadlock: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}

@test "-h prints the usage and exits 0" {
    run ./tcp_deadlock -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_deadlock [-h] [-p PORT] {client,server} host [bytecount]" ]
}

@test "a bad byte count, role or port is a usage error, exit 2" {
    for count in abc -5 12x "" 99999999999999999999; do
        run ./tcp_deadlock client 127.0.0.1 "$count"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "tcp_deadlock: error: argument bytecount: invalid count: '$count' (a whole number of bytes, 0 to 2**60)" ]
    done
    run ./tcp_deadlock serve 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_deadlock: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
    run ./tcp_deadlock client 127.0.0.1 16 -p x
    [ "$status" -eq 2 ]
    [[ "${lines[1]}" == "tcp_deadlock: error: argument -p: invalid port: 'x'"* ]]
    run ./tcp_deadlock client
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_deadlock: error: the following arguments are required: host" ]
}
