#!/usr/bin/env bats
# code/remote_machine_info: every address of a host, once each; the resolver's own error.
# No test asks DNS: address literals need no lookup, and names are served from a private
# /etc/hosts inside a mount namespace (lib/helpers.bash's with_hosts_file, root only).

load lib/helpers

setup() {
    cd "$ROOT/code"
}

@test "localhost has ip address 127.0.0.1, in the lecture's words" {
    with_hosts_file $'127.0.0.1 localhost\n::1 localhost ip6-localhost\n' ./remote_machine_info localhost
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(printf '%s\n' "${lines[@]}" | sort)" = "remote host localhost has ip address 127.0.0.1
remote host localhost has ip address ::1" ]
}

@test "an IPv6 address is printed in its IPv6 form" {
    run ./remote_machine_info ::1
    [ "$status" -eq 0 ]
    [ "$output" = "remote host ::1 has ip address ::1" ]
}

@test "an address literal is not looked up, only normalised (127.1 is 127.0.0.1)" {
    run ./remote_machine_info 127.1
    [ "$status" -eq 0 ]
    [ "$output" = "remote host 127.1 has ip address 127.0.0.1" ]
}

@test "a name with IPv4 and IPv6 addresses prints both, each address once" {
    with_hosts_file $'127.0.0.1 twice.test\n127.0.0.1 twice.test\n::1 twice.test\n' \
        ./remote_machine_info twice.test
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort)" = "remote host twice.test has ip address 127.0.0.1
remote host twice.test has ip address ::1" ]
}

@test "experiment: without ai_socktype each address is printed three times, once per socket type" {
    build_without_experiment remote_machine_info.c "$BATS_TEST_TMPDIR/remote_machine_info"
    run "$BATS_TEST_TMPDIR/remote_machine_info" 127.0.0.1
    [ "$status" -eq 0 ]
    [ "$output" = "remote host 127.0.0.1 has ip address 127.0.0.1
remote host 127.0.0.1 has ip address 127.0.0.1
remote host 127.0.0.1 has ip address 127.0.0.1" ]
}

@test "with no argument the host is google.com (served here from a private /etc/hosts)" {
    with_hosts_file $'127.0.0.9 google.com\n' ./remote_machine_info
    [ "$status" -eq 0 ]
    [ "$output" = "remote host google.com has ip address 127.0.0.9" ]
}

@test "a name that does not resolve: the resolver's code and text on stdout, as the cell prints them, exit 0" {
    with_hosts_file $'127.0.0.1 localhost\n' ./remote_machine_info nosuch.invalid
    [ "$status" -eq 0 ]
    [ "$output" = "nosuch.invalid: [Errno -2] Name or service not known" ]
    [ -z "$stderr" ]
}

@test "a name with control characters is echoed escaped in the resolver's error, never raw" {
    with_hosts_file $'127.0.0.1 localhost\n' ./remote_machine_info $'\e[31mred'
    [ "$status" -eq 0 ]
    [ "$output" = "'\x1b[31mred': [Errno -2] Name or service not known" ]
}

@test "-h prints the usage and says the default host, exit 0" {
    run ./remote_machine_info -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: remote_machine_info [-h] [host]" ]
    [[ "$output" == *"(default google.com)"* ]]
}

@test "two hosts, an empty host or an unknown option are usage errors, exit 2" {
    run ./remote_machine_info localhost extra more
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: remote_machine_info [-h] [host]" ]
    [ "${lines[1]}" = "remote_machine_info: error: unrecognized arguments: extra more" ]
    run ./remote_machine_info ""
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "remote_machine_info: error: argument host: the host name is empty" ]
    run ./remote_machine_info -x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "remote_machine_info: error: unrecognized arguments: -x" ]
}
