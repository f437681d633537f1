#!/usr/bin/env bats
# Soak, in small: each server serves 100 connections or 1,000 datagrams in a row from
# tests/soak_load, and its open descriptors and resident memory do not grow (tests/soak.sh;
# `make soak` runs the full 1,000 and 10,000).

load lib/helpers

soak() {
    run bash "$ROOT/tests/soak.sh" 0.1 "$1"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "ok   $1 "* ]]
}

@test "udp_local server: 1,000 datagrams answered, no descriptor or memory growth" { soak udp_local; }
@test "udp_remote server: 1,000 datagrams answered, no descriptor or memory growth" { soak udp_remote; }
@test "udp_broadcast server: 1,000 datagrams read, no descriptor or memory growth" { soak udp_broadcast; }
@test "udp_multicast server: 1,000 datagrams read, no descriptor or memory growth" { soak udp_multicast; }
@test "sntp_server: 1,000 requests answered, no descriptor or memory growth" { soak sntp_server; }
@test "tcp_sixteen server: 100 clients served, no descriptor or memory growth" { soak tcp_sixteen; }
@test "tcp_deadlock server: 100 clients served, no descriptor or memory growth" { soak tcp_deadlock; }
@test "tcp_closing server: 100 half-closing clients served, no descriptor or memory growth" { soak tcp_closing; }
@test "tcp_file server: 100 clients served, no descriptor or memory growth" { soak tcp_file; }
@test "tcp_keepalive server: 100 clients seen closing, no descriptor or memory growth" { soak tcp_keepalive; }
@test "reuseaddr: 100 connections accepted, no descriptor or memory growth" { soak reuseaddr; }
