#!/usr/bin/env bats
# code/remote_machine_info: every address of a host, once each; the resolver's own error.
# No internet here: only localhost, address literals, .invalid names, and names served
# from a private /etc/hosts inside a mount namespace (root only).

load helpers
bats_require_minimum_version 1.5.0   # run --separate-stderr

setup() {
    cd "$ROOT/code"
}

# Run CMD... with /etc/hosts replaced by HOSTS_TEXT and name lookups limited to that file
# (nothing goes to DNS), in a private mount namespace that disappears with the command.
with_hosts_file() {
    local text=$1
    shift
    [ "$(id -u)" -eq 0 ] || skip "needs root to give the test its own /etc/hosts (unshare -m)"
    printf '%s' "$text" >"$BATS_TEST_TMPDIR/hosts"
    printf 'hosts: files\n' >"$BATS_TEST_TMPDIR/nsswitch.conf"
    unshare -m true 2>/dev/null || skip "unshare -m is not allowed here"
    run --separate-stderr unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
        mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"' sh \
        "$BATS_TEST_TMPDIR/hosts" "$BATS_TEST_TMPDIR/nsswitch.conf" "$@"
}

@test "localhost has ip address 127.0.0.1, in the lecture's words" {
    run --separate-stderr ./remote_machine_info localhost
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    printf '%s\n' "${lines[@]}" | grep -qx 'remote host localhost has ip address 127.0.0.1'
    for line in "${lines[@]}"; do
        [[ "$line" =~ ^remote\ host\ localhost\ has\ ip\ address\ (127\.[0-9.]+|::1)$ ]]
    done
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

@test "with no argument the host is google.com (served here from a private /etc/hosts)" {
    with_hosts_file $'127.0.0.9 google.com\n' ./remote_machine_info
    [ "$status" -eq 0 ]
    [ "$output" = "remote host google.com has ip address 127.0.0.9" ]
}

@test "a name that does not resolve is the resolver's code and text, exit 1" {
    run --separate-stderr ./remote_machine_info nosuch.invalid
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [ "$stderr" = "remote_machine_info: nosuch.invalid: [Errno -2] Name or service not known" ]
}

@test "-h prints the usage and says the default host, exit 0" {
    run ./remote_machine_info -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: remote_machine_info [-h] [host]" ]
    [[ "$output" == *"(default google.com)"* ]]
}

@test "two hosts, an empty host or an unknown option are usage errors, exit 2" {
    run ./remote_machine_info localhost extra
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "usage: remote_machine_info [-h] [host]" ]
    [ "${lines[1]}" = "remote_machine_info: error: unrecognized arguments: extra" ]
    run ./remote_machine_info ""
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "remote_machine_info: error: argument host: the host name is empty" ]
    run ./remote_machine_info -x
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "remote_machine_info: error: unrecognized arguments: -x" ]
}
