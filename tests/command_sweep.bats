#!/usr/bin/env bats
# The command-line grammar test (tests/command_sweep.sh, tests/command_sweep.c): every
# program run with every word of its alphabet alone and 20 sequences of two or three words
# ends with exit 0, 1 or 2, never by a signal, with no sanitizer report (under make
# sanitize), and a usage error is one usage line and one error line. `make soak` runs every
# sequence of up to three words.

load lib/helpers

sweep() {
    run bash "$ROOT/tests/command_sweep.sh" -n 20 "$@"
    [ "$status" -ne 77 ] || skip "${lines[0]}"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq $# ]
}

@test "network information programs (code/): no crash on any command line" {
    sweep $(cd "$ROOT" && ls code/*.c | sed 's/\.c$//')
}

@test "UDP programs (udp/): no crash on any command line" {
    sweep $(cd "$ROOT" && ls udp/*.c | sed 's/\.c$//')
}

@test "TCP programs (tcp/): no crash on any command line" {
    sweep $(cd "$ROOT" && ls tcp/*.c | sed 's/\.c$//')
}

@test "network time programs (sntp/): no crash on any command line" {
    sweep $(cd "$ROOT" && ls sntp/*.c | sed 's/\.c$//')
}

@test "the sweep sees a crash: a program that dies of SIGSEGV on one word fails it" {
    cat >"$BATS_TEST_TMPDIR/crash.c" <<'C'
#include <signal.h>
#include <string.h>
int main(int argc, char *argv[]) { if (argc > 1 && strcmp(argv[1], "boom") == 0) raise(SIGSEGV); return 0; }
C
    cc -o "$BATS_TEST_TMPDIR/crash" "$BATS_TEST_TMPDIR/crash.c"
    run "$ROOT/tests/command_sweep" -j 1 -n 0 "$BATS_TEST_TMPDIR/crash" a boom
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "FAIL crash 'boom': killed by signal 11 (Segmentation fault)" ]
    [ "${lines[-1]}" = "crash: 15 runs, 7 failed" ]  # 1 + 2 + 4 with boom first
}

@test "the sweep sees a usage error of two error lines" {
    cat >"$BATS_TEST_TMPDIR/twice.c" <<'C'
#include <stdio.h>
int main(int argc, char *argv[]) { (void)argv; if (argc > 1) { fputs("usage: twice\ntwice: error: a\ntwice: error: b\n", stderr); return 2; } return 0; }
C
    cc -o "$BATS_TEST_TMPDIR/twice" "$BATS_TEST_TMPDIR/twice.c"
    run "$ROOT/tests/command_sweep" -j 1 -n 0 "$BATS_TEST_TMPDIR/twice" a
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "FAIL twice 'a': exit 2 without exactly one usage line and one error line" ]
}
