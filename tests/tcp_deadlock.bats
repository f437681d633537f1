#!/usr/bin/env bats
# tcp/tcp_deadlock: a small exchange completes; a big one deadlocks with both sides blocked
# in send(); the server survives the client being killed and serves the next one. With -w
# each side shows its queues when stalled; with -b 4096 the deadlock comes much sooner
# (-b 4096 -w in one test, to keep the file quick).
# The experiment (no shutdown) and an edited message.

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

@test "experiment: without the client's shutdown(SHUT_WR) all 32 bytes come back, then both wait for ever" {
    build_without_experiment tcp_deadlock.c "$BATS_TEST_TMPDIR/tcp_deadlock"
    grep -qx '//     status = shutdown(sock, SHUT_WR);' "$BATS_TEST_TMPDIR/tcp_deadlock.c"
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    spawn client "$BATS_TEST_TMPDIR/tcp_deadlock" client 127.0.0.1 32 -p "$PORT"
    wait_for client '  32 bytes received $'
    # No end of file for the server: it waits in recv() for more, and so never closes;
    # the client waits in recv() for its close.
    asleep_in_recv "$PID_server"
    asleep_in_recv "$PID_client"
    run ! grep -q 'Socket closed' "$BATS_TEST_TMPDIR/server.out"
    kill "$PID_client"                      # Ctrl+C: now the server reads end of file
    wait_for server '^  Socket closed$'
}

@test "edit: a 5-byte message is sent in 5-byte chunks, rounded up to whole messages, and comes back" {
    build_edited tcp_deadlock.c "$BATS_TEST_TMPDIR/tcp_deadlock" 's/"capitalize this!"/"hello"/'
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    "$BATS_TEST_TMPDIR/tcp_deadlock" client 127.0.0.1 32 -p "$PORT" >"$BATS_TEST_TMPDIR/client.out"
    run terminal "$BATS_TEST_TMPDIR/client.out"
    [ "${lines[0]}" = "Sending 35 bytes of data, in chunks of 5 bytes" ]
    [ "${lines[1]}" = "  35 bytes sent " ]
    [[ "${lines[3]}" =~ ^\ \ The\ first\ data\ received\ says\ b\'(HELLO)+\'$ ]]
    [ "${lines[4]}" = "  35 bytes received " ]
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

@test "the client prints its Sending line before it looks up the host, as the script does" {
    with_hosts_file $'127.0.0.1 localhost\n' ./tcp_deadlock client no-such-host.invalid 40
    [ "$status" -eq 1 ]
    [ "$output" = "Sending 48 bytes of data, in chunks of 16 bytes" ]
    [ "$stderr" = "tcp_deadlock: getaddrinfo 'no-such-host.invalid': [Errno -2] Name or service not known" ]
}

# The numbers of NAME's last "stalled:" line: its send queue and its receive queue.
stalled_queues() {
    sed -nE 's/^  stalled: ([0-9]+) bytes in our send queue, ([0-9]+) in our receive queue$/\1 \2/p' \
        "$BATS_TEST_TMPDIR/$1.out" | tail -n 1
}

@test "-b 4096 -w: 32 bytes complete, nothing extra; 200000 deadlock in send, the four queues hold what was sent" {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0 -b 4096 -w
    # Nothing stalls: -w adds nothing to either side's output.
    run ./tcp_deadlock client 127.0.0.1 32 -p "$PORT" -b 4096 -w
    [ "$status" -eq 0 ]
    [ "$(terminal <(echo "$output"))" = "$(printf '%s\n' 'Sending 32 bytes of data, in chunks of 16 bytes' \
        '  32 bytes sent ' 'Receiving all the data the server sends back' "${lines[3]}" '  32 bytes received ')" ]
    wait_for server '^  Socket closed$'
    run ! grep -q stalled "$BATS_TEST_TMPDIR/server.out"
    spawn client ./tcp_deadlock client 127.0.0.1 200000 -p "$PORT" -b 4096 -w
    # A side's first stalled line may come before the other side's last move: by the
    # second line of each, neither has moved for a second.
    wait_count client '^  stalled: ' 2
    wait_count server '^  stalled: ' 2
    read -r client_send client_receive <<<"$(stalled_queues client)"
    read -r server_send server_receive <<<"$(stalled_queues server)"
    sent=$(last_count "$BATS_TEST_TMPDIR/client.out" sent)
    processed=$(last_count "$BATS_TEST_TMPDIR/server.out" 'processed so far')
    queued=$((client_send + client_receive + server_send + server_receive))
    echo "# deadlocked after $sent bytes sent, $processed processed; the four queues hold $queued" >&3
    ((sent > 0 && sent < 200000 && processed > 32 && processed < sent + 32))
    # The server holds what it has read but not yet all sent back (at most 1024 bytes); the
    # client's last 16-byte send may be in its queue in part, not yet counted as sent.
    ((queued <= sent + 15 && sent - queued <= 1024))
    # The first stalled line starts a line of its own: the progress line stays on screen.
    run terminal "$BATS_TEST_TMPDIR/client.out"
    [[ "${lines[1]}" =~ ^\ \ [0-9]+\ bytes\ sent\ $ ]]
    [[ "${lines[2]}" =~ ^\ \ stalled:\  ]]
    run ! grep -q Receiving "$BATS_TEST_TMPDIR/client.out"
    # Both are alive, asleep in sendto() (-w wakes them once a second to print, and they go
    # back), where /proc/PID/syscall can be read (it needs ptrace rights).
    case $(uname -m) in x86_64) sendto=44 ;; aarch64) sendto=206 ;; *) sendto="" ;; esac
    for pid in "$PID_client" "$PID_server"; do
        local tries=200 state
        while state="$(cut -d ' ' -f 3 "/proc/$pid/stat") $(cut -d ' ' -f 1 \
                "/proc/$pid/syscall" 2>/dev/null)"; [[ "$state" != "S ${sendto}"* ]]; do
            ((tries-- > 0)) || { echo "$pid not asleep in send(): $state" >&2; return 1; }
            sleep 0.01
        done
    done
    # Ctrl+C on the client: the server reports the reset and serves the next client.
    kill "$PID_client"
    wait_count server '^  Socket closed$' 2
    grep -Eq "^tcp_deadlock: (send|recv) \('127\.0\.0\.1', [0-9]+\): (ECONNRESET|EPIPE) " \
        "$BATS_TEST_TMPDIR/server.err"
    run ./tcp_deadlock client 127.0.0.1 32 -p "$PORT" -b 4096
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\r  32 bytes received ' ]]
}

@test "-h prints the usage and exits 0" {
    run ./tcp_deadlock -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_deadlock [-h] [-p PORT] [-b BYTES] [-w]" ]
    [ "${lines[1]}" = "                    {client,server} host [bytecount]" ]
    [[ "$output" == *$'\n  -w, --watch      after each second without progress, show our socket\'s\n                   queues' ]]
}

@test "a bad byte count, role or option is a usage error in argparse's words, exit 2" {
    for count in abc 12x ""; do
        run ./tcp_deadlock client 127.0.0.1 "$count"
        [ "$status" -eq 2 ]
        [ "${lines[2]}" = "tcp_deadlock: error: argument bytecount: invalid int value: '$count'" ]
    done
    run ./tcp_deadlock client 127.0.0.1 99999999999999999999
    [ "${lines[2]}" = "tcp_deadlock: error: argument bytecount: invalid value: '99999999999999999999' (must be 0..1152921504606846976)" ]
    run ./tcp_deadlock serve 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[2]}" = "tcp_deadlock: error: argument role: invalid choice: 'serve' (choose from 'client', 'server')" ]
    run ./tcp_deadlock client 127.0.0.1 16 -p x
    [ "$status" -eq 2 ]
    [ "${lines[2]}" = "tcp_deadlock: error: argument -p: invalid int value: 'x'" ]
    run ./tcp_deadlock client 127.0.0.1 -b
    [ "${lines[2]}" = "tcp_deadlock: error: argument -b: expected one argument" ]
    run ./tcp_deadlock client 127.0.0.1 -b 4k
    [ "${lines[2]}" = "tcp_deadlock: error: argument -b: invalid int value: '4k'" ]
    # Below 2048 the window stays almost shut and the bytes crawl: refused, saying why.
    port=$(free_tcp_port)
    run ./tcp_deadlock client 127.0.0.1 -b 2047 -p "$port"
    [ "$status" -eq 2 ]
    [ "${lines[2]}" = "tcp_deadlock: error: argument -b: 2047 is too small: below 2048 bytes the receive window stays almost shut and the transfer crawls" ]
    run ./tcp_deadlock client
    [ "$status" -eq 2 ]
    [ "${lines[2]}" = "tcp_deadlock: error: the following arguments are required: host" ]
    run ./tcp_deadlock client 127.0.0.1 5 6 7
    [ "$status" -eq 2 ]
    [ "${lines[2]}" = "tcp_deadlock: error: unrecognized arguments: 6 7" ]
}
