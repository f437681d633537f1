#!/usr/bin/env bats
# sntp/sntp_server: its replies byte by byte (tests/sntp_request sends our own requests),
# and its silence for every malformed request: sntp_request follows the bad datagram with
# a good "marker" request from the same socket, so if the only reply is the marker's,
# the server said nothing to the bad one (no waiting and hoping).

load lib/helpers

setup() {
    cd "$ROOT/sntp"
}

zeros() { printf '%0*d' $(($1 * 2)) 0; }    # N zero bytes, in hex

# A request: first byte $1 (hex), then poll $2, transmit time TRANSMIT (8 bytes, hex).
TRANSMIT=e8a1b2c3d4e5f607
request() { echo "$1$(zeros 1)$2$(zeros 37)$TRANSMIT"; }

MARKER=4d41524b45522121        # "MARKER!!", the probe's transmit time

@test "the server prints its Listening line (127.0.0.1 by default), then the precision it measured" {
    start_server server ./sntp_server -p 0
    wait_for server '^Precision'
    [ "$(out server | head -n 1)" = "Listening at ('127.0.0.1', $PORT)" ]
    [[ "$(out server | sed -n 2p)" =~ ^Precision:\ -[0-9]+\ \(2\^-[0-9]+\ s:\ the\ fastest\ of\ 1000\ clock\ reads\ took\ [0-9]+\ ns\)$ ]]
}

@test "the precision announced is the measured one: log2 of the fastest clock read, in a plausible band" {
    start_server server ./sntp_server -p 0
    wait_for server '^Precision'
    read -r exponent ns < <(sed -nE 's/^Precision: (-[0-9]+) \(2\^-[0-9]+ s: the fastest of 1000 clock reads took ([0-9]+) ns\)$/\1 \2/p' "$BATS_TEST_TMPDIR/server.out")
    run "$ROOT/tests/sntp_request" "$PORT"
    [ "$status" -eq 0 ]
    [ $((16#${lines[0]:6:2})) -eq $((256 + exponent)) ]     # the reply's precision byte
    # 2^exponent is within a factor sqrt(2) of the fastest read (rounded to the nearest
    # power of two), and the band is plausible: 1 ns (2^-30) to 1 ms (2^-10).
    awk -v e="$exponent" -v ns="$ns" 'BEGIN { p = 2 ^ e * 1e9; exit !(ns > 0 && p / ns < 1.415 && ns / p < 1.415) }'
    [ "$exponent" -ge -30 ]
    [ "$exponent" -le -10 ]
}

@test "a version 3 request gets a 48-byte version 3 server reply with every field right" {
    start_server server ./sntp_server -p 0
    run "$ROOT/tests/sntp_request" "$PORT" "$(request 1b 06)"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]                        # our reply, then the marker's
    reply=${lines[0]}
    [ "${#reply}" -eq 96 ]                          # 48 bytes
    [ "${reply:0:2}" = 1c ]                         # leap 0, version 3, mode 4
    [ "${reply:2:2}" = 0a ]                         # stratum 10: a local clock
    [ "${reply:4:2}" = 06 ]                         # poll copied from the request
    [ "${reply:8:8}" = 00000000 ]                   # root delay 0
    [ "${reply:24:8}" = 7f7f0101 ]                  # reference id 127.127.1.1
    [ "${reply:48:16}" = "$TRANSMIT" ]              # originate = our transmit time
    # receive <= transmit, both now (NTP seconds = Unix seconds + 2208988800)
    receive=$((16#${reply:64:8})) transmit=$((16#${reply:80:8})) now=$(($(date +%s) + 2208988800))
    [ "$receive" -le "$transmit" ]
    [ $((now - transmit)) -ge 0 ]
    [ $((now - transmit)) -le 2 ]
    [ "${reply:72:8}" != 00000000 ] || [ "${reply:88:8}" != 00000000 ]   # sub-second fractions
    wait_for server "^Answered a version 3 request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "versions 1 and 4 are answered in their own version" {
    start_server server ./sntp_server -p 0
    run "$ROOT/tests/sntp_request" "$PORT" "$(request 0b 00)" "$(request 23 00)"
    [ "$status" -eq 0 ]
    [ "${lines[0]:0:2}" = 0c ]                      # version 1, mode 4
    [ "${lines[1]:0:2}" = 24 ]                      # version 4, mode 4
    [ "${lines[2]:48:16}" = "$MARKER" ]
}

@test "only 48-byte requests are answered: with a MAC, a crypto-NAK or extension fields (52..84+ bytes) nothing" {
    start_server server ./sntp_server -p 0
    for extra in 4 16 20 24 36 52; do
        silent "$((48 + extra)) bytes" "$(request 23 00)$(zeros $extra)"
    done
    grep -q "^Dropped 68 bytes from ('127.0.0.1', [0-9]*): longer than 48 bytes: a MAC or extension fields, and we have no keys$" "$BATS_TEST_TMPDIR/server.out"
}

@test "-s and -r set the stratum and reference id it announces" {
    start_server server ./sntp_server -p 0 -s 1 -r LOCL
    run "$ROOT/tests/sntp_request" "$PORT"
    [ "${lines[0]:2:2}" = 01 ]
    [ "${lines[0]:24:8}" = 4c4f434c ]               # "LOCL"
    kill_spawned || true
    start_server server ./sntp_server -p 0 -s 3 -r 192.0.2.7
    run "$ROOT/tests/sntp_request" "$PORT"
    [ "${lines[0]:2:2}" = 03 ]
    [ "${lines[0]:24:8}" = c0000207 ]
}

# silent NAME HEX: the server answers nothing to HEX, says why, and keeps serving.
silent() {
    run "$ROOT/tests/sntp_request" "$PORT" "$2"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 1 ] || { echo "answered $1: $output"; return 1; }
    [ "${lines[0]:48:16}" = "$MARKER" ]
    grep -q "^Dropped $((${#2} / 2)) bytes from ('127.0.0.1', [0-9]*): " "$BATS_TEST_TMPDIR/server.out" ||
        { echo "no Dropped line for $1"; return 1; }
}

@test "malformed requests get no reply at all: empty, short, garbage, versions 0 and 5+" {
    start_server server ./sntp_server -p 0
    silent empty ""
    silent "47 bytes" "$(request 23 00 | cut -c 1-94)"
    silent garbage 68656c6c6f0a
    silent "version 0" "$(request 03 00)"
    silent "version 5" "$(request 2b 00)"
    silent "version 7" "$(request 3b 00)"
    grep -q "^Dropped 47 bytes from ('127.0.0.1', [0-9]*): too short for NTP$" "$BATS_TEST_TMPDIR/server.out"
    grep -q "^Dropped 48 bytes from ('127.0.0.1', [0-9]*): unknown NTP version$" "$BATS_TEST_TMPDIR/server.out"
}

@test "RFC 4330's mode rule: mode 3 gets mode 4, mode 1 (symmetric active) gets mode 2" {
    start_server server ./sntp_server -p 0
    run "$ROOT/tests/sntp_request" "$PORT" "$(request 23 00)" "$(request 21 00)"
    [ "$status" -eq 0 ]
    [ "${lines[0]:0:2}" = 24 ]                      # version 4, mode 4 (server)
    [ "${lines[1]:0:2}" = 22 ]                      # version 4, mode 2 (symmetric passive)
    [ "${lines[1]:48:16}" = "$TRANSMIT" ]
    wait_for server "^Answered a version 4 symmetric active request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "modes 0, 2, 4 (server), 5 (broadcast), 6 and 7 (control, private) get nothing" {
    start_server server ./sntp_server -p 0
    for first in 20 22 24 25 26 27; do
        silent "first byte $first" "$(request "$first" 00)"
    done
    [ "$(grep -c ': not a client (3) or symmetric active (1) request$' "$BATS_TEST_TMPDIR/server.out")" -eq 6 ]
    [ "$(grep -c '^Answered' "$BATS_TEST_TMPDIR/server.out")" -eq 6 ]     # the markers only
}

@test "a 65,507-byte datagram gets no reply and the server keeps going" {
    start_server server ./sntp_server -p 0
    silent "65,507 bytes" "$(request 23 00)$(zeros 65459)"
    kill -0 "$PID_server"
}

@test "-h prints the usage and exits 0" {
    run ./sntp_server -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_server [-h] [-p PORT] [-s STRATUM] [-r REFID] [host]" ]
}

@test "bad stratum, reference id or port is a usage error, exit 2" {
    for stratum in 0 16; do
        run ./sntp_server -p 0 -s "$stratum"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "sntp_server: error: argument -s: invalid value: '$stratum' (must be 1..15)" ]
    done
    for stratum in x ""; do
        run ./sntp_server -p 0 -s "$stratum"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "sntp_server: error: argument -s: invalid int value: '$stratum'" ]
    done
    run ./sntp_server -p 0 -s 1 -r TOOLONG
    [ "$status" -eq 2 ]
    [[ "${lines[1]}" == "sntp_server: error: argument -r: invalid reference id at stratum 1: 'TOOLONG'"* ]]
    run ./sntp_server -p 0 -r LOCL
    [ "$status" -eq 2 ]
    [[ "${lines[1]}" == "sntp_server: error: argument -r: invalid reference id above stratum 1: 'LOCL'"* ]]
    run ./sntp_server -p 99999
    [ "$status" -eq 2 ]
}

@test "a server on a port already taken reports bind EADDRINUSE, exit 1" {
    start_server server ./sntp_server -p 0
    run ./sntp_server -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "sntp_server: bind ('127.0.0.1', $PORT): EADDRINUSE Address already in use" ]
}

@test "bound to \"\", it answers each client from the address it asked at: 127.0.0.2 and ::1" {
    spawn server ./sntp_server "" -p 0
    wait_for server '^Listening'
    PORT=$(port_of server)
    [ "$(out server | head -n 1)" = "Listening at ('::', $PORT, 0, 0)" ]
    run ./sntp_client 127.0.0.2 -p "$PORT"
    [ "$status" -eq 0 ]
    grep -qFx "Response received from: ('127.0.0.2', $PORT)" <<<"$output"
    wait_for server "^Answered a version 4 request from \('::ffff:127\.0\.0\.1', [0-9]+, 0, 0\)$"
    grep -q '^0*1 ' /proc/net/if_inet6 || skip "no IPv6 loopback (::1) here"
    run ./sntp_client ::1 -p "$PORT"
    [ "$status" -eq 0 ]
    grep -qFx "Response received from: ('::1', $PORT, 0, 0)" <<<"$output"
}

@test "its log must not stop it: with its reader gone (| head -2) it says EPIPE once and goes on answering" {
    spawn server bash -c 'exec ./sntp_server -p 0 2>"$1" > >(head -n 2)' _ "$BATS_TEST_TMPDIR/server.stderr"
    wait_for server '^Precision'
    PORT=$(port_of server)
    for i in 1 2 3 4; do
        run "$ROOT/tests/sntp_request" "$PORT"
        [ "$status" -eq 0 ]
    done
    kill -0 "$PID_server"
    [ "$(cat "$BATS_TEST_TMPDIR/server.stderr")" = "sntp_server: write to stdout: EPIPE Broken pipe" ]
}

@test "EXPERIMENT: without the 1970-to-1900 shift, clients read the time in era 1: 66 years ahead (offset +2085978496 s)" {
    build_without_experiment "$ROOT/sntp/sntp_server.c" "$BATS_TEST_TMPDIR/sntp_server" 1970
    start_server server "$BATS_TEST_TMPDIR/sntp_server" -p 0
    TZ=UTC run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    grep -qE '^Transmit Timestamp \(T3\): 209[0-9]-' <<<"$output"
    # Unix seconds read as NTP seconds: 2^32 - 2208988800 = 2085978496 s ahead, to the microsecond.
    offset=$(sed -nE 's/^Offset: ([0-9.]+) seconds$/\1/p' <<<"$output")
    awk -v o="$offset" 'BEGIN { d = o - 2085978496; exit !(d > -0.01 && d < 0.01) }'
}

@test "EXPERIMENT: without htonl() the fields go out backwards: the root dispersion reads 256 s and sntp_client refuses it" {
    build_without_experiment "$ROOT/sntp/sntp_server.c" "$BATS_TEST_TMPDIR/sntp_server" backwards
    start_server server "$BATS_TEST_TMPDIR/sntp_server" -p 0
    run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "${lines[-1]}" = "sntp_client: the reply from ('127.0.0.1', $PORT) has a root distance (root delay / 2 + root dispersion) of 256.000000 s, over 1.5 s: too far from a reference clock" ]
}

@test "bound to \"\", a broadcast request (127.255.255.255) is answered from the interface's address" {
    spawn server ./sntp_server "" -p 0
    wait_for server '^Listening'
    PORT=$(port_of server)
    run "$ROOT/tests/sntp_request" 127.255.255.255 "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^24[0-9a-f]{46}4d41524b45522121[0-9a-f]{32}\ from\ \(\'127\.0\.0\.1\',\ $PORT\)$ ]]
    [ ! -s "$BATS_TEST_TMPDIR/server.err" ]
}

@test "a forged request from port 0, or from the server's own address and port, is ignored, never answered (root)" {
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs a raw socket (root)"
    start_server server ./sntp_server -p 0
    request="#$(printf 'x%.0s' {1..47})"        # 48 bytes, version 4, mode 3: answerable
    "$ROOT/tests/udp_forge" 127.0.0.1 0 127.0.0.1 "$PORT" "$request"
    "$ROOT/tests/udp_forge" 127.0.0.1 "$PORT" 127.0.0.1 "$PORT" "$request"
    run "$ROOT/tests/sntp_request" "$PORT"         # answered in order: the forgeries are done
    [ "$status" -eq 0 ]
    [ "$(sed -n 3,4p "$BATS_TEST_TMPDIR/server.out")" = "Ignoring a datagram from ('127.0.0.1', 0): port 0
Ignoring a datagram from ('127.0.0.1', $PORT): the server's own address and port" ]
    [ "$(grep -c '^Answered' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]     # the marker only
    [ ! -s "$BATS_TEST_TMPDIR/server.err" ]
}
