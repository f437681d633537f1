#!/usr/bin/env bats
# code/time_epochs: the snippet's Unix time and NTP timestamp (floats, as Python prints them;
# checked against shell arithmetic), its datetimes, one
# SNTP query to a server on loopback (sntp/sntp_server, or the test responder), and the
# era arithmetic. Never the default pool.ntp.org: every test names 127.0.0.1.

load lib/helpers

setup() {
    cd "$ROOT/code"
}

# str(datetime) of Unix time $1 without its microseconds, in $TZ, as date(1) writes it.
datetime_of() { date -d "@$1" '+%Y-%m-%d %H:%M:%S'; }

# Checks the lines that do not depend on the server: the Unix time T as Python prints a
# float, T + 2208988800, T's local time as str(datetime), and the era arithmetic.
check_conversion() {
    [[ "${lines[0]}" =~ ^Current\ Unix\ time:\ ([0-9]+)\.[0-9]+$ ]]
    local t=${BASH_REMATCH[1]} ntp=$((BASH_REMATCH[1] + 2208988800))
    [[ "${lines[1]}" =~ ^Corresponding\ NTP\ timestamp:\ $ntp\.[0-9]+$ ]]
    awk -v unix="${lines[0]#*: }" -v ntp="${lines[1]#*: }" \
        'BEGIN { d = ntp - unix - 2208988800; exit !(d < 1e-6 && d > -1e-6) }'
    [[ "${lines[3]}" =~ ^Current\ Unix\ time\ in\ human-readable\ local\ time:\ "$(datetime_of "$t")"(\.[0-9]{6})?$ ]]
    [ "${lines[4]}" = "NTP era arithmetic (the timestamp's seconds field has 32 bits):" ]
    [ "${lines[5]}" = "  32-bit seconds field of now: $((ntp & 0xffffffff)) (NTP timestamp mod 2^32)" ]
    [ "${lines[6]}" = "  era of now: $((ntp >> 32)) (NTP timestamp / 2^32)" ]
    [ "${lines[7]}" = "  era 1 begins at Unix time 2085978496: 2036-02-07 06:28:16 UTC" ]
    [ "${#lines[@]}" -eq 8 ]
    NOW=$t
}

# The server's time: str(datetime.fromtimestamp(t, timezone.utc)), t is now or a second on.
check_server_time() {
    local line=${lines[2]} utc
    for t in "$1" $(($1 + 1)); do
        utc=$(TZ=UTC datetime_of "$t")
        [[ "$line" =~ ^NTP\ time\ in\ human-readable\ local\ time:\ "$utc"(\.[0-9]{6})?\+00:00$ ]] && return
    done
    false
}

@test "against sntp_server on loopback: the snippet's four lines, then the era arithmetic" {
    [ -x "$ROOT/sntp/sntp_server" ] || skip "sntp/sntp_server is not built"
    start_server server "$ROOT/sntp/sntp_server" -p 0
    TZ=UTC run --separate-stderr ./time_epochs 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    export TZ=UTC
    check_conversion
    check_server_time "$NOW"        # the server's clock is this machine's: now
}

@test "the Unix time's local time follows TZ; the NTP time is in UTC (+00:00) whatever TZ" {
    start_server responder "$ROOT/tests/sntp_responder" good
    TZ=JST-9 run --separate-stderr ./time_epochs 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    export TZ=JST-9
    check_conversion
    [ "$(TZ=UTC date -d "@$NOW" +%H)" != "$(date -d "@$NOW" +%H)" ]
    check_server_time "$NOW"
}

@test "a server time without the top bit is in era 1: second 1000 is 2036-02-07 06:44:56 UTC" {
    start_server responder "$ROOT/tests/sntp_responder" era1
    TZ=JST-9 run --separate-stderr ./time_epochs -p "$PORT" 127.0.0.1
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "NTP time in human-readable local time: 2036-02-07 06:44:56+00:00" ]
}

@test "experiment: without the epoch offset the server's time is 70 years late" {
    build_without_experiment time_epochs.c "$BATS_TEST_TMPDIR/time_epochs"
    start_server responder "$ROOT/tests/sntp_responder" good
    TZ=UTC run --separate-stderr "$BATS_TEST_TMPDIR/time_epochs" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^Current\ Unix\ time:\ ([0-9]+)\. ]]
    check_server_time $((BASH_REMATCH[1] + 2208988800))
    [[ "${lines[2]}" == *" $(( $(date +%Y) + 70 ))-"* ]] || [[ "${lines[2]}" == *" $(( $(date +%Y) + 69 ))-"* ]]
}

@test "exactly one query: the responder answers once" {
    start_server responder "$ROOT/tests/sntp_responder" good
    run ./time_epochs 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^Sent good to' "$BATS_TEST_TMPDIR/responder.out")" -eq 1 ]
}

@test "a server that does not answer: one line after the -t timeout, exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" silent
    run --separate-stderr ./time_epochs 127.0.0.1 -p "$PORT" -t 0.3
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 2 ]        # the Unix time lines come before the query
    [ "$stderr" = "time_epochs: no answer from ('127.0.0.1', $PORT) within 0.3 seconds" ]
}

@test "a port where nothing listens: ECONNREFUSED, exit 1" {
    port=$(free_udp_port)
    run --separate-stderr ./time_epochs 127.0.0.1 -p "$port" -t 2
    [ "$status" -eq 1 ]
    [ "$stderr" = "time_epochs: recv ('127.0.0.1', $port): ECONNREFUSED Connection refused" ]
}

@test "a short reply is refused in one line, exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" short
    run --separate-stderr ./time_epochs 127.0.0.1 -p "$PORT" -t 2
    [ "$status" -eq 1 ]
    [ "$stderr" = "time_epochs: a reply of 47 bytes from ('127.0.0.1', $PORT): an NTP reply has 48" ]
}

@test "-h prints the usage, exit 0; bad options are argparse's usage errors, exit 2" {
    run ./time_epochs -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: time_epochs [-h] [-p PORT] [-t SECONDS] [host]" ]
    run ./time_epochs -p abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "time_epochs: error: argument -p: invalid int value: 'abc'" ]
    run ./time_epochs -t x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "time_epochs: error: argument -t: invalid float value: 'x'" ]
    run ./time_epochs 127.0.0.1 extra
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "time_epochs: error: unrecognized arguments: extra" ]
}
