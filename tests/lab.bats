#!/usr/bin/env bats
# The lecture's two-machine exercises, in the network-namespace lab (tests/lib/lab.bash):
# seed 198.18.0.1, parrot 198.18.0.2 and kali 198.18.0.3 on one 1400-byte Ethernet link.
# Every test skips, saying why, unless we are root and can create namespaces. Each test
# finds the lab as the first test built it, with nothing running in it: teardown stops what
# a test started there, and removes the lab where a test changed it (LAB_CHANGED: a cut
# link, another MTU, lab.sh's own rebuild), so the next test builds it afresh; the last
# test removes it and checks that nothing of it is left behind. The namespaces are named after this bats run
# ($NS_SEED is b<PID>-seed): a student's own `sudo tests/lab.sh up` lab is never touched.

load lib/helpers
load lib/lab

GROUP=239.255.0.1

setup_file() {
    # One lab at a time: the tests of this file must not run in parallel (bats --jobs).
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

setup() {
    lab_require
    LAB_CHANGED=
    lab_is_up || lab_up || {
        lab_down
        false
    }
    UDP="$ROOT/udp"
    TCP="$ROOT/tcp"
}

teardown() {
    kill_spawned
    if [ -n "$LAB_CHANGED" ] || [ "${BATS_TEST_COMPLETED:-}" != 1 ]; then
        lab_down                            # changed, or failed: the next test builds anew
    else
        lab_stop_programs
    fi
    remove_stand_in
}

teardown_file() {
    lab_down
}

need() {
    [ -x "$1" ] || skip "$(basename "$1") not built yet"
}

# A student's program in a lab, as the tests play it: it runs until teardown kills it
# (kill_spawned), so `kill -0` proves that nothing else did.
student_program() { spawn student ip netns exec "$1" sleep infinity; }

# The stand-in for a student's parrot, made by one test when no real one is up, goes in
# teardown, whether the test passed or not; and only if /run/netns/parrot is still the one
# that test made (same inode): a lab the student built meanwhile is theirs, and stays.
remove_stand_in() {
    [ -n "${STAND_IN_INODE:-}" ] || return 0
    [ "$(stat -L -c %i /run/netns/parrot 2>/dev/null)" = "$STAND_IN_INODE" ] || return 0
    ip netns del parrot
}

# ---- udp_remote -------------------------------------------------------------------

@test "udp_remote: a server on parrot bound to \"\" answers a client on seed, which shows seed's address" {
    need "$UDP/udp_remote"
    start_server server ip netns exec "$NS_PARROT" "$UDP/udp_remote" server "" -p 0 -d 0
    [ "$(out server)" = "Listening at ('0.0.0.0', $PORT)" ]
    run ip netns exec "$NS_SEED" "$UDP/udp_remote" client "$PARROT" -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^Client\ socket\ name\ is\ \(\'198\.18\.0\.1\',\ ([0-9]+)\)$ ]]
    client_port=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "Waiting up to 0.1 seconds for a reply" ]
    [ "${lines[2]}" = "The server says 'Your data was 23 bytes long'" ]
    wait_for server "^The client at \('198\.18\.0\.1', $client_port\) says 'This is another message'$"
}

# ---- big_sender -------------------------------------------------------------------

@test "big_sender: from seed to parrot it finds the link's MTU of 1400" {
    need "$UDP/big_sender"
    run ip netns exec "$NS_SEED" "$UDP/big_sender" "$PARROT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Alas, the datagram did not make it" ]
    [ "${lines[1]}" = "Actual MTU: 1400" ]
}

@test "big_sender: a lab built with MTU 1280 reports 1280" {
    LAB_CHANGED=1
    need "$UDP/big_sender"
    lab_up 1280
    run ip netns exec "$NS_SEED" "$UDP/big_sender" "$PARROT"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Actual MTU: 1280" ]
}

@test "big_sender: on seed, 127.0.0.1 is seed's own loopback, where the biggest datagram fits" {
    need "$UDP/big_sender"
    run ip netns exec "$NS_SEED" "$UDP/big_sender" -s 65507 127.0.0.1
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    [[ "${lines[1]}" =~ ^Actual\ MTU:\ 6553[56]$ ]]
}

# ---- udp_broadcast ----------------------------------------------------------------

@test "udp_broadcast: servers on parrot and kali both receive one datagram seed sends to 198.18.0.255" {
    need "$UDP/udp_broadcast"
    start_server parrot ip netns exec "$NS_PARROT" "$UDP/udp_broadcast" server "" -p 0
    start_server kali ip netns exec "$NS_KALI" "$UDP/udp_broadcast" server "" -p "$PORT"
    run ip netns exec "$NS_SEED" "$UDP/udp_broadcast" client "$LAB_BROADCAST" -p "$PORT"
    [ "$status" -eq 0 ]
    [ "$output" = "" ]
    wait_for parrot "^The client at \('198\.18\.0\.1', [0-9]+\) says: 'Broadcast datagram!'$"
    wait_for kali "^The client at \('198\.18\.0\.1', [0-9]+\) says: 'Broadcast datagram!'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/parrot.out")" -eq 1 ]
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/kali.out")" -eq 1 ]
}

@test "udp_broadcast: EXPERIMENT: without SO_BROADCAST seed's send to 198.18.0.255 fails with EACCES" {
    need "$UDP/udp_broadcast"
    build_without_experiment "$UDP/udp_broadcast.c" "$BATS_TEST_TMPDIR/udp_broadcast"
    start_server parrot ip netns exec "$NS_PARROT" "$UDP/udp_broadcast" server "" -p 0
    run ip netns exec "$NS_SEED" "$BATS_TEST_TMPDIR/udp_broadcast" client "$LAB_BROADCAST" -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "udp_broadcast: sendto ('198.18.0.255', $PORT): EACCES Permission denied" ]
    # Nothing reached parrot: the direct datagram sent next is the first it hears.
    run ip netns exec "$NS_SEED" "$UDP/udp_broadcast" client "$PARROT" -p "$PORT"
    wait_for parrot "says: 'Broadcast datagram!'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/parrot.out")" -eq 1 ]
}

# ---- tcp_sixteen ------------------------------------------------------------------

@test "tcp_sixteen: a server on parrot bound to its lab address accepts seed's client" {
    need "$TCP/tcp_sixteen"
    start_server server ip netns exec "$NS_PARROT" "$TCP/tcp_sixteen" server "$PARROT" -p 0
    [ "$(head -n 1 "$BATS_TEST_TMPDIR/server.out")" = "Listening at ('198.18.0.2', $PORT)" ]
    run ip netns exec "$NS_SEED" "$TCP/tcp_sixteen" client "$PARROT" -p "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^Client\ has\ been\ assigned\ socket\ name\ \(\'198\.18\.0\.1\',\ [0-9]+\)$ ]]
    [ "${lines[1]}" = "The server said b'Farewell, client'" ]
    wait_for server "^We have accepted a connection from \('198\.18\.0\.1', [0-9]+\)$"
}

@test "tcp_sixteen: a server on parrot bound to 127.0.0.1 is unreachable from seed" {
    need "$TCP/tcp_sixteen"
    start_server server ip netns exec "$NS_PARROT" "$TCP/tcp_sixteen" server 127.0.0.1 -p 0
    run ip netns exec "$NS_SEED" "$TCP/tcp_sixteen" client "$PARROT" -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_sixteen: connect ('198.18.0.2', $PORT): ECONNREFUSED Connection refused" ]
    # seed's own 127.0.0.1 is seed's loopback, not parrot's: nobody listens there either.
    run ip netns exec "$NS_SEED" "$TCP/tcp_sixteen" client 127.0.0.1 -p "$PORT"
    [ "$status" -eq 1 ]
    [ "$output" = "tcp_sixteen: connect ('127.0.0.1', $PORT): ECONNREFUSED Connection refused" ]
    ! grep -q 'accepted' "$BATS_TEST_TMPDIR/server.out"
}

@test "tcp_watch on seed's eth0 sees each segment of a tcp_sixteen exchange once" {
    need "$TCP/tcp_sixteen"
    start_server server ip netns exec "$NS_PARROT" "$TCP/tcp_sixteen" server "" -p 0
    spawn watch ip netns exec "$NS_SEED" "$TCP/tcp_watch" -i eth0 -p "$PORT" -t 10
    wait_for watch "^Watching tcp port $PORT on eth0$"
    run ip netns exec "$NS_SEED" "$TCP/tcp_sixteen" client "$PARROT" -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for watch "^198\.18\.0\.1:[0-9]+ > 198\.18\.0\.2:$PORT .* ack=18 "
    wait_for watch "^198\.18\.0\.2:$PORT > 198\.18\.0\.1:[0-9]+ .* ack=18 "
    run out watch
    [[ "${lines[1]}" =~ ^198\.18\.0\.1:[0-9]+\ \>\ 198\.18\.0\.2:$PORT\ SYN\ seq=0\ len=0\  ]]
    [[ "${lines[2]}" =~ ^198\.18\.0\.2:$PORT\ \>\ 198\.18\.0\.1:[0-9]+\ SYN-ACK\ seq=0\ ack=1\  ]]
    [ "$(grep -c ' SYN ' "$BATS_TEST_TMPDIR/watch.out")" -eq 1 ]
    [ "$(grep -c ' len=16 ' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
    [ "$(grep -c 'FIN' "$BATS_TEST_TMPDIR/watch.out")" -eq 2 ]
}

# ---- udp_multicast ----------------------------------------------------------------

@test "udp_multicast: members on parrot and kali both receive seed's datagram to the group" {
    need "$UDP/udp_multicast"
    start_server parrot ip netns exec "$NS_PARROT" "$UDP/udp_multicast" server "$GROUP" -p 0
    start_server kali ip netns exec "$NS_KALI" "$UDP/udp_multicast" server "$GROUP" -p "$PORT"
    run ip netns exec "$NS_SEED" "$UDP/udp_multicast" client "$GROUP" -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for parrot "^The client at \('198\.18\.0\.1', [0-9]+\) says: 'Multicast datagram!'$"
    wait_for kali "^The client at \('198\.18\.0\.1', [0-9]+\) says: 'Multicast datagram!'$"
}

@test "udp_multicast: a host that did not join hears nothing, while a member does" {
    need "$UDP/udp_multicast"
    build_without_experiment "$UDP/udp_multicast.c" "$BATS_TEST_TMPDIR/udp_multicast"
    start_server parrot ip netns exec "$NS_PARROT" "$UDP/udp_multicast" server "$GROUP" -p 0
    start_server kali ip netns exec "$NS_KALI" "$BATS_TEST_TMPDIR/udp_multicast" server "$GROUP" -p "$PORT"
    run ip netns exec "$NS_SEED" "$UDP/udp_multicast" client "$GROUP" -p "$PORT"
    [ "$status" -eq 0 ]
    wait_for parrot "says: 'Multicast datagram!'$"
    # The switch floods the frame to every port, kali's too, and kali's kernel drops it:
    # nothing on kali joined the group. A datagram sent to kali directly afterwards, over
    # the same link, is the first one kali's server hears.
    ip netns exec "$NS_SEED" bash -c "printf direct >/dev/udp/$KALI/$PORT"
    wait_for kali "says: 'direct'$"
    [ "$(grep -c 'says:' "$BATS_TEST_TMPDIR/kali.out")" -eq 1 ]
}

# ---- half-open connections ----------------------------------------------------------

@test "keepalive: after the link is cut, the -k side reports the dead peer in seconds; the plain one waits on" {
    LAB_CHANGED=1
    need "$TCP/tcp_keepalive"
    start_server kept ip netns exec "$NS_PARROT" "$TCP/tcp_keepalive" server "" -p 0
    kept_port=$PORT
    start_server plain ip netns exec "$NS_PARROT" "$TCP/tcp_keepalive" server "" -p 0
    plain_port=$PORT
    spawn kclient ip netns exec "$NS_SEED" "$TCP/tcp_keepalive" client "$PARROT" -p "$kept_port" -k
    spawn pclient ip netns exec "$NS_SEED" "$TCP/tcp_keepalive" client "$PARROT" -p "$plain_port"
    wait_for kclient '^Waiting in recv\(\)'
    wait_for pclient '^Waiting in recv\(\)'
    wait_for kept "^Accepted a connection from \('198\.18\.0\.1', [0-9]+\)$"
    wait_for plain "^Accepted a connection from \('198\.18\.0\.1', [0-9]+\)$"
    grep -Eqx "Connected from \('198\.18\.0\.1', [0-9]+\) to \('198\.18\.0\.2', $kept_port\)" \
        "$BATS_TEST_TMPDIR/kclient.out"
    grep -qx 'Keepalive on: first probe after 1 s idle, then every 1 s, give up after 3 probes' \
        "$BATS_TEST_TMPDIR/kclient.out"
    run ! grep -q '^Keepalive on' "$BATS_TEST_TMPDIR/pclient.out"
    lab_cut parrot                          # pull parrot's cable: no FIN, no RST, silence
    start=$SECONDS
    # 1 s idle, then 3 probes 1 s apart, all unanswered: the kernel gives up 3-4 s after
    # the cut (the idle second, maybe a probe, had already begun before it).
    wait_exit "$PID_kclient" 10
    elapsed=$((SECONDS - start))
    run wait "$PID_kclient"
    [ "$status" -eq 1 ]
    [ "$elapsed" -ge 3 ]
    [ "$elapsed" -le 7 ]
    [ "$(err kclient)" = "tcp_keepalive: recv ('198.18.0.2', $kept_port): ETIMEDOUT Connection timed out" ]
    # The plain client sent nothing and was told nothing: it still waits, for ever.
    kill -0 "$PID_pclient"
    [ -z "$(err pclient)" ]
    [ "$(tail -n 1 "$BATS_TEST_TMPDIR/pclient.out")" = "Waiting in recv() for data that never comes" ]
}

# ---- names of its own ---------------------------------------------------------------

@test "the tests' lab has names of this run: a student's lab beside it keeps running" {
    LAB_CHANGED=1
    [ "$NS_PARROT" = "b$BATS_ROOT_PID-parrot" ]
    # The student's parrot: the real one if a lab is up, else a stand-in. `ip netns add`
    # fails on a name that exists, so the stand-in is made only where no parrot was.
    if ip netns add parrot 2>/dev/null; then
        STAND_IN_INODE=$(stat -L -c %i /run/netns/parrot)
    fi
    student_program parrot
    inode=$(stat -L -c %i /run/netns/parrot)
    lab_up
    lab_down
    kill -0 "$PID_student"
    [ "$(stat -L -c %i /run/netns/parrot)" = "$inode" ]
}

# ---- tests/lab.sh as a student runs it (on this run's lab: LAB_NS_PREFIX) ---------------

# lab_sh ARGS...: tests/lab.sh on the tests' own lab; as_nobody ARGS...: the same as a user.
lab_sh() { run --separate-stderr env LAB_NS_PREFIX="$LAB_NS_PREFIX" "$ROOT/tests/lab.sh" "$@"; }
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$ROOT/tests/lab.sh" 2>/dev/null ||
        skip "no user 65534 who can run $ROOT/tests/lab.sh here"
    run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
        env LAB_NS_PREFIX="$LAB_NS_PREFIX" "$ROOT/tests/lab.sh" "$@"
}

@test "lab.sh status as a normal user shows which hosts are there and says addresses need root" {
    as_nobody status
    [ "$status" -eq 0 ]
    [ "${lines[*]}" = "seed    there parrot  there kali    there" ]
    [ "$stderr" = "lab.sh: the addresses and links are seen from inside the hosts, as root: sudo $ROOT/tests/lab.sh status" ]
}

@test "lab.sh as a normal user: the root hint repeats the whole command" {
    as_nobody cut parrot
    [ "$status" -eq 1 ]
    [ "$stderr" = "lab.sh: cut needs root: sudo $ROOT/tests/lab.sh cut parrot" ]
    as_nobody up 1280
    [ "$stderr" = "lab.sh: up needs root: sudo $ROOT/tests/lab.sh up 1280" ]
}

@test "lab.sh status as root shows each host's address" {
    lab_sh status
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^seed\ +eth0@[a-z0-9]+\ +UP\ +198\.18\.0\.1/24 ]]
    [[ "${lines[1]}" =~ ^parrot\ +eth0@[a-z0-9]+\ +UP\ +198\.18\.0\.2/24 ]]
    [[ "${lines[2]}" =~ ^kali\ +eth0@[a-z0-9]+\ +UP\ +198\.18\.0\.3/24 ]]
}

@test "lab.sh up with a bad MTU fails in one line and leaves the running lab alone" {
    inode=$(stat -L -c %i "/run/netns/$NS_PARROT")
    student_program "$NS_PARROT"
    lab_sh up abc
    [ "$status" -eq 2 ]
    [ "$stderr" = "lab.sh: the MTU is a number of bytes from 68 to 65535, not 'abc'" ]
    lab_sh up 67
    [ "$status" -eq 2 ]
    [ "$(stat -L -c %i "/run/netns/$NS_PARROT")" = "$inode" ]
    kill -0 "$PID_student"
}

@test "lab.sh up on a running lab first says which programs it stops" {
    LAB_CHANGED=1
    student_program "$NS_PARROT"
    lab_sh up
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "lab.sh: the lab is up: rebuilding it stops what runs in it:" ]
    [ "${lines[1]}" = "    parrot $PID_student sleep infinity " ]
    [[ "${lines[2]}" =~ ^seed\ +eth0 ]]
    run ! kill -0 "$PID_student"
}

@test "lab.sh cut and mend with no lab say so in one line, exit 1" {
    LAB_CHANGED=1
    lab_down
    lab_sh cut parrot
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "lab.sh: there is no lab to cut parrot in: sudo $ROOT/tests/lab.sh up first" ]
    lab_sh mend kali
    [ "$status" -eq 1 ]
    [ "$stderr" = "lab.sh: there is no lab to mend kali in: sudo $ROOT/tests/lab.sh up first" ]
}

@test "lab.sh cut takes parrot's link down and mend brings it back" {
    LAB_CHANGED=1
    # A connection attempt to a closed port: refused at once while the link is up; with
    # the cable pulled, no answer at all (timeout's 124).
    lab_sh cut parrot
    [ "$status" -eq 0 ]
    run ip netns exec "$NS_SEED" timeout 1 bash -c "exec 3<>/dev/tcp/$PARROT/9"
    [ "$status" -eq 124 ]
    lab_sh mend parrot
    [ "$status" -eq 0 ]
    lab_wait_carrier
    run ip netns exec "$NS_SEED" timeout 5 bash -c "exec 3<>/dev/tcp/$PARROT/9"
    [ "$status" -eq 1 ]
    [[ "$output" == *"Connection refused"* ]]
}

# ---- big_sender: the largest datagram that leaves (appended; lab/README.md, "The MTU of a real path") ----

@test "big_sender: on the 1400-byte link -s 1372 leaves (1400 - 20 IP - 8 UDP) and -s 1373 gets EMSGSIZE" {
    need "$UDP/big_sender"
    run ip netns exec "$NS_SEED" "$UDP/big_sender" -s 1372 "$PARROT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "The big datagram was sent!" ]
    [ "${lines[1]}" = "Actual MTU: 1400" ]
    run ip netns exec "$NS_SEED" "$UDP/big_sender" -s 1373 "$PARROT"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Alas, the datagram did not make it" ]
    [ "${lines[1]}" = "Actual MTU: 1400" ]
}

@test "big_sender: the lecture's 999,999 bytes fail even to seed's own loopback, whose MTU is reported" {
    need "$UDP/big_sender"
    run ip netns exec "$NS_SEED" "$UDP/big_sender" 127.0.0.1
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Alas, the datagram did not make it" ]
    [[ "${lines[1]}" =~ ^Actual\ MTU:\ 6553[56]$ ]]
}

# ---- always last ------------------------------------------------------------------

@test "the lab leaves no namespace, interface or process behind" {
    lab_down
    [ -z "$(lab_leftovers)" ] || {
        lab_leftovers
        false
    }
}
