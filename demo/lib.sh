# Shared by the demo/*.sh chapter tours (POSIX sh). Each "terminal" is shown as
#     ===== terminal N: $ ./prog args
# followed by what that terminal printed.
#
#   start_server LABEL DIR CMD...  run CMD in chapter folder DIR in the background, wait for
#                                  its "Listening" line, set $PORT to the port it got
#   run_client LABEL DIR CMD...    run CMD in DIR (at most 20 s) and show its output
#   server_wait REGEX [N]          wait (at most 5 s) until the server has printed N lines
#                                  (default 1) matching REGEX
#   wait_lines FILE REGEX [N]      the same for any FILE a background program writes
#   as_on_screen                   filter: keep only the last version of each \r progress line
#   stop_server                    stop the server, then show what its terminal printed

DEMO_TMP=$(mktemp -d)
SERVER_PID=
trap 'stop_server >/dev/null 2>&1; rm -rf "$DEMO_TMP"' EXIT INT TERM

# The command as you would type it: empty arguments shown as "".
show_command() {
    shown=
    for word in "$@"; do
        case $word in
            "" | *" "*) shown="$shown \"$word\"" ;;
            *) shown="$shown $word" ;;
        esac
    done
    printf '%s' "${shown# }"
}

chapter() {
    printf '\n######## %s\n' "$*"
}

start_server() {
    SERVER_LABEL=$1 SERVER_DIR=$2
    shift 2
    SERVER_CMD=$(show_command "$@")
    : >"$DEMO_TMP/server"       # so the previous server's Listening line is gone
    (cd "$SERVER_DIR" && exec "$@") >"$DEMO_TMP/server" 2>&1 &
    SERVER_PID=$!
    if ! server_wait '^Listening'; then
        echo "demo: the server did not start: $SERVER_CMD" >&2
        cat "$DEMO_TMP/server" >&2
        exit 1
    fi
    PORT=$(sed -nE "s/^Listening.*\('[^']*', ([0-9]+)(, [0-9]+, [0-9]+)?\)$/\1/p" "$DEMO_TMP/server" | head -n 1)
}

run_client() {
    label=$1 dir=$2
    shift 2
    printf '\n===== %s: $ %s\n' "$label" "$(show_command "$@")"
    (cd "$dir" && timeout 20 "$@") 2>&1
    status=$?
    [ $status -eq 0 ] || echo "(exit status $status)"
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
    kill $SERVER_PID 2>/dev/null
    wait $SERVER_PID 2>/dev/null
    SERVER_PID=
    printf '\n===== %s: $ %s    (stopped with Ctrl+C after the clients above)\n' \
        "$SERVER_LABEL" "$SERVER_CMD"
    as_on_screen <"$DEMO_TMP/server"
}

# What a terminal shows of a program that rewrites a progress line with \r: only the
# last version of each line (the raw output of a 16 MB transfer is thousands of them).
as_on_screen() {
    sed 's/.*\r//'
}

# tcp_watch --ladder beside a chapter (it needs root for its AF_PACKET socket; as a normal
# user the demo says so in one line and goes on). start_watch PORT, then the clients, then
# show_watch: it gives the last segments a moment, stops the watcher and shows its ladder.
start_watch() {
    WATCH_PID=
    if [ "$(id -u)" -ne 0 ]; then
        printf '
(tcp_watch --ladder needs root: "sudo make demo" also draws this on the wire)\n'
        return 0
    fi
    WATCH_CMD="sudo ./tcp_watch --ladder -p $1"
    (cd tcp && exec ./tcp_watch --ladder -p "$1" -t 20) >"$DEMO_TMP/watch" 2>&1 &
    WATCH_PID=$!
    wait_lines "$DEMO_TMP/watch" '^Watching'
}
show_watch() {
    [ -n "$WATCH_PID" ] || return 0
    sleep 0.3
    kill $WATCH_PID 2>/dev/null
    wait $WATCH_PID 2>/dev/null
    printf '\n===== terminal 3: $ %s    (stopped with Ctrl+C)\n' "$WATCH_CMD"
    cat "$DEMO_TMP/watch"
}
