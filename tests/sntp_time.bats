#!/usr/bin/env bats
# sntp/sntp_time: the notebook's raw SNTP query, against the chapter's own server and a
# hostile one (tests/sntp_responder); never an outside server.

load lib/helpers

setup() {
    cd "$ROOT/sntp"
}

@test "sntp_time prints who answered and the server's time as ctime prints it" {
    start_server server ./sntp_server -p 0
    run ./sntp_time 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Response received from: ('127.0.0.1', $PORT)" ]
    [[ "${lines[1]}" =~ ^$'\t'Time=(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\ [A-Z][a-z]{2}\ [\ 1-3][0-9]\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ [0-9]{4}$ ]]
    [ "${#lines[@]}" -eq 2 ]
    shown=$(date -d "${lines[1]#*Time=}" +%s)
    now=$(date +%s)
    [ $((now - shown)) -ge 0 ]
    [ $((now - shown)) -le 2 ]
    # 0x1b = leap 0, version 3, mode 3: a request the server checks and answers.
    wait_for server "^Answered a version 3 request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "sntp_time reads an era-1 timestamp (after the 2036 rollover) as 2036, not 1900" {
    start_server responder "$ROOT/tests/sntp_responder" era1
    TZ=UTC run ./sntp_time 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = $'\tTime=Thu Feb  7 06:44:56 2036' ]
}

@test "sntp_time reports a reply too short for NTP, exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" short
    run ./sntp_time 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "Response received from: ('127.0.0.1', $PORT)" ]
    [ "${lines[1]}" = "sntp_time: the reply is 47 bytes, too short for NTP (48)" ]
}

@test "sntp_time gives up without an answer (5 s, or -t SECONDS), exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" silent
    start=$(date +%s%N)
    run ./sntp_time 127.0.0.1 -p "$PORT" -t 0.5
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$status" -eq 1 ]
    [ "$output" = "sntp_time: no answer from ('127.0.0.1', $PORT) in 0.5 seconds" ]
    [ "$elapsed_ms" -ge 450 ]
    [ "$elapsed_ms" -lt 3000 ]
    run ./sntp_time -h
    [[ "$output" == *"how long to wait for the answer (default 5)"* ]]
}

@test "-h prints the usage and exits 0" {
    run ./sntp_time -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_time [-h] [-p PORT] [-t SECONDS] [host]" ]
}

@test "bad arguments are usage errors, exit 2" {
    run ./sntp_time 127.0.0.1 -p 70000
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_time: error: argument -p: invalid value: '70000' (must be 0..65535)" ]
    run ./sntp_time 127.0.0.1 extra
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_time: error: unrecognized arguments: extra" ]
}

@test "output that cannot be written is an error: > /dev/full says ENOSPC, exit 1" {
    start_server server ./sntp_server -p 0
    run bash -c "./sntp_time 127.0.0.1 -p $PORT >/dev/full"
    [ "$status" -eq 1 ]
    [ "$output" = "sntp_time: write to stdout: ENOSPC No space left on device" ]
}

@test "options as argparse takes them: --help, -p=VALUE forms, and its error words" {
    run ./sntp_time --he
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_time [-h] [-p PORT] [-t SECONDS] [host]" ]
    run ./sntp_time -p abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_time: error: argument -p: invalid int value: 'abc'" ]
    run ./sntp_time -p
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_time: error: argument -p: expected one argument" ]
    run ./sntp_time -p -h
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_time: error: argument -p: expected one argument" ]
}

@test "EXPERIMENT: without t -= TIME1970 the date is 70 years ahead (NTP counts from 1900, Unix from 1970)" {
    build_without_experiment "$ROOT/sntp/sntp_time.c" "$BATS_TEST_TMPDIR/sntp_time" 1970
    start_server server ./sntp_server -p 0
    TZ=UTC run "$BATS_TEST_TMPDIR/sntp_time" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    year=${lines[1]: -4}
    [ "$year" -ge $(($(date -u +%Y) + 70)) ]
    [ "$year" -le $(($(date -u +%Y) + 71)) ]
}

@test "a student's edit: the request's first byte 0x1b (version 3) made 0x23 (version 4) is answered in version 4" {
    build_edited "$ROOT/sntp/sntp_time.c" "$BATS_TEST_TMPDIR/sntp_time" 's/NTP_REQUEST_FIRST_BYTE 0x1b/NTP_REQUEST_FIRST_BYTE 0x23/'
    start_server server ./sntp_server -p 0
    run "$BATS_TEST_TMPDIR/sntp_time" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Response received from: ('127.0.0.1', $PORT)" ]
    wait_for server "^Answered a version 4 request from \('127\.0\.0\.1', [0-9]+\)$"
}
