#!/usr/bin/env bats
# code/socket_timeout: no timeout at first, 100 s once set, and a recv() that times out.

load lib/helpers

setup() {
    cd "$ROOT/code"
}

# seconds_between VALUE LOW HIGH: LOW <= VALUE <= HIGH (generous bounds: the machine is shared)
seconds_between() {
    awk -v value="$1" -v low="$2" -v high="$3" 'BEGIN { exit !(value >= low && value <= high) }'
}

@test "the notebook's lines come first, word for word: None, then 100.0 seconds" {
    run ./socket_timeout -t 0.01
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Default socket timeout: None" ]
    # The notebook's cell: print("Current socket timeout: %s seconds" % s.gettimeout())
    [ "${lines[1]}" = "Current socket timeout: 100.0 seconds" ]
}

@test "after a blank line, the short timeout, and the recv() times out with EAGAIN after it" {
    run ./socket_timeout
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | sed -n 3p)" = "" ]
    [ "${#lines[@]}" -eq 4 ]        # bats leaves the blank line out of $lines
    [ "${lines[2]}" = "Timeout for a recv() that nobody answers (-t 0.5): 0.5 seconds" ]
    [[ "${lines[3]}" =~ ^recv\(\)\ from\ \(\'127\.0\.0\.1\',\ [0-9]+\)\ timed\ out\ after\ ([0-9.]+)\ s:\ EAGAIN\ Resource\ temporarily\ unavailable$ ]]
    seconds_between "${BASH_REMATCH[1]}" 0.4 3
}

@test "-t sets the short timeout, and the recv() waits about that long" {
    # 0.2 s is a whole number of clock ticks at any HZ: the kernel reads it back unchanged
    start=$(date +%s%N)
    run ./socket_timeout -t 0.2
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "Timeout for a recv() that nobody answers (-t 0.2): 0.2 seconds" ]
    [[ "${lines[3]}" =~ timed\ out\ after\ ([0-9.]+)\ s ]]
    seconds_between "${BASH_REMATCH[1]}" 0.15 3
    [ "$elapsed_ms" -ge 150 ]
}

@test "a timeout too small for the kernel's clock still times out instead of blocking forever" {
    run timeout 10 ./socket_timeout -t 0.000001
    [ "$status" -eq 0 ]
    [[ "${lines[2]}" =~ ^Timeout\ for\ a\ recv\(\)\ that\ nobody\ answers\ \(-t\ 1e-06\):\ 0\.0[0-9]+\ seconds$ ]]   # whole ticks
    [[ "${lines[3]}" == *"timed out after"*"EAGAIN"* ]]
}

@test "experiment: without settimeout(100) the timeout stays None" {
    build_without_experiment socket_timeout.c "$BATS_TEST_TMPDIR/socket_timeout" "Current socket timeout"
    run "$BATS_TEST_TMPDIR/socket_timeout" -t 0.01
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Default socket timeout: None" ]
    [ "${lines[1]}" = "Current socket timeout: None" ]
}

@test "experiment: without the short timeout the recv() keeps the 100 s: still waiting long after -t" {
    build_without_experiment socket_timeout.c "$BATS_TEST_TMPDIR/socket_timeout" "recv() below waits"
    spawn timeouts "$BATS_TEST_TMPDIR/socket_timeout" -t 0.1
    wait_for timeouts '^Timeout for a recv'
    [ "$(sed -n 4p "$BATS_TEST_TMPDIR/timeouts.out")" = "Timeout for a recv() that nobody answers (-t 0.1): 100.0 seconds" ]
    sleep 0.4                               # four times -t: the real program has given up
    kill -0 "$PID_timeouts"                 # still in recv()
    [ "$(wc -l <"$BATS_TEST_TMPDIR/timeouts.out")" -eq 4 ]
}

@test "-h prints the usage and exits 0" {
    run ./socket_timeout -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: socket_timeout [-h] [-t SECONDS]" ]
}

@test "a timeout that is not a float is argparse's 'invalid float value', exit 2" {
    for value in abc 1x ""; do
        run ./socket_timeout -t "$value"
        [ "$status" -eq 2 ]
        [ "${lines[0]}" = "usage: socket_timeout [-h] [-t SECONDS]" ]
        [ "${lines[1]}" = "socket_timeout: error: argument -t: invalid float value: '$value'" ]
    done
}

@test "a timeout under a microsecond or over a day is a usage error, exit 2" {
    for value in 0 -1 nan inf 86401; do
        run ./socket_timeout -t "$value"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "socket_timeout: error: argument -t: invalid value: '$value' (must be 1e-06..86400)" ]
    done
}

@test "an extra argument or a missing value is a usage error, exit 2" {
    run ./socket_timeout extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "socket_timeout: error: unrecognized arguments: extra more" ]
    run ./socket_timeout -t
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "socket_timeout: error: argument -t: expected one argument" ]
    run ./socket_timeout -t -h
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "socket_timeout: error: argument -t: expected one argument" ]
}
