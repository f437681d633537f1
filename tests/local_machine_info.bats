#!/usr/bin/env bats
# code/local_machine_info: the host name and its IPv4 address, then every interface's
# addresses grouped by interface; a host name that does not resolve. The program always
# looks its host name up: no test lets that lookup reach DNS (see run_local).

load lib/helpers

setup() {
    cd "$ROOT/code"
}

needs_root_namespaces() {
    [ "$(id -u)" -eq 0 ] || skip "needs root for a network or UTS namespace (unshare)"
    unshare "$1" true 2>/dev/null || skip "unshare $1 is not allowed here"
}

# Run local_machine_info (bats `run --separate-stderr`) so that its lookup of the host
# name never asks DNS: as root with a private /etc/hosts that names this host 127.0.1.1;
# otherwise only where /etc/hosts itself names it (files come before DNS in nsswitch).
run_local() {
    if [ "$(id -u)" -eq 0 ]; then
        with_hosts_file "127.0.0.1 localhost
127.0.1.1 $(hostname)
" "$@"
        return
    fi
    awk -v name="$(hostname)" '!/^[[:space:]]*#/ { for (i = 2; i <= NF; i++) if ($i == name) found = 1 }
        END { exit !found }' /etc/hosts ||
        skip "this host's name is not in /etc/hosts: looking it up would ask DNS (run as root)"
    run --separate-stderr "$@"
}

@test "the first line is the host name and the IPv4 address it resolves to" {
    [ "$(id -u)" -eq 0 ] || skip "needs root for a private /etc/hosts and host name (unshare -m -u)"
    unshare -u true 2>/dev/null || skip "unshare -u is not allowed here"
    with_hosts_file $'127.0.0.7 a-host.test a-host\n' \
        unshare -u sh -c 'hostname a-host.test && exec ./local_machine_info'
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "hostname: a-host.test; ipv4 address: 127.0.0.7" ]
}

@test "experiment: without ai_family = AF_INET a name with a global IPv6 address gives that one first" {
    needs_root_namespaces -n
    needs_root_namespaces -u
    build_without_experiment local_machine_info.c "$BATS_TEST_TMPDIR/local_machine_info"
    # A host whose name has an IPv4 and a reachable global IPv6 address (here both on lo):
    # getaddrinfo sorts by RFC 6724, which puts that IPv6 address first.
    for program in ./local_machine_info "$BATS_TEST_TMPDIR/local_machine_info"; do
        with_hosts_file $'127.0.0.7 a-host.test\n2001:db8::7 a-host.test\n' unshare -n -u sh -c \
            'ip link set lo up && ip addr add 2001:db8::7/128 dev lo && hostname a-host.test && exec "$1"' sh "$program"
        [ "$status" -eq 0 ]
        results+=("${lines[0]}")
    done
    [ "${results[0]}" = "hostname: a-host.test; ipv4 address: 127.0.0.7" ]      # as built
    [ "${results[1]}" = "hostname: a-host.test; ipv4 address: 2001:db8::7" ]
}

@test "loopback's IPv4 address is listed with its netmask length" {
    run_local ./local_machine_info
    [ "$status" -eq 0 ]
    printf '%s\n' "${lines[@]}" | grep -qx 'interface lo: ipv4 address 127.0.0.1/8'
}

@test "loopback's IPv6 address ::1/128 is listed when IPv6 is on" {
    grep -q '^0*1 .* lo$' /proc/net/if_inet6 2>/dev/null || skip "IPv6 is off on lo"
    run_local ./local_machine_info
    printf '%s\n' "${lines[@]}" | grep -qx 'interface lo: ipv6 address ::1/128'
}

@test "every interface line has the same form, and one interface's lines come together" {
    run_local ./local_machine_info
    [ "$status" -eq 0 ]
    for line in "${lines[@]:1}"; do
        [[ "$line" =~ ^interface\ [^:\ ]+:\ ipv(4\ address\ [0-9.]+/[0-9]+|6\ address\ [0-9a-f:.]+(%[^/]+)?/[0-9]+)$ ]]
    done
    # Names in order of appearance, consecutive repeats squeezed: no name twice.
    names=$(printf '%s\n' "${lines[@]:1}" | cut -d: -f1 | uniq)
    [ "$(printf '%s\n' "$names" | sort | uniq -d)" = "" ]
}

@test "the addresses are the ones ip(8) shows" {
    command -v ip >/dev/null || skip "ip (iproute2) is not installed"
    run_local ./local_machine_info
    [ "$status" -eq 0 ]
    mine=$(printf '%s\n' "${lines[@]:1}" | sed -E 's/^interface ([^:]+): ipv. address ([^%/]+)(%[^/]*)?(\/[0-9]+)$/\1 \2\4/' | sort)
    theirs=$(ip -o addr show | awk '{ sub(/@.*/, "", $2); print $2, $4 }' | sort)
    [ "$mine" = "$theirs" ]
}

@test "in a new network namespace with lo up, only lo's addresses are listed" {
    needs_root_namespaces -n
    run_local unshare -n sh -c 'ip link set lo up && exec ./local_machine_info'
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "interface lo: ipv4 address 127.0.0.1/8" ]
    [ "${#lines[@]}" -le 3 ]
    [ "${#lines[@]}" -eq 2 ] || [ "${lines[2]}" = "interface lo: ipv6 address ::1/128" ]
}

@test "with every interface down it says that no interface has an IP address" {
    needs_root_namespaces -n
    run_local unshare -n ./local_machine_info
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "no interface has an IP address (is even lo down?)" ]
}

@test "a host name that does not resolve: none, the resolver's error on stderr, exit 1" {
    needs_root_namespaces -u
    with_hosts_file $'127.0.0.1 localhost\n' \
        unshare -u sh -c 'hostname nosuch-host.invalid && exec ./local_machine_info'
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "hostname: nosuch-host.invalid; ipv4 address: none" ]
    printf '%s\n' "${lines[@]}" | grep -qx 'interface lo: ipv4 address 127.0.0.1/8'
    [ "$stderr" = "local_machine_info: nosuch-host.invalid: [Errno -2] Name or service not known" ]
}

@test "-h prints the usage, exit 0; an argument is a usage error, exit 2" {
    run ./local_machine_info -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: local_machine_info [-h]" ]
    run ./local_machine_info eth0
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: local_machine_info [-h]" ]
    [ "${lines[1]}" = "local_machine_info: error: unrecognized arguments: eth0" ]
}
