#!/usr/bin/env bats
# code/integer_conversion: htonl/ntohl and htons/ntohs as the book prints them, the host's
# byte order, and the bytes in memory.

load helpers
bats_require_minimum_version 1.5.0   # run --separate-stderr

setup() {
    cd "$ROOT/code"
    # od reads the two bytes 01 00 as one native 16-bit number: 1 on a little-endian host.
    [ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] && LITTLE=1 || LITTLE=0
}

@test "with no argument: the host's order, 0x12345678 through htonl, 0xabcd through htons" {
    run ./integer_conversion
    [ "$status" -eq 0 ]
    if [ "$LITTLE" = 1 ]; then
        [ "$output" = "This host is little-endian: least significant byte first in memory; htonl/htons swap bytes
Original: 305419896 => Long  host byte order: 2018915346, Network byte order: 2018915346
  0x12345678 in memory: 78 56 34 12; htonl gives 0x78563412, in memory: 12 34 56 78
Original: 43981 => Short  host byte order: 52651, Network byte order: 52651
  0xabcd in memory: cd ab; htons gives 0xcdab, in memory: ab cd" ]
    else
        [ "$output" = "This host is big-endian: the network's own order; htonl/htons change nothing
Original: 305419896 => Long  host byte order: 305419896, Network byte order: 305419896
  0x12345678 in memory: 12 34 56 78; htonl gives 0x12345678, in memory: 12 34 56 78
Original: 43981 => Short  host byte order: 43981, Network byte order: 43981
  0xabcd in memory: ab cd; htons gives 0xabcd, in memory: ab cd" ]
    fi
}

@test "the book's 1234 gives the book's numbers (on a little-endian host)" {
    [ "$LITTLE" = 1 ] || skip "the book's transcript is from a little-endian PC"
    run ./integer_conversion 1234
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Original: 1234 => Long  host byte order: 3523477504, Network byte order: 3523477504" ]
    [ "${lines[3]}" = "Original: 1234 => Short  host byte order: 53764, Network byte order: 53764" ]
}

@test "whatever the host, the network order in memory is most significant byte first" {
    run ./integer_conversion 0x0A0B0C0D
    [ "$status" -eq 0 ]
    [[ "${lines[2]}" == *"in memory: 0a 0b 0c 0d" ]]
    run ./integer_conversion 0x0102
    [[ "${lines[2]}" == *"in memory: 00 00 01 02" ]]
    [[ "${lines[4]}" == *"in memory: 01 02" ]]
}

@test "the edges: 0 and 4294967295 stay the same; above 65535 htons is refused" {
    run ./integer_conversion 0
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Original: 0 => Long  host byte order: 0, Network byte order: 0" ]
    [ "${lines[3]}" = "Original: 0 => Short  host byte order: 0, Network byte order: 0" ]
    run ./integer_conversion 4294967295
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "Original: 4294967295 => Long  host byte order: 4294967295, Network byte order: 4294967295" ]
    [ "${lines[3]}" = "Original: 4294967295 => Short: too big for htons/ntohs, which take 16 bits (0..65535)" ]
    [ "${#lines[@]}" -eq 4 ]
}

@test "a number that is not 0..4294967295 in decimal or 0x hex is a usage error, exit 2" {
    for bad in 4294967296 0x100000000 -1 12x 0x ' 1' 1.5 ""; do
        run --separate-stderr ./integer_conversion -- "$bad"
        [ "$status" -eq 2 ]
        [ -z "$output" ]
        [ "${stderr_lines[0]}" = "usage: integer_conversion [-h] [number]" ]
        [ "${stderr_lines[1]}" = "integer_conversion: error: argument number: invalid number: '$bad' (0..4294967295, decimal or 0x hex)" ]
    done
}

@test "-h prints the usage, exit 0; a second number is a usage error, exit 2" {
    run ./integer_conversion -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "usage: integer_conversion [-h] [number]" ]
    run ./integer_conversion 1 2
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "integer_conversion: error: unrecognized arguments: 2" ]
}
