#!/usr/bin/env bats
# code/finding_service_name: port -> name and name -> port through the services database
# (/etc/services), getaddrinfo, the -a loop, the port ranges, and a missing database.

load lib/helpers

setup() {
    cd "$ROOT/code"
    [ -e /etc/services ] || skip "no /etc/services on this machine (Debian/Ubuntu: apt install netbase)"
}

# A port that the database names for neither protocol (they are rare enough above 1024).
unnamed() {
    ! grep -Eq "^[^#]*[[:space:]]$1/(tcp|udp)" /etc/services || skip "port $1 has a name here"
}

@test "with no argument: http is 80, and ports 80, 25 and 53 have their names, as the notebook" {
    run --separate-stderr ./finding_service_name
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "getservbyname('http', 'tcp') => 80 (well-known port: 0-1023)" ]
    [[ "${lines[1]}" =~ ^getservbyname\(\'http\',\ \'udp\'\)\ =\>\ (80\ \(well-known|no\ such\ service) ]]
    [ "${lines[2]}" = "getaddrinfo(None, 'http', type=SOCK_STREAM) => port 80" ]
    [ "${lines[3]}" = "TCP port: 80 => service name: http (well-known port: 0-1023)" ]
    [[ "${lines[4]}" == "UDP port: 80 => "* ]]
    [ "${lines[5]}" = "TCP port: 25 => service name: smtp (well-known port: 0-1023)" ]
    [[ "${lines[6]}" == "UDP port: 25 => "* ]]
    [ "${lines[7]}" = "TCP port: 53 => service name: domain (well-known port: 0-1023)" ]
    [ "${lines[8]}" = "UDP port: 53 => service name: domain (well-known port: 0-1023)" ]
    [ "${#lines[@]}" -eq 9 ]
}

@test "each port shown names its range, with the boundaries where the lecture puts them" {
    for port in 1023 1024 49151 49152; do unnamed "$port"; done
    run --separate-stderr ./finding_service_name 1023 1024 49151 49152 65535
    [ "$status" -eq 1 ]     # none of them has a name
    [ "${lines[0]}" = "TCP port: 1023 => no service name in the services database (well-known port: 0-1023)" ]
    [ "${lines[2]}" = "TCP port: 1024 => no service name in the services database (registered port: 1024-49151)" ]
    [ "${lines[4]}" = "TCP port: 49151 => no service name in the services database (registered port: 1024-49151)" ]
    [ "${lines[6]}" = "TCP port: 49152 => no service name in the services database (dynamic/private port: 49152-65535)" ]
    [ "${lines[9]}" = "UDP port: 65535 => no service name in the services database (dynamic/private port: 49152-65535)" ]
}

@test "a name gives its port through getservbyname and through getaddrinfo" {
    run --separate-stderr ./finding_service_name ssh
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "getservbyname('ssh', 'tcp') => 22 (well-known port: 0-1023)" ]
    [ "${lines[2]}" = "getaddrinfo(None, 'ssh', type=SOCK_STREAM) => port 22" ]
}

@test "experiment: getservbyname(name, None) matches any protocol: tftp (UDP only) gets a port on both lines" {
    grep -Eq '^tftp[[:space:]]+69/udp' /etc/services && ! grep -Eq '^tftp[[:space:]]+69/tcp' /etc/services ||
        skip "tftp is not a UDP-only service in this /etc/services"
    run ./finding_service_name tftp
    [ "${lines[0]}" = "getservbyname('tftp', 'tcp') => no such service in the services database" ]
    build_without_experiment finding_service_name.c "$BATS_TEST_TMPDIR/finding_service_name" None
    run "$BATS_TEST_TMPDIR/finding_service_name" tftp
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "getservbyname('tftp', None) => 69 (well-known port: 0-1023)" ]
    [ "${lines[1]}" = "getservbyname('tftp', None) => 69 (well-known port: 0-1023)" ]
}

@test "experiment: without htons the port is looked up byte-swapped: 80 has no name, 20480 is http" {
    [ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] || skip "on a big-endian host htons changes nothing"
    build_without_experiment finding_service_name.c "$BATS_TEST_TMPDIR/finding_service_name" 20480
    run --separate-stderr "$BATS_TEST_TMPDIR/finding_service_name" 80 20480
    [ "${lines[0]}" = "TCP port: 80 => no service name in the services database (well-known port: 0-1023)" ]
    [ "${lines[2]}" = "TCP port: 20480 => service name: http (registered port: 1024-49151)" ]
}

@test "a port the database does not know says so on stdout and stderr, exit 1" {
    unnamed 1060
    run --separate-stderr ./finding_service_name 1060 80
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "TCP port: 1060 => no service name in the services database (registered port: 1024-49151)" ]
    [ "${lines[1]}" = "UDP port: 1060 => no service name in the services database (registered port: 1024-49151)" ]
    [ "${lines[2]}" = "TCP port: 80 => service name: http (well-known port: 0-1023)" ]
    [ "$stderr" = "finding_service_name: port 1060: not in the services database, for tcp or udp" ]
}

@test "an unknown service name: no port from either call, the resolver's error, exit 1" {
    run --separate-stderr ./finding_service_name nosuchservice
    [ "$status" -eq 1 ]
    [ "$output" = "getservbyname('nosuchservice', 'tcp') => no such service in the services database
getservbyname('nosuchservice', 'udp') => no such service in the services database
getaddrinfo(None, 'nosuchservice', type=SOCK_STREAM) => [Errno -8] Servname not supported for ai_socktype" ]
    [ "$stderr" = "finding_service_name: service 'nosuchservice': not in the services database, for tcp or udp" ]
}

@test "a name with control characters is shown escaped" {
    run --separate-stderr ./finding_service_name $'x\e[31m'
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "getservbyname('x\\x1b[31m', 'tcp') => no such service in the services database" ]
    [[ "$stderr" != *$'\e'* ]]
}

@test "-a is the notebook's loop over range(1025): TCP name, UDP name, or Python's error" {
    run --separate-stderr ./finding_service_name -a
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    # The cell's lines, made from /etc/services: getservbyport gives a port's first line.
    expected=$(awk '!/^#/ && $2 ~ /^[0-9]+\/(tcp|udp)$/ { split($2, p, "/")
                    if (!((p[1] + 0, p[2]) in name)) name[p[1] + 0, p[2]] = $1 }
        END { for (port = 0; port <= 1024; port++)
                  if ((port, "tcp") in name) {
                      print "TCP port: " port " => service name: " name[port, "tcp"]
                      if ((port, "udp") in name) print "UDP port: " port " => service name: " name[port, "udp"]
                      else print "port " port ": port/proto not found"
                  } else print "port " port ": port/proto not found" }' /etc/services)
    [ "$output" = "$expected" ]
    [ "${lines[0]}" = "port 0: port/proto not found" ]
    printf '%s\n' "${lines[@]}" | grep -qx 'TCP port: 80 => service name: http'
}

@test "-a with names given: the names first, then the loop; -a after -- is a name" {
    run ./finding_service_name 22 -a
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "TCP port: 22 => service name: ssh (well-known port: 0-1023)" ]
    [ "${lines[2]}" = "port 0: port/proto not found" ]
    [ "${#lines[@]}" -gt 10 ]
    run ./finding_service_name -- -a
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "getservbyname('-a', 'tcp') => no such service in the services database" ]
}

@test "without /etc/services every lookup fails, and the program says why, exit 1" {
    [ "$(id -u)" -eq 0 ] || skip "needs root to hide /etc/services (unshare -m)"
    unshare -m true 2>/dev/null || skip "unshare -m is not allowed here"
    # An empty /etc in a private mount namespace, gone when the command ends.
    for args in "" "-a" "ssh" "80"; do
        run --separate-stderr unshare -m sh -c 'mount -t tmpfs none /etc && exec ./finding_service_name "$@"' sh $args
        [ "$status" -eq 1 ]
        [ "$stderr" = "finding_service_name: the services database /etc/services is missing, so every lookup fails (Debian/Ubuntu: apt install netbase)" ]
    done
}

@test "-h prints the usage; a bad port, an empty word or an unknown option exit 2" {
    run ./finding_service_name -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: finding_service_name [-h] [-a] [service_or_port ...]" ]
    run --separate-stderr ./finding_service_name 80 70000
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "${stderr_lines[1]}" = "finding_service_name: error: argument service_or_port: invalid value: '70000' (must be 0..65535)" ]
    run ./finding_service_name ""
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "finding_service_name: error: argument service_or_port: empty (give a port or a name)" ]
    run ./finding_service_name -x 80 -y
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "finding_service_name: error: unrecognized arguments: -x -y" ]
}

@test "--all and its prefix --al are -a, as argparse takes them" {
    run ./finding_service_name -a
    all=$output
    run ./finding_service_name --all
    [ "$output" = "$all" ]
    run ./finding_service_name --al
    [ "$status" -eq 0 ]
    [ "$output" = "$all" ]
}
