# make bench: sntp_server against chronyd, as chronyd itself sees them. chronyd runs as a
# client (-x: it never touches the clock; 127.0.0.1 only; polling every 1/16 s, minpoll
# and maxpoll -4) for BENCH_SECONDS (default 5) against sntp_server, then against a
# chronyd server on the same machine, and logs its measurements. For each server: the
# samples, how many chronyd kept (tests "111 111 1111" all passed: a rejected one failed
# e.g. the delay-deviation test), and the median peer delay of those kept. A measurement,
# not a test: nothing here judges a number. Needs root and chrony. POSIX sh.
cd "$(dirname "$0")/.." || exit 1
SECONDS_EACH=${BENCH_SECONDS:-5}
command -v chronyd >/dev/null || { echo "bench: sntp: chronyd not installed (apt-get install chrony): skipped"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "bench: sntp: chronyd needs root, even with -x: skipped"; exit 0; }
TMP=$(mktemp -d)
PIDS=
cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for FILE REGEX: until FILE has a line matching REGEX (5 s at most).
wait_for() {
    tries=500
    until grep -Eq -- "$2" "$1" 2>/dev/null; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || { echo "bench: sntp: timed out waiting for /$2/ in $1" >&2; cat "$1" >&2; exit 1; }
        sleep 0.01
    done
}

# A port nothing listens on, for the chronyd server.
free_port() { tests/free_port udp; }

(cd sntp && exec ./sntp_server 127.0.0.1 -p 0) >"$TMP/sntp_server.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TMP/sntp_server.log" '^Listening'
SNTP_PORT=$(sed -nE "s/^Listening at \('127\.0\.0\.1', ([0-9]+)\)$/\1/p" "$TMP/sntp_server.log")

CHRONY_PORT=$(free_port)
cat >"$TMP/server.conf" <<CONF
local stratum 10
allow 127.0.0.1
port $CHRONY_PORT
bindaddress 127.0.0.1
cmdport 0
pidfile $TMP/server.pid
CONF
chronyd -d -x -u root -f "$TMP/server.conf" >"$TMP/chronyd_server.log" 2>&1 </dev/null &
PIDS="$PIDS $!"
wait_for "$TMP/chronyd_server.log" 'Running with root privileges'

# measure NAME PORT: chronyd as a client of 127.0.0.1:PORT for SECONDS_EACH seconds; prints
# NAME, the samples, the kept ones and their median peer delay in microseconds.
measure() {
    mkdir -p "$TMP/$1"
    cat >"$TMP/$1/client.conf" <<CONF
server 127.0.0.1 port $2 minpoll -4 maxpoll -4 iburst
port 0
cmdport 0
pidfile $TMP/$1/client.pid
logdir $TMP/$1
log measurements
CONF
    chronyd -d -x -u root -f "$TMP/$1/client.conf" >"$TMP/$1/chronyd.log" 2>&1 </dev/null &
    client=$!
    sleep "$SECONDS_EACH"
    kill "$client" 2>/dev/null
    wait "$client" 2>/dev/null
    # Columns: date, time, address, L, St, the three test groups (123 567 ABCD), LP, RP,
    # score, offset, peer delay...
    log=$TMP/$1/measurements.log
    samples=$(grep -c '^[0-9]' "$log")
    # Kept: all three test groups passed. Their peer delays, sorted, and the middle one.
    awk '/^[0-9]/ && $6 $7 $8 == "1111111111" { print $13 }' "$log" | sort -g >"$TMP/$1/kept"
    kept=$(wc -l <"$TMP/$1/kept")
    median=$(awk -v n="$kept" '{ d[NR] = $1 }
        END { if (n == 0) print "-"; else printf "%.1f", 1e6 * (n % 2 ? d[(n + 1) / 2] : (d[n / 2] + d[n / 2 + 1]) / 2) }' "$TMP/$1/kept")
    printf '%-34s %8d %6d %22s\n' "$1" "$samples" "$kept" "$median"
}

printf 'chronyd as a client (minpoll -4 maxpoll -4) for %s s against each server on 127.0.0.1\n\n' "$SECONDS_EACH"
printf '%-34s %8s %6s %22s\n' "server" "samples" "kept" "median peer delay (us)"
measure sntp_server "$SNTP_PORT"
measure chronyd "$CHRONY_PORT"
