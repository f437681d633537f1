#!/usr/bin/env bats
# sntp/sntp_client: the complete SNTPv4 client against the chapter's own server, against
# a hostile responder (tests/sntp_responder) for every malformed reply, its timeouts, and
# the unit tests of its 2036-safe time conversion (tests/sntp_convert_test).

load lib/helpers

setup() {
    cd "$ROOT/sntp"
}

# The seconds printed on the line starting with $1, e.g. field 'Offset:' -> +0.000012
field() {
    printf '%s\n' "${lines[@]}" | sed -nE "s/^$1 *([-+]?[0-9.]+) s$/\1/p"
}

# The values that vary in a transcript: str(datetime) (no fraction when it is .000000),
# repr(float), a round-trip delay, a ctime line.
datetime='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?'
float='-?[0-9]+\.[0-9]+(e-[0-9]{2})?'
delay='[0-9]+\.[0-9]{6}'
ctime='(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 1-3][0-9] [0-9:]{8} [0-9]{4}'

@test "unit tests: NTP timestamps convert across the 2036 era rollover, and the reply checks" {
    run "$ROOT/tests/sntp_convert_test"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
}

@test "against sntp_server: sc2.py's lines word for word, then the notebook's ctime line, then the suite's additions" {
    start_server server ./sntp_server -p 0
    TZ=UTC run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    # The lecture's transcript of sc2.py (its 0x1b asks in version 3: Version Number 3).
    transcript "SNTP Response:" \
        "Leap Indicator: 0" \
        "Version Number: 4" \
        "Mode: 4" \
        "Stratum: 10" \
        "Root Delay: 0.0 seconds" \
        "Root Dispersion: 1.52587890625e-05 seconds" \
        "~Reference Timestamp: $datetime" \
        "~Originate Timestamp \(T1\): $datetime" \
        "~Receive Timestamp \(T2\): $datetime" \
        "~Transmit Timestamp \(T3\): $datetime" \
        "~Destination Timestamp \(T4\): $datetime" \
        "~Offset: $float seconds" \
        "~Corrected Time: $datetime UTC" \
        "~$ctime" \
        "Response received from: ('127.0.0.1', $PORT)" \
        "Believed: from the server, echoes our T1, passes RFC 4330's and 5905's checks" \
        "Leap Indicator 0: no warning" \
        "Stratum 10: secondary: that many steps from a reference or local clock" \
        "Poll: 0 (2^0 = 1 s)" \
        "~Precision: -[0-9]+ \(2\^-[0-9]+ = [0-9.e-]+ s\)" \
        "Reference id: 127.127.1.1" \
        "~Round-trip delay: $delay s" \
        "~Tries: [1-9]; other datagrams ignored: [0-9] \(-v shows each\)"
    # ctime(tx_time): T3 in local time (here UTC), the seconds truncated.
    t3=$(sed -nE 's/^Transmit Timestamp \(T3\): ([0-9-]+ [0-9:]+).*/\1/p' <<<"$output")
    [ "${lines[14]}" = "$(TZ=UTC date -d "$t3 UTC" '+%a %b %e %H:%M:%S %Y')" ]
    # T3 is today's, in UTC.
    [[ "$t3" == "$(date -u +%Y-%m-%d) "* ]] || [[ "$t3" == "$(date -u -d '1 minute ago' +%Y-%m-%d) "* ]]
    # The server sets its reference time when it answers: it is T2. The corrected time is
    # T4 plus the offset, as sc2.py computes it.
    [ "${lines[7]#*: }" = "${lines[9]#*: }" ]
    wait_for server "^Answered a version 4 request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "the corrected time is T4 plus the offset, and the float and datetime formats are Python's (python3 checks them)" {
    command -v python3 >/dev/null || skip "python3 not installed"
    start_server server ./sntp_server -p 0
    TZ=UTC run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    t4=$(sed -nE 's/^Destination Timestamp \(T4\): (.*)$/\1/p' <<<"$output")
    offset=$(sed -nE 's/^Offset: (.*) seconds$/\1/p' <<<"$output")
    corrected=$(sed -nE 's/^Corrected Time: (.*) UTC$/\1/p' <<<"$output")
    run python3 -c 'import sys, datetime
t4, offset, corrected = sys.argv[1:]
assert repr(float(offset)) == offset, offset
t = datetime.datetime.fromisoformat(t4).replace(tzinfo=datetime.timezone.utc).timestamp()
shown = datetime.datetime.fromtimestamp(t + float(offset), datetime.timezone.utc).replace(tzinfo=None)
assert abs((shown - datetime.datetime.fromisoformat(corrected)).total_seconds()) <= 2e-6, (shown, corrected)
assert str(datetime.datetime.fromisoformat(corrected)) == corrected, corrected' "$t4" "$offset" "$corrected"
    [ "$status" -eq 0 ]
}

@test "one clock at both ends: the offset is within half the measured round-trip delay" {
    start_server server ./sntp_server -p 0
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    offset=$(sed -nE 's/^Offset: (-?[0-9.]+(e-[0-9]+)?) seconds$/\1/p' <<<"$output")
    delay=$(field 'Round-trip delay:')
    [ -n "$offset" ]
    [ -n "$delay" ]
    # T2 and T3 lie between T1 and T4 on one clock, so |offset| <= delay / 2 (plus the
    # microsecond that printing rounds off).
    awk -v o="$offset" -v d="$delay" 'BEGIN { if (o < 0) o = -o; exit !(d >= 0 && o <= d / 2 + 0.000002) }'
}

@test "a stratum-1 server's reference id is shown as its four-letter source name" {
    start_server server ./sntp_server -p 0 -s 1 -r GPS
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[4]}" = "Stratum: 1" ]
    grep -qFx "Stratum 1: primary: it reads a reference clock" <<<"$output"
    grep -qFx "Reference id: 'GPS'" <<<"$output"
}

@test "the 2036 rollover: a server whose clock is in era 1 is read as 2036, not 1900, lines written out" {
    start_server responder "$ROOT/tests/sntp_responder" era1
    TZ=UTC run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    transcript "SNTP Response:" \
        "Leap Indicator: 0" \
        "Version Number: 4" \
        "Mode: 4" \
        "Stratum: 2" \
        "Root Delay: 0.0 seconds" \
        "Root Dispersion: 0.0 seconds" \
        "~Reference Timestamp: $datetime" \
        "~Originate Timestamp \(T1\): $datetime" \
        "Receive Timestamp (T2): 2036-02-07 06:44:56" \
        "Transmit Timestamp (T3): 2036-02-07 06:44:56" \
        "~Destination Timestamp \(T4\): $datetime" \
        "~Offset: 2[0-9]{8}\.[0-9]+ seconds" \
        "~Corrected Time: 2036-02-07 06:44:5[67](\.[0-9]{6})? UTC" \
        "Thu Feb  7 06:44:56 2036" \
        "Response received from: ('127.0.0.1', $PORT)" \
        "Believed: from the server, echoes our T1, passes RFC 4330's and 5905's checks" \
        "Leap Indicator 0: no warning" \
        "Stratum 2: secondary: that many steps from a reference or local clock" \
        "Poll: 6 (2^6 = 64 s)" \
        "Precision: -20 (2^-20 = 9.54e-07 s)" \
        "Reference id: 192.0.2.1" \
        "~Round-trip delay: 0\.[0-9]{6} s" \
        "~Tries: [1-9]; other datagrams ignored: [0-9] \(-v shows each\)"
    # The corrected time is T3 plus half the round trip. The offset is the whole way to
    # 2036: 2085979496 s (era 1's second 1000) minus now.
    offset=$(sed -nE 's/^Offset: ([0-9]+)\.[0-9]+ seconds$/\1/p' <<<"$output")
    [ $((2085979496 - $(date +%s) - offset)) -ge -2 ]
    [ $((2085979496 - $(date +%s) - offset)) -le 2 ]
}

@test "a zero reference time (never set) is 1900-01-01 00:00:00, as sc2.py prints it" {
    start_server responder "$ROOT/tests/sntp_responder" set:16=0000000000000000
    TZ=UTC run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[7]}" = "Reference Timestamp: 1900-01-01 00:00:00" ]
}

# reject KIND MESSAGE: the hostile responder answers with KIND; the client exits 1 with
# MESSAGE, its only line.
reject() {
    start_server responder "$ROOT/tests/sntp_responder" "$1"
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "sntp_client: ${2//PORT/$PORT}" ]
}

@test "junk from the server's address (5 bytes, 47 bytes, a request with originate 0) is ignored, then the reply taken (-v)" {
    start_server responder "$ROOT/tests/sntp_responder" tiny short request good
    run ./sntp_client 127.0.0.1 -p "$PORT" -v
    [ "$status" -eq 0 ]
    grep -qFx "Ignored a datagram from ('127.0.0.1', $PORT): 5 bytes, too short for NTP (48)" <<<"$output"
    grep -qFx "Ignored a datagram from ('127.0.0.1', $PORT): 47 bytes, too short for NTP (48)" <<<"$output"
    grep -qFx "Ignored a datagram from ('127.0.0.1', $PORT): its originate time is not our T1 (spoofed, or the answer to an earlier try)" <<<"$output"
    grep -qFx "Response received from: ('127.0.0.1', $PORT)" <<<"$output"
}

@test "a server claiming it held the request 5 s (round-trip delay about -5 s) is refused, exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" held
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" =~ ^sntp_client:\ the\ reply\ from\ \(\'127\.0\.0\.1\',\ $PORT\)\ makes\ the\ round-trip\ delay\ -4\.[5-9][0-9]{5}\ s:\ negative\ beyond\ both\ clocks\'\ precision,\ so\ its\ T2\ or\ T3\ is\ wrong$ ]]
    [ "${#lines[@]}" -eq 1 ]
}

@test "the inconsistent 2036 reply (only T3 in era 1) is refused for its negative delay, exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" era1-t3
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" =~ ^sntp_client:\ the\ reply\ from\ .*\ makes\ the\ round-trip\ delay\ -[0-9]{9}\.[0-9]{6}\ s:\ negative ]]
}

@test "a root distance over 1.5 s (root dispersion 100 s) is refused, exit 1" {
    reject far "the reply from ('127.0.0.1', PORT) has a root distance (root delay / 2 + root dispersion) of 100.000000 s, over 1.5 s: too far from a reference clock"
}

# RFC 5905's checks, each with the bytes the responder changes (offset=hex, offset=+-seconds).
@test "root delay 0x80000000 (not negative: RFC 5905's unsigned 16.16) with dispersion 16383 s is refused, exit 1" {
    reject set:4=80000000,8=3fff0000 "the reply from ('127.0.0.1', PORT) has a root distance (root delay / 2 + root dispersion) of 32767.000000 s, over 1.5 s: too far from a reference clock"
}

@test "precision +127 (2^127 s), with T3 a year ahead, is refused for the precision, exit 1" {
    reject set:3=7f,40=+31536000 "the reply from ('127.0.0.1', PORT) has precision 127 (2^127 s): a clock that coarse cannot be within 1.5 s of the time"
}

@test "T3 an hour before T2 is refused: a server cannot answer before it is asked, exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" set:40=-3600
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" =~ ^sntp_client:\ the\ reply\ from\ \(\'127\.0\.0\.1\',\ $PORT\)\ has\ a\ transmit\ time\ \(T3\)\ (3599\.9|3600\.0)[0-9]{5}\ s\ before\ its\ receive\ time\ \(T2\):\ it\ cannot\ answer\ before\ it\ is\ asked$ ]]
    [ "${#lines[@]}" -eq 1 ]
}

@test "a zero receive time (T2 = 0) is refused, exit 1" {
    reject set:32=0000000000000000 "the reply from ('127.0.0.1', PORT) has a zero receive time"
}

@test "RFC 4330's refusals: mode 3, versions 0 and 5, leap indicator 3, stratum 16, a zero transmit time; one line each, exit 1" {
    reject mode "the reply from ('127.0.0.1', PORT) has mode 3, not 4 (server)"
    kill_spawned || true
    reject version0 "the reply from ('127.0.0.1', PORT) has version 0, not 1 to 4"
    kill_spawned || true
    reject version5 "the reply from ('127.0.0.1', PORT) has version 5, not 1 to 4"
    kill_spawned || true
    reject leap3 "the reply from ('127.0.0.1', PORT) has leap indicator 3: the server's clock is not synchronised"
    kill_spawned || true
    reject stratum16 "the reply from ('127.0.0.1', PORT) has stratum 16: the server's clock is not synchronised"
    kill_spawned || true
    reject zero-transmit "the reply from ('127.0.0.1', PORT) has a zero transmit time"
}

@test "Kiss-o'-Death RATE, DENY and RSTR print the kiss code, exit 1" {
    reject kod-RATE "the reply from ('127.0.0.1', PORT) is a Kiss-o'-Death 'RATE': wait longer before asking this server again"
    kill_spawned || true
    reject kod-DENY "the reply from ('127.0.0.1', PORT) is a Kiss-o'-Death 'DENY': the server refuses to serve us: stop asking it"
    kill_spawned || true
    reject kod-RSTR "the reply from ('127.0.0.1', PORT) is a Kiss-o'-Death 'RSTR': the server refuses to serve us: stop asking it"
}

@test "a spoofed reply is ignored and the genuine one that follows is accepted: counted, and shown with -v" {
    start_server responder "$ROOT/tests/sntp_responder" origin+good
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "SNTP Response:" ]
    [[ "${lines[-1]}" =~ ^Tries:\ [1-9]\;\ other\ datagrams\ ignored:\ [1-9]\ \(-v\ shows\ each\)$ ]]
    [[ "$output" != *Ignored* ]]
    run ./sntp_client 127.0.0.1 -p "$PORT" -v
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Waiting up to 0.5 seconds for a reply from ('127.0.0.1', $PORT)" ]
    [ "${lines[1]}" = "Ignored a datagram from ('127.0.0.1', $PORT): its originate time is not our T1 (spoofed, or the answer to an earlier try)" ]
    grep -qFx "Response received from: ('127.0.0.1', $PORT)" <<<"$output"
    [[ "${lines[-1]}" =~ ^Tries:\ [1-9]\;\ other\ datagrams\ ignored:\ [1-9]$ ]]
}

@test "a reply from another port than the server's is ignored and counted" {
    # Robust under load: a slow responder may make the client try again, so no line is
    # looked for at a fixed place.
    start_server responder "$ROOT/tests/sntp_responder" other-port+good
    run ./sntp_client 127.0.0.1 -p "$PORT" -v
    [ "$status" -eq 0 ]
    other=$(sed -nE "s/^Ignored a datagram from \('127\.0\.0\.1', ([0-9]+)\): not the server$/\1/p" <<<"$output" | head -n 1)
    [ -n "$other" ]
    [ "$other" != "$PORT" ]
    grep -qFx "Response received from: ('127.0.0.1', $PORT)" <<<"$output"
}

@test "EXPERIMENT: with the originate check commented out, a forged reply is believed (exit 0)" {
    build_without_experiment "$ROOT/sntp/sntp_client.c" "$BATS_TEST_TMPDIR/sntp_client" forged
    start_server responder "$ROOT/tests/sntp_responder" origin
    run "$BATS_TEST_TMPDIR/sntp_client" 127.0.0.1 -p "$PORT" -t 1 -v
    [ "$status" -eq 0 ]
    [[ "$output" != *Ignored* ]]
    grep -qFx "Response received from: ('127.0.0.1', $PORT)" <<<"$output"
    [[ "$output" == *$'\nOffset: '* ]]
}

@test "backoff: the waits double (0.5, 1), the last fits -t; junk, forgeries and other ports meanwhile are ignored and counted; exit 1" {
    start_server responder "$ROOT/tests/sntp_responder" short origin other-port
    start=$(date +%s%N)
    run ./sntp_client 127.0.0.1 -p "$PORT" -t 1.6 -v
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$status" -eq 1 ]
    waits=$(grep '^Waiting' <<<"$output")
    [ "$waits" = "Waiting up to 0.5 seconds for a reply from ('127.0.0.1', $PORT)
Waiting up to 1 seconds for a reply from ('127.0.0.1', $PORT)
Waiting up to 0.1 seconds for a reply from ('127.0.0.1', $PORT)" ]
    grep -qFx "Ignored a datagram from ('127.0.0.1', $PORT): 47 bytes, too short for NTP (48)" <<<"$output"
    grep -qFx "Ignored a datagram from ('127.0.0.1', $PORT): its originate time is not our T1 (spoofed, or the answer to an earlier try)" <<<"$output"
    grep -qE "^Ignored a datagram from \('127\.0\.0\.1', [0-9]+\): not the server$" <<<"$output"
    ignored=$(grep -c '^Ignored' <<<"$output")
    [ "$ignored" -ge 3 ]
    [ "${lines[-1]}" = "sntp_client: no answer from ('127.0.0.1', $PORT) after 3 tries in 1.6 s (ignored $ignored other datagrams)" ]
    [[ "$output" != *Offset* ]]
    [ "$elapsed_ms" -ge 1550 ]
    [ "$elapsed_ms" -lt 4000 ]
}

@test "with nothing listening at all, the client times out (-t 0.05) and exits 1" {
    port=$(free_udp_port)
    run ./sntp_client 127.0.0.1 -p "$port" -t 0.05 -v
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "Waiting up to 0.05 seconds for a reply from ('127.0.0.1', $port)" ]
    [ "${lines[1]}" = "sntp_client: no answer from ('127.0.0.1', $port) after 1 try in 0.05 s: is an NTP server running there?" ]
}

@test "a name with two addresses: only the first is asked (as ntplib does), and the message names it" {
    grep -q '^0*1 ' /proc/net/if_inet6 2>/dev/null || skip "no IPv6 loopback (::1) here"
    start_server server ./sntp_server 127.0.0.1 -p 0
    with_hosts_file $'::1 timehost\n127.0.0.1 timehost\n' ./sntp_client timehost -p "$PORT" -t 0.05 -v
    [ "$status" -eq 1 ]
    [ "$output" = "Waiting up to 0.05 seconds for a reply from ('::1', $PORT, 0, 0)" ]
    [ "$stderr" = "sntp_client: no answer from ('::1', $PORT, 0, 0) (the first of 2 addresses of 'timehost') after 1 try in 0.05 s: is an NTP server running there?" ]
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
    grep -qFx "Response received from: ('::1', $PORT, 0, 0)" <<<"$output"
}

@test "-h prints the usage and exits 0" {
    run ./sntp_client -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_client [-h] [-p PORT] [-t TIMEOUT] [-v] [host]" ]
}

@test "bad ports and timeouts are usage errors in argparse's words, exit 2" {
    run ./sntp_client 127.0.0.1 -p abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_client: error: argument -p: invalid int value: 'abc'" ]
    for timeout in abc 1x ""; do
        run ./sntp_client 127.0.0.1 -t "$timeout"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "sntp_client: error: argument -t: invalid float value: '$timeout'" ]
    done
    for timeout in 0 -1; do
        run ./sntp_client 127.0.0.1 -t "$timeout"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "sntp_client: error: argument -t: invalid value: '$timeout' (must be 0.001..86400)" ]
    done
    run ./sntp_client 127.0.0.1 extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_client: error: unrecognized arguments: extra more" ]
    run ./sntp_client --timeout=1
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_client: error: unrecognized arguments: --timeout=1" ]
}

@test "output that cannot be written is an error: > /dev/full says ENOSPC, exit 1" {
    start_server server ./sntp_server -p 0
    run bash -c "./sntp_client 127.0.0.1 -p $PORT >/dev/full"
    [ "$status" -eq 1 ]
    [ "$output" = "sntp_client: write to stdout: ENOSPC No space left on device" ]
}

@test "a host that does not resolve is reported by getaddrinfo, exit 1" {
    with_hosts_file $'127.0.0.1 localhost\n' ./sntp_client nosuch.invalid -t 0.3
    [ "$status" -eq 1 ]
    [ "$stderr" = "sntp_client: getaddrinfo 'nosuch.invalid': [Errno -2] Name or service not known" ]
}

@test "a student's edit: the request's first byte 0x23 (version 4) made 0x1b (version 3) gets a version 3 answer" {
    build_edited "$ROOT/sntp/sntp_client.c" "$BATS_TEST_TMPDIR/sntp_client" 's/NTP_REQUEST_FIRST_BYTE 0x23/NTP_REQUEST_FIRST_BYTE 0x1b/'
    start_server server ./sntp_server -p 0
    run "$BATS_TEST_TMPDIR/sntp_client" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "Version Number: 3" ]
    wait_for server "^Answered a version 3 request from \('127\.0\.0\.1', [0-9]+\)$"
}
