#!/usr/bin/env bash
# make mutate: break, one at a time, each mechanism the README promises (tests/mutations.sh
# lists them), and run the tests that protect it: each mutation must make them fail. A
# mutation that survives is a promise no test keeps.
#     bash tests/mutate.sh [NAME...]       only these mutations
# Works on a copy of the tree (git's files as they are in the working tree), built once;
# each mutation changes one file there, rebuilds, runs its tests and puts the file back.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git ls-files -z --cached --others --exclude-standard | tar -cf - --null -T - | tar -xf - -C "$tree"
make -C "$tree" -s -j2 all >"$tree/.build.log" 2>&1 ||
    { echo "mutate: the tree does not build"; cat "$tree/.build.log"; exit 1; }

declare -a names=()
declare -A file=() script=() tests=()
# mutation NAME FILE PERL_SCRIPT TEST... : PERL_SCRIPT (an s/// on the whole file, as one
# string) must change FILE; each TEST is a bats file in tests/, without .bats, or
# FILE:REGEX to run only the tests whose names match.
mutation() {
    names+=("$1")
    file[$1]=$2
    script[$1]=$3
    shift 3
    tests[${names[-1]}]=$(printf '%s\n' "$@")      # one a line: a filter may hold spaces
}
# experiment NAME FILE WORD TEST... : delete the line an EXPERIMENT comment (the one that
# contains WORD; "" for the only one) marks: the program's own tests must miss it.
experiment() {
    local name=$1 source=$2 word=$3
    shift 3
    local line
    line=$(awk -v word="$word" -f "$top/tests/experiment_line.awk" "$top/$source")
    [ -n "$line" ] || { echo "mutate: no EXPERIMENT${word:+ with '$word'} in $source"; exit 1; }
    mutation "$name" "$source" "$line" "$@"
    script[$name]="@$line"                  # a line number: the line is deleted
}
source "$top/tests/mutations.sh"

selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${names[@]}")
survived=() killed=0 start=$SECONDS
for name in "${selected[@]}"; do
    [ -n "${file[$name]:-}" ] || { echo "mutate: no mutation named $name"; exit 1; }
    target=$tree/${file[$name]}
    cp "$target" "$tree/.pristine"
    if [[ "${script[$name]}" == @* ]]; then
        sed -i "${script[$name]#@}d" "$target"
    else
        perl -0pi -e "${script[$name]}" "$target"
    fi
    if cmp -s "$target" "$tree/.pristine"; then
        echo "mutate: $name changes nothing in ${file[$name]}: the code it breaks has moved"
        exit 1
    fi
    t0=$SECONDS
    if ! make -C "$tree" -s -j2 all >"$tree/.build.log" 2>&1; then
        verdict="killed (does not build)"
    else
        verdict=survived
        while IFS= read -r spec; do
            test_file=$tree/tests/${spec%%:*}.bats
            filter=(); [[ "$spec" == *:* ]] && filter=(--filter "${spec#*:}")
            bats_status=0
            (cd "$tree" && timeout 30 bats "${filter[@]}" "$test_file" >"$tree/.bats.log" 2>&1) ||
                bats_status=$?
            if [ $bats_status -eq 124 ]; then   # a test waits for ever: that too is a kill
                verdict="killed: a test in ${spec%%:*} still waited after 30 s"
                break
            elif [ $bats_status -ne 0 ]; then
                verdict="killed by $(grep -c '^not ok' "$tree/.bats.log") failing test(s) in ${spec%%:*}"
                break
            fi
            grep -qE '^ok ' "$tree/.bats.log" || { verdict="ran no test (${spec})"; break; }
        done <<<"${tests[$name]}"
    fi
    cp "$tree/.pristine" "$target"
    touch "$target"
    printf '%-36s %s (%ss)\n' "$name" "$verdict" $((SECONDS - t0))
    if [[ "$verdict" == killed* ]]; then killed=$((killed + 1)); else survived+=("$name"); fi
done
make -C "$tree" -s -j2 all >/dev/null 2>&1
echo "mutate: ${#selected[@]} mutations, $killed killed, ${#survived[@]} survived (${survived[*]:-none}) in $((SECONDS - start)) s"
[ ${#survived[@]} -eq 0 ]
