#!/usr/bin/env bats
# The SNTP chapter against standard NTP software (chrony), all on 127.0.0.1:
#   - chronyd -Q, a standard client, queries sntp_server and accepts its reply;
#   - sntp_client queries chronyd as a server (a generated config: a local clock at
#     stratum 10, no outside sources).
# chronyd always runs with -x (never touch the system clock), its files in the test's
# tmpdir, and is killed in teardown. Skips when chrony is not installed.

load helpers

setup() {
    cd "$ROOT/sntp"
    command -v chronyd >/dev/null || skip "chronyd not installed (apt-get install chrony)"
    [ "$(id -u)" -eq 0 ] || skip "chronyd needs root to start, even with -x"
}

# chronyd -Q: measure the offset from the servers on the command line and print it,
# never setting the clock; exit 0 only if a server's reply was accepted.
chrony_query() {
    timeout 20 chronyd -Q -x -u root -t "$2" "server 127.0.0.1 port $1 iburst maxsamples 1" \
        "pidfile $BATS_TEST_TMPDIR/query.pid" "cmdport 0" 2>&1 </dev/null 3>&-
}

@test "chronyd -Q (a standard NTP client) accepts sntp_server's reply" {
    start_server server ./sntp_server -p 0
    run chrony_query "$PORT" 5
    [ "$status" -eq 0 ]
    [[ "$output" =~ System\ clock\ wrong\ by\ -?0\.0[0-9]+\ seconds\ \(ignored\) ]]
    wait_for server "^Answered a version 4 request from \('127\.0\.0\.1', [0-9]+\)$"
}

@test "chronyd -Q turns down an unsynchronised server (so the test above means something)" {
    start_server responder "$ROOT/tests/sntp_responder" leap3
    run chrony_query "$PORT" 1
    [ "$status" -ne 0 ]
    [[ "$output" != *"System clock wrong by"* ]]
}

@test "sntp_client accepts the replies of chronyd (a standard NTP server)" {
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
    [[ "$output" == *$'\nStratum: 10 '* ]]
    [[ "$output" == *$'\nLeap indicator: 0 (no warning)\n'* ]]
    offset=$(sed -nE 's/^Offset: ([-+][0-9.]+) s$/\1/p' <<<"$output")
    awk -v o="$offset" 'BEGIN { exit !(o > -0.01 && o < 0.01) }'
}
