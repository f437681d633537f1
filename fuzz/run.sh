#!/usr/bin/env bash
# make fuzz: build every libFuzzer target fuzz/NAME.c into fuzz/NAME and run each for
# FUZZ_SECONDS (default 60) from its seed corpus fuzz/corpus/NAME/ (never written to: new
# inputs go to a scratch directory). A target's "FUZZ_MAX_LEN N" line sets -max_len.
# Fails on any crash, leak, sanitizer report or timeout; the input that did it is kept as
# fuzz/artifacts/NAME-crash-... (reproduce with: fuzz/NAME fuzz/artifacts/FILE).
#     bash fuzz/run.sh [NAME...]          only these targets
set -u
cd "$(dirname "$0")/.." || exit 1
seconds=${FUZZ_SECONDS:-60}
FUZZ_CC=${FUZZ_CC:-clang}
FLAGS=(-std=c11 -g -O1 -Wall -Wextra -Icommon -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=all -fno-omit-frame-pointer)

command -v "$FUZZ_CC" >/dev/null ||
    { echo "fuzz: $FUZZ_CC is needed: sudo apt install clang"; exit 1; }
# clang finds libFuzzer in compiler-rt, a separate package on Debian.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$probe/probe" "$probe/probe.c" 2>/dev/null; then
    version=$("$FUZZ_CC" -dumpversion | cut -d. -f1)
    echo "fuzz: $FUZZ_CC has no libFuzzer runtime: sudo apt install libclang-rt-$version-dev"
    exit 1
fi

if [ $# -gt 0 ]; then targets=("$@"); else
    targets=()
    for source in fuzz/*.c; do targets+=("$(basename "$source" .c)"); done
fi
mkdir -p fuzz/artifacts
failures=0
# command_line drives every program's own main() (fuzz/command_line.h says how): each program
# is compiled on its own with that header forced in and main renamed, then linked with it.
build_command_line() {
    local source program objects=() list=
    for source in code/*.c udp/*.c tcp/*.c sntp/*.c; do
        program=$(basename "$source" .c)
        "$FUZZ_CC" "${FLAGS[@]}" -Wno-unused-function -c -Dmain="fuzz_main_$program" \
            -include fuzz/command_line.h -o "$probe/$program.o" "$source" || return 1
        objects+=("$probe/$program.o")
        list+="X($program) "
    done
    "$FUZZ_CC" "${FLAGS[@]}" -DPROGRAMS="$list" -o fuzz/command_line fuzz/command_line.c \
        "${objects[@]}" -lm -lpthread
}

for name in "${targets[@]}"; do
    if [ "$name" = command_line ]; then build=(build_command_line); else
        build=("$FUZZ_CC" "${FLAGS[@]}" -o "fuzz/$name" "fuzz/$name.c"); fi
    if ! "${build[@]}"; then
        echo "FAIL $name: does not build"; failures=$((failures + 1)); continue
    fi
    max_len=$(sed -nE 's/.*FUZZ_MAX_LEN ([0-9]+).*/\1/p' "fuzz/$name.c" | head -n 1)
    mkdir -p "fuzz/corpus/$name" "$probe/$name"
    log="$probe/$name.log"
    # Two things libFuzzer does not do alone: fail on a leak (ASan does, at exit of each
    # run) and stop at the time limit without calling that a failure.
    if "fuzz/$name" -max_total_time="$seconds" ${max_len:+-max_len=$max_len} -timeout=10 \
           -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$name-" \
           "$probe/$name" "fuzz/corpus/$name" >"$log" 2>&1; then
        runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log")
        cover=$(grep -E '^#[0-9]+.*DONE' "$log" | grep -oE 'cov: [0-9]+' | tail -n 1)
        corpus=$(find "$probe/$name" -type f | wc -l)
        printf 'ok   %-20s %10s executions in %ss (%s, %s new inputs)\n' \
            "$name" "${runs:-?}" "$seconds" "${cover:-cov: ?}" "$corpus"
    else
        echo "FAIL $name:"
        grep -m 1 -A 30 -E "ERROR|check failed|runtime error|deadly signal" "$log" | sed "s/^/    /"
        grep -E "^Test unit written|^artifact_prefix" "$log" | sed "s/^/    /"
        failures=$((failures + 1))
    fi
done
echo "fuzz: ${#targets[@]} targets, $failures failed"
[ $failures -eq 0 ]
