#!/usr/bin/env bats
# Hostile peers against the UDP chapter (tests/hostile_udp): servers take random binary
# datagrams of every size, from senders gone before the reply, and still answer the next
# good client; clients show a garbage reply escaped on one line. As root (tests/udp_forge,
# a raw socket), datagrams with a forged source: udp_remote's server never answers its own
# address and port, nor port 0, and two servers made to answer each other ping-pong until
# one drops the datagram (the guide's reflection loop).

load lib/helpers

setup() {
    cd "$ROOT/udp"
    NS=
}

teardown() {
    kill_spawned
    [ -z "$NS" ] || ip netns delete "$NS"
}

# Every line the server printed after its Listening line is one whole line in the form
# PATTERN, escaped: no control character and valid UTF-8, whatever the datagrams held.
assert_clean_lines() {
    local name=$1 pattern=$2 file="$BATS_TEST_TMPDIR/$1.out"
    run grep -cvE "$pattern|^Listening" "$file"
    [ "$output" = 0 ] || { grep -nvE "$pattern|^Listening" "$file" | head -c 600; false; }
    [ "$(LC_ALL=C grep -c '[[:cntrl:]]' "$file")" = 0 ] ||
        { LC_ALL=C grep -n '[[:cntrl:]]' "$file" | cat -v | head -c 600; false; }
    iconv -f UTF-8 -t UTF-8 "$file" >/dev/null
    [ ! -s "$BATS_TEST_TMPDIR/$name.err" ] || { err "$name"; false; }
}

# Run CMD (a client sending one good datagram) until server NAME prints a line matching
# REGEX: a datagram that meets a receive queue still full of the flood is dropped, as UDP
# may drop it, and a slow (sanitizer) build drains the queue slowly. At most 5 tries.
until_seen() {
    local name=$1 regex=$2 try
    shift 2
    for try in 1 2 3 4 5; do
        "$@" || return 1
        wait_for "$name" "$regex" 2 2>/dev/null && return 0
    done
    wait_for "$name" "$regex" 1
}

# The lines a server prints for one datagram, whatever the quotes its repr chose.
SAYS="^The client at \('127\.0\.0\.1', [0-9]+\) says:? ('.*'|\".*\")$"

@test "udp_local server: 100 random datagrams of 0 to 65,507 bytes, then a good client is answered" {
    start_server server ./udp_local server -p 0
    run "$ROOT/tests/hostile_udp" 127.0.0.1 "$PORT" 100
    echo "$output"                                  # the seed, to replay a failure
    [ "$status" -eq 0 ]
    for _ in 1 2 3; do                              # the flood may drop the first request
        run timeout 3 ./udp_local client -p "$PORT"
        [ "$status" -ne 0 ] || break
    done
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" =~ ^The\ server\ \(\'127\.0\.0\.1\',\ $PORT\)\ replied\ \'Your\ data\ was\ [0-9]+\ bytes\ long\'$ ]]
    wait_for server "says 'The time is "
    assert_clean_lines server "$SAYS"
}

@test "udp_remote server: 100 random datagrams, then a good client is answered" {
    start_server server ./udp_remote server 127.0.0.1 -d 0 -p 0
    run "$ROOT/tests/hostile_udp" 127.0.0.1 "$PORT" 100
    echo "$output"
    [ "$status" -eq 0 ]
    # The server may still be printing the flood when the request comes, and a full receive
    # queue drops it as UDP may: the client's backoff (up to 3.2 s here) is the cure.
    run timeout 10 ./udp_remote client 127.0.0.1 -p "$PORT" -w 3.2
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "The server says 'Your data was 23 bytes long'" ]
    wait_for server "says 'This is another message'$"
    assert_clean_lines server "$SAYS"
}

@test "udp_broadcast server: 100 random datagrams, then a good broadcast is shown" {
    start_server server ./udp_broadcast server "" -p 0
    run "$ROOT/tests/hostile_udp" 127.0.0.1 "$PORT" 100
    echo "$output"
    [ "$status" -eq 0 ]
    until_seen server "says: 'Broadcast datagram!'$" ./udp_broadcast client 127.255.255.255 -p "$PORT"
    assert_clean_lines server "$SAYS"
}

# What the fake server answers, as Python's repr shows it (then bytes 0x00 to 0xff).
GARBAGE="'\\\\x1b\[31mGARBAGE\\\\x00\\\\r\\\\n\\\\xff\\\\xfe\\\\'\"\\\\\\\\\\\\x00\\\\x01\\\\x02"

@test "udp_local client: a garbage reply is shown escaped on one line, exit 0" {
    start_server fake "$ROOT/tests/hostile_udp" -l 127.0.0.1 0 1
    run timeout 5 ./udp_local client -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[1]}" =~ ^The\ server\ \(\'127\.0\.0\.1\',\ $PORT\)\ replied\ $GARBAGE.*\'$ ]]
    [ "$(LC_ALL=C grep -c '[[:cntrl:]]' <<<"$output")" = 0 ]
}

@test "udp_remote client: a garbage reply is shown escaped on one line, exit 0" {
    start_server fake "$ROOT/tests/hostile_udp" -l 127.0.0.1 0 1
    run timeout 5 ./udp_remote client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [[ "${lines[2]}" =~ ^The\ server\ says\ $GARBAGE.*\'$ ]]
    [ "$(LC_ALL=C grep -c '[[:cntrl:]]' <<<"$output")" = 0 ]
}

@test "udp_multicast server: 100 random datagrams, then a good multicast is shown" {
    # As root in a network namespace of the test's own (only lo), as udp_multicast.bats
    # does, so no datagram to the group leaves a namespace the test made; else on lo.
    local in_ns=()
    if [ "$(id -u)" -eq 0 ]; then
        NS="b$BATS_ROOT_PID-hostile-mcast"
        ip netns add "$NS"
        ip -n "$NS" link set lo up
        in_ns=(ip netns exec "$NS")
    fi
    start_server server "${in_ns[@]}" ./udp_multicast server 239.255.0.1 -i 127.0.0.1 -p 0
    run "${in_ns[@]}" "$ROOT/tests/hostile_udp" 127.0.0.1 "$PORT" 100
    echo "$output"
    [ "$status" -eq 0 ]
    until_seen server "says: 'Multicast datagram!'$" \
        timeout 5 "${in_ns[@]}" ./udp_multicast client 239.255.0.1 -i 127.0.0.1 -p "$PORT"
    kill -0 "$PID_server"
    assert_clean_lines server "$SAYS"
}

# How many lines of servers a and b match REGEX.
count() { cat "$BATS_TEST_TMPDIR"/{a,b}.out | grep -c -- "$1" || true; }

need_raw_socket() {
    [ "$(id -u)" -eq 0 ] || skip "forging a source address needs a raw socket: root"
}

@test "udp_remote server: a datagram forged from its own address and port is ignored, not answered forever" {
    need_raw_socket
    n=0
    for interface in 127.0.0.1 ""; do
        name=server$((++n))
        start_server "$name" ./udp_remote server "$interface" -p 0 -d 0
        "$ROOT/tests/udp_forge" 127.0.0.1 "$PORT" 127.0.0.1 "$PORT" hello
        wait_for "$name" "'hello'$|^Ignoring"
        run "$ROOT/tests/udp_probe" 127.0.0.1 "$PORT" 5
        [ "$output" = "'Your data was 5 bytes long'" ]
        [ "$(grep -c ' says ' "$BATS_TEST_TMPDIR/$name.out")" -eq 1 ]
        [ "$(sed -n 2p "$BATS_TEST_TMPDIR/$name.out")" = "Ignoring a datagram from ('127.0.0.1', $PORT): the server's own address and port" ]
    done
}

@test "udp_remote server: a datagram forged from port 0 is ignored: no reply can go there" {
    need_raw_socket
    start_server server ./udp_remote server 127.0.0.1 -p 0 -d 0
    "$ROOT/tests/udp_forge" 127.0.0.1 0 127.0.0.1 "$PORT" hello
    wait_for server "^Ignoring"
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/server.out")" = "Ignoring a datagram from ('127.0.0.1', 0): port 0" ]
    [ -z "$(err server)" ]
}

@test "EXPERIMENT (udp_remote): two servers pointed at each other ping-pong one forged datagram until -d 0.5 drops it" {
    need_raw_socket
    start_server a ./udp_remote server 127.0.0.1 -p 0 -d 0.5
    port_a=$PORT
    start_server b ./udp_remote server 127.0.0.1 -p 0 -d 0.5
    port_b=$PORT
    # One forged datagram "from" A to B starts a rally; each server drops half of what it
    # gets, so each rally ends after a few answers with one drop. Serve rallies until one
    # has at least two answers, B's and A's (1 in 4 do; 40 all shorter: 1 in 100,000).
    says=0
    for rally in $(seq 1 40); do
        says_before=$says
        "$ROOT/tests/udp_forge" 127.0.0.1 "$port_a" 127.0.0.1 "$port_b" "serve $rally"
        for _ in $(seq 500); do
            [ "$(count '^Pretending to drop')" -ge "$rally" ] && break
            sleep 0.01
        done
        [ "$(count '^Pretending to drop')" -eq "$rally" ]
        says=$(count ' says ')
        ((says - says_before >= 2)) && break
    done
    ((says - says_before >= 2))
    # A's answers go to B, B's to A: each server's "says" lines name the other's port.
    grep -q "^The client at ('127.0.0.1', $port_b) says 'Your data was [0-9]* bytes long'$" "$BATS_TEST_TMPDIR/a.out"
    grep -q "^The client at ('127.0.0.1', $port_a) says 'serve [0-9]*'$" "$BATS_TEST_TMPDIR/b.out"
    [ -z "$(grep ' says ' "$BATS_TEST_TMPDIR/a.out" | grep -v "('127.0.0.1', $port_b)")" ]
    [ -z "$(grep ' says ' "$BATS_TEST_TMPDIR/b.out" | grep -v "('127.0.0.1', $port_a)")" ]
}
