#!/usr/bin/env bats
# code/integer_conversion: the notebook's two lines (htonl/ntohl and htons/ntohs, in hex),
# then the host's byte order and the bytes in memory.

load lib/helpers

setup() {
    cd "$ROOT/code"
    # od reads the two bytes 01 00 as one native 16-bit number: 1 on a little-endian host.
    [ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] && LITTLE=1 || LITTLE=0
}

@test "with no argument the first two lines are the notebook cell's, word for word" {
    [ "$LITTLE" = 1 ] || skip "the notebook's lines are from a little-endian PC"
    run ./integer_conversion
    [ "$status" -eq 0 ]
    # The notebook's cell, as it prints 0x12345678 and 0xabcd:
    [ "${lines[0]}" = "Long integer: 12345678 => host byte order: 78563412, Network byte order: 78563412" ]
    [ "${lines[1]}" = "short integer: abcd => host byte order: cdab, Network byte order: cdab" ]
}

@test "after a blank line: the host's order and the bytes in memory" {
    run ./integer_conversion
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | sed -n 3p)" = "" ]
    if [ "$LITTLE" = 1 ]; then
        [ "$(printf '%s\n' "$output" | sed -n '4,$p')" = "This host is little-endian: least significant byte first in memory; htonl/htons swap bytes
  0x12345678 in memory: 78 56 34 12; htonl gives 0x78563412, in memory: 12 34 56 78
  0xabcd in memory: cd ab; htons gives 0xcdab, in memory: ab cd" ]
    else
        [ "$output" = "Long integer: 12345678 => host byte order: 12345678, Network byte order: 12345678
short integer: abcd => host byte order: abcd, Network byte order: abcd

This host is big-endian: the network's own order; htonl/htons change nothing
  0x12345678 in memory: 12 34 56 78; htonl gives 0x12345678, in memory: 12 34 56 78
  0xabcd in memory: ab cd; htons gives 0xabcd, in memory: ab cd" ]
    fi
}

@test "experiment: without htonl the network byte order is the host's: the bytes go out backwards" {
    [ "$LITTLE" = 1 ] || skip "on a big-endian host htonl changes nothing"
    build_without_experiment integer_conversion.c "$BATS_TEST_TMPDIR/integer_conversion"
    run "$BATS_TEST_TMPDIR/integer_conversion"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Long integer: 12345678 => host byte order: 78563412, Network byte order: 12345678" ]
    [ "${lines[3]}" = "  0x12345678 in memory: 78 56 34 12; htonl gives 0x12345678, in memory: 78 56 34 12" ]
}

@test "the book's 1234 gives the notebook's two lines for it, in hex (on a little-endian host)" {
    [ "$LITTLE" = 1 ] || skip "the book's transcript is from a little-endian PC"
    run ./integer_conversion 1234
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Long integer: 4d2 => host byte order: d2040000, Network byte order: d2040000" ]
    [ "${lines[1]}" = "short integer: 4d2 => host byte order: d204, Network byte order: d204" ]
}

@test "whatever the host, the network order in memory is most significant byte first" {
    run ./integer_conversion 168496141              # 0x0a0b0c0d
    [ "$status" -eq 0 ]
    [[ "${lines[3]}" == "  0x0a0b0c0d in memory: "*"; htonl gives 0x"*", in memory: 0a 0b 0c 0d" ]]
    run ./integer_conversion 258                    # 0x0102
    [[ "${lines[3]}" == *"in memory: 00 00 01 02" ]]
    [[ "${lines[4]}" == *"in memory: 01 02" ]]
}

@test "the edges: 0 and 4294967295 stay the same; above 65535 htons is refused" {
    run ./integer_conversion 0
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Long integer: 0 => host byte order: 0, Network byte order: 0" ]
    [ "${lines[1]}" = "short integer: 0 => host byte order: 0, Network byte order: 0" ]
    run ./integer_conversion 4294967295
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "Long integer: ffffffff => host byte order: ffffffff, Network byte order: ffffffff" ]
    [ "${lines[1]}" = "short integer: ffffffff => too big for htons/ntohs, which take 16 bits (0..ffff)" ]
    [ "${#lines[@]}" -eq 4 ]
}

@test "a number that is not an int is argparse's 'invalid int value', exit 2" {
    for bad in 0x12 12x 1.5 "" $'\e[31m'; do
        run --separate-stderr ./integer_conversion -- "$bad"
        [ "$status" -eq 2 ]
        [ -z "$output" ]
        [ "${stderr_lines[0]}" = "usage: integer_conversion [-h] [number]" ]
        shown=${bad//$'\e'/\\x1b}
        [ "${stderr_lines[1]}" = "integer_conversion: error: argument number: invalid int value: '$shown'" ]
    done
}

@test "a number outside 0..4294967295 is a usage error, exit 2" {
    for bad in 4294967296 -1 99999999999999999999; do
        run --separate-stderr ./integer_conversion -- "$bad"
        [ "$status" -eq 2 ]
        [ "${stderr_lines[1]}" = "integer_conversion: error: argument number: invalid value: '$bad' (must be 0..4294967295)" ]
    done
}

@test "-h prints the usage, exit 0; a second number is a usage error, exit 2" {
    run ./integer_conversion -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: integer_conversion [-h] [number]" ]
    run ./integer_conversion --he
    [ "$status" -eq 0 ]
    run ./integer_conversion 1 2 3
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "integer_conversion: error: unrecognized arguments: 2 3" ]
}
