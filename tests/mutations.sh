# The mutations `make mutate` applies (tests/mutate.sh reads this file): each removes or
# breaks one mechanism the README promises, and names the tests that must then fail.
#   mutation NAME FILE PERL_S///_SCRIPT TEST[:FILTER]...
#   experiment NAME FILE WORD TEST[:FILTER]...    (the line an EXPERIMENT comment marks, deleted)
# A mutation whose code has moved fails the run, so this list follows the code.

H=common/socket_helpers.h

# --- the common header: hardening every program relies on --------------------------------
mutation devnull-guard $H 's/if \(fcntl\(fd, F_GETFD\) < 0 && open\("\/dev\/null", O_RDWR\) < 0\)/if (0)/' \
    hserror:'stdout closed'
mutation sendall-eintr-retry $H 's/if \(sent < 0 && errno != EINTR\)/if (sent < 0)/' \
    socket_helpers:sendall
mutation timeval-never-zero $H 's/t\.tv_usec = 1;/t.tv_usec = 0;/' socket_helpers:timeval_of
mutation log-failure-once $H 's/reported = true;/reported = false;/' hostile_code sntp_server
mutation stdout-checked-at-exit $H 's/atexit\(check_stdout_at_exit\);//' \
    sntp_client:'/dev/full' sntp_time:'/dev/full'
mutation die-holds-stderr $H 's/\(flockfile\(stderr\), /(/g' \
    socket_helpers:'die at once'
mutation repr-escapes-controls $H 's/else if \(c < 0x20 \|\| c == 0x7f/else if (c < 0x1f/' \
    socket_helpers:'repr of'
mutation utf8-overlong $H 's/value < least\[length\] \|\| //' socket_helpers:'repr of text'
mutation listed-word-escaped $H 's/return strlen\(buf\) == length \+ 2 && /return 1 || /' \
    socket_helpers:'unrecognized word'
mutation option-value-not-an-option $H "s/text\\[0\\] == '-' && text\\[1\\] != '\\\\0'/0/" \
    socket_helpers:'expected one argument'
mutation int-range-checked $H 's/errno == ERANGE \|\| value < min \|\| value > max/errno == ERANGE/' \
    socket_helpers:'out of range'
mutation unrecognized-cap $H 's/while \(optind < argc && unrecognized_count < 64\)/while (optind < argc \&\& unrecognized_count < 63)/' \
    socket_helpers:'64 words'
mutation explicit-argument-refused $H 's/if \(long_form\)\s+\/\* --help=3: a flag takes no value \*\//if (0)/' \
    command_line:'ignored explicit'
mutation ambiguous-prefix $H 's/if \(optopt == 0 && count > 1 /if (0 \&\& count > 1 /' \
    command_line:ambiguous
mutation unknown-letter-in-its-word $H 's/if \(inside_next\)\s+word = next;//' command_line:'unknown letters'
mutation int-takes-underscores $H 's/if \(\*p == .\_.\)\n\s+continue;//' socket_helpers:5_0
mutation negative-number-pattern $H 's/bool negative_number = rest > text \+ 1 && \*rest == .\\0.;/bool negative_number = rest > text + 1;/' \
    socket_helpers:'negative number'
mutation argument-surrogateescape $H 's/as_bytes == AS_ARGUMENT\)/as_bytes == 99)/' socket_helpers:surrogateescape
mutation float-wider-side $H 's/mantissa \+= 1;/mantissa += 0;/' socket_helpers:format_float
mutation datetime-half-even $H 's/\(rest == 0\.5 && micro % 2 != 0\)/(rest == 0.5)/' socket_helpers:format_datetime
