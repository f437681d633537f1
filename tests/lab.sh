#!/usr/bin/env bash
# The network-namespace lab by hand (the tests build the same lab, under names of their
# own: tests/lib/lab.bash). Everything but status needs root: sudo, or a root shell.
#
#   sudo tests/lab.sh up [MTU]    seed 198.18.0.1, parrot 198.18.0.2, kali 198.18.0.3 on one
#                                 link (MTU default 1400), broadcast 198.18.0.255
#   sudo tests/lab.sh down        stop everything running in the lab and remove it
#   sudo tests/lab.sh cut HOST    pull HOST's cable (its switch port goes down)
#   sudo tests/lab.sh mend HOST   plug it back
#   tests/lab.sh status           which hosts are there (as root: addresses and links too)
#   tests/lab.sh check            whether the lab can be built here, and if not why
#
# Then run a program on a host with: sudo ip netns exec parrot ./udp_remote server ""
# (a shell on a host: sudo ip netns exec seed bash). The lab's guide: lab/README.md.
# LAB_NS_PREFIX=PREFIX in the environment puts PREFIX before every namespace name: the
# tests use it to run this script on a lab of their own.
set -u
self=$0                                 # as the user typed it, for the hints below
cd "$(dirname "$0")" || exit 1

# lib/lab.bash is written for bats; the one helper of lib/helpers.bash it needs:
wait_exit() {
    local pid=$1 tries=$((${2:-5} * 100))
    while ((tries-- > 0)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.01
    done
    return 1
}
LAB_NS_PREFIX=${LAB_NS_PREFIX:-}        # unset: the course's own names, seed, parrot, kali
# shellcheck source=lib/lab.bash
. ./lib/lab.bash

need_root() {
    [ "$(id -u)" -eq 0 ] || { echo "lab.sh: $1 needs root: sudo $self $*" >&2; exit 1; }
}

need_lab() {
    lab_is_up || { echo "lab.sh: there is no lab to $1 in: sudo $self up first" >&2; exit 1; }
}

status() {
    local host seen=
    for host in "${LAB_HOSTS[@]}"; do
        if [ ! -e "/run/netns/$(lab_ns "$host")" ]; then
            printf '%-7s (not there)\n' "$host"
        elif [ "$(id -u)" -eq 0 ]; then
            printf '%-7s %s\n' "$host" "$(ip -n "$(lab_ns "$host")" -br addr show eth0 2>/dev/null)"
        else
            printf '%-7s there\n' "$host"
            seen=1
        fi
    done
    [ -z "$seen" ] || echo "lab.sh: the addresses and links are seen from inside the hosts, as root: sudo $self status" >&2
}

case ${1:-} in
    up)
        need_root "$@"
        mtu=${2:-$LAB_MTU}
        # Checked before anything is torn down: a typo must not cost the running lab.
        if ! [[ "$mtu" =~ ^[0-9]{2,5}$ ]] || [ "$mtu" -lt 68 ] || [ "$mtu" -gt 65535 ]; then
            echo "lab.sh: the MTU is a number of bytes from 68 to 65535, not '$mtu'" >&2
            exit 2
        fi
        if lab_is_up; then
            running=$(lab_processes)
            if [ -n "$running" ]; then
                echo "lab.sh: the lab is up: rebuilding it stops what runs in it:"
                sed 's/^/    /' <<<"$running"
            else
                echo "lab.sh: the lab is up, nothing runs in it: rebuilding it"
            fi
        fi
        LAB_INODES=/dev/null            # only the tests need the record
        if lab_up "$mtu"; then
            status
        else
            lab_down
            echo "lab.sh: could not build the lab: $(lab_unavailable || echo "ip failed, as it said above")" >&2
            exit 1
        fi ;;
    down)
        need_root "$@"
        lab_down ;;
    cut | mend)
        need_root "$@"
        case ${2:-} in
            seed | parrot | kali) need_lab "$1 $2"; "lab_$1" "$2" ;;
            *) echo "usage: $self $1 {seed,parrot,kali}" >&2; exit 2 ;;
        esac ;;
    status)
        status ;;
    check)
        if why=$(lab_unavailable); then
            echo "lab.sh: $why"
            exit 1
        fi
        echo "lab.sh: the lab can be built here" ;;
    *)
        echo "usage: $self {up [MTU],down,cut HOST,mend HOST,status,check}" >&2
        exit 2 ;;
esac
