#!/usr/bin/env bats
# code/socket_modes: accept() on a non-blocking socket fails at once, on a blocking one
# with a 0.5 s timeout only after waiting.

load lib/helpers

setup() {
    cd "$ROOT/code"
}

seconds_between() {
    awk -v value="$1" -v low="$2" -v high="$3" 'BEGIN { exit !(value >= low && value <= high) }'
}

@test "the server line, then accept() fails with EAGAIN: at once when non-blocking, after 0.5 s when blocking" {
    run ./socket_modes
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [[ "${lines[0]}" =~ ^Trivial\ Server\ launched\ on\ socket:\ \(\'127\.0\.0\.1\',\ ([0-9]+)\)$ ]]
    [ "${BASH_REMATCH[1]}" -gt 0 ]
    [[ "${lines[1]}" =~ ^accept\(\)\ on\ a\ non-blocking\ socket:\ EAGAIN\ Resource\ temporarily\ unavailable\ after\ ([0-9.]+)\ s$ ]]
    seconds_between "${BASH_REMATCH[1]}" 0 0.3
    [[ "${lines[2]}" =~ ^accept\(\)\ on\ a\ blocking\ socket\ with\ a\ 0\.5\ s\ timeout:\ EAGAIN\ Resource\ temporarily\ unavailable\ after\ ([0-9.]+)\ s$ ]]
    seconds_between "${BASH_REMATCH[1]}" 0.4 3
}

@test "experiment: without setblocking(0) the first accept() blocks: still waiting, nothing printed" {
    build_without_experiment socket_modes.c "$BATS_TEST_TMPDIR/socket_modes"
    spawn modes "$BATS_TEST_TMPDIR/socket_modes"
    wait_for modes '^Trivial Server launched'
    asleep_in "$PID_modes" accept           # the real one prints its EAGAIN line before it
    kill -0 "$PID_modes"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/modes.out")" -eq 1 ]
}

@test "-h prints the usage and exits 0; arguments are a usage error listing them all, exit 2" {
    run ./socket_modes -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: socket_modes [-h]" ]
    run ./socket_modes extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "socket_modes: error: unrecognized arguments: extra more" ]
    run ./socket_modes -x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "socket_modes: error: unrecognized arguments: -x" ]
}

@test "experiment: TIMEOUT_SECONDS changed to 1 builds warning-free and waits 1 s, and says so" {
    cp socket_modes.c "$BATS_TEST_TMPDIR/socket_modes.c"
    sed -i 's/^#define TIMEOUT_SECONDS 0\.5$/#define TIMEOUT_SECONDS 1/' "$BATS_TEST_TMPDIR/socket_modes.c"
    grep -q '^#define TIMEOUT_SECONDS 1$' "$BATS_TEST_TMPDIR/socket_modes.c"     # the edit took
    grep -B1 '^#define TIMEOUT_SECONDS' socket_modes.c | grep -q 'EXPERIMENT (change this value)'
    ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$ROOT/common" \
        -o "$BATS_TEST_TMPDIR/socket_modes" "$BATS_TEST_TMPDIR/socket_modes.c"
    run "$BATS_TEST_TMPDIR/socket_modes"
    [ "$status" -eq 0 ]
    [[ "${lines[2]}" =~ ^accept\(\)\ on\ a\ blocking\ socket\ with\ a\ 1\ s\ timeout:\ EAGAIN\ Resource\ temporarily\ unavailable\ after\ ([0-9.]+)\ s$ ]]
    seconds_between "${BASH_REMATCH[1]}" 0.95 4
}
