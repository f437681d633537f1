#!/usr/bin/env bats
# The SNTP chapter against standard NTP software (chrony), all on 127.0.0.1:
#   - chronyd -Q, a standard client, queries sntp_server and accepts its reply;
#   - sntp_client queries chronyd as a server (a generated config: a local clock at
#     stratum 10, no outside sources);
#   - ntplib (python3-ntplib), the notebook's client, queries sntp_server.
# chronyd always runs with -x (never touch the system clock), its files in the test's
# tmpdir, and is killed in teardown. Skips when chrony (or ntplib) is not installed.

load lib/helpers

setup() {
    cd "$ROOT/sntp"
}

need_chronyd() {
    command -v chronyd >/dev/null || skip "chronyd not installed (apt-get install chrony)"
    [ "$(id -u)" -eq 0 ] || skip "chronyd needs root to start, even with -x"
}

# A python3 that has ntplib (Debian's python3-ntplib is for the system's /usr/bin/python3).
ntplib_python() {
    local python
    for python in python3 /usr/bin/python3; do
        "$python" -c 'import ntplib' 2>/dev/null && { echo "$python"; return 0; }
    done
    return 1
}

# chronyd -Q: measure the offset from the servers on the command line and print it,
# never setting the clock; exit 0 only if a server's reply was accepted.
chrony_query() {
    timeout 20 chronyd -Q -x -u root -t "$2" "server 127.0.0.1 port $1 iburst maxsamples 1" \
        "pidfile $BATS_TEST_TMPDIR/query.pid" "cmdport 0" 2>&1 </dev/null 3>&-
}

@test "chronyd -Q (a standard NTP client) accepts sntp_server's reply" {
    need_chronyd
    start_server server ./sntp_server -p 0
    run chrony_query "$PORT" 5
    [ "$status" -eq 0 ]
    [[ "$output" =~ System\ clock\ wrong\ by\ -?0\.0[0-9]+\ seconds\ \(ignored\) ]]
    wait_for server "^Answered a version 4 request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "chronyd -Q turns down an unsynchronised server (so the test above means something)" {
    need_chronyd
    start_server responder "$ROOT/tests/sntp_responder" leap3
    run chrony_query "$PORT" 1
    [ "$status" -ne 0 ]
    [[ "$output" != *"System clock wrong by"* ]]
}

@test "sntp_client accepts the replies of chronyd (a standard NTP server)" {
    need_chronyd
    port=$(free_udp_port)
    cat >"$BATS_TEST_TMPDIR/chrony.conf" <<CONF
local stratum 10
allow 127.0.0.1
port $port
bindaddress 127.0.0.1
cmdport 0
pidfile $BATS_TEST_TMPDIR/chronyd.pid
CONF
    spawn chronyd sh -c "exec chronyd -d -x -u root -f '$BATS_TEST_TMPDIR/chrony.conf' 2>&1"
    wait_for chronyd 'Running with root privileges'     # logged after it opened its port
    run ./sntp_client 127.0.0.1 -p "$port" -t 5
    [ "$status" -eq 0 ]
    [[ "$output" == *"Response received from: ('127.0.0.1', $port)"* ]]
    [[ "$output" == *$'\nStratum: 10\n'* ]]
    [[ "$output" == *$'\nLeap Indicator: 0\n'* ]]
    offset=$(sed -nE 's/^Offset: (-?[0-9.]+(e-[0-9]+)?) seconds$/\1/p' <<<"$output")
    awk -v o="$offset" 'BEGIN { exit !(o > -0.01 && o < 0.01) }'
}

@test "ntplib (the notebook's client) accepts sntp_server's reply, and prints the ctime line sntp_client prints" {
    python=$(ntplib_python) || skip "python3-ntplib not installed (apt-get install python3-ntplib)"
    start_server server ./sntp_server -p 0
    TZ=UTC run "$python" -c 'import sys, time, ntplib
response = ntplib.NTPClient().request("127.0.0.1", port=int(sys.argv[1]), timeout=5)
print(time.ctime(response.tx_time))
print(response.stratum, response.mode, response.offset)' "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\ [A-Z][a-z]{2}\ [\ 1-3][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]]
    ntplib_ctime=${lines[0]}
    read -r stratum mode offset <<<"${lines[1]}"
    [ "$stratum" = 10 ]
    [ "$mode" = 4 ]
    awk -v o="$offset" 'BEGIN { exit !(o > -0.01 && o < 0.01) }'
    wait_for server "^Answered a version 2 request from \('127\.0\.0\.1', [0-9]+\)$"   # ntplib asks in v2
    TZ=UTC run ./sntp_client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    # The same line (the one before "Response received"), a second apart at most (two queries).
    ctime=$(grep -B1 '^Response received from' <<<"$output" | head -n 1)
    [ "$(( $(date -d "$ctime" +%s) - $(date -d "$ntplib_ctime" +%s) ))" -le 1 ]
}
