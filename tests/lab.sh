#!/usr/bin/env bash
# The network-namespace lab by hand (the tests build the same lab: tests/lab.bash).
#
#   sudo tests/lab.sh up [MTU]    seed 198.18.0.1, parrot 198.18.0.2, kali 198.18.0.3 on one
#                                 link (MTU default 1400), broadcast 198.18.0.255
#   sudo tests/lab.sh down        stop everything running in the lab and remove it
#   sudo tests/lab.sh cut HOST    pull HOST's cable (its switch port goes down)
#   sudo tests/lab.sh mend HOST   plug it back
#   tests/lab.sh status           what is there now
#
# Then run a program on a host with: sudo ip netns exec parrot ./udp_remote server ""
# (a shell on a host: sudo ip netns exec seed bash). See README, "Two hosts on one machine".
set -u
cd "$(dirname "$0")" || exit 1

# lab.bash is written for bats; the one helper of helpers.bash it needs:
wait_exit() {
    local pid=$1 limit=${2:-5} tries=$((${2:-5} * 100))
    while ((tries-- > 0)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.01
    done
    return 1
}
# shellcheck source=lab.bash
. ./lab.bash

need_root() {
    [ "$(id -u)" -eq 0 ] || { echo "lab.sh: $1 needs root: sudo $0 $*" >&2; exit 1; }
}

status() {
    local host
    for host in "${LAB_HOSTS[@]}"; do
        if [ -e "/run/netns/$host" ]; then
            printf '%-7s %s\n' "$host" "$(ip -n "$host" -br addr show eth0 2>/dev/null)"
        else
            printf '%-7s (not there)\n' "$host"
        fi
    done
}

case ${1:-} in
    up)
        need_root up
        LAB_INODES=/dev/null            # only the tests need the record
        if lab_up "${2:-$LAB_MTU}"; then
            status
        else
            lab_down
            echo "lab.sh: could not build the lab (ip netns add needs root and a kernel with network namespaces)" >&2
            exit 1
        fi ;;
    down)
        need_root down
        lab_down ;;
    cut | mend)
        need_root "$1"
        case ${2:-} in
            seed | parrot | kali) "lab_$1" "$2" ;;
            *) echo "usage: $0 $1 {seed,parrot,kali}" >&2; exit 2 ;;
        esac ;;
    status)
        status ;;
    *)
        echo "usage: $0 {up [MTU],down,cut HOST,mend HOST,status}" >&2
        exit 2 ;;
esac
