#!/usr/bin/env bats
# tcp/tcp_watch: the segments of a tcp_sixteen exchange on lo, as the lecture's "How TCP
# works" draws them. Watching needs root (an AF_PACKET socket); those tests skip otherwise.

load helpers

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

# Start a tcp_sixteen server, a watcher on its port (-t: it ends by itself in any case),
# one client exchange; wait until each side has acknowledged the other's FIN (ack=18:
# SYN 1 + 16 bytes + FIN 1). Sets PORT, CLIENT ("127.0.0.1:N"), SERVER and WATCH (lines).
watch_one_exchange() {
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch ./tcp_watch -p "$PORT" -t 10
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

@test "around a tcp_sixteen exchange it shows the three-way handshake with each side's ISN" {
    need_root
    watch_one_exchange
    [ "${WATCH[0]}" = "Watching tcp port $PORT on lo" ]
    [[ "${WATCH[1]}" =~ ^$CLIENT\ \>\ $SERVER\ SYN\ seq=0\ len=0\ win=[0-9]+\ \(ISN\ [0-9]+\)$ ]]
    [[ "${WATCH[2]}" =~ ^$SERVER\ \>\ $CLIENT\ SYN-ACK\ seq=0\ ack=1\ len=0\ win=[0-9]+\ \(ISN\ [0-9]+\)$ ]]
    [[ "${WATCH[3]}" =~ ^$CLIENT\ \>\ $SERVER\ ACK\ seq=1\ ack=1\ len=0\ win=[0-9]+$ ]]
    [ "$(grep -c '(ISN ' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
}

@test "it shows the two 16-byte messages, each acknowledged by its byte count" {
    need_root
    watch_one_exchange
    grep -Eqx "$CLIENT > $SERVER PSH-ACK seq=1 ack=1 len=16 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    grep -Eqx "$SERVER > $CLIENT PSH-ACK seq=1 ack=17 len=16 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    [ "$(grep -c ' len=16 ' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
    [ "$(grep -c ' len=0 ' "$BATS_TEST_TMPDIR/watch.out")" -eq $((${#WATCH[@]} - 3)) ]
}

@test "it shows the close: a FIN from each side at seq 17, each acknowledged with ack 18" {
    need_root
    watch_one_exchange
    grep -Eqx "$CLIENT > $SERVER FIN-ACK seq=17 ack=(17|18) len=0 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    grep -Eqx "$SERVER > $CLIENT FIN-ACK seq=17 ack=(17|18) len=0 win=[0-9]+" "$BATS_TEST_TMPDIR/watch.out"
    [ "$(grep -c 'FIN' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
    ! grep -q 'RST' "$BATS_TEST_TMPDIR/watch.out"
}

@test "each side's next seq is its previous seq plus the payload length (SYN and FIN count 1)" {
    need_root
    watch_one_exchange
    # For every segment: seq must be where that side's previous segment ended.
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

@test "-c COUNT stops by itself after COUNT segments, exit 0" {
    need_root
    start_server server ./tcp_sixteen server 127.0.0.1 -p 0
    spawn watch ./tcp_watch -p "$PORT" -c 3 -t 10
    wait_for watch "^Watching tcp port $PORT on lo$"
    run ./tcp_sixteen client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_exit "$PID_watch"
    wait "$PID_watch"                       # its exit status
    [ "$(wc -l <"$BATS_TEST_TMPDIR/watch.out")" -eq 4 ]
    [ "$(sed -n 4p "$BATS_TEST_TMPDIR/watch.out" | cut -d' ' -f4)" = "ACK" ]
}

@test "-t SECONDS stops by itself when nothing comes, exit 0" {
    need_root
    port=$(free_tcp_port)
    start=$SECONDS
    run ./tcp_watch -p "$port" -t 1
    [ "$status" -eq 0 ]
    [ "$output" = "Watching tcp port $port on lo" ]
    [ $((SECONDS - start)) -le 3 ]
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

@test "an unknown interface is one line naming it, exit 1" {
    run ./tcp_watch -i nosuch0
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_watch: no interface named 'nosuch0' (see: ip link)" ]
}

@test "bad numbers and extra arguments are usage errors, exit 2; -h exits 0" {
    for option in "-c x" "-c -1" "-t 1.5" "-t 9999999999" "-p 70000"; do
        run ./tcp_watch $option
        [ "$status" -eq 2 ]
        [ "${lines[0]}" = "usage: tcp_watch [-h] [-i IFACE] [-p PORT] [-c COUNT] [-t SECONDS]" ]
    done
    [ "${lines[1]}" = "tcp_watch: error: argument -p: invalid port: '70000' (must be 0..65535)" ]
    run ./tcp_watch -c x
    [ "${lines[1]}" = "tcp_watch: error: argument -c: invalid int value: 'x'" ]
    run ./tcp_watch extra
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "tcp_watch: error: unrecognized arguments: extra" ]
    run ./tcp_watch -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: tcp_watch [-h] [-i IFACE] [-p PORT] [-c COUNT] [-t SECONDS]" ]
}
