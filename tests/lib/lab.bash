# The network-namespace lab: three "machines" named after the course's VMs, on one
# Ethernet segment, inside this one Linux box. `load lib/lab` after `load lib/helpers`.
#
#      seed 198.18.0.1        parrot 198.18.0.2        kali 198.18.0.3
#        eth0                   eth0                     eth0
#         |  veth pair           |                        |
#       [seed]                [parrot]                 [kali]     ports of bridge br0
#        '------------------ br0 in namespace lab-switch --'
#
# Each host is a network namespace of its own: its own lo, its own eth0, its own routes
# and ports, so a server on parrot and one on kali may both listen on port 1060, and
# traffic between them crosses a real (virtual) Ethernet link with a real MTU. The switch
# is a namespace too, so nothing is ever created in, or routed through, the machine's own
# network namespace: its interfaces and routes are never touched. 198.18.0.0/15 is the
# range RFC 2544 reserves for benchmarking; nothing here routes it anywhere.
#
# Names: the student's lab (tests/lab.sh) has the course's names, seed, parrot, kali and
# lab-switch. Under bats every namespace name gets a prefix of its own run, b<PID>- (the
# bats process): $NS_SEED $NS_PARROT $NS_KALI $NS_SWITCH are the names to use. So two test
# runs never meet, and no test ever touches a lab a student built with `tests/lab.sh up`.
# The interfaces keep short fixed names (eth0, br0, a switch port per host): they live
# inside the lab's own namespaces, where nothing else can collide with them.
#
#   lab_require            skip the test (with the reason) unless we are root and
#                          `ip netns add` works; call it first in setup()
#   lab_unavailable        print why the lab cannot run here (nothing, status 1, if it can)
#   lab_up [MTU]           clean up any leftovers, then build the lab (link MTU default 1400)
#   lab_down               kill every process inside the lab, delete every namespace;
#                          idempotent, never fails: call it in teardown()
#   lab_cut HOST / lab_mend HOST
#                          unplug / plug back HOST's cable (its switch port goes down)
#   lab_is_up              status 0 when the lab's switch namespace is there
#   lab_processes          "HOST PID COMMAND" for each process running inside the lab
#   lab_leftovers          print every lab namespace, interface or process still around
#                          (nothing when the lab is clean)
#   $SEED $PARROT $KALI $LAB_BROADCAST   the addresses; $LAB_HOSTS the host names
#
# Run a program on a host with `ip netns exec "$NS_PARROT" ./prog ...`, also under spawn: ip
# enters the namespace and then exec()s the command (no fork), so the pid spawn records is
# the program itself and kill_spawned's SIGTERM reaches it. (Not through a shell function:
# a function run with & is a subshell, and killing the subshell leaves the program running.)
#
# The tests of one run must not build two labs at once (one set of names per run): lab.bats
# keeps its tests one after another even under bats --jobs.

LAB_HOSTS=(seed parrot kali)
LAB_NS_PREFIX=${LAB_NS_PREFIX-${BATS_ROOT_PID:+b$BATS_ROOT_PID-}}
NS_SEED=${LAB_NS_PREFIX}seed
NS_PARROT=${LAB_NS_PREFIX}parrot
NS_KALI=${LAB_NS_PREFIX}kali
NS_SWITCH=${LAB_NS_PREFIX}lab-switch
LAB_PREFIX=198.18.0
SEED=$LAB_PREFIX.1
PARROT=$LAB_PREFIX.2
KALI=$LAB_PREFIX.3
LAB_BROADCAST=$LAB_PREFIX.255
LAB_MTU=1400
# The network namespaces' inode numbers, recorded by lab_up, so lab_leftovers can find a
# process still inside a lab namespace after its name is gone.
LAB_INODES="${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/lab-netns-inodes"

# Why the lab cannot be built here, in one line; nothing (status 1) when it can.
lab_unavailable() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "the lab needs root: network namespaces and veth links (CI runs as root)"
        return 0
    fi
    if ! command -v ip >/dev/null; then
        echo "the lab needs iproute2's ip command"
        return 0
    fi
    local probe="lab-probe-$$"
    if ! ip netns add "$probe" 2>/dev/null; then
        echo "the lab needs network namespaces, and 'ip netns add' fails here"
        return 0
    fi
    # The kernel must also offer veth pairs and bridges (modules veth and bridge).
    if ! ip -n "$probe" link add probe0 type veth peer name probe1 2>/dev/null ||
        ! ip -n "$probe" link add probe2 type bridge 2>/dev/null; then
        ip netns del "$probe"
        echo "the lab needs veth and bridge interfaces, and this kernel refuses them"
        return 0
    fi
    ip netns del "$probe"
    return 1
}

lab_require() {
    local why
    if why=$(lab_unavailable); then
        skip "$why"
    fi
}

# The namespace of HOST (seed, parrot, kali or switch).
lab_ns() {
    case $1 in
        seed) echo "$NS_SEED" ;;
        parrot) echo "$NS_PARROT" ;;
        kali) echo "$NS_KALI" ;;
        switch) echo "$NS_SWITCH" ;;
    esac
}

lab_address() {
    case $1 in
        seed) echo "$SEED" ;;
        parrot) echo "$PARROT" ;;
        kali) echo "$KALI" ;;
    esac
}

lab_up() {
    local mtu=${1:-$LAB_MTU} host ns
    lab_down
    # set -e is not in force inside a function called from a bats test's `if` or `||`,
    # so each step is checked: a half-built lab fails loudly, and teardown removes it.
    ip netns add "$NS_SWITCH" || return 1
    ip -n "$NS_SWITCH" link add br0 type bridge || return 1
    ip -n "$NS_SWITCH" link set br0 mtu "$mtu" up || return 1
    for host in "${LAB_HOSTS[@]}"; do
        ns=$(lab_ns "$host")
        ip netns add "$ns" || return 1
        # Both ends are born inside their namespaces: the host's eth0, and a switch port
        # named after the host. Neither ever exists in the machine's own namespace.
        ip link add eth0 netns "$ns" mtu "$mtu" type veth \
            peer name "$host" netns "$NS_SWITCH" mtu "$mtu" || return 1
        ip -n "$NS_SWITCH" link set "$host" master br0 up || return 1
        ip -n "$ns" link set lo up || return 1
        ip -n "$ns" addr add "$(lab_address "$host")/24" broadcast "$LAB_BROADCAST" \
            dev eth0 || return 1
        ip -n "$ns" link set eth0 up || return 1
        # No default route (there is nowhere to go), so multicast needs a route of its own:
        # on a real machine the default route takes it out of the main interface.
        ip -n "$ns" route add 224.0.0.0/4 dev eth0 || return 1
    done
    for ns in "$NS_SWITCH" "$NS_SEED" "$NS_PARROT" "$NS_KALI"; do
        stat -L -c %i "/run/netns/$ns" >>"$LAB_INODES"
    done
    lab_wait_carrier
}

# A veth link is up the moment both ends are, but wait until each host's eth0 says so
# (a few milliseconds), so the first datagram of a test is not lost to a link coming up.
lab_wait_carrier() {
    local host tries
    for host in "${LAB_HOSTS[@]}"; do
        tries=500
        until ip -n "$(lab_ns "$host")" link show eth0 | grep -q 'state UP'; do
            ((tries-- > 0)) || { echo "lab: $host's eth0 never came up" >&2; return 1; }
            sleep 0.01
        done
    done
}

lab_cut() { ip -n "$NS_SWITCH" link set "$1" down; }
lab_mend() { ip -n "$NS_SWITCH" link set "$1" up; }
lab_is_up() { [ -e "/run/netns/$NS_SWITCH" ]; }

lab_processes() {
    local host pid
    for host in "${LAB_HOSTS[@]}" switch; do
        [ -e "/run/netns/$(lab_ns "$host")" ] || continue
        for pid in $(ip netns pids "$(lab_ns "$host")" 2>/dev/null); do
            echo "$host $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
        done
    done
}

# Stop every process in the lab's namespaces, and leave the lab up.
lab_stop_programs() {
    local ns pid pids=()
    for ns in "$NS_SEED" "$NS_PARROT" "$NS_KALI" "$NS_SWITCH"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        done
    done
    for pid in "${pids[@]}"; do
        wait_exit "$pid" 2 || kill -KILL "$pid" 2>/dev/null
    done
    return 0
}

lab_down() {
    local ns
    lab_stop_programs       # first: a namespace lives on, nameless, while a process is in it
    for ns in "$NS_SEED" "$NS_PARROT" "$NS_KALI" "$NS_SWITCH"; do
        [ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
    done
    return 0
}

# Everything of the lab's that is still around, one item a line: nothing means clean.
lab_leftovers() {
    local ns inode pid
    for ns in "$NS_SEED" "$NS_PARROT" "$NS_KALI" "$NS_SWITCH"; do
        ip netns list | grep -q "^$ns\( \|$\)" && echo "namespace $ns"
    done
    # The lab never creates an interface in the machine's namespace; make sure of it.
    ip -o link show | awk -F': ' '{print $2}' | grep -E '^(br0|seed|parrot|kali)(@|$)' |
        sed 's/^/interface /'
    [ -f "$LAB_INODES" ] || return 0
    for pid in /proc/[0-9]*; do
        inode=$(stat -L -c %i "$pid/ns/net" 2>/dev/null) || continue
        if grep -qx "$inode" "$LAB_INODES"; then
            echo "process ${pid#/proc/} $(tr '\0' ' ' <"$pid/cmdline" 2>/dev/null)"
        fi
    done
}
