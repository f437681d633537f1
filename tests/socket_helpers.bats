#!/usr/bin/env bats
# common/socket_helpers.h, through tests/helpers_test: what Python would print.

load lib/helpers

h() { "$ROOT/tests/helpers_test" "$@"; }

@test "repr of text: quotes chosen as Python chooses them" {
    [ "$(h repr-text 48690a)" = "'Hi\\n'" ]          # 'Hi\n'
    [ "$(h repr-text 27)" = "\"'\"" ]                # "'"
    [ "$(h repr-text 2722)" = "'\\'\"'" ]            # '\'"'
    [ "$(h repr-text 22)" = "'\"'" ]                 # '"'
    [ "$(h repr-text "")" = "''" ]
}

@test "repr of text: backslash, tab, CR and control characters are escaped" {
    [ "$(h repr-text 5c)" = "'\\\\'" ]               # '\\'
    [ "$(h repr-text 090d)" = "'\\t\\r'" ]
    [ "$(h repr-text 00011b7f)" = "'\\x00\\x01\\x1b\\x7f'" ]
}

@test "repr of text: printable UTF-8 stays, invisible characters and invalid bytes are escaped" {
    [ "$(h repr-text 636166c3a9)" = "'café'" ]
    [ "$(h repr-text f09f9880)" = "'😀'" ]
    [ "$(h repr-text c2a0)" = "'\\xa0'" ]            # no-break space, as Python
    [ "$(h repr-text c285)" = "'\\x85'" ]            # C1 control
    [ "$(h repr-text e280ae)" = "'\\u202e'" ]        # right-to-left override
    [ "$(h repr-text efbbbf)" = "'\\ufeff'" ]
    [ "$(h repr-text ff)" = "'\\xff'" ]              # not UTF-8 at all
    [ "$(h repr-text c0af)" = "'\\xc0\\xaf'" ]       # overlong '/'
    [ "$(h repr-text eda080)" = "'\\xed\\xa0\\x80'" ] # a surrogate
    [ "$(h repr-text e282)" = "'\\xe2\\x82'" ]       # truncated sequence
}

@test "repr of bytes: b'...' with every non-ASCII byte as \\xNN" {
    [ "$(h repr-bytes 4869207468657265)" = "b'Hi there'" ]
    [ "$(h repr-bytes 2748690aff)" = "b\"'Hi\\n\\xff\"" ]
    [ "$(h repr-bytes c3a9)" = "b'\\xc3\\xa9'" ]
}

@test "addresses print as Python prints them" {
    [ "$(h address 127.0.0.1 1060)" = "('127.0.0.1', 1060)" ]
    [ "$(h address ::1 1060)" = "('::1', 1060, 0, 0)" ]
    [ "$(h address "" 0)" = "('0.0.0.0', 0)" ]
}

@test "an unresolvable name is the resolver's message naming the host, exit 1" {
    with_hosts_file $'127.0.0.1 localhost\n' "$ROOT/tests/helpers_test" address nosuch.invalid 1060
    [ "$status" -eq 1 ]
    [ "$output" = "" ]
    [ "$stderr" = "helpers_test: getaddrinfo 'nosuch.invalid': [Errno -2] Name or service not known" ]
}

@test "a name from the hosts file resolves, with no DNS query" {
    with_hosts_file $'192.0.2.7 lab-host\n' "$ROOT/tests/helpers_test" address lab-host 80
    [ "$status" -eq 0 ]
    [ "$output" = "('192.0.2.7', 80)" ]
}

@test "errno names" {
    [ "$(h errno 111)" = ECONNREFUSED ]
    [ "$(h errno 98)" = EADDRINUSE ]
    [ "$(h errno 11)" = EAGAIN ]
    [ "$(h errno 28)" = ENOSPC ]
    [ "$(h errno 9999)" = errno ]
}

@test "errno_name names every errno from 1 to 4095 as glibc's strerrorname_np does" {
    run h errno-all
    [ "$status" -ne 3 ] || skip "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" =~ ^[0-9]+\ errno\ values\ named\ by\ glibc,\ 0\ named\ differently$ ]]
}

@test "repr of text: every assigned code point is shown as Python 3.11's repr() shows it" {
    run h repr-unicode "$ROOT/tests/python_escapes.txt"
    [ "$status" -eq 0 ]
    [ "$output" = "282230 assigned code points, 0 shown otherwise than Python shows them" ]
}

# ---- the command line, against Python 3.11's argparse with the same arguments ----------
# (role {client,server}, host, -p type=int, -t type=float, --name; usage as argparse's)

USAGE="usage: helpers_test [-h] [-p P] [-t T] [--name NAME] {client,server} host"

# args WORD...: parse them; a usage error must be argparse's two lines, exit 2.
args_error() {
    local expected=$1
    shift
    run --separate-stderr "$ROOT/tests/helpers_test" args "$@"
    [ "$status" -eq 2 ]
    [ "$output" = "" ]
    [ "$stderr" = "$USAGE"$'\n'"helpers_test: error: $expected" ]
}

@test "options and positionals in any order, --opt=value and unique prefixes, as argparse takes them" {
    run h args client h --nam=x -t 0.5 -p 7
    [ "$output" = "role=client host=h p=7 t=0.5 name=x" ]
    run h args -p 5 -p 6 server 127.0.0.1
    [ "$output" = "role=server host=127.0.0.1 p=6 t=1 name=None" ]
    run h args server h --name=a-b -p 01060
    [ "$output" = "role=server host=h p=1060 t=1 name=a-b" ]
}

@test "parse_int: a word that is not a whole number is argparse's 'invalid int value', exit 2" {
    for bad in abc 12x "" " " 1.5 0x10; do
        args_error "argument -p: invalid int value: '$bad'" client h -p "$bad"
    done
}

@test "parse_int: out of range is 'invalid value' with the range (argparse has no range check)" {
    args_error "argument -p: invalid value: '70000' (must be 0..65535)" client h -p 70000
    args_error "argument -p: invalid value: '-5' (must be 0..65535)" client h -p -5
    args_error "argument -p: invalid value: '99999999999999999999' (must be 0..65535)" client h -p 99999999999999999999
    [ "$(h args client h -p 65535)" = "role=client host=h p=65535 t=1 name=None" ]
    [ "$(h args client h -p 0)" = "role=client host=h p=0 t=1 name=None" ]
}

@test "parse_float: 'invalid float value', and NaN is out of range" {
    args_error "argument -t: invalid float value: 'x'" client h -t x
    args_error "argument -t: invalid float value: '1s'" client h -t 1s
    args_error "argument -t: invalid value: 'nan' (must be 0..1e+06)" client h -t nan
    [ "$(h args client h -t 2.5e-1)" = "role=client host=h p=1060 t=0.25 name=None" ]
}

@test "an option without its value, or followed by another option, 'expected one argument'" {
    args_error "argument -p: expected one argument" client h -p
    args_error "argument -p: expected one argument" client h -p -h
    args_error "argument --name: expected one argument" client h --name -h
    args_error "argument --name: expected one argument" client h --name
}

@test "next_positional: a role not among the choices is 'invalid choice', control characters escaped" {
    args_error "argument role: invalid choice: 'listen' (choose from 'client', 'server')" listen h
    args_error "argument role: invalid choice: '\x1b[31mbad' (choose from 'client', 'server')" $'\x1b[31mbad' h
}

@test "no_more_arguments: missing positionals first, then the words left over" {
    args_error "the following arguments are required: role, host"
    args_error "the following arguments are required: host" client
    args_error "the following arguments are required: host" client -x
    args_error "unrecognized arguments: a b" client h a b
    args_error "unrecognized arguments: --bogus -x" client h --bogus -x
}

@test "option_error: an unknown option is listed with the unrecognized words, in order" {
    args_error "unrecognized arguments: -x a" client -x h a
    args_error "unrecognized arguments: --bogus=1" client h --bogus=1
}

@test "an unrecognized word with control characters is listed escaped (argparse prints it raw)" {
    args_error "unrecognized arguments: a '\x1b[31m'" client h a $'\x1b[31m'
}

@test "a long word whose escaped form happens to be as long as the word quoted is still escaped" {
    # 289 bytes with 11 invalid bytes among the first 256: when such a byte was \xNN, repr
    # of those 256 bytes was 256 + 11 * 3 + 2 characters, the same as the word's 289 + 2 (the
    # fuzzer found it; the check compared lengths only and printed the raw bytes). Now each
    # is \udcNN, as argparse shows it; the word must still be escaped.
    local word
    word=$(printf 'x%.0s' {1..55})$(printf '\xff%.0s' {1..11})$(printf 'x%.0s' {1..223})
    [ "${#word}" -ge 289 ]
    run h args client h "$word"
    [ "$status" -eq 2 ]
    [[ "${lines[1]}" == "helpers_test: error: unrecognized arguments: 'xxxxx"*"\udcff\udcff"* ]]
    run ! grep -q $'\xff' <<<"$output"
}

@test "the unrecognized arguments are listed up to 64 words" {
    run h args client h $(seq 1 70)
    [ "$status" -eq 2 ]
    [ "${lines[1]}" = "helpers_test: error: unrecognized arguments: $(seq -s ' ' 1 64)" ]
}

@test "-h prints the usage line and the help, exit 0" {
    run h args -h
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$USAGE" ]
}

@test "sendall goes on where a signal interrupts send(): every byte arrives" {
    # A handler without SA_RESTART fires every millisecond while a slow reader keeps the
    # sender blocked: send() fails with EINTR, or sends part of the data.
    run --separate-stderr h sendall-signals
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "4194304 bytes arrived" ]
    [ "${lines[1]}" = "sent 4194304 bytes, interrupted many times" ]
}

@test "timeval_of: a positive time is never {0, 0}, which SO_RCVTIMEO takes as no timeout" {
    [ "$(h timeval 1e-7)" = "0 1" ]
    [ "$(h timeval 0)" = "0 0" ]
    [ "$(h timeval 2.5)" = "2 500000" ]
}

@test "two threads that die at once print one error line: the first keeps stderr till the end" {
    # The first thread's exit() gives the second 200 ms to print (an atexit handler).
    run --separate-stderr h die-twice
    [ "$status" -eq 1 ]
    [ "$stderr" = "helpers_test: first" ]
}

# Python's own forms, side by side with the header's (skipped without python3): the values
# are made by Python and written in its repr, which the C side reads back exactly.
@test "format_float is Python's repr(float) for 5,000 values: random, powers of two, boundaries" {
    command -v python3 >/dev/null || skip "python3 is not installed: no Python to compare with"
    python3 -c '
import random, struct
random.seed(4330)
values = [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.00015604496002197266,
          5e-324, 1.7976931348623157e308, 2.0**-1074, 1796524592.0268562, 4005513392.0268564]
values += [2.0 ** e for e in range(-1074, 1024, 7)]
values += [random.uniform(-1, 1) * 10 ** random.randint(-30, 30) for _ in range(2500)]
values += [struct.unpack("d", struct.pack("Q", random.getrandbits(64)))[0] for _ in range(2000)]
values = [v for v in values if v == v and abs(v) != float("inf")][:5000]
with open("'"$BATS_TEST_TMPDIR"'/in", "w") as f:
    f.write("".join(repr(v) + "\n" for v in values))
'
    h floats <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
    run diff "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 0 ]
    [ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -ge 4000 ]
}

@test "format_datetime is Python's str(datetime.fromtimestamp(t)), local and aware UTC, for 2,000 times" {
    command -v python3 >/dev/null || skip "python3 is not installed: no Python to compare with"
    TZ=Europe/Ljubljana python3 -c '
import random
from datetime import datetime, timezone
random.seed(5905)
times = [0.0, 1.0, 0.5, 1.5, 2.5, 1796524592.0268562, 1796524592.0000005, 1796524592.0000015,
         -0.5, -1.25, 1e9 + 0.9999995, 2147483647.0,
         0.0078125, 1796524592.0078125, -0.0078125]  # x/128: the microseconds end in .5 exactly
times += [random.uniform(-2e9, 4e9) for _ in range(2000)]
with open("'"$BATS_TEST_TMPDIR"'/in", "w") as f, open("'"$BATS_TEST_TMPDIR"'/expected", "w") as e:
    for t in times:
        f.write(repr(t) + "\nu" + repr(t) + "\n")
        e.write(str(datetime.fromtimestamp(t)) + "\n" + str(datetime.fromtimestamp(t, timezone.utc)) + "\n")
'
    TZ=Europe/Ljubljana h datetimes <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
    run diff "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/out"
    echo "$output" | head -20
    [ "$status" -eq 0 ]
}

@test "numbers as Python's int() and float() read them: 5_0, spaces, +5; not _5, 5__0, 0x10, 0x1p3" {
    [ "$(h args client h -p 5_0)" = "role=client host=h p=50 t=1 name=None" ]
    [ "$(h args client h -p ' 5')" = "role=client host=h p=5 t=1 name=None" ]
    [ "$(h args client h -p $'5\r')" = "role=client host=h p=5 t=1 name=None" ]
    [ "$(h args client h -p +5)" = "role=client host=h p=5 t=1 name=None" ]
    [ "$(h args client h -t 1_0.5)" = "role=client host=h p=1060 t=10.5 name=None" ]
    for bad in _5 5_ 5__0 0x10; do
        args_error "argument -p: invalid int value: '$bad'" client h -p "$bad"
    done
    args_error "argument -t: invalid float value: '0x1p3'" client h -t 0x1p3
    args_error "argument -t: invalid float value: 'nan(1)'" client h -t 'nan(1)'
}

@test "a negative number is an option's value as argparse's pattern has it: -.5 is, -1e5 is not" {
    args_error "argument -t: invalid value: '-.5' (must be 0..1e+06)" client h -t -.5
    args_error "argument -t: expected one argument" client h -t -1e5
    args_error "argument -p: invalid value: '-5' (must be 0..65535)" client h -p -5
}

@test "a word that is not UTF-8 is shown as argparse shows it: \\udcff (surrogateescape)" {
    args_error "argument role: invalid choice: '\udcff' (choose from 'client', 'server')" $'\xff' h
}

@test "output that failed long before exit is reported with the errno of its write: ENOSPC" {
    [ -w /dev/full ] || skip "no /dev/full here"
    # glibc drops a line whose write failed; later calls overwrite errno (ECONNREFUSED, EIO)
    run --separate-stderr sh -c "exec '$ROOT/code/finding_service_name' -a >/dev/full"
    [ "$status" -eq 1 ]
    [ "$stderr" = "finding_service_name: write to stdout: ENOSPC No space left on device" ]
    port=$(free_udp_port)
    run --separate-stderr sh -c "exec '$ROOT/udp/udp_remote' client 127.0.0.1 -p $port >/dev/full"
    [ "$status" -eq 1 ]
    [ "${stderr_lines[-1]}" = "udp_remote: write to stdout: ENOSPC No space left on device" ]
}
