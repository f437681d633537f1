#!/usr/bin/env bash
# make soak: every server serves many good clients in a row (tests/soak_load drives them
# from one process) while we watch its open descriptors (/proc/PID/fd) and resident memory
# (VmRSS in /proc/PID/status): after a warm-up of a tenth of the clients, neither may grow.
#     bash tests/soak.sh [SCALE] [NAME...]
# SCALE (default 1) multiplies the counts: 1000 connections per TCP server, 10,000
# datagrams per UDP server. tests/soak.bats runs it with a small SCALE. Under
# AddressSanitizer (make sanitize) memory is not compared: ASan keeps freed memory in
# quarantine on purpose, so its resident size grows; descriptors still are.
set -u
cd "$(dirname "$0")/.." || exit 1
scale=${1:-1}
shift $(($# > 0 ? 1 : 0))
RSS_SLACK_KB=256            # page-granular noise: stdio buffers, the allocator's arenas
tmp=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
runs=0

fds() { ls "/proc/$1/fd" | wc -l; }
rss() { sed -nE 's/^VmRSS:[[:space:]]+([0-9]+) kB/\1/p' "/proc/$1/status"; }

# soak NAME DIR "SERVER ARGS" MODE BASE_COUNT HEX   (the server gets -p 0; MODE as soak_load)
soak() {
    local name=$1 dir=$2 server=$3 mode=$4 count hex=$6
    count=$(awk -v base="$5" -v scale="$scale" 'BEGIN { n = int(base * scale + 0.5); print n < 10 ? 10 : n }')
    if [ ${#selected[@]} -gt 0 ] && [[ " ${selected[*]} " != *" $name "* ]]; then return; fi
    runs=$((runs + 1))
    local out="$tmp/$name.out" tries=500 port
    : >"$out"
    (cd "$dir" && eval "exec $server -p 0") >"$out" 2>"$tmp/$name.err" </dev/null &
    server_pid=$!
    until port=$(sed -nE 's/^Listening.*[ ,(]([0-9]+)\)? ?$/\1/p' "$out" | head -n 1) && [ -n "$port" ]; do
        if [ $((tries -= 1)) -eq 0 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "FAIL $name: the server did not start"; cat "$tmp/$name.err"
            failures=$((failures + 1)); kill "$server_pid" 2>/dev/null; server_pid=; return
        fi
        sleep 0.01
    done
    local warm=$((count / 10)) start end fds_before fds_after rss_before rss_after verdict=ok
    tests/soak_load "$mode" 127.0.0.1 "$port" "$warm" "$hex" >"$tmp/load.out" 2>&1 || verdict=FAIL
    fds_before=$(fds "$server_pid"); rss_before=$(rss "$server_pid")
    start=$(date +%s.%N)
    tests/soak_load "$mode" 127.0.0.1 "$port" $((count - warm)) "$hex" >>"$tmp/load.out" 2>&1 || verdict=FAIL
    end=$(date +%s.%N)
    fds_after=$(fds "$server_pid"); rss_after=$(rss "$server_pid")
    kill -0 "$server_pid" 2>/dev/null || verdict=FAIL
    [ "$fds_after" -le "$fds_before" ] || verdict=FAIL
    local memory="VmRSS $rss_before -> $rss_after kB"
    if grep -qa __asan_init "$dir/${server%% *}" 2>/dev/null; then
        memory="$memory (ASan: not compared)"
    elif [ "$rss_after" -gt $((rss_before + RSS_SLACK_KB)) ]; then
        verdict=FAIL
    fi
    local unit=connections
    [[ "$mode" == tcp* ]] || unit=datagrams
    printf '%-4s %-22s %6d %s in %.2f s; descriptors %d -> %d; %s\n' "$verdict" "$name" \
        "$count" "$unit" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$fds_before" "$fds_after" "$memory"
    if [ $verdict != ok ]; then
        failures=$((failures + 1)); sed 's/^/    /' "$tmp/load.out" "$tmp/$name.err" | head -n 20
    fi
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=
}

selected=("$@")
request=23$(printf '%094d' 0)       # an SNTP client request: version 4, mode 3, 47 zeros
soak udp_local     udp  "./udp_local server"                  udp       10000 "48656c6c6f"
soak udp_remote    udp  "./udp_remote server 127.0.0.1 -d 0"  udp       10000 "48656c6c6f"
soak udp_broadcast udp  "./udp_broadcast server 127.0.0.1"    udp-quiet 10000 "48656c6c6f"
soak udp_multicast udp  "./udp_multicast server 239.255.0.1 -i 127.0.0.1" udp-quiet 10000 "48656c6c6f"
soak sntp_server   sntp "./sntp_server 127.0.0.1"             udp       10000 "$request"
soak tcp_sixteen   tcp  "./tcp_sixteen server 127.0.0.1"      tcp       1000  "48692074686572652c20736572766572"
soak tcp_deadlock  tcp  "./tcp_deadlock server 127.0.0.1"     tcp       1000  "6361706974616c697a65207468697321"
soak tcp_closing   tcp  "./tcp_closing server halfclose 127.0.0.1" tcp  1000  "48656c6c6f"
soak tcp_file      tcp  "./tcp_file server 127.0.0.1"         tcp       1000  "6f6e650a74776f0a"
soak tcp_keepalive tcp  "./tcp_keepalive server 127.0.0.1"    tcp       1000  ""
soak reuseaddr     code "./reuseaddr"                         tcp-quiet 1000  ""

echo "soak: $runs servers, $failures failed"
[ "$runs" -gt 0 ] && [ "$failures" -eq 0 ]
