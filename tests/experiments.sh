#!/usr/bin/env bash
# make lint's check of the experiments, built as a student builds them: every line an
# EXPERIMENT comment marks (tests/experiment_line.awk), commented out alone, must build
# warning-free with make's own -O2, with gcc and with clang where it is installed (the
# tests build them at -O0, which is quicker: they check what the program does). Every program must have an experiment.
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
compilers=(cc)
command -v clang >/dev/null && compilers+=(clang)
status=0 lines=0 programs=0
for source in code/*.c udp/*.c tcp/*.c sntp/*.c; do
    programs=$((programs + 1))
    grep -q 'EXPERIMENT' "$source" || { echo "experiments: $source has no EXPERIMENT"; status=1; }
    libs=()
    grep -q '^#include <pthread\.h>' "$source" && libs=(-lpthread)
    for line in $(awk -v all=1 -f tests/experiment_line.awk "$source"); do
        lines=$((lines + 1))
        copy=$tmp/$(basename "$source")
        sed "${line}s|^|// |" "$source" >"$copy"
        for compiler in "${compilers[@]}"; do
            if ! "$compiler" -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -Icommon \
                    -o "$tmp/program" "$copy" "${libs[@]}" 2>"$tmp/log"; then
                echo "experiments: $source:$line commented out does not build with $compiler:"
                head -n 5 "$tmp/log"
                status=1
            fi
        done
    done
done
echo "experiments: $lines lines to comment out in $programs programs, each built with ${compilers[*]} -O2"
exit $status
