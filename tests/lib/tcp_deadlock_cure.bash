# Shared by tests/tcp_deadlock_{threads,poll,select}.bats: the three cures take the same
# command line and must behave alike, so their tests are written once here. Each .bats
# file sets CURE (the program) and HOW (the end of its "Sending ..." line), then calls
# these from its own @test lines.

bats_require_minimum_version 1.5.0

setup() {
    cd "$ROOT/tcp"
    PEER="$ROOT/tests/tcp_peer"
}

sending_line() {   # sending_line BYTES
    echo "Sending $1 bytes of data, in chunks of $HOW"
}

cure_moves_16_megabytes() {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run timeout 30 "./$CURE" client 127.0.0.1 16000000 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[0]}" = "$(sending_line 16000000)" ]
    [ "${lines[1]}" = "  16000000 bytes sent" ]
    [ "${lines[2]}" = "  16000000 bytes received, each the upper case of the byte sent" ]
    [[ "${lines[3]}" =~ ^\ \ Elapsed\ [0-9]+\.[0-9]{3}\ seconds:\ [0-9]+\.[0-9]\ MB/s\ each\ way$ ]]
    wait_for server '^  Socket closed$'
    [ "$(tr '\r' '\n' <"$BATS_TEST_TMPDIR/server.out" | grep -c '^  16000000 bytes processed so far $')" -eq 1 ]
}

cure_rounds_small_counts() {
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run "./$CURE" client 127.0.0.1 17 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(sending_line 32)" ]
    [ "${lines[2]}" = "  32 bytes received, each the upper case of the byte sent" ]
    run "./$CURE" client 127.0.0.1 0 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "  0 bytes sent" ]
    [ "${lines[2]}" = "  0 bytes received, each the upper case of the byte sent" ]
}

cure_catches_a_plain_echo() {
    start_server fake "$PEER" -l 127.0.0.1 0 echo
    run --separate-stderr "./$CURE" client 127.0.0.1 100000 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "$CURE: byte 0 came back as b'c' instead of b'C'" ]
}

cure_reports_a_short_answer() {
    start_server fake "$PEER" -l 127.0.0.1 0 send 'CAPITALIZE' shut drain
    run --separate-stderr "./$CURE" client 127.0.0.1 32 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$stderr" = "$CURE: the server closed the connection after sending back 10 of 32 bytes" ]
}

cure_reports_no_server() {
    port=$(free_tcp_port)
    run "./$CURE" client 127.0.0.1 32 -p "$port"
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "$CURE: connect ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}

# -b 4096 as the README says, and 2048, the smallest size -b takes.
cure_never_stalls_with_small_buffers() {
    for size in 4096 2048; do
        start_server "server$size" ./tcp_deadlock server 127.0.0.1 -p 0 -b "$size"
        run timeout 10 "./$CURE" client 127.0.0.1 1000000 -p "$PORT" -b "$size"
        [ "$status" -eq 0 ]
        [ "${lines[2]}" = "  1000000 bytes received, each the upper case of the byte sent" ]
        kill_spawned
    done
}

# A student's edit of the message: every byte still comes back as the upper case of the
# byte sent, and the count is rounded up to whole messages.
cure_follows_an_edited_message() {
    build_edited "$CURE.c" "$BATS_TEST_TMPDIR/edited" 's/"capitalize this!"/"hello"/'
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0
    run "$BATS_TEST_TMPDIR/edited" client 127.0.0.1 100000 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(sending_line 100000)" ]
    [ "${lines[2]}" = "  100000 bytes received, each the upper case of the byte sent" ]
    run "$BATS_TEST_TMPDIR/edited" client 127.0.0.1 32 -p "$PORT"
    [ "${lines[0]}" = "$(sending_line 35)" ]
    [ "${lines[2]}" = "  35 bytes received, each the upper case of the byte sent" ]
    wait_for server "^  Socket closed$"
    tr '\r' '\n' <"$BATS_TEST_TMPDIR/server.out" | grep -qx '  35 bytes processed so far '
}

# The EXPERIMENT of tcp_deadlock_poll and tcp_deadlock_select, done as a student does it:
# without O_NONBLOCK, and with small buffers on both sides, the cure deadlocks.
cure_stalls_without_nonblocking() {
    build_without_experiment "$CURE.c" "$BATS_TEST_TMPDIR/blocking"
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0 -b 4096 -w
    spawn client "$BATS_TEST_TMPDIR/blocking" client 127.0.0.1 1000000 -p "$PORT" -b 4096
    wait_for server '^  stalled: ' 5            # a second in which the server moved nothing
    kill -0 "$PID_client"                       # and the client is still waiting
    [ "$(cat "$BATS_TEST_TMPDIR/client.out")" = "$(sending_line 1000000)" ]
}

# The EXPERIMENT of tcp_deadlock_threads: without shutdown(SHUT_WR) the server never reads
# end of file. With -w it says so: a second with nothing moved, both its queues empty (all
# 32 bytes came back); and the client never ends.
cure_never_ends_without_shutdown() {
    build_without_experiment "$CURE.c" "$BATS_TEST_TMPDIR/no_shutdown"
    grep -qx '//     status = shutdown(sock, SHUT_WR);' "$BATS_TEST_TMPDIR/$CURE.c"
    start_server server ./tcp_deadlock server 127.0.0.1 -p 0 -w
    spawn client "$BATS_TEST_TMPDIR/no_shutdown" client 127.0.0.1 32 -p "$PORT"
    wait_for server '^  stalled: 0 bytes in our send queue, 0 in our receive queue$'
    kill -0 "$PID_client"
    [ "$(out client)" = "$(sending_line 32)
  32 bytes sent" ]
    kill "$PID_client"                      # Ctrl+C: now the server reads end of file
    wait_for server '^  Socket closed$'
}

cure_usage() {
    run "./$CURE" -h
    [ "$status" -eq 0 ]
    # The usage up to the first empty line, as one line (argparse wraps it at 80 columns).
    [ "$(echo "${output%%$'\n\n'*}" | tr -s ' \n' ' ')" = "usage: $CURE [-h] [-p PORT] [-b BYTES] {client} host [bytecount] " ]
    run "./$CURE" server 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "$CURE: error: argument role: invalid choice: 'server' (choose from 'client')" ]
    run "./$CURE" client 127.0.0.1 lots
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "$CURE: error: argument bytecount: invalid int value: 'lots'" ]
    run "./$CURE" client 127.0.0.1 -b 0
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "$CURE: error: argument -b: invalid value: '0' (must be 1..1073741824)" ]
    run "./$CURE" client 127.0.0.1 -b 2047
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "$CURE: error: argument -b: 2047 is too small: below 2048 bytes the receive window stays almost shut and the transfer crawls" ]
}
