#!/usr/bin/env bats
# code/ip4_address_conversion: text <-> packed bytes with inet_pton/inet_ntop, IPv4 and
# IPv6; inet_aton's leniency; a bad address is a usage error (exit 2) before any output.

load lib/helpers

setup() {
    cd "$ROOT/code"
}

@test "with no argument it converts 127.0.0.1 and 192.168.0.1 as the book prints them" {
    run ./ip4_address_conversion
    [ "$status" -eq 0 ]
    [ "$output" = "IP Address: 127.0.0.1 => Packed: b'7f000001', Unpacked: 127.0.0.1
IP Address: 192.168.0.1 => Packed: b'c0a80001', Unpacked: 192.168.0.1" ]
}

@test "the addresses given are converted in order, most significant byte first" {
    run ./ip4_address_conversion 10.0.0.255 0.0.0.0 255.255.255.255
    [ "$status" -eq 0 ]
    [ "$output" = "IP Address: 10.0.0.255 => Packed: b'0a0000ff', Unpacked: 10.0.0.255
IP Address: 0.0.0.0 => Packed: b'00000000', Unpacked: 0.0.0.0
IP Address: 255.255.255.255 => Packed: b'ffffffff', Unpacked: 255.255.255.255" ]
}

@test "IPv6 addresses pack to 16 bytes and unpack to their shortest form" {
    run ./ip4_address_conversion ::1 2001:DB8:0:0::1 ::ffff:127.0.0.1
    [ "$status" -eq 0 ]
    [ "$output" = "IP Address: ::1 => Packed: b'00000000000000000000000000000001', Unpacked: ::1
IP Address: 2001:DB8:0:0::1 => Packed: b'20010db8000000000000000000000001', Unpacked: 2001:db8::1
IP Address: ::ffff:127.0.0.1 => Packed: b'00000000000000000000ffff7f000001', Unpacked: ::ffff:127.0.0.1" ]
}

@test "inet_aton accepts 127.1 and 0x7f.1, inet_pton rejects them, and the program says so" {
    run ./ip4_address_conversion 127.1 0x7f.1
    [ "$status" -eq 0 ]
    [ "$output" = "IP Address: 127.1 => Packed: b'7f000001', Unpacked: 127.0.0.1
  inet_aton reads '127.1' as 127.0.0.1; inet_pton rejects it (it takes a.b.c.d only, each 0-255 in decimal, no leading zeros)
IP Address: 0x7f.1 => Packed: b'7f000001', Unpacked: 127.0.0.1
  inet_aton reads '0x7f.1' as 127.0.0.1; inet_pton rejects it (it takes a.b.c.d only, each 0-255 in decimal, no leading zeros)" ]
}

@test "experiment: without inet_aton, 127.1 (which Python's inet_aton takes) is refused, exit 2" {
    build_without_experiment ip4_address_conversion.c "$BATS_TEST_TMPDIR/ip4_address_conversion"
    run --separate-stderr "$BATS_TEST_TMPDIR/ip4_address_conversion" 127.1
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "${stderr_lines[1]}" = "ip4_address_conversion: error: argument address: invalid IP address: '127.1'" ]
    run "$BATS_TEST_TMPDIR/ip4_address_conversion" 127.0.0.1
    [ "$output" = "IP Address: 127.0.0.1 => Packed: b'7f000001', Unpacked: 127.0.0.1" ]
}

@test "inet_aton reads a leading zero as octal: 010.0.0.1 is 8.0.0.1" {
    run ./ip4_address_conversion 010.0.0.1
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "IP Address: 010.0.0.1 => Packed: b'08000001', Unpacked: 8.0.0.1" ]
    [[ "${lines[1]}" == "  inet_aton reads '010.0.0.1' as 8.0.0.1; inet_pton rejects it"* ]]
}

@test "an address nobody accepts is a usage error, exit 2, and nothing is converted" {
    for bad in 300.1.2.3 1.2.3.4.5 hello 1::2::3 fe80::1%lo 1.2.3.4/24 ""; do
        run --separate-stderr ./ip4_address_conversion 127.0.0.1 "$bad"
        [ "$status" -eq 2 ]
        [ -z "$output" ]
        [ "${stderr_lines[0]}" = "usage: ip4_address_conversion [-h] [address ...]" ]
        [ "${stderr_lines[1]}" = "ip4_address_conversion: error: argument address: invalid IP address: '$bad'" ]
    done
}

@test "glibc's inet_aton would ignore text after a space; here it is an error, escaped" {
    run --separate-stderr ./ip4_address_conversion $'1.2.3.4 \e[31mred'
    [ "$status" -eq 2 ]
    [ "${stderr_lines[1]}" = "ip4_address_conversion: error: argument address: invalid IP address: '1.2.3.4 \\x1b[31mred'" ]
}

@test "-h prints the usage and says a bad address exits 2; an unknown option exits 2" {
    run ./ip4_address_conversion -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: ip4_address_conversion [-h] [address ...]" ]
    [[ "$output" == *"usage error, exit 2"* ]]
    run --separate-stderr ./ip4_address_conversion 127.0.0.1 ::1 -x --bad
    [ "$status" -eq 2 ]
    [ -z "$output" ]
    [ "${stderr_lines[1]}" = "ip4_address_conversion: error: unrecognized arguments: -x --bad" ]
}

@test "a bad address is reported before an unknown option, as argparse orders them" {
    run --separate-stderr ./ip4_address_conversion -x 300.1.2.3
    [ "$status" -eq 2 ]
    [ "${stderr_lines[1]}" = "ip4_address_conversion: error: argument address: invalid IP address: '300.1.2.3'" ]
}
