#!/usr/bin/env bats
# common/socket_helpers.h, through tests/helpers_test: what Python would print.

load helpers

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

@test "ports: 0..65535 accepted, anything else a usage error (exit 2)" {
    [ "$(h port 0)" = 0 ]
    [ "$(h port 65535)" = 65535 ]
    [ "$(h port 01060)" = 1060 ]
    for bad in abc 70000 65536 -1 12x "" " 1" 99999999999999999999; do
        run h port "$bad"
        [ "$status" -eq 2 ]
        [[ "${lines[1]}" == "helpers_test: error: argument -p: invalid port: '$bad'"* ]]
    done
}

@test "addresses print as Python prints them" {
    [ "$(h address 127.0.0.1 1060)" = "('127.0.0.1', 1060)" ]
    [ "$(h address ::1 1060)" = "('::1', 1060, 0, 0)" ]
    [ "$(h address "" 0)" = "('0.0.0.0', 0)" ]
}

@test "an unresolvable name is the resolver's message naming the host, exit 1" {
    run h address nosuch.invalid 1060
    [ "$status" -eq 1 ]
    [ "$output" = "helpers_test: getaddrinfo 'nosuch.invalid': EAI_NONAME Name or service not known" ]
}

@test "errno names" {
    [ "$(h errno 111)" = ECONNREFUSED ]
    [ "$(h errno 98)" = EADDRINUSE ]
    [ "$(h errno 11)" = EAGAIN ]
    [ "$(h errno 9999)" = errno ]
}
