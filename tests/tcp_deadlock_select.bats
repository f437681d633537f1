#!/usr/bin/env bats
# tcp/tcp_deadlock_select: cure 3 of tcp_deadlock (select() on a non-blocking socket).
# It moves 16000000 bytes through the unchanged tcp_deadlock server with every byte
# checked, and reports a server that misbehaves. The tests are shared by the three cures:
# tests/lib/tcp_deadlock_cure.bash.

load lib/helpers
load lib/tcp_deadlock_cure
CURE=tcp_deadlock_select
HOW='up to 65536 bytes, receiving whenever select() says so'

@test "16000000 bytes go through tcp_deadlock's server and all come back upper-cased" {
    cure_moves_16_megabytes
}

@test "-b 4096 (and 2048, the smallest -b) on both sides: 1000000 bytes still go through, every byte checked" {
    cure_never_stalls_with_small_buffers
}

@test "EXPERIMENT: without O_NONBLOCK (the marked line commented out) and -b 4096 it deadlocks" {
    cure_stalls_without_nonblocking
}

@test "edit: another message text comes back upper-cased byte for byte, rounded up to whole messages" {
    cure_follows_an_edited_message
}

@test "small counts are rounded up to a multiple of 16; 0 sends nothing and ends cleanly" {
    cure_rounds_small_counts
}

@test "a server that echoes without upper-casing is caught at byte 0, one line, exit 1" {
    cure_catches_a_plain_echo
}

@test "a server that closes after 10 of 32 bytes is reported, exit 1" {
    cure_reports_a_short_answer
}

@test "client with no server reports Connection refused and exits 1" {
    cure_reports_no_server
}

@test "-h prints the usage; the only role is client (the server is tcp_deadlock's)" {
    cure_usage
}
