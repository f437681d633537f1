#!/usr/bin/env bats
# sntp/sntp_raw: scntp.py's IP()/UDP()/NTP() and sr1() built by hand on raw sockets. Its
# lines against the chapter's own server on 127.0.0.1 and against a silent one (root), the
# -s display against transcripts of scapy's show(), the unit test of its checksums, number
# forms and request bytes, and the EPERM line an unprivileged user gets.

load lib/helpers

setup() {
    cd "$ROOT/sntp"
}

need_root() {
    [ "$(id -u)" -eq 0 ] || skip "raw sockets need root (or CAP_NET_RAW)"
}

# What varies in a transcript (lib/helpers.bash's transcript: a line "~REGEX"): scapy's dates,
# hex checksums, an ephemeral port (its /etc/services name, if it has one), our offset.
DATE='[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+0000'
HEX='0x[0-9a-f]+'
PORT_NAME='[0-9A-Za-z_]+'
OFFSET='Offset: -?[0-9]+\.[0-9]{6} seconds'
NOW='current time: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?'

# A UDP port as scapy shows it: its /etc/services name (made an attribute name), or the number.
port_shown() {
    local name
    name=$(getent services "$1/udp" | awk '{print $1; exit}' | sed 's/^[0-9]/n_&/; s/[^A-Za-z0-9]/_/g')
    echo "${name:-$1}"
}

@test "unit test: the checksums, scapy's number forms, and the request byte for byte scapy's" {
    run "$ROOT/tests/sntp_raw_test"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "21 passed, 0 failed" ]
}

@test "show(): a request and a reply, line for line what scapy's show() prints for their bytes" {
    [ "$(port_shown 123)" = ntp ] || skip "/etc/services has no ntp line (package netbase)"
    run "$ROOT/tests/sntp_raw_test" show
    [ "$status" -eq 0 ]
    # scapy 2.5: IP(bytes).show() of the request sntp_raw builds from 192.0.2.1 port 40000
    # at Unix time 1796524592.25, then of a reply (tests/sntp_raw_test.c has their bytes).
    # Each show() ends in an empty line; run drops the last one. Four lines end in a space.
    transcript \
        '###[ IP ]### ' \
        '  version   = 4' \
        '  ihl       = 5' \
        '  tos       = 0x0' \
        '  len       = 76' \
        '  id        = 1' \
        '  flags     = ' \
        '  frag      = 0' \
        '  ttl       = 64' \
        '  proto     = udp' \
        '  chksum    = 0xf69c' \
        '  src       = 192.0.2.1' \
        '  dst       = 192.0.2.2' \
        '  \options   \' \
        '###[ UDP ]### ' \
        '     sport     = 40000' \
        '     dport     = ntp' \
        '     len       = 56' \
        '     chksum    = 0x43da' \
        '###[ NTPHeader ]### ' \
        '        leap      = no warning' \
        '        version   = 4' \
        '        mode      = client' \
        '        stratum   = 2' \
        '        poll      = 10' \
        '        precision = 0' \
        '        delay     = 0' \
        '        dispersion= 0' \
        '        id        = 127.0.0.1' \
        '        ref       = 0' \
        '        orig      = Sun, 06 Dec 2026 02:36:32 +0000' \
        '        recv      = 0' \
        '        sent      = Sun, 06 Dec 2026 02:36:32 +0000' \
        '' \
        '###[ IP ]### ' \
        '  version   = 4' \
        '  ihl       = 5' \
        '  tos       = 0x0' \
        '  len       = 76' \
        '  id        = 50211' \
        '  flags     = DF' \
        '  frag      = 0' \
        '  ttl       = 63' \
        '  proto     = udp' \
        '  chksum    = 0xf379' \
        '  src       = 192.0.2.2' \
        '  dst       = 192.0.2.1' \
        '  \options   \' \
        '###[ UDP ]### ' \
        '     sport     = ntp' \
        '     dport     = 40000' \
        '     len       = 56' \
        '     chksum    = 0xb4cb' \
        '###[ NTPHeader ]### ' \
        '        leap      = unknown (clock unsynchronized)' \
        '        version   = 3' \
        '        mode      = server' \
        '        stratum   = 1' \
        '        poll      = 6' \
        '        precision = 231' \
        '        delay     = 1.5' \
        '        dispersion= 0.00001526' \
        "        ref_id    = b'GPS'" \
        '        ref       = Sun, 06 Dec 2026 02:36:32 +0000' \
        '        orig      = Sun, 06 Dec 2026 02:36:32 +0000' \
        '        recv      = 0' \
        '        sent      = 2085978496.5'
}

@test "against sntp_server: scntp.py's lines, with scapy's forms (None, 0, 0.00001526)" {
    need_root
    start_server server ./sntp_server -p 0
    run ./sntp_raw 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    transcript \
        'Sending NTP request to 127.0.0.1...' \
        'NTP Server: 127.0.0.1' \
        'Stratum: 10' \
        'Reference ID: None' \
        'Root delay: 0' \
        'Root dispersion: 0.00001526' \
        "~$OFFSET" \
        "~$NOW"
}

@test "at stratum 1: Reference ID is ref_id's 4 bytes as print() shows them, b'GPS\\x00'" {
    need_root
    start_server server ./sntp_server -p 0 -s 1 -r GPS
    run ./sntp_raw 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "Stratum: 1" ]
    [ "${lines[3]}" = "Reference ID: b'GPS\x00'" ]
}

@test "-s: scapy's show() of the request (its defaults: stratum 2, poll 10, IP id 1, no DF) and of the reply" {
    need_root
    start_server server ./sntp_server -p 0
    run ./sntp_raw 127.0.0.1 -p "$PORT" -s
    [ "$status" -eq 0 ]
    # The request as sntp_raw built it, then as the catcher saw it leave: the kernel kept
    # id 1 (it fills in only 0) and set no DF, and its checksum is ours.
    port=$(port_shown "$PORT")
    transcript \
        'Sending NTP request to 127.0.0.1...' \
        '###[ IP ]### ' \
        '  version   = 4' \
        '  ihl       = 5' \
        '  tos       = 0x0' \
        '  len       = 76' \
        '  id        = 1' \
        '  flags     = ' \
        '  frag      = 0' \
        '  ttl       = 64' \
        '  proto     = udp' \
        '  chksum    = 0x7c9e' \
        '  src       = 127.0.0.1' \
        '  dst       = 127.0.0.1' \
        '  \options   \' \
        '###[ UDP ]### ' \
        "~     sport     = $PORT_NAME" \
        "     dport     = $port" \
        '     len       = 56' \
        "~     chksum    = $HEX" \
        '###[ NTPHeader ]### ' \
        '        leap      = no warning' \
        '        version   = 4' \
        '        mode      = client' \
        '        stratum   = 2' \
        '        poll      = 10' \
        '        precision = 0' \
        '        delay     = 0' \
        '        dispersion= 0' \
        '        id        = 127.0.0.1' \
        '        ref       = 0' \
        "~        orig      = $DATE" \
        '        recv      = 0' \
        "~        sent      = $DATE" \
        '' \
        "~Checksums computed here: IP 0x7c9e \(the same\), UDP $HEX \(the same\)" \
        'Our request as it went out: IP id 1, DF unset, chksum 0x7c9e, ours 0x7c9e (the same)' \
        '###[ IP ]### ' \
        '  version   = 4' \
        '  ihl       = 5' \
        '  tos       = 0x0' \
        '  len       = 76' \
        '~  id        = [0-9]+' \
        '  flags     = DF' \
        '  frag      = 0' \
        '  ttl       = 64' \
        '  proto     = udp' \
        "~  chksum    = $HEX" \
        '  src       = 127.0.0.1' \
        '  dst       = 127.0.0.1' \
        '  \options   \' \
        '###[ UDP ]### ' \
        "     sport     = $port" \
        "~     dport     = $PORT_NAME" \
        '     len       = 56' \
        "~     chksum    = $HEX" \
        '###[ NTPHeader ]### ' \
        '        leap      = no warning' \
        '        version   = 4' \
        '        mode      = server' \
        '        stratum   = 10' \
        '        poll      = 10' \
        '~        precision = [0-9]+' \
        '        delay     = 0' \
        '        dispersion= 0.00001526' \
        '        id        = 127.127.1.1' \
        "~        ref       = $DATE" \
        "~        orig      = $DATE" \
        "~        recv      = $DATE" \
        "~        sent      = $DATE" \
        '' \
        "~Checksums computed here: IP $HEX \(the same\), UDP $HEX \(not the packet's: left unfinished, offload\)" \
        'NTP Server: 127.0.0.1' \
        'Stratum: 10' \
        'Reference ID: None' \
        'Root delay: 0' \
        'Root dispersion: 0.00001526' \
        "~$OFFSET" \
        "~$NOW"
}

@test "nothing answers in 2 s: No response received from the server., exit 0 (as scntp.py)" {
    need_root
    start_server responder ../tests/sntp_responder silent
    run ./sntp_raw 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = $'Sending NTP request to 127.0.0.1...\nNo response received from the server.' ]
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

@test "a host name with a control character is echoed escaped, never raw; the resolver's error, exit 1" {
    need_root
    with_hosts_file $'127.0.0.1 localhost\n' ./sntp_raw $'time\x1b[31m' -p 9
    [ "$status" -eq 1 ]
    [ "$output" = "Sending NTP request to 'time\\x1b[31m'..." ]
    [ "$stderr" = "sntp_raw: getaddrinfo 'time\\x1b[31m': [Errno -2] Name or service not known" ]
}

@test "-h prints the usage and exits 0; a bad port is a usage error, exit 2" {
    run ./sntp_raw -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: sntp_raw [-h] [-p PORT] [-s] [host]" ]
    [ "${lines[-2]}" = "  -s, --show  show the request and the reply layer by layer, as scapy's show()" ]
    run ./sntp_raw 127.0.0.1 -p abc
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "sntp_raw: error: argument -p: invalid int value: 'abc'" ]
}

@test "EXPERIMENT: without our IPv4 checksum the request is still answered: Linux fills it in for IP_HDRINCL" {
    need_root
    build_without_experiment "$ROOT/sntp/sntp_raw.c" "$BATS_TEST_TMPDIR/sntp_raw" checksum
    start_server server ./sntp_server -p 0
    run "$BATS_TEST_TMPDIR/sntp_raw" 127.0.0.1 -p "$PORT" -s
    [ "$status" -eq 0 ]
    [ "${lines[11]}" = "  chksum    = 0x0" ]
    [[ "$output" == *$'\nChecksums computed here: IP 0x7c9e (not the packet\'s), UDP 0x'* ]]
    [[ "$output" == *$'\nOur request as it went out: IP id 1, DF unset, chksum 0x7c9e, ours 0x0 (they differ)\n'* ]]
    [[ "$output" == *$'\nNTP Server: 127.0.0.1\nStratum: 10\n'* ]]
}

@test "a student's edit: NTP(version=3) instead of 4 is sent as version 3, and answered in it" {
    need_root
    build_edited "$ROOT/sntp/sntp_raw.c" "$BATS_TEST_TMPDIR/sntp_raw" 's/ntp\[0\] = 4 << 3 | 3;/ntp[0] = 3 << 3 | 3;/'
    start_server server ./sntp_server -p 0
    run "$BATS_TEST_TMPDIR/sntp_raw" 127.0.0.1 -p "$PORT" -s
    [ "$status" -eq 0 ]
    [ "${lines[22]}" = "        version   = 3" ]
    wait_for server "^Answered a version 3 request from \('127\.0\.0\.1', [0-9]+\)$"
}
