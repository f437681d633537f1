#!/usr/bin/env bats
# sntp/sntp_raw: scapy's IP()/UDP()/NTP() built by hand on raw sockets. Against the chapter's
# own server on 127.0.0.1 (root), the unit test of its two checksums, and the EPERM line an
# unprivileged user gets.

load helpers

setup() {
    cd "$ROOT/sntp"
}

need_root() {
    [ "$(id -u)" -eq 0 ] || skip "raw sockets need root (or CAP_NET_RAW)"
}

@test "unit test: the IPv4 and UDP checksums of known packets" {
    run "$ROOT/tests/sntp_raw_test"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "12 passed, 0 failed" ]
}

@test "against sntp_server: each layer sent and received, field by field, then the time and offset" {
    need_root
    start_server server ./sntp_server -p 0
    run ./sntp_raw 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Sending to ('127.0.0.1', $PORT):" ]
    [ "${lines[1]}" = "###[ IP ]###" ]
    [ "${lines[2]}" = "  version   = 4" ]
    [ "${lines[3]}" = "  ihl       = 5" ]
    [ "${lines[5]}" = "  len       = 76" ]
    [ "${lines[7]}" = "  flags     = DF" ]
    [ "${lines[9]}" = "  ttl       = 64" ]
    [ "${lines[10]}" = "  proto     = udp" ]
    [[ "${lines[11]}" =~ ^\ \ chksum\ \ \ \ =\ 0x([0-9a-f]{4})\ \(computed:\ 0x([0-9a-f]{4})\)$ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
    [ "${lines[12]}" = "  src       = 127.0.0.1" ]
    [ "${lines[13]}" = "  dst       = 127.0.0.1" ]
    [ "${lines[14]}" = "###[ UDP ]###" ]
    [ "${lines[16]}" = "  dport     = $PORT" ]
    [ "${lines[17]}" = "  len       = 56" ]
    # The UDP checksum we sent: never 0 ("no checksum"), and right, or the kernel would
    # not have handed the datagram to the server, and no answer would come.
    [[ "${lines[18]}" =~ ^\ \ chksum\ \ \ \ =\ 0x([0-9a-f]{4})\ \(computed:\ 0x([0-9a-f]{4})\)$ ]]
    [ "${BASH_REMATCH[1]}" != 0000 ]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
    [ "${lines[19]}" = "###[ NTPHeader ]###" ]
    [ "${lines[21]}" = "  version   = 4" ]
    [ "${lines[22]}" = "  mode      = client" ]
    [[ "$output" == *$'\nOur request as it went out: IP chksum 0x'*$' (the same)\n'* ]]
    [[ "$output" == *$'\nReceived from (\'127.0.0.1\', '"$PORT"$'):\n###[ IP ]###\n'* ]]
    [[ "$output" == *$'\n  mode      = server\n  stratum   = 10\n'* ]]
    [[ "$output" == *$'\n  id        = 127.127.1.1\n'* ]]
    [[ "${lines[-2]}" =~ ^Time:\ [A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 1-3][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]]
    [[ "${lines[-1]}" =~ ^Offset:\ [-+]0\.00[0-9]{4}\ seconds$ ]]
    sport=$(sed -nE '/^###\[ UDP \]###$/{n;s/^  sport     = ([0-9]+)$/\1/p;q}' <<<"$output")
    wait_for server "^Answered a version 4 request from \('127\.0\.0\.1', $sport\)$"
}

@test "without root or CAP_NET_RAW: one line naming EPERM and the sudo/setcap fix, exit 1" {
    dir=$(mktemp -d)
    cp ./sntp_raw "$dir/"
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/sntp_raw" 127.0.0.1 -p 9
    else
        run "$dir/sntp_raw" 127.0.0.1 -p 9
    fi
    rm -rf "$dir"
    [ "$status" -eq 1 ]
    [ "$output" = "sntp_raw: socket(AF_INET, SOCK_RAW): EPERM Operation not permitted: raw sockets need root or CAP_NET_RAW: run it with sudo, or once: sudo setcap cap_net_raw+ep sntp_raw" ]
}

@test "-h prints the usage and exits 0; a bad port is a usage error, exit 2" {
    run ./sntp_raw -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_raw [-h] [-p PORT] [host]" ]
    run ./sntp_raw 127.0.0.1 -p abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_raw: error: argument -p: invalid int value: 'abc'" ]
}

@test "EXPERIMENT: without our IPv4 checksum the request is still answered: Linux fills it in for IP_HDRINCL" {
    need_root
    build_without_experiment "$ROOT/sntp/sntp_raw.c" "$BATS_TEST_TMPDIR/sntp_raw" checksum
    start_server server ./sntp_server -p 0
    run "$BATS_TEST_TMPDIR/sntp_raw" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[11]}" =~ ^\ \ chksum\ \ \ \ =\ 0x0000\ \(computed:\ 0x([0-9a-f]{4})\)$ ]]
    computed=${BASH_REMATCH[1]}
    grep -qFx "Our request as it went out: IP chksum 0x$computed, ours 0x0000 (they differ)" <<<"$output"
    [[ "${lines[-1]}" =~ ^Offset:\ [-+]0\.00[0-9]{4}\ seconds$ ]]
}

@test "a student's edit: NTP(version=3) instead of 4 is sent as version 3, and answered in it" {
    need_root
    build_edited "$ROOT/sntp/sntp_raw.c" "$BATS_TEST_TMPDIR/sntp_raw" 's/ntp\[0\] = 4 << 3 | 3;/ntp[0] = 3 << 3 | 3;/'
    start_server server ./sntp_server -p 0
    run "$BATS_TEST_TMPDIR/sntp_raw" 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[21]}" = "  version   = 3" ]
    wait_for server "^Answered a version 3 request from \('127\.0\.0\.1', [0-9]+\)$"
}
