#!/usr/bin/env bash
# The command-line grammar test of every program (or of the PROGRAMs named: udp/udp_local):
# tests/command_sweep runs each with every sequence of no word and one word from its
# alphabet, and SAMPLE sequences of two and three (0: all of them). The alphabet is the
# corners every program shares (forms of --, - and =, -h and --help, an empty word, a word
# that is not UTF-8, one of control characters, one of 5,000 bytes, combined flags), each of
# the program's own options with and without a value, its choices and a few hosts and
# numbers. See tests/command_sweep.c for what each run must do.
#     bash tests/command_sweep.sh [-n SAMPLE] [-j JOBS] [-t MS] [PROGRAM...]
# Runs in a network namespace of its own with only lo up (servers bind, clients send), so
# no datagram reaches a server of the machine's: as root (unshare -n), else in a user
# namespace (unshare -rn) where the system allows it; otherwise it says why and exits 77.
set -u
cd "$(dirname "$0")/.." || exit 1
root=$PWD
if [ -z "${COMMAND_SWEEP_ISOLATED:-}" ]; then
    export COMMAND_SWEEP_ISOLATED=1
    for how in "unshare -n" "unshare -rn"; do
        if $how true 2>/dev/null; then
            exec $how sh -c 'ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null; exec "$@"' \
                sh bash "$0" "$@"
        fi
    done
    echo "command_sweep: needs a network namespace of its own (root, or unprivileged user namespaces)"
    exit 77
fi

options=()
while getopts n:j:t: option; do options+=("-$option" "$OPTARG"); done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then programs=("$@"); else
    programs=()
    for source in code/*.c udp/*.c tcp/*.c sntp/*.c; do
        [ -x "${source%.c}" ] && programs+=("${source%.c}")
    done
fi

long_word=$(printf 'x%.0s' $(seq 5000))
shared=(-- - = --=x -h --help --help=3 --he --h '' $'\xff\xfe' $'\x01\x1b[31m\x7f' "$long_word"
        -xh -hx 127.0.0.1 ::1 localhost nosuch.invalid 0 1 5_0 -5 -.5 1e9 x)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for program in "${programs[@]}"; do
    source=$root/$program.c
    optstring=$(sed -nE 's/.*getopt_long\(argc, argv, "([^"]*)".*/\1/p' "$source" | head -n 1)
    words=("${shared[@]}")
    letters=${optstring//[:h]/}
    for ((i = 0; i < ${#letters}; i++)); do
        letter=${letters:i:1}
        if [[ "$optstring" == *"$letter:"* ]]; then
            words+=("-$letter" "-$letter=" "-${letter}0" "-h$letter")
        else
            words+=("-$letter" "-${letter}h")
        fi
    done
    for name in $(grep -oE '\{"[a-z]+", (no|required)_argument' "$source" | sed -E 's/\{"([a-z]+)".*/\1/'); do
        [ "$name" = help ] || words+=("--$name" "--$name=1")
    done
    for choice in $("$root/$program" -h | sed -n 1p | grep -oE '\{[^}]*\}' | tr -d '{}' | tr ',' ' '); do
        words+=("$choice")
    done
    mkdir -p "$tmp/$(basename "$program")"
    (cd "$tmp/$(basename "$program")" && "$root/tests/command_sweep" "${options[@]}" \
        "$root/$program" "${words[@]}") || status=1
done
exit $status
