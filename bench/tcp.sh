# make bench: how fast do tcp_deadlock's cures go? For BENCH_BYTES (default 1 GiB) each
# cure sends the bytes through tcp_deadlock's server on loopback and checks every byte
# that comes back; then a plain one-way copy of the same amount shows the machine's
# ceiling. A measurement, not a test: nothing here judges a time. POSIX sh.
cd "$(dirname "$0")/.." || exit 1
BYTES=${BENCH_BYTES:-1073741824}
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -z "$SERVER_PID" ] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }
    wait                                # the reader of the server's output ends with it
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -O2 -Icommon -o "$TMP/tcp_copy" bench/tcp_copy.c ||
    exit 1

# The server prints a progress line per KiB; keep its Listening line and throw the rest away.
mkfifo "$TMP/server"
(cd tcp && exec ./tcp_deadlock server 127.0.0.1 -p 0) >"$TMP/server" &
SERVER_PID=$!
{ IFS= read -r line && printf '%s\n' "$line" >"$TMP/listening"; cat >/dev/null; } <"$TMP/server" &
tries=500
until [ -s "$TMP/listening" ]; do
    tries=$((tries - 1))
    [ $tries -gt 0 ] && kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: no server" >&2; exit 1; }
    sleep 0.01
done
PORT=$(sed -nE 's/^Listening.*, ([0-9]+)\)$/\1/p' "$TMP/listening")

printf '%s bytes on loopback (%s)\n\n' "$BYTES" "$(uname -sr)"
printf '%-52s %8s %9s\n' "program" "seconds" "MB/s"
for cure in tcp_deadlock_threads tcp_deadlock_poll tcp_deadlock_select; do
    result=$(cd tcp && ./$cure client 127.0.0.1 "$BYTES" -p "$PORT" | grep Elapsed) ||
        { echo "bench: $cure failed" >&2; exit 1; }
    set -- $(echo "$result" | sed -E 's/.*Elapsed ([0-9.]+) seconds: ([0-9.]+) MB.*/\1 \2/')
    printf '%-52s %8s %9s\n' "$cure (through the server, each way)" "$1" "$2"
done
result=$("$TMP/tcp_copy" "$BYTES") || { echo "bench: tcp_copy failed" >&2; exit 1; }
set -- $(echo "$result" | sed -E 's/.* in ([0-9.]+) seconds: ([0-9.]+) MB.*/\1 \2/')
printf '%-52s %8s %9s\n' "plain one-way copy (bench/tcp_copy)" "$1" "$2"
