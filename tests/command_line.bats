#!/usr/bin/env bats
# The command line of every program: what argparse says for a flag given a value
# (--help=3, and --=x, which names every long option at once), for an ambiguous prefix, and
# for the words around them; never a crash. (Issue: "No crash on any command line".)

load lib/helpers

# Every lecture program, built next to its source.
programs() { ls "$ROOT"/code/*.c "$ROOT"/udp/*.c "$ROOT"/tcp/*.c "$ROOT"/sntp/*.c | sed 's/\.c$//'; }

# "--=x" is a prefix of every long option, as "--he=x" is of --help: the one there is, taken
# with a value it does not take, or an ambiguous prefix where there are several.
@test "--=x, --help=3 and --he=x: argparse's words, exit 2, in every program" {
    local p name word err status count=0
    for p in $(programs); do
        name=$(basename "$p")
        for word in --=x --help=3 --he=x; do
            status=0
            err=$("$p" "$word" 2>&1 >/dev/null) || status=$?
            [ "$status" -eq 2 ] || { echo "$name $word: exit $status"; false; }
            [[ "$err" == "usage: $name "* ]]
            [[ "$err" == *$'\n'"$name: error: argument -h/--help: ignored explicit argument '${word#*=}'" ]] ||
                [[ "$word" == --=x && "$err" == *$'\n'"$name: error: ambiguous option: --=x could match --help, --"* ]] ||
                { echo "$name $word: $err"; false; }
        done
        count=$((count + 1))
    done
    [ "$count" -ge 29 ]
}

@test "--=x after the positionals, or before them, names --help, not a positional" {
    run --separate-stderr "$ROOT/udp/udp_local" client --=x
    [ "$status" -eq 2 ]
    [ "${stderr_lines[1]}" = "udp_local: error: argument -h/--help: ignored explicit argument 'x'" ]
    run --separate-stderr "$ROOT/tcp/tcp_sixteen" --=x client 127.0.0.1
    [ "$status" -eq 2 ]
    [ "${stderr_lines[1]}" = "tcp_sixteen: error: argument -h/--help: ignored explicit argument 'x'" ]
    run --separate-stderr "$ROOT/udp/udp_local" --=
    [ "${stderr_lines[1]}" = "udp_local: error: argument -h/--help: ignored explicit argument ''" ]
}

@test "tcp_watch --ladder=1 and --lad=x: 'argument --ladder: ignored explicit argument', no root needed" {
    local w="$ROOT/tcp/tcp_watch"
    run --separate-stderr "$w" --ladder=1
    [ "$status" -eq 2 ]
    [ "${stderr_lines[-1]}" = "tcp_watch: error: argument --ladder: ignored explicit argument '1'" ]
    run --separate-stderr "$w" --ladder=3 -p 5
    [ "${stderr_lines[-1]}" = "tcp_watch: error: argument --ladder: ignored explicit argument '3'" ]
    run --separate-stderr "$w" --lad=x foo
    [ "${stderr_lines[-1]}" = "tcp_watch: error: argument --ladder: ignored explicit argument 'x'" ]
}

@test "a flag with a short twin is named by both: argument -w/--watch" {
    run --separate-stderr "$ROOT/tcp/tcp_deadlock" --watch=1
    [ "$status" -eq 2 ]
    [ "${stderr_lines[-1]}" = "tcp_deadlock: error: argument -w/--watch: ignored explicit argument '1'" ]
    run --separate-stderr "$ROOT/code/finding_service_name" --all=yes
    [ "${stderr_lines[-1]}" = "finding_service_name: error: argument -a/--all: ignored explicit argument 'yes'" ]
}

@test "an ambiguous prefix is argparse's 'ambiguous option ... could match', exit 2" {
    run --separate-stderr "$ROOT/code/hserror" --=x
    [ "$status" -eq 2 ]
    [ "${stderr_lines[1]}" = "hserror: error: ambiguous option: --=x could match --help, --host, --port, --file, --timeout" ]
    run --separate-stderr "$ROOT/code/hserror" --h=3
    [ "${stderr_lines[1]}" = "hserror: error: ambiguous option: --h=3 could match --help, --host" ]
    run --separate-stderr "$ROOT/code/finding_service_name" --=
    [ "${stderr_lines[1]}" = "finding_service_name: error: ambiguous option: --= could match --help, --all" ]
}

@test "unknown letters are listed by the word they stand in, wherever it stands" {
    run --separate-stderr "$ROOT/udp/udp_local" -x client -yz
    [ "$status" -eq 2 ]
    [ "${stderr_lines[-1]}" = "udp_local: error: unrecognized arguments: -x -yz" ]
    run --separate-stderr "$ROOT/udp/udp_local" client -ax -xa
    [ "${stderr_lines[-1]}" = "udp_local: error: unrecognized arguments: -ax -xa" ]
    run --separate-stderr "$ROOT/tcp/tcp_watch" -Lx --ladder
    [ "${stderr_lines[-1]}" = "tcp_watch: error: unrecognized arguments: -Lx" ]
}

@test "-h fits an 80-column terminal as argparse wraps it: no line over 78 columns, in every program" {
    local p wide
    for p in $(programs); do
        wide=$("$p" -h | awk -v name="$(basename "$p")" 'length($0) > 78 { print name ": " $0 }')
        [ -z "$wide" ] || { echo "$wide"; false; }
    done
}
