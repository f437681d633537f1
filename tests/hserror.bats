#!/usr/bin/env bats
# code/hserror: fetch a file with HTTP/1.0 from tests/http_responder, and the error of each
# stage: creating the socket, the address, the connection, receiving (reset, timeout).

load lib/helpers

RESPONSE=$'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello from the test responder\n'
USAGE="usage: hserror [-h] --host HOST --port PORT --file FILE [--timeout SECONDS]"

setup() {
    cd "$ROOT/code"
}

seconds_between() {
    awk -v value="$1" -v low="$2" -v high="$3" 'BEGIN { exit !(value >= low && value <= high) }'
}

@test "sends GET PATH HTTP/1.0 and writes the whole response to stdout, exit 0" {
    start_server web "$ROOT/tests/http_responder" reply "$RESPONSE"
    run --separate-stderr ./hserror --host localhost --port "$PORT" --file /index.html
    [ "$status" -eq 0 ]
    [ "$output" = "${RESPONSE%$'\n'}" ]
    [ -z "$stderr" ]
    wait_for web '^After the reply:'
    [ "$(grep '^Request:' "$BATS_TEST_TMPDIR/web.out")" = "Request: b'GET /index.html HTTP/1.0\r\n\r\n'" ]
}

@test "long options take --opt=value and unique prefixes, as argparse does" {
    start_server web "$ROOT/tests/http_responder" reply "$RESPONSE"
    run --separate-stderr ./hserror --host=localhost --port="$PORT" --file=/a --timeout=5
    [ "$status" -eq 0 ]
    [ "$output" = "${RESPONSE%$'\n'}" ]
    run --separate-stderr ./hserror --ho localhost --po "$PORT" --fi /b --t 5
    [ "$status" -eq 0 ]
    [ "$output" = "${RESPONSE%$'\n'}" ]
    wait_for web "^Request: b'GET /b "
    [ "$(grep -c '^Request:' "$BATS_TEST_TMPDIR/web.out")" -eq 2 ]
    grep -qF "Request: b'GET /a HTTP/1.0\r\n\r\n'" "$BATS_TEST_TMPDIR/web.out"
}

@test "with stdout closed, the response never goes back to the server: it gets the request only" {
    start_server web "$ROOT/tests/http_responder" reply "$RESPONSE"
    run --separate-stderr bash -c "./hserror --host 127.0.0.1 --port $PORT --file / >&-"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    wait_for web '^After the reply:'
    [ "$(grep '^Request:' "$BATS_TEST_TMPDIR/web.out")" = "Request: b'GET / HTTP/1.0\r\n\r\n'" ]
    [ "$(grep '^After the reply:' "$BATS_TEST_TMPDIR/web.out")" = "After the reply: b''" ]
}

@test "a binary response of 1 MB reaches a file byte for byte" {
    head -c 1000000 /dev/urandom >"$BATS_TEST_TMPDIR/data"
    printf '\x00\x1b[31m\xff' >>"$BATS_TEST_TMPDIR/data"
    start_server web "$ROOT/tests/http_responder" file "$BATS_TEST_TMPDIR/data"
    ./hserror --host 127.0.0.1 --port "$PORT" --file /data >"$BATS_TEST_TMPDIR/got"
    cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/got"
}

@test "on a terminal, the response is shown as repr() shows it: escapes and invalid UTF-8 escaped, text as it is" {
    command -v script >/dev/null || skip "needs script (util-linux) for a terminal"
    printf 'HTTP/1.0 200 OK\r\n\r\ncaf\xc3\xa9 A\x00\x1b[31m\xff \xe2\x80\xae\n' >"$BATS_TEST_TMPDIR/data"
    start_server web "$ROOT/tests/http_responder" file "$BATS_TEST_TMPDIR/data"
    script -qec "./hserror --host 127.0.0.1 --port $PORT --file /" /dev/null \
        | tr -d '\r' >"$BATS_TEST_TMPDIR/shown"
    run cat "$BATS_TEST_TMPDIR/shown"         # each recv() as repr(): here one of them
    [ "${#lines[@]}" -eq 1 ]
    [ "${lines[0]}" = "'HTTP/1.0 200 OK\\r\\n\\r\\ncaf"$'\xc3\xa9'" A\\x00\\x1b[31m\\xff \\u202e\\n'" ]
    run ! grep -q $'\x1b' "$BATS_TEST_TMPDIR/shown"
}

@test "a name that does not resolve is an Address-related error with the resolver's message, exit 1" {
    with_hosts_file $'127.0.0.1 localhost\n' ./hserror --host nosuch.invalid --port 80 --file /
    [ "$status" -eq 1 ]
    [ "$output" = "Address-related error connecting to server: [Errno -2] Name or service not known" ]
    [ -z "$stderr" ]
}

@test "a name with an empty label is refused by the resolver itself, no DNS asked: Address-related error" {
    run --separate-stderr ./hserror --host nosuch..invalid --port 80 --file /
    [ "$status" -eq 1 ]
    [ "$output" = "Address-related error connecting to server: [Errno -2] Name or service not known" ]
    [ -z "$stderr" ]
}

@test "a closed port is a Connection error: [Errno 111] Connection refused, on stdout as the script prints it, exit 1" {
    run --separate-stderr ./hserror --host 127.0.0.1 --port "$(free_tcp_port)" --file /
    [ "$status" -eq 1 ]
    [ "$output" = "Connection error: [Errno 111] Connection refused" ]
    [ -z "$stderr" ]
}

@test "a reset in the middle of the response: what came is written, then Error receiving data, exit 1" {
    start_server web "$ROOT/tests/http_responder" reset 'HTTP/1.0 200 OK\r\n\r\nthe first half\x00'
    run --separate-stderr bash -c "./hserror --host 127.0.0.1 --port $PORT --file /big >'$BATS_TEST_TMPDIR/got'"
    [ "$status" -eq 1 ]
    # What came, then the script's line, in the same stream as in Python.
    printf 'HTTP/1.0 200 OK\r\n\r\nthe first half\0Error receiving data: [Errno 104] Connection reset by peer\n' |
        cmp - "$BATS_TEST_TMPDIR/got"
    [ -z "$stderr" ]
}

@test "a server that trickles a byte every 0.2 s: --timeout limits the whole exchange, exit 1" {
    start_server web "$ROOT/tests/http_responder" trickle "HTTP/1.0 200 OK\r\n\r\n$(printf '%0100d' 0)"
    start=$(date +%s%N)
    run --separate-stderr bash -c "./hserror --host 127.0.0.1 --port $PORT --file / --timeout 0.5 >'$BATS_TEST_TMPDIR/got'"
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$status" -eq 1 ]
    [ -z "$stderr" ]
    seconds_between "$elapsed" 400 3000
    got=$(cat "$BATS_TEST_TMPDIR/got")          # what came in time is kept: a start of it,
    [[ "$got" == *"Error receiving data: timed out" ]]  # then the script's line
    got=${got%Error receiving data: timed out}
    [ -n "$got" ]
    [[ "HTTP/1.0 200 OK" == "$got"* ]] || [[ "$got" == "HTTP/1.0 200 OK"* ]]
}

@test "a server that never answers: Error receiving data: timed out after --timeout, exit 1" {
    start_server web "$ROOT/tests/http_responder" silent
    start=$(date +%s%N)
    run --separate-stderr ./hserror --host 127.0.0.1 --port "$PORT" --file / --timeout 0.3
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$status" -eq 1 ]
    [ "$output" = "Error receiving data: timed out" ]
    [ -z "$stderr" ]
    seconds_between "$elapsed" 250 3000
}

@test "out of file descriptors: Error creating socket: [Errno 24] Too many open files, exit 1" {
    # A static copy, because the dynamic loader itself needs a free descriptor to start.
    cc -std=c11 -static -I"$ROOT/common" -o "$BATS_TEST_TMPDIR/hserror" hserror.c 2>/dev/null ||
        skip "cannot link statically here (no libc.a)"
    run --separate-stderr bash -c "ulimit -n 3 && exec '$BATS_TEST_TMPDIR/hserror' --host 127.0.0.1 --port 1 --file /"
    [ "$status" -eq 1 ]
    [ "$output" = "Error creating socket: [Errno 24] Too many open files" ]
    [ -z "$stderr" ]
}

@test "experiment: without the receive timeout, a silent server holds it past --timeout, as the script" {
    build_without_experiment hserror.c "$BATS_TEST_TMPDIR/hserror"
    start_server web "$ROOT/tests/http_responder" silent
    spawn client "$BATS_TEST_TMPDIR/hserror" --host 127.0.0.1 --port "$PORT" --file / --timeout 0.1
    wait_for web '^Request:'                # the request went out: now it waits in recv()
    sleep 0.3                               # three times --timeout: the real one has given up
    kill -0 "$PID_client"                   # still waiting
    [ -z "$(err client)" ]
}

@test "a natural edit: a header line added to the request reaches the server as typed" {
    build_edited hserror.c "$BATS_TEST_TMPDIR/hserror" \
        's|HTTP/1.0\\r\\n\\r\\n"|HTTP/1.0\\r\\nUser-Agent: hserror\\r\\n\\r\\n"|'
    start_server web "$ROOT/tests/http_responder" reply "$RESPONSE"
    run --separate-stderr "$BATS_TEST_TMPDIR/hserror" --host 127.0.0.1 --port "$PORT" --file /a
    [ "$status" -eq 0 ]
    [ "$output" = "${RESPONSE%$'\n'}" ]
    wait_for web '^After the reply:'
    [ "$(grep '^Request:' "$BATS_TEST_TMPDIR/web.out")" = "Request: b'GET /a HTTP/1.0\r\nUser-Agent: hserror\r\n\r\n'" ]
}

@test "-h prints the usage, says that --timeout limits the whole exchange, and exits 0" {
    run ./hserror -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$USAGE" ]
    [[ "$output" == *"--timeout SECONDS  limit for the whole exchange: connect, send, receive"$'\n'"                     (default 30)"* ]]
}

@test "missing options are a usage error naming them, exit 2" {
    run ./hserror
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "$USAGE" ]
    [ "${lines[1]}" = "hserror: error: the following arguments are required: --host, --port, --file" ]
    run ./hserror --host localhost --file /
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: the following arguments are required: --port" ]
    run ./hserror extra --host h        # argparse: what is missing first, then extra words
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: the following arguments are required: --port, --file" ]
    run ./hserror --host localhost --port
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: argument --port: expected one argument" ]
    run ./hserror --host --port 80 --file /     # argparse never takes an option as a value
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: argument --host: expected one argument" ]
    run ./hserror --host h --port 80 --file -x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: argument --file: expected one argument" ]
}

@test "a bad port, a bad timeout or an unknown argument is a usage error in argparse's words, exit 2" {
    for port in abc ""; do
        run ./hserror --host localhost --port "$port" --file /
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "hserror: error: argument --port: invalid int value: '$port'" ]
    done
    run ./hserror --host localhost --port=70000 --file /
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: argument --port: invalid value: '70000' (must be 0..65535)" ]
    run ./hserror --host localhost --port 80 --file / --timeout abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: argument --timeout: invalid float value: 'abc'" ]
    for timeout in 0 -1 86401; do
        run ./hserror --host localhost --port 80 --file / --timeout "$timeout"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "hserror: error: argument --timeout: invalid value: '$timeout' (must be 0.001..86400)" ]
    done
    run ./hserror --host localhost --port 80 --file / extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: unrecognized arguments: extra more" ]
    run ./hserror --host localhost --port 80 --file / --verbose -v
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "hserror: error: unrecognized arguments: --verbose -v" ]
}
