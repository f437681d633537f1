# Shared by every tests/*.bats file: `load lib/helpers` at the top.
#
#   spawn NAME CMD...            start CMD in the background; its stdout/stderr go to
#                                $BATS_TEST_TMPDIR/NAME.out and NAME.err; teardown kills it
#   wait_for NAME REGEX [SECS]   wait (default 5 s) until NAME.out has a line matching REGEX
#   port_of NAME                 the port in NAME's "Listening ... ('HOST', PORT)" line
#   asleep_in PID CALL           wait until process PID sleeps in recv() or accept() (fails if
#                                it ends first); asleep_in_recv PID for recv()
#   start_server NAME CMD...     spawn + wait for the Listening line; sets $PORT
#   out NAME / err NAME          the output so far
#   free_udp_port / free_tcp_port  a port nothing listens on right now
#   build_without_experiment SRC OUT [WORD]
#                                compile a copy of SRC with the ONE line its EXPERIMENT
#                                comment (the one containing WORD) marks commented out
#                                with `// `, as a student would; any warning fails
#   build_edited SRC OUT SED_SCRIPT
#                                compile a copy of SRC changed by SED_SCRIPT, as a student's
#                                edit (a message, a port, a size); the edit must change the
#                                file, and any warning fails. SANITIZED_EDITS=1 in the environment
#                                builds it with ASan and UBSan
#   with_hosts_file TEXT CMD...  run CMD (bats `run --separate-stderr`) with a private
#                                /etc/hosts holding TEXT and nsswitch "hosts: files": no DNS
#                                query, so an unknown name is EAI_NONAME even offline; needs
#                                root (skips, saying why, without it)
#   in_namespace                 a network namespace of the test's own, only lo up, for as
#                                long as the test: $NS runs a command in it (its sysctls are
#                                its own too); skips, saying why, where one cannot be made
#   kill_spawned                 teardown: kill every spawned process (called for you)
#
# Test helper programs built by make: tests/free_port (above), tests/udp_probe HOST PORT SIZE
# (send SIZE bytes on a connected socket, print the reply's repr; exit 1 at once with
# ECONNREFUSED when nothing listens, after 2 s when nothing answers).
#
# Background processes get `3>&-` so they never hold bats' own descriptor open (bats waits
# for it to close before it ends a test).

bats_require_minimum_version 1.5.0      # run --separate-stderr, run !
ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
SPAWNED_PIDS=()
# bats runs a DEBUG trap before every command of a test and of every function it calls,
# and records a stack trace each time: a third of make test's CPU went there. Not in the
# files of tests/lib/: a failure in a helper is still reported at the test's line, with
# the helper's own message.
! declare -F bats_add_debug_exclude_path >/dev/null ||    # bats 1.7 and later
    bats_add_debug_exclude_path "$BATS_TEST_DIRNAME/lib"

spawn() {
    local name=$1
    shift
    : >"$BATS_TEST_TMPDIR/$name.out"     # now, before the child runs: wait_for must never
    : >"$BATS_TEST_TMPDIR/$name.err"     # see an earlier process's lines under this name
    "$@" >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" </dev/null 3>&- &
    SPAWNED_PIDS+=($!)
    eval "PID_$name=$!"
}

out() { cat "$BATS_TEST_TMPDIR/$1.out"; }
err() { cat "$BATS_TEST_TMPDIR/$1.err"; }

# A pause of SECONDS with no process started: a read with a time limit from a pipe that
# nobody writes to (this shell holds its writing end too). Polls below pause 10 ms at a
# time, and a sleep(1) or grep(1) started 100 times a second would cost more CPU than the
# programs under test.
pause() {
    open_pause_fd
    read -rt "$1" -u "$PAUSE_FD" || :
}
open_pause_fd() { [ -n "${PAUSE_FD:-}" ] || exec {PAUSE_FD}<> <(:); }

# The DEBUG trap still runs here, cheaper: a wait that reads a 50-line file 100 times a
# second would cost seconds of CPU. The waits below poll in a subshell of their own with
# the trap off (their own message says what failed).

# Does NAME.out have a line matching REGEX (extended, as grep -E) yet? Read by the shell
# itself, byte by byte as the C locale sees it.
has_line() {
    local file=$BATS_TEST_TMPDIR/$1.out regex=$2 line LC_ALL=C
    [ -f "$file" ] || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ $regex ]] && return 0
    done <"$file"
    return 1
}

# transcript LINE...: $output is these lines, exactly and in order: a transcript written
# into the test. A LINE starting with "~" is an extended regex (as [[ =~ ]]) that the whole
# line must match, for a value that varies (a time, a port). On a difference, says where.
transcript() {
    local got=() i line LC_ALL=C
    mapfile -t got <<<"$output"
    for ((i = 0; i < $# || i < ${#got[@]}; i++)); do
        line=${@:i+1:1}
        if [ "$i" -ge "$#" ] || [ "$i" -ge "${#got[@]}" ] ||
            { [[ $line == "~"* ]] && ! [[ ${got[i]} =~ ^${line#"~"}$ ]]; } ||
            { [[ $line != "~"* ]] && [ "${got[i]}" != "$line" ]; }; then
            printf 'line %d: expected %s\n        got      %s\n' $((i + 1)) "${line:-(no line)}" \
                "${got[i]-(no line)}" >&2
            return 1
        fi
    done
}

# Poll every 10 ms: a readiness line, never a fixed sleep.
wait_for() {
    local name=$1 regex=$2 limit=${3:-5}
    local tries=$((limit * 100))
    open_pause_fd
    (
        trap - DEBUG
        while ((tries-- > 0)); do
            has_line "$name" "$regex" && exit 0
            pause 0.01
        done
        echo "timed out after ${limit}s waiting for /$regex/ from $name" >&2
        echo "--- $name stdout:" >&2
        cat "$BATS_TEST_TMPDIR/$name.out" >&2
        echo "--- $name stderr:" >&2
        cat "$BATS_TEST_TMPDIR/$name.err" >&2
        exit 1
    )
}

# Wait until process PID has exited (for at most SECS seconds, default 5).
wait_exit() {
    local pid=$1 limit=${2:-5}
    local tries=$((limit * 100))
    open_pause_fd
    (
        trap - DEBUG
        while ((tries-- > 0)); do
            kill -0 "$pid" 2>/dev/null || exit 0
            pause 0.01
        done
        exit 1
    )
}

# Wait until process PID sleeps in CALL (recv or accept; where /proc says which system call
# it is in, on x86_64 and aarch64; on other machines, asleep at all); fail if it ends first.
asleep_in() {
    local pid=$1 call=$2 tries=500 numbers=""
    case $(uname -m)-$call in
        x86_64-recv) numbers="45" ;; aarch64-recv) numbers="207" ;;
        x86_64-accept) numbers="43 288" ;; aarch64-accept) numbers="202 242" ;;
    esac
    open_pause_fd
    (
        trap - DEBUG
        while :; do
            # /proc/PID/stat: "PID (COMMAND) STATE ..."; /proc/PID/syscall: "NUMBER ...".
            local stat="" state="" number=""
            { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || :
            state=${stat##*) } state=${state%% *}
            { read -r number _ <"/proc/$pid/syscall"; } 2>/dev/null || :
            if [ "$state" = S ]; then
                [ -z "$numbers" ] && exit 0
                [[ " $numbers " == *" $number "* ]] && exit 0
            fi
            [ -e "/proc/$pid/stat" ] || { echo "process $pid has ended" >&2; exit 1; }
            ((tries-- > 0)) || { echo "process $pid not asleep in $call(): $state $number" >&2; exit 1; }
            pause 0.01
        done
    )
}
asleep_in_recv() { asleep_in "$1" recv; }

port_of() {
    sed -nE "s/^Listening.*\('[^']*', ([0-9]+)(, [0-9]+, [0-9]+)?\)$/\1/p" "$BATS_TEST_TMPDIR/$1.out" | head -n 1
}

start_server() {
    local name=$1
    spawn "$@"
    wait_for "$name" '^Listening' || return 1
    PORT=$(port_of "$name")
    [ -n "$PORT" ] && [ "$PORT" -gt 0 ]
}

# A port that was free a moment ago: bind port 0, note what the OS gave, close it.
free_udp_port() { "$ROOT/tests/free_port" udp; }
free_tcp_port() { "$ROOT/tests/free_port" tcp; }

# The lecture's "comment this line out" experiments, done as the student does them: the
# marked line is the first code line after the comment that contains "EXPERIMENT" (and
# WORD, when several experiments share a file), or the line that comment ends; it gets
# `// ` in front of it and nothing else changes. It must be one whole statement ending in
# ";". Markers of the "EXPERIMENT (change this value)" kind are not comment-out experiments
# and are passed over. The copy is compiled with the suite's warnings as errors (a student's
# build that warns is a broken experiment), with -lpthread only if it includes pthread.h.
build_without_experiment() {
    local src=$1 output=$2 word=${3:-} copy="$BATS_TEST_TMPDIR/$(basename "$1")" line text
    line=$(awk -v word="$word" -f "$ROOT/tests/experiment_line.awk" "$src") || return 1
    if [ -z "$line" ]; then
        echo "build_without_experiment: no EXPERIMENT marker${word:+ with '$word'} in $src" >&2
        return 1
    fi
    text=$(sed -n "${line}p" "$src")
    sed "${line}s|^|// |" "$src" >"$copy"
    if ! [[ "$(sed -E 's:/\*.*\*/::; s:[[:space:]]+$::' <<<"$text")" == *";" ]]; then
        echo "build_without_experiment: $src:$line: the marked line is not one statement ending in ';': $text" >&2
        return 1
    fi
    local libs=()
    grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<pthread\.h>' "$src" && libs=(-lpthread)
    ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -O0 -I"$ROOT/common" \
        -o "$output" "$copy" "${libs[@]}"
}

# A student's natural edit: SRC changed by one sed script, built as build_without_experiment
# builds (warnings are errors). Under `make sanitize` (SANITIZED_EDITS=1 there) or when the
# caller sets it, with AddressSanitizer and UBSan: an edit that reads past a literal
# then fails loudly instead of sending stray bytes.
build_edited() {
    local src=$1 output=$2 script=$3 copy="$BATS_TEST_TMPDIR/edited_$(basename "$1")"
    sed -e "$script" "$src" >"$copy"
    if cmp -s "$src" "$copy"; then
        echo "build_edited: the edit '$script' changes nothing in $src" >&2
        return 1
    fi
    local libs=() flags=(-O0)
    grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<pthread\.h>' "$src" && libs=(-lpthread)
    [ "${SANITIZED_EDITS:-}" = 1 ] && flags=(-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all)
    ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror "${flags[@]}" -I"$ROOT/common" \
        -o "$output" "$copy" "${libs[@]}"
}

# A resolver of our own: offline, /etc/resolv.conf's servers answer nothing and glibc says
# EAI_AGAIN ("Temporary failure in name resolution"), which is not a "no such name" answer.
# With "hosts: files" glibc never asks DNS: the name is in TEXT or it does not exist.
with_hosts_file() {
    local text=$1
    shift
    [ "$(id -u)" -eq 0 ] || skip "needs root for a private /etc/hosts (unshare -m); without it a lookup may ask DNS"
    printf '%s' "$text" >"$BATS_TEST_TMPDIR/hosts"
    printf 'hosts: files\n' >"$BATS_TEST_TMPDIR/nsswitch.conf"
    unshare -m true 2>/dev/null || skip "unshare -m is not allowed here"
    run --separate-stderr unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
        mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"' sh \
        "$BATS_TEST_TMPDIR/hosts" "$BATS_TEST_TMPDIR/nsswitch.conf" "$@"
}

in_namespace() {
    command -v nsenter >/dev/null || skip "needs nsenter (util-linux) to enter a namespace"
    unshare -n true 2>/dev/null || skip "unshare -n is not allowed here (needs root)"
    spawn namespace unshare -n sleep infinity     # holds the namespace; teardown ends it
    local tries=500
    until [ "$(readlink "/proc/$PID_namespace/ns/net")" != "$(readlink /proc/self/ns/net)" ]; do
        ((tries-- > 0)) || false
        sleep 0.01
    done
    NS="nsenter -t $PID_namespace -n"
    $NS ip link set lo up
}

# Safe mid-test too (under set -e): a process that has already ended is no failure, and
# wait returns the killed processes' statuses, not ours.
kill_spawned() {
    local pid
    for pid in "${SPAWNED_PIDS[@]}"; do
        kill -CONT "$pid" 2>/dev/null || :    # a stopped process cannot act on SIGTERM
        kill -TERM "$pid" 2>/dev/null || :
    done
    for pid in "${SPAWNED_PIDS[@]}"; do
        wait_exit "$pid" 2 || kill -KILL "$pid" 2>/dev/null || :
        wait "$pid" 2>/dev/null || :
    done
    SPAWNED_PIDS=()
}

teardown() {
    kill_spawned
}
