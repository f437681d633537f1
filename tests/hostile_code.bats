#!/usr/bin/env bats
# Hostile peers and surroundings against the network-information chapter (code/): a full
# disk on stdout for every program that ends. Its one server, reuseaddr,
# takes connections that send garbage, reset, hang up or say nothing, and goes on
# accepting. (hserror, the one client that talks to a peer, meets resets, silence and
# escapes in tests/hserror.bats.)

load lib/helpers

setup() {
    cd "$ROOT/code"
}

@test "reuseaddr: after garbage, resets, hang-ups and silence it still reports the next connection" {
    spawn server ./reuseaddr -p 0
    wait_for server '^Listening on port: [0-9]+ $'
    PORT=$(sed -nE 's/^Listening on port: ([0-9]+) $/\1/p' "$BATS_TEST_TMPDIR/server.out")
    run "$ROOT/tests/hostile_tcp" 127.0.0.1 "$PORT" garbage partial reset hangup silent partial reset
    echo "$output"                                  # the seed, to replay a failure
    [ "$status" -eq 0 ]
    run "$ROOT/tests/hostile_tcp" 127.0.0.1 "$PORT" hangup
    [ "$status" -eq 0 ]
    for _ in $(seq 100); do
        [ "$(grep -c '^Connected by' "$BATS_TEST_TMPDIR/server.out")" -eq 8 ] && break
        sleep 0.01
    done
    [ "$(grep -c '^Connected by 127\.0\.0\.1:[0-9]*$' "$BATS_TEST_TMPDIR/server.out")" -eq 8 ]
    kill -0 "$PID_server"
    [ ! -s "$BATS_TEST_TMPDIR/server.err" ]
}

@test "the information programs and time_epochs report a failed write to stdout (a full disk), exit 1" {
    [ -w /dev/full ] || skip "no /dev/full here"
    start_server responder "$ROOT/tests/sntp_responder" good
    hosts=$'127.0.0.1 localhost\n127.0.1.1 '"$(hostname)"$'\n'
    for command in "./integer_conversion" "./integer_conversion 1234" "./socket_timeout -t 0.01" \
        "./modify_buff_size" "./remote_machine_info 127.0.0.1" "./ip4_address_conversion" \
        "./finding_service_name 80" "./time_epochs 127.0.0.1 -p $PORT" "local_machine_info"; do
        if [ "$command" = local_machine_info ]; then    # it looks up its host name: no DNS
            [ "$(id -u)" -eq 0 ] || continue
            with_hosts_file "$hosts" sh -c './local_machine_info >/dev/full'
        else
            run --separate-stderr sh -c "exec $command >/dev/full"
        fi
        echo "$command: status $status, stderr: $stderr"
        [ "$status" -eq 1 ]
        name=${command%% *}
        [ "$stderr" = "${name#./}: write to stdout: ENOSPC No space left on device" ]
    done
}
