#!/usr/bin/env bats
# tcp/tcp_watch: the segments of a tcp_sixteen exchange on lo, as the lecture's "How TCP
# works" draws them, and the same segments saved with -w for tcpdump -r. Watching needs
# root (an AF_PACKET socket); those tests skip otherwise.

load lib/helpers

setup() {
    cd "$ROOT/tcp"
}

need_root() {
    [ "$(id -u)" -eq 0 ] || skip "tcp_watch needs root (an AF_PACKET socket); CI runs as root"
    # Root in a container may still lack CAP_NET_RAW (capability 13), which AF_PACKET needs.
    local caps
    caps=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    (((0x$caps >> 13) & 1)) || skip "tcp_watch needs CAP_NET_RAW, which this root lacks"
}

# Start a tcp_sixteen server, a watcher on its port (-t: it ends by itself in any case;
# -w: it saves what it shows), one client exchange; wait until each side has acknowledged
# the other's FIN (ack=18: SYN 1 + 16 bytes + FIN 1). Sets PORT, CLIENT ("127.0.0.1:N"),
# SERVER and WATCH (lines).
watch_one_exchange() {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch ./tcp_watch -p "$PORT" -t 60 -w "$BATS_TEST_TMPDIR/hs.pcap"
    wait_for watch "^Watching tcp port $PORT on lo$"
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ \'127\.0\.0\.1\',\ ([0-9]+)\)$ ]]
    CLIENT="127.0.0.1:${BASH_REMATCH[1]}"
    SERVER="127.0.0.1:$PORT"
    wait_for watch "^$CLIENT > $SERVER .* ack=18 "
    wait_for watch "^$SERVER > $CLIENT .* ack=18 "
    mapfile -t WATCH <"$BATS_TEST_TMPDIR/watch.out"
}

@test "a tcp_sixteen exchange: the handshake with its ISNs, 16 bytes each way, a FIN each way; seq adds up" {
    need_root
    watch_one_exchange
    [ "${WATCH[0]}" = "Watching tcp port $PORT on lo" ]
    [[ "${WATCH[1]}" =~ ^$CLIENT\ \>\ $SERVER\ SYN\ seq=0\ len=0\ win=[0-9]+\ \(ISN\ [0-9]+\)$ ]]
    [[ "${WATCH[2]}" =~ ^$SERVER\ \>\ $CLIENT\ SYN-ACK\ seq=0\ ack=1\ len=0\ win=[0-9]+\ \(ISN\ [0-9]+\)$ ]]
    [[ "${WATCH[3]}" =~ ^$CLIENT\ \>\ $SERVER\ ACK\ seq=1\ ack=1\ len=0\ win=[0-9]+$ ]]
    [ "$(grep -c '(ISN ' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
    # The messages, each acknowledged by its byte count; then the close.
    grep -Eqx "$CLIENT > $SERVER PSH-ACK seq=1 ack=1 len=16 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    grep -Eqx "$SERVER > $CLIENT PSH-ACK seq=1 ack=17 len=16 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    [ "$(grep -c ' len=16 ' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
    [ "$(grep -c ' len=0 ' "$BATS_TEST_TMPDIR/watch.out")" -eq $((${#WATCH[@]} - 3)) ]
    grep -Eqx "$CLIENT > $SERVER FIN-ACK seq=17 ack=(17|18) len=0 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    grep -Eqx "$SERVER > $CLIENT FIN-ACK seq=17 ack=(17|18) len=0 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    [ "$(grep -c 'FIN' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
    run grep -c 'RST' "$BATS_TEST_TMPDIR/watch.out"
    [ "$output" = 0 ]
    # For every segment: seq must be where that side's previous segment ended (SYN and
    # FIN count 1).
    awk '
        NR == 1 { next }
        {
            side = $1; flags = $4
            seq = $5; sub(/^seq=/, "", seq)
            len = $0; sub(/.* len=/, "", len); sub(/ .*/, "", len)
            if (side in next_seq && seq != next_seq[side]) {
                print "line " NR ": " side " sent seq " seq ", expected " next_seq[side]
                bad = 1
            }
            next_seq[side] = seq + len + (flags ~ /SYN/) + (flags ~ /FIN/)
            checked++
        }
        END { if (checked < 8) { print "only " checked " segments"; bad = 1 } exit bad }
    ' "$BATS_TEST_TMPDIR/watch.out"
}

# One line a segment, "FROM > TO FLAGS len=N win=N", the flags as tcpdump's letters in
# one order (S F R P U . E W: SYN FIN RST PSH URG ACK ECE CWR), from tcp_watch's lines
# (out NAME) or from tcpdump -r's (on stdin).
canonical_flags='function canonical(letters,   order, i, c, out) {
        order = "SFRPU.EW"; out = ""
        for (i = 1; i <= length(order); i++) { c = substr(order, i, 1); if (index(letters, c)) out = out c }
        return out == "" ? "none" : out }'
watched_segments() {
    awk "$canonical_flags"'
        NR > 1 { names = $4; letters = ""
            n = split("SYN S FIN F RST R PSH P URG U ACK . ECE E CWR W", map, " ")
            for (i = 1; i < n; i += 2) if (("-" names "-") ~ ("-" map[i] "-")) letters = letters map[i + 1]
            len = $0; sub(/.* len=/, "", len); sub(/ .*/, "", len)
            win = $0; sub(/.* win=/, "", win); sub(/ .*/, "", win)
            print $1, ">", $3, canonical(letters), "len=" len, "win=" win }' "$BATS_TEST_TMPDIR/$1.out"
}
dumped_segments() {
    awk "$canonical_flags"'
        function address(a) { sub(/:$/, "", a); match(a, /\.[0-9]+$/); return substr(a, 1, RSTART - 1) ":" substr(a, RSTART + 1) }
        { flags = $0; sub(/.*Flags \[/, "", flags); sub(/\].*/, "", flags)
          len = $0; sub(/.* length /, "", len)
          win = $0; sub(/.* win /, "", win); sub(/,.*/, "", win)
          print address($3), ">", address($5), canonical(flags), "len=" len, "win=" win }'
}

@test "-w FILE saves the segments shown as a pcap file: tcpdump -r reads the same segments and flags" {
    need_root
    command -v tcpdump >/dev/null || skip "needs tcpdump to read the capture file back"
    watch_one_exchange
    kill "$PID_watch"                       # as Ctrl+C does: each frame is already written
    wait_exit "$PID_watch"
    run --separate-stderr tcpdump -r "$BATS_TEST_TMPDIR/hs.pcap" -n -S
    [ "$status" -eq 0 ]
    [ "$stderr" = "reading from file $BATS_TEST_TMPDIR/hs.pcap, link-type LINUX_SLL (Linux cooked v1), snapshot length 65536" ]
    [ "${#lines[@]}" -eq $((${#WATCH[@]} - 1)) ]
    [ "$(dumped_segments <<<"$output")" = "$(watched_segments watch)" ]
    # The first two segments are the SYNs: tcpdump -S shows each one's ISN as its seq.
    [[ "${lines[0]}" == *" Flags [S], seq $(sed -nE '2s/.*\(ISN ([0-9]+)\)$/\1/p' "$BATS_TEST_TMPDIR/watch.out"), "* ]]
    [[ "${lines[1]}" == *" Flags [S.], seq $(sed -nE '3s/.*\(ISN ([0-9]+)\)$/\1/p' "$BATS_TEST_TMPDIR/watch.out"), "* ]]
}

# Wait (at most 5 s) until every connection in the watch output has ended: the last
# segment of each is the client's ACK of the server's FIN.
wait_for_closes() {
    local tries=500
    until awk -v server="$1" -v want="$2" '
        $3 == server && $4 ~ /FIN/ { fin[$1] = 1 }
        $1 == server && $4 ~ /FIN/ { finned[$3] = 1; acked[$3] = 0 }
        $3 == server && $4 == "ACK" && finned[$1] { acked[$1] = 1 }
        END { for (c in acked) n += acked[c]; exit !(n == want) }' "$BATS_TEST_TMPDIR/watch.out"; do
        ((tries-- > 0)) || { cat "$BATS_TEST_TMPDIR/watch.out" >&2; return 1; }
        sleep 0.01
    done
}

@test "two overlapping connections to one port each get numbers relative to their own ISNs" {
    need_root
    # The server takes connection 1 and reads it to the end; connection 2 is made (its
    # handshake done by the kernel) and closed while connection 1 is still open.
    start_server server ../tests/tcp_peer -l -n 2 127.0.0.1 0 drain
    spawn watch ./tcp_watch -p "$PORT" -t 60
    wait_for watch "^Watching tcp port $PORT on lo$"
    spawn first ../tests/tcp_peer 127.0.0.1 "$PORT" send hello await "$BATS_TEST_TMPDIR/go" send again
    wait_for watch " len=5 "
    run ../tests/tcp_peer 127.0.0.1 "$PORT" send second
    [ "$status" -eq 0 ]
    touch "$BATS_TEST_TMPDIR/go"
    wait_for server "^b'second'$"
    wait_for_closes "127.0.0.1:$PORT" 2
    # Nobody sends more than 11 bytes: every relative seq and ack is small.
    awk '$1 != "Watching" { for (i = 5; i <= 6; i++) if ($i ~ /^(seq|ack)=/) {
            n = $i; sub(/.*=/, "", n); if (n + 0 > 20) { print "line " NR ": " $0; bad = 1 } } }
         END { exit bad }' "$BATS_TEST_TMPDIR/watch.out"
    [ "$(grep -c '(ISN ' "$BATS_TEST_TMPDIR/watch.out")" -eq 4 ]
}

# The ladder's arrows as "DIRECTION FLAGS seq=N [ack=N] len=N win=N [wscale=N]", one a line
# (-> client to server, <- server to client); and the plain lines the same way.
arrows() {
    awk '$2 ~ /^\|/ { line = ($2 ~ /</ ? "<-" : "->") " " $3; len = " len=0"
        for (i = 4; i < NF; i++) if ($i ~ /^len=/) len = " " $i; else if ($i ~ /^(seq|ack)=/) line = line " " $i
        for (i = 4; i < NF; i++) if ($i ~ /^(win|wscale)=/) { if (len) { line = line len; len = "" } line = line " " $i }
        print line }' "$BATS_TEST_TMPDIR/$1.out"
}
plain_arrows() {
    awk -v client="$CLIENT" 'NR > 1 { line = ($1 == client ? "->" : "<-") " " $4
        for (i = 5; i <= NF; i++) if ($i ~ /^(seq|ack|len|win)=/) line = line " " $i
        print line }' "$BATS_TEST_TMPDIR/watch.out"
}

@test "--ladder draws a tcp_sixteen exchange: an arrow a segment, client on the left, windows in bytes" {
    need_root
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch ./tcp_watch -p "$PORT" -t 60
    spawn ladder ./tcp_watch --ladder -p "$PORT" -t 60
    wait_for watch "^Watching tcp port $PORT on lo$"
    wait_for ladder "^Watching tcp port $PORT on lo$"
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ \'127\.0\.0\.1\',\ ([0-9]+)\)$ ]]
    CLIENT="127.0.0.1:${BASH_REMATCH[1]}"
    wait_for ladder '^#1 +\|------ .* ack=18 '
    wait_for ladder '^#1 +\|<----- .* ack=18 '
    wait_for watch "^$CLIENT > .* ack=18 "
    wait_for watch " > $CLIENT .* ack=18 "
    [[ "$(sed -n 2p "$BATS_TEST_TMPDIR/ladder.out")" =~ ^#1\ +client\ $CLIENT\ +server\ 127\.0\.0\.1:$PORT$ ]]
    [ "$(grep -vc '^#1    |' "$BATS_TEST_TMPDIR/ladder.out")" -eq 2 ]    # the two lines above
    mapfile -t DRAWN < <(arrows ladder)
    mapfile -t PLAIN < <(plain_arrows)
    # The same segments as the plain lines, in the same order and direction.
    [ "${#DRAWN[@]}" -eq "${#PLAIN[@]}" ]
    for i in "${!DRAWN[@]}"; do
        [ "${DRAWN[i]% win=*}" = "${PLAIN[i]% win=*}" ]
    done
    [[ "${DRAWN[0]}" =~ ^"-> SYN seq=0 len=0 win="[0-9]+" wscale="[0-9]+$ ]]
    [[ "${DRAWN[1]}" =~ ^"<- SYN-ACK seq=0 ack=1 len=0 win="[0-9]+" wscale="[0-9]+$ ]]
    [[ "${DRAWN[2]}" =~ ^"-> ACK seq=1 ack=1 len=0 win=" ]]
    # From the first FIN on: only FINs and ACKs, one FIN each way, an ACK last.
    local tail
    tail=$(printf '%s\n' "${DRAWN[@]}" | sed -n '/FIN/,$p' | cut -d' ' -f1-2)
    [ "$(grep -cvE '^(->|<-) (FIN-ACK|ACK)$' <<<"$tail")" -eq 0 ]
    [ "$(grep -c '^-> FIN-ACK$' <<<"$tail")" -eq 1 ]
    [ "$(grep -c '^<- FIN-ACK$' <<<"$tail")" -eq 1 ]
    [[ "$(tail -n 1 <<<"$tail")" =~ ^(->|<-)\ ACK$ ]]
    # Each window in bytes: the raw field (the plain line's) times 2 to its sender's SYN
    # wscale; a SYN's own window is never scaled.
    paste -d' ' <(arrows ladder) <(plain_arrows | sed 's/.* win=/plainwin=/') | awk '
        { win = $0; sub(/.* win=/, "", win); sub(/ .*/, "", win); raw = $NF; sub(/.*=/, "", raw) }
        $2 ~ /SYN/ { scale[$1] = $0; sub(/.*wscale=/, "", scale[$1]); sub(/ .*/, "", scale[$1])
                     if (win != raw) { print "SYN window changed: " $0; bad = 1 } next }
        { if (win != raw * 2 ^ scale[$1]) { print "not scaled: " $0; bad = 1 } n++ }
        END { if (n < 6) { print "only " n " scaled windows"; bad = 1 } exit bad }'
}

@test "--ladder draws a refused connection as two arrows: SYN, then RST-ACK back" {
    need_root
    port=$(free_tcp_port)
    spawn ladder ./tcp_watch --ladder -p "$port" -c 2 -t 60
    wait_for ladder "^Watching tcp port $port on lo$"
    run ./tcp_sixteen client 127.0.0.1 -p "$port"
    [ "$status" -eq 1 ]
    wait_exit "$PID_ladder"
    mapfile -t LADDER <"$BATS_TEST_TMPDIR/ladder.out"
    [ "${#LADDER[@]}" -eq 4 ]
    [[ "${LADDER[1]}" =~ ^#1\ +client\ 127\.0\.0\.1:[0-9]+\ +server\ 127\.0\.0\.1:$port$ ]]
    [[ "${LADDER[2]}" =~ ^"#1    |------ SYN seq=0 win="[0-9]+" wscale="[0-9]+" "-+">|"$ ]]
    [[ "${LADDER[3]}" =~ ^"#1    |<----- RST-ACK seq=0 ack=1 win=0 "-+"|"$ ]]
}

@test "--ladder gives overlapping connections a number and a header each" {
    need_root
    start_server server ../tests/tcp_peer -l -n 2 127.0.0.1 0 drain
    spawn ladder ./tcp_watch --ladder -p "$PORT" -t 60
    wait_for ladder "^Watching tcp port $PORT on lo$"
    spawn first ../tests/tcp_peer 127.0.0.1 "$PORT" send hello await "$BATS_TEST_TMPDIR/go" send again
    wait_for ladder '^#1 +\|------ PSH-ACK seq=1 ack=1 len=5 '
    run ../tests/tcp_peer 127.0.0.1 "$PORT" send second
    touch "$BATS_TEST_TMPDIR/go"
    wait_for ladder '^#1 +\|------ PSH-ACK seq=6 ack=1 len=5 '
    wait_for ladder '^#2 +\|------ PSH-ACK seq=1 ack=1 len=6 '
    [ "$(grep -c '^#[0-9] *client ' "$BATS_TEST_TMPDIR/ladder.out")" -eq 2 ]
    [ "$(grep -c '^#1    |------ SYN ' "$BATS_TEST_TMPDIR/ladder.out")" -eq 1 ]
    [ "$(grep -c '^#2    |------ SYN ' "$BATS_TEST_TMPDIR/ladder.out")" -eq 1 ]
}

@test "--ladder shows tcp_closing reset: #1 closes with FINs, #2 ends in one RST-ACK from the client" {
    need_root
    start_server server ./tcp_closing server reset 127.0.0.1 -p 0
    spawn ladder ./tcp_watch --ladder -p "$PORT" -t 60
    wait_for ladder "^Watching tcp port $PORT on lo$"
    run ./tcp_closing client reset 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for server 'ECONNRESET'
    wait_for ladder '^#2 +\|------ RST-ACK seq=1 ack=1 '
    [ "$(grep -c '^#1 .*FIN' "$BATS_TEST_TMPDIR/ladder.out")" -eq 2 ]
    [ "$(grep -c '^#1 .*RST' "$BATS_TEST_TMPDIR/ladder.out")" -eq 0 ]
    mapfile -t SECOND < <(grep '^#2    |' "$BATS_TEST_TMPDIR/ladder.out" | awk '{ print $2, $3 }')
    [ "${SECOND[*]}" = "|------ SYN |<----- SYN-ACK |------ ACK |------ RST-ACK" ]
}

@test "--ladder marks the raw window with '?' on a connection whose SYNs it never saw" {
    need_root
    command -v ss >/dev/null || skip "needs ss (iproute2) to see the connection open"
    start_server server ../tests/tcp_peer -l 127.0.0.1 0 drain
    spawn client ../tests/tcp_peer 127.0.0.1 "$PORT" await "$BATS_TEST_TMPDIR/go" send hello
    local tries=500
    until [ -n "$(ss -tnH state established "( dport = :$PORT )")" ]; do
        ((tries-- > 0)) || false
        sleep 0.01
    done
    spawn ladder ./tcp_watch --ladder -p "$PORT" -t 60
    wait_for ladder "^Watching tcp port $PORT on lo$"
    touch "$BATS_TEST_TMPDIR/go"
    wait_for server "^b'hello'$"
    wait_for ladder ' len=5 win=[0-9]+\? '
    # Every arrow: no SYN, so no scale, so the raw field with its '?' (or a zero window).
    [ "$(grep -c '^#1    |' "$BATS_TEST_TMPDIR/ladder.out")" -ge 3 ]
    [ "$(grep '^#1    |' "$BATS_TEST_TMPDIR/ladder.out" | grep -cvE ' win=([0-9]+\?|0) ')" -eq 0 ]
}

@test "-c COUNT stops by itself after COUNT segments, exit 0" {
    need_root
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch ./tcp_watch -p "$PORT" -c 3 -t 60
    wait_for watch "^Watching tcp port $PORT on lo$"
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_exit "$PID_watch"
    wait "$PID_watch"                       # its exit status
    [ "$(wc -l <"$BATS_TEST_TMPDIR/watch.out")" -eq 4 ]
    [ "$(sed -n 4p "$BATS_TEST_TMPDIR/watch.out" | cut -d' ' -f4)" = "ACK" ]
}

@test "without root it says so in one line and exits 1" {
    if [ "$(id -u)" -eq 0 ]; then
        command -v setpriv >/dev/null || skip "needs setpriv (util-linux) to drop root"
        run setpriv --reuid=65534 --regid=65534 --clear-groups ./tcp_watch
    else
        run ./tcp_watch
    fi
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: socket AF_PACKET: EPERM Operation not permitted (watching packets needs root: sudo ./tcp_watch)" ]
}

@test "an unknown interface is one line naming it, escaped and cut at 256 bytes, exit 1" {
    run ./tcp_watch -i nosuch0
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: no interface named 'nosuch0' (see: ip link)" ]
    run ./tcp_watch -i $'\x1b[31mRED'
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: no interface named '\\x1b[31mRED' (see: ip link)" ]
    run ./tcp_watch -i "$(printf '%0300d' 0)"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: no interface named '$(printf '%0256d' 0)' (see: ip link)" ]
}

@test "bad numbers and extra arguments are usage errors, exit 2; -h exits 0" {
    local usage="usage: tcp_watch [-h] [-i IFACE] [-p PORT] [-c COUNT] [-t SECONDS] [-w FILE]"
    for option in "-c x" "-c -1" "-t x" "-t -1" "-t 9999999999" "-p 70000" "-w" "-w -h" "-i" "-i -h"; do
        run ./tcp_watch $option
        [ "$status" -eq 2 ]
        [ "${lines[0]}" = "$usage" ]
        [ "${lines[1]}" = "                 [--ladder]" ]
    done
    [ "${lines[-1]}" = "tcp_watch: error: argument -i: expected one argument" ]
    run ./tcp_watch -p 70000
    [ "${lines[-1]}" = "tcp_watch: error: argument -p: invalid value: '70000' (must be 0..65535)" ]
    run ./tcp_watch -c x
    [ "${lines[-1]}" = "tcp_watch: error: argument -c: invalid int value: 'x'" ]
    run ./tcp_watch -t 1.5x
    [ "${lines[-1]}" = "tcp_watch: error: argument -t: invalid float value: '1.5x'" ]
    run ./tcp_watch -t 2147484              # a day at most: its milliseconds overflow an int
    [ "${lines[-1]}" = "tcp_watch: error: argument -t: invalid value: '2147484' (must be 0..86400)" ]
    run ./tcp_watch -w -h
    [ "${lines[-1]}" = "tcp_watch: error: argument -w: expected one argument" ]
    run ./tcp_watch extra more
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_watch: error: unrecognized arguments: extra more" ]
    run ./tcp_watch --bogus
    [ "$status" -eq 2 ]
    [ "${lines[-1]}" = "tcp_watch: error: unrecognized arguments: --bogus" ]
    run ./tcp_watch -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$usage" ]
    [ "${lines[-2]}" = "  --ladder    draw each connection as a ladder diagram: client left, server" ]
    [ "${lines[-1]}" = "              right" ]
}

@test "-t takes decimal seconds up to a day: -t 0.2 stops after 0.2 s, -t 86400 watches on" {
    need_root
    port=$(free_tcp_port)
    start=$(date +%s%N)
    run ./tcp_watch -p "$port" -t 0.2
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$status" -eq 0 ]
    [ "$output" = "Watching tcp port $port on lo" ]
    [ "$elapsed_ms" -ge 190 ]
    [ "$elapsed_ms" -lt 3000 ]
    spawn watch ./tcp_watch -p "$port" -t 86400
    wait_for watch "^Watching tcp port $port on lo$"
    run ../tests/tcp_peer 127.0.0.1 "$port"
    [ "$status" -eq 1 ]                     # refused: nobody listens
    wait_for watch "^127\.0\.0\.1:$port > .* RST-ACK "
    kill -0 "$PID_watch"
}

@test "stdout closed at the start is /dev/null, never its packet socket; a failing one is one line, exit 1" {
    need_root
    port=$(free_tcp_port)
    spawn watch sh -c 'exec ./tcp_watch -p "$1" -t 60 >&-' sh "$port"
    local tries=500
    until readlink "/proc/$PID_watch/fd/"* 2>/dev/null | grep -q '^socket:'; do
        ((tries-- > 0)) || false
        sleep 0.01
    done
    [ "$(readlink "/proc/$PID_watch/fd/1")" = /dev/null ]
    run --separate-stderr sh -c './tcp_watch -p "$1" -t 0.01 >/dev/full' sh "$port"
    [ "$status" -eq 1 ]
    [ "$stderr" = "tcp_watch: write to stdout: ENOSPC No space left on device" ]
}

@test "-w FILE that cannot be written is one line naming it, exit 1" {
    need_root
    run ./tcp_watch -t 0.01 -w /dev/full
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: write '/dev/full': ENOSPC No space left on device" ]
    run ./tcp_watch -t 0.01 -w "$BATS_TEST_TMPDIR/no/such/dir/hs.pcap"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: open '$BATS_TEST_TMPDIR/no/such/dir/hs.pcap': ENOENT No such file or directory" ]
}

@test "with ECN on, the SYN shows as SYN-ECE-CWR and the SYN-ACK as SYN-ACK-ECE, in tcpdump -r too" {
    need_root
    in_namespace
    $NS sysctl -qw net.ipv4.tcp_ecn=1       # this namespace's own: ask for ECN on each SYN
    start_server server $NS ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch $NS ./tcp_watch -p "$PORT" -c 3 -t 60 -w "$BATS_TEST_TMPDIR/ecn.pcap"
    wait_for watch "^Watching tcp port $PORT on lo$"
    run $NS ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_exit "$PID_watch"
    mapfile -t WATCH <"$BATS_TEST_TMPDIR/watch.out"
    [[ "${WATCH[1]}" =~ " SYN-ECE-CWR seq=0 len=0 " ]]
    [[ "${WATCH[2]}" =~ " SYN-ACK-ECE seq=0 ack=1 len=0 " ]]
    [[ "${WATCH[3]}" =~ " ACK seq=1 ack=1 len=0 " ]]
    command -v tcpdump >/dev/null || skip "needs tcpdump to read the capture file back"
    run --separate-stderr tcpdump -r "$BATS_TEST_TMPDIR/ecn.pcap" -n
    [[ "${lines[0]}" == *" Flags [SEW], "* ]]
    [[ "${lines[1]}" == *" Flags [S.E], "* ]]
}

@test "experiment: without the ISN remembered, seq and ack are the wire's: the SYN's seq is its ISN" {
    need_root
    build_without_experiment tcp_watch.c "$BATS_TEST_TMPDIR/tcp_watch"
    grep -qx '//         from->isn = s->sequence;' "$BATS_TEST_TMPDIR/tcp_watch.c"
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch "$BATS_TEST_TMPDIR/tcp_watch" -p "$PORT" -c 3 -t 60
    wait_for watch "^Watching tcp port $PORT on lo$"
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_exit "$PID_watch"
    mapfile -t WATCH <"$BATS_TEST_TMPDIR/watch.out"
    # The client's SYN: seq=ISN; the server's SYN-ACK: its own ISN, and ack = client ISN + 1.
    [[ "${WATCH[1]}" =~ \ SYN\ seq=([0-9]+)\ len=0\ win=[0-9]+\ \(ISN\ ([0-9]+)\)$ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
    client_isn=${BASH_REMATCH[1]}
    [[ "${WATCH[2]}" =~ \ SYN-ACK\ seq=([0-9]+)\ ack=([0-9]+)\ len=0\ win=[0-9]+\ \(ISN\ ([0-9]+)\)$ ]]
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[3]}" ]
    [ "${BASH_REMATCH[2]}" = $(((client_isn + 1) % 4294967296)) ]
    [[ "${WATCH[3]}" =~ \ ACK\ seq=$(((client_isn + 1) % 4294967296))\ ack=$(((BASH_REMATCH[1] + 1) % 4294967296))\  ]]
}
