#!/usr/bin/env bats
# sntp/sntp_client: the complete SNTPv4 client against the chapter's own server, against
# a hostile responder (tests/sntp_responder) for every malformed reply, its timeouts, and
# the unit tests of its 2036-safe time conversion (tests/sntp_convert_test).

load helpers

setup() {
    cd "$ROOT/sntp"
}

# The seconds printed on the line starting with $1, e.g. field 'Offset:' -> +0.000012
field() {
    printf '%s\n' "${lines[@]}" | sed -nE "s/^$1 *([-+]?[0-9.]+) s$/\1/p"
}

@test "unit tests: NTP timestamps convert across the 2036 era rollover, and the reply checks" {
    run "$ROOT/tests/sntp_convert_test"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
}

@test "against sntp_server: every field as the server sent it, offset near 0, delay small" {
    start_server server ./sntp_server -p 0
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Waiting up to 0.5 seconds for a reply from ('127.0.0.1', $PORT)" ]
    [ "${lines[1]}" = "Response received from: ('127.0.0.1', $PORT)" ]
    [ "${lines[2]}" = "Leap indicator: 0 (no warning)" ]
    [ "${lines[3]}" = "Version: 4" ]
    [ "${lines[4]}" = "Mode: 4 (server)" ]
    [ "${lines[5]}" = "Stratum: 10 (secondary: that many steps from a reference or local clock)" ]
    [ "${lines[6]}" = "Poll: 0 (2^0 = 1 s)" ]
    [[ "${lines[7]}" =~ ^Precision:\ -[0-9]+\ \(2\^-[0-9]+\ =\ [0-9.e-]+\ s\)$ ]]
    [ "${lines[8]}" = "Root delay: 0.000000 s" ]
    [ "${lines[9]}" = "Root dispersion: 0.000015 s" ]
    [ "${lines[10]}" = "Reference id: 127.127.1.1" ]
    utc='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} UTC'
    [[ "${lines[11]}" =~ ^Reference\ time:\ +$utc$ ]]
    [[ "${lines[12]}" =~ ^Originate\ time:\ +$utc\ \(T1,\ our\ request\ left\)$ ]]
    [[ "${lines[13]}" =~ ^Receive\ time:\ +$utc\ \(T2,\ it\ reached\ the\ server\)$ ]]
    [[ "${lines[14]}" =~ ^Transmit\ time:\ +$utc\ \(T3,\ the\ reply\ left\ the\ server\)$ ]]
    [[ "${lines[15]}" =~ ^Destination\ time:\ +$utc\ \(T4,\ the\ reply\ reached\ us\)$ ]]
    [[ "${lines[18]}" =~ ^Corrected\ time:\ +$utc$ ]]
    [ "${#lines[@]}" -eq 19 ]
    # One clock on both ends: the offset is within a millisecond of 0, the delay small.
    offset=$(field 'Offset:')
    delay=$(field 'Round-trip delay:')
    awk -v o="$offset" -v d="$delay" 'BEGIN { exit !(o > -0.001 && o < 0.001 && d >= 0 && d < 0.1) }'
    # The corrected time is today's, in UTC.
    [[ "${lines[18]}" == *"$(date -u +%Y-%m-%d) "* ]] || [[ "${lines[18]}" == *"$(date -u -d '1 minute ago' +%Y-%m-%d) "* ]]
    wait_for server "^Answered a version 4 request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "a stratum-1 server's reference id is shown as its four-letter source name" {
    start_server server ./sntp_server -p 0 -s 1 -r GPS
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[5]}" = "Stratum: 1 (primary: it reads a reference clock)" ]
    [ "${lines[10]}" = "Reference id: 'GPS'" ]
}

@test "an era-1 transmit time (after 2036-02-07) is shown in 2036, not 1900" {
    start_server responder "$ROOT/tests/sntp_responder" era1
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Transmit time:    2036-02-07 06:44:56.000000 UTC (T3, the reply left the server)"* ]]
}

# reject KIND MESSAGE: the hostile responder answers with KIND; the client exits 1 with
# MESSAGE after its first wait line.
reject() {
    start_server responder "$ROOT/tests/sntp_responder" "$1"
    run ./sntp_client 127.0.0.1 -p "$PORT" -t 1
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "Waiting up to 0.5 seconds for a reply from ('127.0.0.1', $PORT)" ]
    [ "${lines[1]}" = "sntp_client: ${2//PORT/$PORT}" ]
    [ "${#lines[@]}" -eq 2 ]
}

@test "a reply shorter than 48 bytes is rejected, exit 1" {
    reject short "the reply from ('127.0.0.1', PORT) is 47 bytes, too short for NTP (48)"
}

@test "a reply in mode 3 instead of 4 (server) is rejected, exit 1" {
    reject mode "the reply from ('127.0.0.1', PORT) has mode 3, not 4 (server)"
}

@test "Kiss-o'-Death RATE, DENY and RSTR print the kiss code, exit 1" {
    reject kod-RATE "Kiss-o'-Death from ('127.0.0.1', PORT): 'RATE' (we asked too often: wait longer before asking this server again)"
    kill_spawned || true
    reject kod-DENY "Kiss-o'-Death from ('127.0.0.1', PORT): 'DENY' (the server refuses to serve us: stop asking it)"
    kill_spawned || true
    reject kod-RSTR "Kiss-o'-Death from ('127.0.0.1', PORT): 'RSTR' (the server refuses to serve us: stop asking it)"
}

@test "leap indicator 3 (unsynchronised) is rejected, exit 1" {
    reject leap3 "the reply from ('127.0.0.1', PORT) has leap indicator 3: the server's clock is not synchronised"
}

@test "a zero transmit time is rejected, exit 1" {
    reject zero-transmit "the reply from ('127.0.0.1', PORT) has a zero transmit time"
}

@test "stratum 16 is rejected, exit 1" {
    reject stratum16 "the reply from ('127.0.0.1', PORT) has stratum 16: the server's clock is not synchronised"
}

@test "versions 0 and 5 are rejected, exit 1" {
    reject version0 "the reply from ('127.0.0.1', PORT) has version 0, not 1 to 4"
    kill_spawned || true
    reject version5 "the reply from ('127.0.0.1', PORT) has version 5, not 1 to 4"
}

@test "a reply whose originate time is not our T1 is ignored and counted, never believed" {
    start_server responder "$ROOT/tests/sntp_responder" origin
    run ./sntp_client 127.0.0.1 -p "$PORT" -t 1
    [ "$status" -eq 1 ]
    ignored="Ignored a reply from ('127.0.0.1', $PORT): its originate time is not our T1 (spoofed, or the answer to an earlier try)"
    [ "${lines[1]}" = "$ignored" ]
    [ "${lines[3]}" = "$ignored" ]
    [ "${lines[4]}" = "sntp_client: no answer from ('127.0.0.1', $PORT) after 2 tries in 1 s (ignored 2 other datagrams)" ]
    ! grep -q '^Offset' <<<"$output"
}

@test "a spoofed reply is ignored and the genuine one that follows is accepted" {
    start_server responder "$ROOT/tests/sntp_responder" origin+good
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "Ignored a reply from ('127.0.0.1', $PORT): its originate time is not our T1 "* ]]
    [ "${lines[2]}" = "Response received from: ('127.0.0.1', $PORT)" ]
    [ "${lines[-1]}" = "Ignored 1 datagram that was not the answer" ]
}

@test "a reply from another port than the server's is ignored and counted" {
    start_server responder "$ROOT/tests/sntp_responder" other-port
    run ./sntp_client 127.0.0.1 -p "$PORT" -t 1
    [ "$status" -eq 1 ]
    [[ "${lines[1]}" =~ ^Ignored\ a\ datagram\ from\ \(\'127\.0\.0\.1\',\ ([0-9]+)\):\ not\ the\ server$ ]]
    [ "${BASH_REMATCH[1]}" != "$PORT" ]
    [ "${lines[-1]}" = "sntp_client: no answer from ('127.0.0.1', $PORT) after 2 tries in 1 s (ignored 2 other datagrams)" ]
    kill_spawned || true
    start_server responder "$ROOT/tests/sntp_responder" other-port+good
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "Response received from: ('127.0.0.1', $PORT)" ]
}

@test "backoff: with no answer the waits double (0.5, 1) and the last fits -t, then exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" silent
    start=$(date +%s%N)
    run ./sntp_client 127.0.0.1 -p "$PORT" -t 1.6
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "Waiting up to 0.5 seconds for a reply from ('127.0.0.1', $PORT)" ]
    [ "${lines[1]}" = "Waiting up to 1 seconds for a reply from ('127.0.0.1', $PORT)" ]
    [ "${lines[2]}" = "Waiting up to 0.1 seconds for a reply from ('127.0.0.1', $PORT)" ]
    [ "${lines[3]}" = "sntp_client: no answer from ('127.0.0.1', $PORT) after 3 tries in 1.6 s: is an NTP server running there?" ]
    [ "$elapsed_ms" -ge 1550 ] && [ "$elapsed_ms" -lt 4000 ]
}

@test "with nothing listening at all, the client times out (-t 0.3) and exits 1" {
    port=$(free_udp_port)
    run ./sntp_client 127.0.0.1 -p "$port" -t 0.3
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "Waiting up to 0.3 seconds for a reply from ('127.0.0.1', $port)" ]
    [ "${lines[1]}" = "sntp_client: no answer from ('127.0.0.1', $port) after 1 try in 0.3 s: is an NTP server running there?" ]
}

@test "over IPv6 (::1) the client and server work the same" {
    [ -e /proc/net/if_inet6 ] && grep -q '^0*1 ' /proc/net/if_inet6 || skip "no IPv6 loopback (::1) here"
    # (helpers' port_of reads the 0 of "0, 0)" on an IPv6 line: take the port here.)
    spawn server ./sntp_server ::1 -p 0
    wait_for server '^Listening'
    PORT=$(sed -nE "s/^Listening at \('::1', ([0-9]+), 0, 0\)$/\1/p" "$BATS_TEST_TMPDIR/server.out")
    [ -n "$PORT" ]
    run ./sntp_client ::1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Response received from: ('::1', $PORT, 0, 0)" ]
}

@test "-h prints the usage and exits 0" {
    run ./sntp_client -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_client [-h] [-p PORT] [-t TIMEOUT] [host]" ]
}

@test "bad ports and timeouts are usage errors, exit 2" {
    run ./sntp_client 127.0.0.1 -p abc
    [ "$status" -eq 2 ]
    [[ "${lines[1]}" == "sntp_client: error: argument -p: invalid port: 'abc'"* ]]
    for timeout in abc 0 -1 1x ""; do
        run ./sntp_client 127.0.0.1 -t "$timeout"
        [ "$status" -eq 2 ]
        [[ "${lines[1]}" == "sntp_client: error: argument -t: invalid timeout: '$timeout'"* ]]
    done
}

@test "a host that does not resolve is reported by getaddrinfo, exit 1" {
    run ./sntp_client nosuch.invalid -t 0.3
    [ "$status" -eq 1 ]
    [[ "$output" == "sntp_client: getaddrinfo 'nosuch.invalid': EAI_"* ]]
}
