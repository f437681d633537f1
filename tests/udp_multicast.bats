#!/usr/bin/env bats
# udp/udp_multicast. As root, each test runs its programs in a network namespace of its own
# (named after this run and test), whose only interface is lo: neither a datagram nor the
# server's IGMP report can reach a real network, whatever a test does, and the group's
# route can go to lo so that -i may be left out. Without root, the tests use this
# machine's lo, and both ends name it with -i 127.0.0.1, so nothing leaves the machine
# either (the namespace-only test skips, saying so). Members on several hosts are in the
# network-namespace lab, tests/lab.bats.

load lib/helpers

GROUP=239.255.0.1

setup_file() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "# udp_multicast.bats: not root, so the tests use this machine's lo (-i 127.0.0.1), not a namespace of their own" >&3
    fi
}

setup() {
    cd "$ROOT/udp"
    IN_NS=()                                    # the prefix that runs a command in the namespace
    NS=
    if [ "$(id -u)" -eq 0 ]; then
        NS="b$BATS_ROOT_PID-mcast$BATS_TEST_NUMBER"
        ip netns add "$NS"
        ip -n "$NS" link set lo up
        ip -n "$NS" route add 224.0.0.0/4 dev lo src 127.0.0.1   # the groups go by lo
        IN_NS=(ip netns exec "$NS")
    fi
}

teardown() {
    kill_spawned
    [ -z "$NS" ] || ip netns delete "$NS"
}

@test "a server that joined the group receives the client's datagram on loopback" {
    start_server server "${IN_NS[@]}" ./udp_multicast server "$GROUP" -i 127.0.0.1 -p 0
    [ "$(out server)" = "Listening at ('0.0.0.0', $PORT)" ]
    run "${IN_NS[@]}" ./udp_multicast client "$GROUP" -i 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    wait_for server "^The client at \('127\.0\.0\.1', [0-9]+\) says: 'Multicast datagram!'$"
}

@test "two members on one host and port both receive one datagram" {
    start_server first "${IN_NS[@]}" ./udp_multicast server "$GROUP" -i 127.0.0.1 -p 0
    start_server second "${IN_NS[@]}" ./udp_multicast server "$GROUP" -i 127.0.0.1 -p "$PORT"
    run "${IN_NS[@]}" ./udp_multicast client "$GROUP" -i 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for first "says: 'Multicast datagram!'$"
    wait_for second "says: 'Multicast datagram!'$"
}

@test "EXPERIMENT: a server that did not join hears nothing of the group, only a direct datagram" {
    build_without_experiment "$ROOT/udp/udp_multicast.c" "$BATS_TEST_TMPDIR/udp_multicast"
    start_server server "${IN_NS[@]}" "$BATS_TEST_TMPDIR/udp_multicast" server "$GROUP" -i 127.0.0.1 -p 0
    run "${IN_NS[@]}" ./udp_multicast client "$GROUP" -i 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    # On loopback the kernel has delivered the datagram to every socket it was going to
    # reach by the time sendto() returns; a direct datagram sent afterwards queues behind
    # it. So if the group's datagram had arrived, it would be the first line.
    "${IN_NS[@]}" bash -c 'printf direct >"/dev/udp/127.0.0.1/$1"' bash "$PORT"
    wait_for server "says: 'direct'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]
}

@test "server prints non-UTF-8 and control bytes escaped" {
    start_server server "${IN_NS[@]}" ./udp_multicast server "$GROUP" -i 127.0.0.1 -p 0
    "${IN_NS[@]}" bash -c 'printf "\xff\x1b[2J\x00" >"/dev/udp/127.0.0.1/$1"' bash "$PORT"
    wait_for server "says: '.xff.x1b\[2J.x00'$"
    run ! grep -q $'\x1b' "$BATS_TEST_TMPDIR/server.out"
}

@test "a group that is not a multicast address is a usage error, exit 2" {
    for group in 127.0.0.1 10.0.0.1 240.0.0.1 nosuch.invalid ::1 ""; do
        run ./udp_multicast client "$group" -p 1060
        [ "$status" -eq 2 ]
        [ "${lines[0]}" = "usage: udp_multicast [-h] [-p port] [-i interface] {client,server} group" ]
        [ "${lines[1]}" = "udp_multicast: error: argument group: '$group' is not an IPv4 multicast group (224.0.0.0 to 239.255.255.255)" ]
    done
}

@test "usage errors exit 2; -h exits 0" {
    run ./udp_multicast client
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_multicast: error: the following arguments are required: group" ]
    run ./udp_multicast talk "$GROUP"
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_multicast: error: argument role: invalid choice: 'talk' (choose from 'client', 'server')" ]
    run ./udp_multicast server "$GROUP" -p 99999
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_multicast: error: argument -p: invalid value: '99999' (must be 0..65535)" ]
    run ./udp_multicast server "$GROUP" -i
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_multicast: error: argument -i: expected one argument" ]
    run ./udp_multicast server "$GROUP" -i -p 5
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_multicast: error: argument -i: expected one argument" ]
    run ./udp_multicast client 10.0.0.1 extra
    [ "${lines[1]}" = "udp_multicast: error: argument group: '10.0.0.1' is not an IPv4 multicast group (224.0.0.0 to 239.255.255.255)" ]
    run ./udp_multicast client "$GROUP" extra more
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "udp_multicast: error: unrecognized arguments: extra more" ]
    run ./udp_multicast -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: udp_multicast [-h] [-p port] [-i interface] {client,server} group" ]
}

@test "an interface address that does not resolve is one line naming it, exit 1 (no DNS: a private hosts file)" {
    with_hosts_file $'127.0.0.1 localhost\n' ./udp_multicast client "$GROUP" -i nosuch.invalid
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "udp_multicast: getaddrinfo 'nosuch.invalid': [Errno -2] Name or service not known" ]
}

@test "a server told to join on an address that is no interface here fails: No such device, exit 1" {
    # 198.51.100.123 (TEST-NET-2) is never one of this machine's addresses; nothing is sent.
    run "${IN_NS[@]}" ./udp_multicast server "$GROUP" -i 198.51.100.123 -p 0
    [ "$status" -eq 1 ]
    [ "$output" = "udp_multicast: setsockopt IP_ADD_MEMBERSHIP $GROUP on 198.51.100.123: ENODEV No such device" ]
}

@test "without -i the route to the group picks the interface: in the test's namespace, lo" {
    [ -n "$NS" ] || skip "needs root for a namespace of its own: here the groups' route leads to a real network"
    start_server server "${IN_NS[@]}" ./udp_multicast server "$GROUP" -p 0
    run "${IN_NS[@]}" ./udp_multicast client "$GROUP" -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for server "^The client at \('127\.0\.0\.1', [0-9]+\) says: 'Multicast datagram!'$"
    run "${IN_NS[@]}" ip maddr show dev lo
    [[ "$output" == *"inet  $GROUP"* ]]                   # joined on lo while the server runs
}

@test "a student's edit of the client's text: the member gets exactly the new text" {
    build_edited "$ROOT/udp/udp_multicast.c" "$BATS_TEST_TMPDIR/udp_multicast" \
        's/"Multicast datagram!"/"Hello, group"/'
    start_server server "${IN_NS[@]}" ./udp_multicast server "$GROUP" -i 127.0.0.1 -p 0
    run "${IN_NS[@]}" "$BATS_TEST_TMPDIR/udp_multicast" client "$GROUP" -i 127.0.0.1 -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for server "says: 'Hello, group'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/server.out")" -eq 1 ]
}
