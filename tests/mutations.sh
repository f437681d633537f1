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
mutation option-value-not-an-option $H 's/if \(!negative_number\)\n\s+usage_error\("argument %s: expected one argument", name\);//' \
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
mutation stdout-errno-of-the-write $H 's/if \(stdout_errno == 0 && write\(STDOUT_FILENO, "\\n", 1\) < 0\)/if (0)/' \
    socket_helpers:'long before exit'

# --- sntp/ ---------------------------------------------------------------------------------
experiment sntp-client-origin-check sntp/sntp_client.c forged sntp_client:'spoofed reply'
experiment sntp-server-epoch sntp/sntp_server.c 1970 sntp_server:'version 3 request'
experiment sntp-server-byte-order sntp/sntp_server.c little-endian sntp_client:'against sntp_server'
experiment sntp-time-epoch sntp/sntp_time.c '70 years' sntp_time:'ctime prints'
mutation sntp-client-root-delay-unsigned sntp/sntp_client.c 's/\.root_delay = word_at\(p, 4\)/.root_delay = (int32_t)word_at(p, 4)/' \
    sntp_client:'root delay 0x80000000'
mutation sntp-client-precision sntp/sntp_client.c 's/if \(ldexp\(1, h\.precision\) > MAX_ROOT_DISTANCE\)/if (0)/' \
    sntp_client:'precision \+127'
mutation sntp-client-t3-before-t2 sntp/sntp_client.c 's/if \(seconds_between\(s\.t3, s\.t2\) < 0\)/if (0)/' \
    sntp_client:'T3 an hour before T2'
mutation sntp-client-zero-t2 sntp/sntp_client.c 's/if \(is_zero\(reply, NTP_RECEIVE_TIME\)\)/if (0)/' \
    sntp_client:'zero receive time'
mutation sntp-client-max-delay sntp/sntp_client.c 's/if \(s\.delay > MAX_DELAY\)/if (0)/' \
    sntp_client:'unit tests'
mutation sntp-client-first-address-named sntp/sntp_client.c 's/if \(count > 1\) \{/if (0) {/' \
    sntp_client:'two addresses'
mutation sntp-client-progress-with-v sntp/sntp_client.c 's/if \(verbose\)\n\s+printf\("Waiting/printf("Waiting/' \
    sntp_client:"sc2.py's lines"
mutation sntp-client-zero-reference-1900 sntp/sntp_client.c 's/if \(!is_zero\(reply, offset\)\)/if (1)/' \
    sntp_client:'zero reference'
mutation sntp-server-reflection sntp/sntp_server.c 's/if \(ignore_reflection\(.*?\)\)\n\s+continue;//' \
    sntp_server:'forged request'
mutation sntp-server-broadcast-source sntp/sntp_server.c 's/if \(status == 0 && \(family == AF_INET \|\| host\[0\] == .\\0.\)\)/if (status == 0 \&\& family == AF_INET)/' \
    sntp_server:broadcast
mutation sntp-raw-half-even sntp/sntp_raw.c 's/\(beyond \|\| \(decimals\[keep - 1\] - .0.\) % 2 != 0\)/(1)/' \
    sntp_raw:'unit test'
mutation sntp-raw-ip-id-one sntp/sntp_raw.c 's/put16\(packet \+ 4, 1\);/put16(packet + 4, 0);/' \
    sntp_raw:'IP id 1, no DF'
mutation sntp-raw-no-answer-line sntp/sntp_raw.c 's/printf\("No response received from the server\.\\n"\);/die("no answer");/' \
    sntp_raw:'nothing answers'

# --- tcp/: tcp_file, tcp_keepalive, tcp_watch ----------------------------------------------
experiment tcp-file-fflush tcp/tcp_file.c 'stays in the' tcp_file:'the server answers each line'
mutation tcp-file-line-limit tcp/tcp_file.c 's/if \(n == MAX_LINE\) \{/if (0) {/' tcp_file:'over 1 MiB'
experiment tcp-keepalive-so-keepalive tcp/tcp_keepalive.c 'never armed' tcp_keepalive:'with -k both sides'
mutation tcp-keepalive-emfile-kept tcp/tcp_keepalive.c 's/if \(errno != EMFILE && errno != ENFILE\)/if (1)/' \
    tcp_keepalive:'out of descriptors'
experiment tcp-watch-isn tcp/tcp_watch.c 'raw 32-bit' tcp_watch:'a tcp_sixteen exchange'
mutation tcp-watch-ece-cwr-named tcp/tcp_watch.c 's/\{ECE, "ECE"\}, \{CWR, "CWR"\}//' tcp_watch:'with ECN on'
mutation tcp-watch-interface-escaped tcp/tcp_watch.c 's/die\("no interface named %s \(see: ip link\)", word_repr\(interface, shown\)\);/die("no interface named %s (see: ip link)", interface);/' \
    tcp_watch:'unknown interface'
mutation tcp-watch-pcap-every-frame tcp/tcp_watch.c 's/fwrite\(packet, length, 1, file\) != 1 \|\| //' tcp_watch:'pcap file'

# --- udp/ ----------------------------------------------------------------------------------
experiment udp-local-bind udp/udp_local.c "" udp_local:'exact lines'
experiment udp-remote-connect udp/udp_remote.c "" udp_remote:'kernel refuses'
experiment big-sender-dont-fragment udp/big_sender.c "" big_sender:'1400-byte path'
experiment udp-broadcast-permission udp/udp_broadcast.c "" udp_broadcast:'reaches a server'
experiment udp-multicast-join udp/udp_multicast.c "" udp_multicast:'joined the group'
mutation udp-local-reflection-guard udp/udp_local.c \
    's/if \(ignore_reflection\([^\n]*\n\s+continue;//' udp_local:'forged from the server'
mutation udp-remote-reflection-guard udp/udp_remote.c \
    's/if \(ignore_reflection\([^\n]*\n\s+continue;//' hostile_udp:'port 0'
mutation reflection-guard-wildcard $H 's/myself = probe >= 0 && bind\(/myself = probe < 0 \&\& bind(/' \
    hostile_udp:'forged from its own address'
mutation udp-remote-backoff-doubles udp/udp_remote.c 's/delay \*= 2;/delay *= 3;/' udp_remote:backoff
mutation udp-remote-stop-is-no-error udp/udp_remote.c 's/ \|\| err == EINTR;/;/' udp_remote:'Ctrl\+Z'
mutation udp-remote-gives-up udp/udp_remote.c 's/if \(delay > max_wait\)/if (delay > 2 * max_wait)/' udp_remote:'127\.0\.0\.2'
mutation udp-message-length-from-text udp/udp_broadcast.c 's/sizeof text - 1, 0, destination/19, 0, destination/' udp_broadcast:'edit'
mutation udp-reply-length-from-snprintf udp/udp_local.c 's/\(size_t\)reply_length/(size_t)27/' udp_local:'edit'

# --- tcp/: tcp_sixteen, tcp_deadlock and its cures, tcp_closing ----------------------------
experiment recvall-loop tcp/tcp_sixteen.c 'recvall()' tcp_sixteen:'recvall joins'
experiment tcp-sixteen-reuseaddr tcp/tcp_sixteen.c 'restart' tcp_sixteen:'with SO_REUSEADDR the same restart'
experiment tcp-deadlock-shutdown tcp/tcp_deadlock.c '' tcp_deadlock:'32 bytes: the client sends'
experiment tcp-closing-sigpipe tcp/tcp_closing.c 'SIGPIPE' tcp_closing:'epipe: the first send'
mutation deadlock-buffer-floor tcp/tcp_deadlock.c 's/buffer_size < SMALLEST_BUFFER/0/' tcp_deadlock:'bad byte count'
mutation sixteen-client-reads-to-eof tcp/tcp_sixteen.c 's/while \(\(more = recv\(sock, reply, sizeof reply, 0\)\) > 0\)/while ((more = 0))/' \
    tcp_sixteen:'every time'
mutation sixteen-farewell-length tcp/tcp_sixteen.c 's/sizeof farewell - 1/16/' tcp_sixteen:'edit'

# --- code/ ---------------------------------------------------------------------------------
experiment service-protocol code/finding_service_name.c 'first line' finding_service_name:'gives its port'
experiment service-port-byte-order code/finding_service_name.c 'host byte order' finding_service_name:'with no argument'
experiment hserror-timeout code/hserror.c 'silent server' hserror:'never answers'
experiment integer-htonl code/integer_conversion.c '' integer_conversion:'network order in memory'
experiment ip4-inet-aton code/ip4_address_conversion.c '' ip4_address_conversion:'accepts 127.1'
experiment local-ipv4-only code/local_machine_info.c '' local_machine_info:'global IPv6'
experiment buffer-send-size code/modify_buff_size.c 'send buffer' modify_buff_size:"notebook's four lines"
experiment buffer-receive-size code/modify_buff_size.c 'receive buffer' modify_buff_size:"notebook's four lines"
experiment remote-socket-type code/remote_machine_info.c '' remote_machine_info:'each address once'
experiment reuseaddr-option code/reuseaddr.c '' reuseaddr:'restart on the same port'
experiment socket-nonblocking code/socket_modes.c 'for ever' socket_modes:'the server line'
experiment socket-timeout-set code/socket_timeout.c 'None' socket_timeout:"notebook's lines"
experiment socket-timeout-short code/socket_timeout.c '100 s' socket_timeout:'sets the short timeout'
experiment epoch-offset code/time_epochs.c '' time_epochs:'against sntp_server'
mutation reuseaddr-emfile-no-spin code/reuseaddr.c 's/if \(errno != EMFILE && errno != ENFILE\) \{/if (1) {/' \
    reuseaddr:'out of descriptors'
