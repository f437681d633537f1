#!/usr/bin/env bats
# code/modify_buff_size: SO_SNDBUF and SO_RCVBUF before and after asking for 4096 bytes,
# in the notebook's four lines.

load lib/helpers

setup() {
    cd "$ROOT/code"
}

@test "the notebook's four lines: the defaults, then 8192 after asking for 4096 (doubled)" {
    run ./modify_buff_size
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]        # and, after a blank line, what was asked for
    # The notebook prints, on its machine:
    #   [Before] send buffer size:16384
    #   [Before] receive buffer size:131072
    #   [After] send buffer size:8192
    #   [After] receive buffer size:8192
    [[ "${lines[0]}" =~ ^\[Before\]\ send\ buffer\ size:[0-9]+$ ]]
    [[ "${lines[1]}" =~ ^\[Before\]\ receive\ buffer\ size:[0-9]+$ ]]
    [ "${lines[2]}" = "[After] send buffer size:8192" ]
    [ "${lines[3]}" = "[After] receive buffer size:8192" ]
    [ "${lines[4]}" = "Asked for 4096 (send) and 4096 (receive) bytes: Linux keeps twice what it is given, within its limits" ]
}

@test "experiment: without the SO_SNDBUF setsockopt the send buffer stays the default, the other one changes" {
    build_without_experiment modify_buff_size.c "$BATS_TEST_TMPDIR/modify_buff_size" "send buffer size"
    run "$BATS_TEST_TMPDIR/modify_buff_size"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "[After] send buffer size:${lines[0]#*:}" ]
    [ "${lines[2]}" != "[After] send buffer size:8192" ]
    [ "${lines[3]}" = "[After] receive buffer size:8192" ]
}

@test "experiment: without the SO_RCVBUF setsockopt the receive buffer stays the default" {
    build_without_experiment modify_buff_size.c "$BATS_TEST_TMPDIR/modify_buff_size" "receive buffer size"
    run "$BATS_TEST_TMPDIR/modify_buff_size"
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "[After] send buffer size:8192" ]
    [ "${lines[3]}" = "[After] receive buffer size:${lines[1]#*:}" ]
    [ "${lines[3]}" != "[After] receive buffer size:8192" ]
}

@test "the defaults are the middle numbers of net.ipv4.tcp_wmem and tcp_rmem" {
    [ -r /proc/sys/net/ipv4/tcp_wmem ] || skip "no /proc/sys/net/ipv4/tcp_wmem here"
    run ./modify_buff_size
    [ "${lines[0]}" = "[Before] send buffer size:$(awk '{print $2}' /proc/sys/net/ipv4/tcp_wmem)" ]
    [ "${lines[1]}" = "[Before] receive buffer size:$(awk '{print $2}' /proc/sys/net/ipv4/tcp_rmem)" ]
}

@test "-s asks for another size, and gets twice as much" {
    run ./modify_buff_size -s 50000
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "[After] send buffer size:100000" ]
    [ "${lines[3]}" = "[After] receive buffer size:100000" ]
}

@test "a tiny size is raised to the kernel's minimum, at least the man page's 2048 and 256" {
    run ./modify_buff_size -s 1
    [ "$status" -eq 0 ]
    send=${lines[2]#*:} receive=${lines[3]#*:}
    [ "$send" -ge 2048 ]
    [ "$send" -le 8192 ]
    [ "$receive" -ge 256 ]
    [ "$receive" -le 8192 ]
}

@test "a huge size is capped at net.core.wmem_max and rmem_max before doubling" {
    [ -r /proc/sys/net/core/wmem_max ] || skip "no /proc/sys/net/core/wmem_max here"
    run ./modify_buff_size -s 2147483647
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "[After] send buffer size:$((2 * $(cat /proc/sys/net/core/wmem_max)))" ]
    [ "${lines[3]}" = "[After] receive buffer size:$((2 * $(cat /proc/sys/net/core/rmem_max)))" ]
}

@test "-h prints the usage and exits 0" {
    run ./modify_buff_size -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: modify_buff_size [-h] [-s SIZE]" ]
}

@test "a size that is not an int in 0..2147483647 is a usage error, exit 2" {
    for value in abc 12x ""; do
        run ./modify_buff_size -s "$value"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "modify_buff_size: error: argument -s: invalid int value: '$value'" ]
    done
    for value in -1 2147483648 99999999999999999999; do
        run ./modify_buff_size -s "$value"
        [ "$status" -eq 2 ]
        [ "${lines[1]}" = "modify_buff_size: error: argument -s: invalid value: '$value' (must be 0..2147483647)" ]
    done
    run ./modify_buff_size extra
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "modify_buff_size: error: unrecognized arguments: extra" ]
}
