# Shared by the demo/*.sh chapter tours (POSIX sh). Each "terminal" is shown as
#     ===== terminal N (folder/): $ ./prog args
# followed by what that terminal printed: the command shown is the command run, in that
# folder, and a program's stdout and stderr go through one pipe, so they read in the order
# they were written. A "Ctrl+C" is a real SIGINT.
#
#   start_server LABEL DIR CMD...  run CMD in chapter folder DIR in the background, wait for
#                                  its "Listening" line, set $PORT to the port it got
#   run_client LABEL DIR CMD...    run CMD in DIR (at most 20 s) and show its output
#   run_interrupted SECONDS LABEL DIR CMD...
#                                  the same, with a Ctrl+C (SIGINT) after SECONDS
#   server_wait REGEX [N]          wait (at most 5 s) until the server has printed N lines
#                                  (default 1) matching REGEX
#   wait_lines FILE REGEX [N]      the same for any FILE a background program writes
#   as_on_screen                   filter: keep only the last version of each \r progress line
#   show_server_so_far [NOTE]      show the server's terminal now, before its clients
#   stop_server [NOTE]             Ctrl+C the server, then show what its terminal printed
#                                  (its exit status in $STOPPED_STATUS)
#
# Every program runs under timeout(1): a safety net that ends it if the tour goes wrong, and
# the reason a background program takes Ctrl+C (sh starts background jobs with SIGINT
# ignored; timeout starts its program with SIGINT at its default and passes a SIGINT on).

DEMO_TMP=$(mktemp -d)
SERVER_PID=
WATCH_PID=
trap 'stop_server >/dev/null 2>&1; stop_quietly "$WATCH_PID"; rm -rf "$DEMO_TMP"' EXIT
trap 'exit 130' INT TERM

# The command as you would type it: empty arguments shown as "", other words with spaces
# or backslashes in double quotes.
show_command() {
    shown=
    for word in "$@"; do
        case $word in
            "" | *" "* | *\\*) shown="$shown \"$word\"" ;;
            *) shown="$shown $word" ;;
        esac
    done
    printf '%s' "${shown# }"
}

chapter() {
    printf '\n######## %s\n' "$*"
}

# heading LABEL DIR TEXT [NOTE]: "===== terminal 2 (udp/): $ TEXT    (NOTE)"
heading() {
    printf '\n===== %s (%s/): $ %s%s\n' "$1" "$2" "$3" "${4:+    ($4)}"
}

# Ctrl+C a background program; its exit status is ours.
stop_quietly() {
    [ -n "$1" ] || return 0
    kill -INT "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

start_server() {
    SERVER_LABEL=$1 SERVER_DIR=$2
    shift 2
    SERVER_CMD=$(show_command "$@")
    : >"$DEMO_TMP/server"       # so the previous server's Listening line is gone
    SERVER_SHOWN=0
    (cd "$SERVER_DIR" && exec timeout 60 "$@") </dev/null >"$DEMO_TMP/server" 2>&1 &
    SERVER_PID=$!
    if ! server_wait '^Listening'; then
        echo "demo: the server did not start: $SERVER_CMD" >&2
        cat "$DEMO_TMP/server" >&2
        exit 1
    fi
    PORT=$(sed -nE "s/^Listening.*\('[^']*', ([0-9]+)(, [0-9]+, [0-9]+)?\)$/\1/p" "$DEMO_TMP/server" | head -n 1)
}

# The program's stdout and stderr through one pipe, as a terminal shows them: in the order
# written, and a last line without its newline ended (before "(exit status N)").
run_shown() {
    limit=$1 dir=$2
    shift 2
    { (cd "$dir" && exec timeout $limit "$@") 2>&1; echo $? >"$DEMO_TMP/status"; } | as_on_screen
    status=$(cat "$DEMO_TMP/status")
    [ "$status" -eq 0 ] || echo "(exit status $status)"
}

run_client() {
    label=$1 dir=$2
    shift 2
    heading "$label" "$dir" "$(show_command "$@")"
    run_shown 20 "$dir" "$@"
}

# A client stopped with Ctrl+C: it dies of SIGINT, exit status 130 (128 + 2), as in a shell.
run_interrupted() {
    seconds=$1 label=$2 dir=$3
    shift 3
    heading "$label" "$dir" "$(show_command "$@")" "Ctrl+C after $seconds s"
    run_shown "--preserve-status -s INT $seconds" "$dir" "$@"
}

# Poll every 10 ms for a line the program prints when it is ready: never a fixed sleep.
wait_lines() {
    tries=500
    until [ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] 2>/dev/null; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || { echo "demo: $1 never had ${3:-1} line(s) matching /$2/" >&2; return 1; }
        sleep 0.01
    done
}

server_wait() {
    wait_lines "$DEMO_TMP/server" "$@"
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    stop_quietly "$SERVER_PID"
    STOPPED_STATUS=$?
    SERVER_PID=
    if [ "$SERVER_SHOWN" -eq 0 ]; then
        heading "$SERVER_LABEL" "$SERVER_DIR" "$SERVER_CMD" "${1:-Ctrl+C after the clients above}"
    else
        printf '\n===== %s (%s/): (what it printed next; %s)\n' "$SERVER_LABEL" "$SERVER_DIR" \
            "${1:-Ctrl+C after the clients above}"
    fi
    awk -v shown="$SERVER_SHOWN" 'NR > shown' "$DEMO_TMP/server" | as_on_screen
}

# show_server_so_far [NOTE]: the server's terminal now, before its clients run; stop_server
# then shows only what came after.
show_server_so_far() {
    heading "$SERVER_LABEL" "$SERVER_DIR" "$SERVER_CMD" "$1"
    SERVER_SHOWN=$(wc -l <"$DEMO_TMP/server")
    head -n "$SERVER_SHOWN" "$DEMO_TMP/server"
}

# What a terminal shows of a program that rewrites a progress line with \r: only the
# last version of each line (the raw output of a 16 MB transfer is thousands of them).
# A line's own \r\n ending stays. A last line without its newline gets one, as the shell's
# next prompt would start on a line of its own.
as_on_screen() {
    awk '{ crlf = sub(/\r$/, ""); sub(/.*\r/, ""); print $0 (crlf ? "\r" : "") }'
}

# tcp_watch --ladder beside a chapter (it needs root for its AF_PACKET socket; as a normal
# user the demo says so in one line and goes on). start_watch PORT, then the clients, then
# show_watch: it gives the last segments a moment, stops the watcher and shows its ladder.
start_watch() {
    WATCH_PID=
    if [ "$(id -u)" -ne 0 ]; then
        printf '\n(tcp_watch --ladder needs root: "sudo make demo" also draws this on the wire)\n'
        return 0
    fi
    WATCH_CMD="./tcp_watch --ladder -p $1"
    (cd tcp && exec timeout 20 ./tcp_watch --ladder -p "$1") </dev/null >"$DEMO_TMP/watch" 2>&1 &
    WATCH_PID=$!
    wait_lines "$DEMO_TMP/watch" '^Watching'
}
show_watch() {
    [ -n "$WATCH_PID" ] || return 0
    sleep 0.3
    stop_quietly "$WATCH_PID"
    WATCH_PID=
    heading "terminal 3, as root" tcp "$WATCH_CMD" "Ctrl+C after the client"
    cat "$DEMO_TMP/watch"
}
