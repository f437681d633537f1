#!/usr/bin/env bash
# make valgrind: one exchange of every client/server pair (and every standalone program)
# under valgrind memcheck. Fails when any run reports an error or a definite/indirect leak.
# A server is stopped with SIGTERM after its client; memcheck still checks it at that exit.
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
          --show-leak-kinds=definite,indirect --track-fds=no)
failures=0
runs=0

check_log() {   # check_log LABEL LOG
    runs=$((runs + 1))
    # Definite and indirect leaks count as errors (--errors-for-leak-kinds), so one
    # summary line says it all.
    if ! grep -q 'ERROR SUMMARY: 0 errors' "$2"; then
        echo "FAIL $1"; sed 's/^/    /' "$2"; failures=$((failures + 1))
    else
        echo "ok   $1"
    fi
}

# pair DIR "SERVER ARGS" "CLIENT ARGS"   (the client args may use $PORT; the server gets -p 0)
pair() {
    local dir=$1 server=$2 client=$3
    local label="$dir: $2 | $3"
    : >"$tmp/server.out"
    (cd "$dir" && eval "exec ${VALGRIND[*]} --log-file=$tmp/server.vg $server -p 0") >"$tmp/server.out" 2>&1 &
    local pid=$! tries=1000
    until grep -q '^Listening' "$tmp/server.out"; do
        tries=$((tries - 1))
        if [ $tries -eq 0 ] || ! kill -0 $pid 2>/dev/null; then
            echo "FAIL $label: the server did not start"; cat "$tmp/server.out"
            failures=$((failures + 1)); kill $pid 2>/dev/null; return
        fi
        sleep 0.01
    done
    PORT=$(sed -nE "s/^Listening.*\('[^']*', ([0-9]+)(, [0-9]+, [0-9]+)?\)$/\1/p" "$tmp/server.out" | head -n 1)
    (cd "$dir" && eval "${VALGRIND[*]} --log-file=$tmp/client.vg $client") >"$tmp/client.out" 2>&1
    kill $pid; wait $pid 2>/dev/null
    check_log "$label (client)" "$tmp/client.vg"
    check_log "$label (server)" "$tmp/server.vg"
}

# alone DIR "ARGS": a program that needs no peer
alone() {
    (cd "$1" && eval "${VALGRIND[*]} --log-file=$tmp/alone.vg $2") >/dev/null 2>&1
    check_log "$1: $2" "$tmp/alone.vg"
}

# alone_no_dns DIR "ARGS": a run that looks up a name that does not exist, with a private
# /etc/hosts and nsswitch "hosts: files" (root: unshare -m), so no DNS query leaves the
# machine and the answer is EAI_NONAME even offline; skipped, saying so, without root.
printf '127.0.0.1 localhost\n' >"$tmp/hosts"
printf 'hosts: files\n' >"$tmp/nsswitch.conf"
alone_no_dns() {
    if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
        echo "skip $1: $2 (needs root for a private /etc/hosts: no DNS query may be sent)"
        return
    fi
    local private='mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"'
    (cd "$1" && eval "unshare -m sh -c '$private' $tmp/hosts $tmp/nsswitch.conf \
        ${VALGRIND[*]} --log-file=$tmp/alone.vg $2") >/dev/null 2>&1
    check_log "$1: $2" "$tmp/alone.vg"
}

pair udp "./udp_local server" './udp_local client -p $PORT'
pair udp "./udp_remote server 127.0.0.1 -d 0" './udp_remote client 127.0.0.1 -p $PORT'
pair udp './udp_broadcast server ""' './udp_broadcast client 127.255.255.255 -p $PORT'
pair udp "./udp_multicast server 239.255.0.1 -i 127.0.0.1" './udp_multicast client 239.255.0.1 -i 127.0.0.1 -p $PORT'
alone udp "./big_sender 127.0.0.1"
alone_no_dns udp "./udp_remote client nosuch.invalid"

# Each chapter's pairs: tests/valgrind.d/CHAPTER.sh, sourced here, using pair and alone.
for extra in tests/valgrind.d/*.sh; do
    [ -f "$extra" ] && . "$extra"
done

echo "valgrind: $runs runs, $failures with errors or leaks"
[ $failures -eq 0 ]
