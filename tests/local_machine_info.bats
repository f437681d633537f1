#!/usr/bin/env bats
# code/local_machine_info: the host name and its IPv4 address, then every interface's
# addresses grouped by interface; a host name that does not resolve.

load helpers
bats_require_minimum_version 1.5.0   # run --separate-stderr

setup() {
    cd "$ROOT/code"
}

needs_root_namespaces() {
    [ "$(id -u)" -eq 0 ] || skip "needs root for a network or UTS namespace (unshare)"
    unshare "$1" true 2>/dev/null || skip "unshare $1 is not allowed here"
}

@test "the first line is the host name and the IPv4 address it resolves to" {
    run ./local_machine_info
    [ "$status" -eq 0 ]
    expected=$(getent ahostsv4 "$(hostname)" | awk '{ print $1; exit }')
    [ "${lines[0]}" = "hostname: $(hostname); ipv4 address: $expected" ]
}

@test "loopback's IPv4 address is listed with its netmask length" {
    run ./local_machine_info
    [ "$status" -eq 0 ]
    printf '%s\n' "${lines[@]}" | grep -qx 'interface lo: ipv4 address 127.0.0.1/8'
}

@test "loopback's IPv6 address ::1/128 is listed when IPv6 is on" {
    grep -q '^0*1 .* lo$' /proc/net/if_inet6 2>/dev/null || skip "IPv6 is off on lo"
    run ./local_machine_info
    printf '%s\n' "${lines[@]}" | grep -qx 'interface lo: ipv6 address ::1/128'
}

@test "every interface line has the same form, and one interface's lines come together" {
    run ./local_machine_info
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
    run ./local_machine_info
    [ "$status" -eq 0 ]
    mine=$(printf '%s\n' "${lines[@]:1}" | sed -E 's/^interface ([^:]+): ipv. address ([^%/]+)(%[^/]*)?(\/[0-9]+)$/\1 \2\4/' | sort)
    theirs=$(ip -o addr show | awk '{ sub(/@.*/, "", $2); print $2, $4 }' | sort)
    [ "$mine" = "$theirs" ]
}

@test "in a new network namespace with lo up, only lo's addresses are listed" {
    needs_root_namespaces -n
    run unshare -n sh -c 'ip link set lo up && ./local_machine_info'
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "interface lo: ipv4 address 127.0.0.1/8" ]
    [ "${#lines[@]}" -le 3 ]
    [ "${#lines[@]}" -eq 2 ] || [ "${lines[2]}" = "interface lo: ipv6 address ::1/128" ]
}

@test "with every interface down it says that no interface has an IP address" {
    needs_root_namespaces -n
    run unshare -n ./local_machine_info
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "no interface has an IP address (is even lo down?)" ]
}

@test "a host name that does not resolve: none, the resolver's error on stderr, exit 1" {
    needs_root_namespaces -u
    run --separate-stderr unshare -u sh -c 'hostname nosuch-host.invalid && exec ./local_machine_info'
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
