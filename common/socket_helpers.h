/*
 * socket_helpers.h - what Python's socket module and argparse give the lecture's scripts for
 * free. Header-only: its functions are static, so a program gets its own copy of what it
 * uses. Include it first: its _DEFAULT_SOURCE shows getaddrinfo and friends to -std=c11.
 *
 *   program_init(argv0, usage)        stdout line-buffered, checked at exit; fds 0-2 kept open
 * Errors, one line on stderr ("prog: connect ('127.0.0.1', 1060): ECONNREFUSED ..."):
 *   die_errno(call, address), warn_errno(call, address), die(fmt, ...), errno_name(err)
 *   say(fmt, ...)                     a server's log line: printf, and a failed log is
 *                                     reported once while the server serves on
 * The command line, in argparse's words (each main reads its options with getopt_long):
 *   show_help(help), usage_error(fmt, ...), option_error(option, argv, options)
 *   parse_int / parse_float(text, name, min, max), check_option_value(text, name)
 *   next_positional(argc, argv, name, choices), no_more_arguments(argc, argv)
 * Addresses and data, as Python shows them:
 *   resolve(host, port, family, type)  getaddrinfo for (host, port); "" = any address
 *   format_address(address, buf)       ('127.0.0.1', 1060)
 *   format_repr(data, n, as_bytes, buf), word_repr(word, buf), shown_word(word, buf)
 *   format_float(value, buf)           print(float): 1796524592.0268562, 1.52587890625e-05
 *   format_datetime(seconds, kind, buf) str(datetime): 2026-12-06 02:36:32.026856[+00:00]
 * TCP: accept_connection(sock, peer, size, me): accept, on to the next after ECONNABORTED.
 * UDP: recvfrom_uninterrupted(sock, data, size, from, length): recvfrom, again after EINTR;
 *   ignore_reflection(from, me): a server's guard, for a datagram it must never answer.
 * And sendall(fd, data, n), timeval_of(seconds) for settimeout, monotonic_seconds().
 *
 * Nothing here sets a socket option or hides a lesson: SO_REUSEADDR, SO_BROADCAST, timeouts
 * and recvall() stay in the programs, where the exercises ask students to comment them out.
 */
#ifndef SOCKET_HELPERS_H
#define SOCKET_HELPERS_H

#ifndef _GNU_SOURCE
#define _DEFAULT_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Room for "('ffff:...:ffff%interface', 65535, 4294967295, 4294967295)". */
#define ADDRESS_TEXT_SIZE (NI_MAXHOST + 64)
/* Room for format_repr() of n bytes: at most 4 characters a byte (\xNN), b, '', NUL. */
#define REPR_SIZE(n) (4 * (size_t)(n) + 4)
/* A command-line word: a byte that is not UTF-8 is \udcNN, 6 characters. */
#define WORD_REPR_SIZE (6 * 256 + 4)
#define AS_ARGUMENT 2                   /* format_repr's form for a command-line word */
#define FLOAT_TEXT_SIZE 48
#define DATETIME_TEXT_SIZE 48

static const char *program_name = "program", *program_usage = "";

/* POSIX has no function for an errno's name: here is every one Linux defines (elsewhere,
 * the POSIX ones). */
static inline const char *errno_name(int err)
{
#define N(e) {e, #e}
    static const struct { int number; const char *name; } names[] = {
        N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO), N(E2BIG), N(ENOEXEC),
        N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM), N(EACCES), N(EFAULT), N(EBUSY), N(EEXIST),
        N(EXDEV), N(ENODEV), N(ENOTDIR), N(EISDIR), N(EINVAL), N(ENFILE), N(EMFILE), N(ENOTTY),
        N(ETXTBSY), N(EFBIG), N(ENOSPC), N(ESPIPE), N(EROFS), N(EMLINK), N(EPIPE), N(EDOM),
        N(ERANGE), N(EDEADLK), N(ENAMETOOLONG), N(ENOLCK), N(ENOSYS), N(ENOTEMPTY), N(ELOOP),
        N(ENOMSG), N(EIDRM), N(ENOLINK), N(EPROTO), N(EMULTIHOP), N(EBADMSG), N(EOVERFLOW),
        N(EILSEQ), N(ENOTSOCK), N(EDESTADDRREQ), N(EMSGSIZE), N(EPROTOTYPE), N(ENOPROTOOPT),
        N(EPROTONOSUPPORT), N(EOPNOTSUPP), N(EAFNOSUPPORT), N(EADDRINUSE), N(EADDRNOTAVAIL),
        N(ENETDOWN), N(ENETUNREACH), N(ENETRESET), N(ECONNABORTED), N(ECONNRESET), N(ENOBUFS),
        N(EISCONN), N(ENOTCONN), N(ETIMEDOUT), N(ECONNREFUSED), N(EHOSTUNREACH), N(EALREADY),
        N(EINPROGRESS), N(ESTALE), N(EDQUOT), N(ECANCELED), N(EOWNERDEAD), N(ENOTRECOVERABLE),
#ifdef __linux__
        N(ENOTBLK), N(ECHRNG), N(EL2NSYNC), N(EL3HLT), N(EL3RST), N(ELNRNG), N(EUNATCH),
        N(ENOCSI), N(EL2HLT), N(EBADE), N(EBADR), N(EXFULL), N(ENOANO), N(EBADRQC), N(EBADSLT),
        N(EBFONT), N(ENOSTR), N(ENODATA), N(ETIME), N(ENOSR), N(ENONET), N(ENOPKG), N(EREMOTE),
        N(EADV), N(ESRMNT), N(ECOMM), N(EDOTDOT), N(ENOTUNIQ), N(EBADFD), N(EREMCHG), N(ELIBACC),
        N(ELIBBAD), N(ELIBSCN), N(ELIBMAX), N(ELIBEXEC), N(ERESTART), N(ESTRPIPE), N(EUSERS),
        N(ESOCKTNOSUPPORT), N(EPFNOSUPPORT), N(ESHUTDOWN), N(ETOOMANYREFS), N(EHOSTDOWN),
        N(EUCLEAN), N(ENOTNAM), N(ENAVAIL), N(EISNAM), N(EREMOTEIO), N(ENOMEDIUM),
        N(EMEDIUMTYPE), N(ENOKEY), N(EKEYEXPIRED), N(EKEYREVOKED), N(EKEYREJECTED), N(ERFKILL),
        N(EHWPOISON),
#endif
    };
#undef N
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].number == err)
            return names[i].name;
    return "errno";
}

/* Has a write to stdout failed? Say so once, with the errno of the write that failed where
 * say() saw it (later calls overwrite errno: glibc drops the failed line and keeps no
 * error). A server's say() goes on serving after it; at exit it is an error (exit 1). */
static int stdout_errno;

static inline void check_log(void)
{
    static bool reported;
    int err = stdout_errno ? stdout_errno : errno ? errno : EIO;
    if (ferror(stdout) && !reported) {
        fprintf(stderr, "%s: write to stdout: %s %s\n", program_name, errno_name(err),
                strerror(err));
        reported = true;
    }
}

/* At exit. A client's printf() that failed left no errno we still have, and glibc dropped
 * its line: one newline more fails the same way (ENOSPC, EIO) and says why. */
static inline void check_stdout_at_exit(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (stdout_errno == 0 && write(STDOUT_FILENO, "\n", 1) < 0)
            stdout_errno = errno;
        check_log();
        _exit(1);
    }
}

/* stdout line-buffered, so a pipe or a test sees each line as it is printed. Were descriptor
 * 0, 1 or 2 closed, the first socket() would take its number and printf would write into the
 * network: open() takes the lowest free number, so give them /dev/null first. */
static inline void program_init(const char *argv0, const char *usage)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    program_name = slash ? slash + 1 : (argv0 && *argv0 ? argv0 : program_name);
    program_usage = usage;
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
            _exit(1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    atexit(check_stdout_at_exit);
}

/* die() and usage_error(): "prog: message", or argparse's usage line and "prog: error: ...";
 * exit 1, or 2 as argparse does. A dying thread keeps stderr locked till the process is gone,
 * so that a second thread's error never follows the first. */
static inline __attribute__((format(printf, 2, 3))) void report(bool usage, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    if (usage)
        fprintf(stderr, "usage: %s %s\n", program_name, program_usage);
    fprintf(stderr, usage ? "%s: error: " : "%s: ", program_name);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
}
#define die(...) (flockfile(stderr), report(false, __VA_ARGS__), exit(1))
#define usage_error(...) (report(true, __VA_ARGS__), exit(2))

/* str() of a socket address; IPv6 adds flowinfo and scope_id: ('::1', 1060, 0, 0). Into the
 * caller's buffer, so two can go in one printf; NI_NUMERICHOST never asks DNS. Never inlined:
 * gcc would warn of the IPv6 branch wherever a caller's address is a struct sockaddr_in. */
static __attribute__((noinline, unused)) char *format_address(const struct sockaddr *address,
                                                              char buf[ADDRESS_TEXT_SIZE])
{
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)address;
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)address;
    bool v6 = address->sa_family == AF_INET6;
    char host[NI_MAXHOST];
    if (!v6 && address->sa_family != AF_INET) {
        snprintf(buf, ADDRESS_TEXT_SIZE, "(address family %d)", address->sa_family);
        return buf;
    }
    if (getnameinfo(address, v6 ? sizeof *in6 : sizeof *in, host, sizeof host, NULL, 0,
                    NI_NUMERICHOST) != 0)
        snprintf(host, sizeof host, "?");
    if (!v6)
        snprintf(buf, ADDRESS_TEXT_SIZE, "('%s', %u)", host, (unsigned)ntohs(in->sin_port));
    else
        snprintf(buf, ADDRESS_TEXT_SIZE, "('%s', %u, %lu, %lu)", host,
                 (unsigned)ntohs(in6->sin6_port), (unsigned long)ntohl(in6->sin6_flowinfo),
                 (unsigned long)in6->sin6_scope_id);
    return buf;
}

/* "prog: call address: ENAME text" (address may be NULL); die_errno() then exits 1. */
static inline void warn_errno(const char *call, const struct sockaddr *address)
{
    int err = errno;
    char where[ADDRESS_TEXT_SIZE];
    fprintf(stderr, "%s: %s%s%s: %s %s\n", program_name, call, address ? " " : "",
            address ? format_address(address, where) : "", errno_name(err), strerror(err));
    errno = err;
}
#define die_errno(call, address) (flockfile(stderr), warn_errno(call, address), exit(1))

/* A server's log line. Its stdout may fail (a full disk, a reader gone): say so once, with
 * the errno of the write that failed, and serve on. */
static inline __attribute__((format(printf, 1, 2))) void say(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    if (vprintf(fmt, args) < 0 && stdout_errno == 0)
        stdout_errno = errno;
    va_end(args);
    check_log();
}

/* accept(), going on to the next connection when one was aborted in the backlog
 * (ECONNABORTED) or a signal interrupted the wait (EINTR); other errors end the program. */
static inline int accept_connection(int sock, struct sockaddr *peer, socklen_t size,
                                    const struct sockaddr *me)
{
    for (;;) {
        socklen_t length = size;
        int sc = accept(sock, peer, &length);
        if (sc >= 0)
            return sc;
        if (errno != ECONNABORTED && errno != EINTR)
            die_errno("accept", me);
    }
}

/* recvfrom(), started again when a signal interrupts the wait (EINTR): no datagram came,
 * so there is nothing to lose. Any other error ends the program. */
static inline ssize_t recvfrom_uninterrupted(int sock, char *data, size_t size,
                                             struct sockaddr_storage *from, socklen_t *from_length)
{
    socklen_t room = *from_length;
    for (;;) {
        *from_length = room;
        ssize_t n = recvfrom(sock, data, size, 0, (struct sockaddr *)from, from_length);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            die_errno("recvfrom", NULL);
    }
}

/* Would a reply to this datagram come back to this very socket (or go nowhere)? A UDP server
 * must not answer one from port 0 (no reply can get there), nor one "from" its own address
 * and port: forged so, it would have the server answer itself for ever. Bound to the
 * wildcard, its own address is any address of this host, and only a local address can be
 * bound: try. Logs why and returns true for such a datagram. */
static __attribute__((noinline, unused)) bool ignore_reflection(const struct sockaddr *from,
                                                                const struct sockaddr *me)
{
    char where[ADDRESS_TEXT_SIZE];
    const struct sockaddr_in *from4 = (const void *)from, *me4 = (const void *)me;
    const struct sockaddr_in6 *from6 = (const void *)from, *me6 = (const void *)me;
    bool v6 = from->sa_family == AF_INET6;
    in_port_t port = v6 ? from6->sin6_port : from4->sin_port;
    bool myself = port == (me->sa_family == AF_INET6 ? me6->sin6_port : me4->sin_port);
    if (myself && me->sa_family == AF_INET && me4->sin_addr.s_addr != htonl(INADDR_ANY))
        myself = from4->sin_addr.s_addr == me4->sin_addr.s_addr;
    else if (myself && me->sa_family == AF_INET6 && !IN6_IS_ADDR_UNSPECIFIED(&me6->sin6_addr))
        myself = memcmp(&from6->sin6_addr, &me6->sin6_addr, sizeof me6->sin6_addr) == 0;
    else if (myself) {                          /* bound to the wildcard */
        struct sockaddr_storage probe_address;
        socklen_t length = v6 ? sizeof *from6 : sizeof *from4;
        memcpy(&probe_address, from, length);
        if (v6)
            ((struct sockaddr_in6 *)(void *)&probe_address)->sin6_port = 0;
        else
            ((struct sockaddr_in *)(void *)&probe_address)->sin_port = 0;
        int probe = socket(from->sa_family, SOCK_DGRAM, 0);
        myself = probe >= 0 && bind(probe, (struct sockaddr *)&probe_address, length) == 0;
        if (probe >= 0)
            close(probe);
    }
    if (port != 0 && !myself)
        return false;
    say("Ignoring a datagram from %s: %s\n", format_address(from, where),
        port == 0 ? "port 0" : "the server's own address and port");
    return true;
}

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 where Python's decoder fails:
 * a stray or missing continuation byte, an overlong form, a surrogate, or above U+10FFFF. */
static inline size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *codepoint)
{
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};  /* less is overlong */
    size_t length = s[0] < 0x80 ? 1 : s[0] < 0xc0 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3
                  : s[0] < 0xf8 ? 4 : 0;
    uint32_t value = s[0] & (length == 1 ? 0x7fu : 0x7fu >> length);  /* the lead's bits */
    if (length == 0 || length > n)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        value = value << 6 | (s[i] & 0x3f);
    }
    if (value < least[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    *codepoint = value;
    return length;
}

/* The characters above ASCII that Python 3.11's repr() escapes (not str.isprintable():
 * controls, format characters, separators, spaces but ' ', private use), as ranges of
 * Unicode 14.0. An unassigned code point outside them is shown as it is (Python escapes it). */
static inline bool unicode_is_invisible(uint32_t c)
{
    static const uint32_t ranges[][2] = {
        {0x80, 0xa0}, {0xad, 0xad}, {0x600, 0x605}, {0x61c, 0x61c}, {0x6dd, 0x6dd},
        {0x70f, 0x70f}, {0x890, 0x891}, {0x8e2, 0x8e2}, {0x1680, 0x1680}, {0x180e, 0x180e},
        {0x2000, 0x200f}, {0x2028, 0x202f}, {0x205f, 0x206f}, {0x3000, 0x3000},
        {0xd800, 0xf8ff}, {0xfeff, 0xfeff}, {0xfff9, 0xfffb}, {0x110bd, 0x110bd},
        {0x110cd, 0x110cd}, {0x13430, 0x13438}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
        {0xe0001, 0xe007f}, {0xf0000, 0x10fffd},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1])
            return true;
    return false;
}

/* repr() of data from the network, so nothing a peer sends reaches the terminal raw.
 * as_bytes: repr(bytes), b'Hi\n\x00'. Otherwise repr(str) of the data decoded as UTF-8,
 * 'Hi\n', escaped where Python escapes, and \xNN for a byte that is not UTF-8 (where
 * decode() would raise). Quotes as Python chooses them. buf holds REPR_SIZE(n).
 * as_bytes == AS_ARGUMENT: a command-line word, which Python decodes with surrogateescape:
 * a byte that is not UTF-8 is \udcNN (buf holds 6 characters a byte then). */
static inline char *format_repr(const void *data, size_t n, int as_bytes, char *buf)
{
    const unsigned char *s = data;
    bool has_single = n > 0 && memchr(s, '\'', n), has_double = n > 0 && memchr(s, '"', n);
    char quote = has_single && !has_double ? '"' : '\'', *out = buf;
    out += sprintf(out, "%s%c", as_bytes == 1 ? "b" : "", quote);
    for (size_t i = 0, length; i < n; i += length) {
        uint32_t c = s[i];                      /* stays the byte if it is not UTF-8 */
        length = as_bytes == 1 ? 1 : utf8_sequence(s + i, n - i, &c);
        const char *escape = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        length += length == 0;                  /* not UTF-8: one byte, as \xNN */
        if (c == (uint32_t)quote || c == '\\')
            out += sprintf(out, "\\%c", (char)c);
        else if (escape)
            out += sprintf(out, "%s", escape);
        else if (c >= 0x80 && length == 1 && as_bytes == AS_ARGUMENT)
            out += sprintf(out, "\\udc%02x", (unsigned)c);
        else if (c < 0x20 || c == 0x7f || (c >= 0x80 && length == 1))
            out += sprintf(out, "\\x%02x", (unsigned)c);
        else if (c >= 0x80 && unicode_is_invisible(c))
            out += sprintf(out, c <= 0xff ? "\\x%02x" : c <= 0xffff ? "\\u%04x" : "\\U%08x",
                           (unsigned)c);
        else {
            memcpy(out, s + i, length);         /* printable: its bytes as they came */
            out += length;
        }
    }
    sprintf(out, "%c", quote);
    return buf;
}

/* Does mantissa * 10^exponent read back as value? */
static inline bool reads_back(long long mantissa, int exponent, double value)
{
    char text[40];
    snprintf(text, sizeof text, "%llde%d", mantissa, exponent);
    return strtod(text, NULL) == value;
}

/* Python's repr(float): the fewest digits that read back as the same double, and of those
 * the nearest, written in fixed notation from 1e-4 up to 1e16 (with at least ".0") and as
 * 1.5e-05 outside. %.*e rounds to the nearest at each length; at a power of two the
 * interval that reads back is narrower below, so the next one up may do where it does not. */
static inline char *format_float(double value, char buf[FLOAT_TEXT_SIZE])
{
    char text[40], digits[24], *out = buf;
    long long mantissa = 0;
    int exponent = 0;
    bool negative = signbit(value);             /* -0.0 too */
    double magnitude = negative ? -value : value;
    if (isnan(value) || isinf(value))
        return strcpy(buf, isnan(value) ? "nan" : negative ? "-inf" : "inf");
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*e", precision - 1, magnitude);   /* d.ddde+XX */
        mantissa = 0;
        for (const char *p = text; *p != 'e'; p++)
            if (*p != '.')
                mantissa = mantissa * 10 + (*p - '0');
        exponent = atoi(strchr(text, 'e') + 1) - (precision - 1);
        if (reads_back(mantissa, exponent, magnitude))
            break;
        if (reads_back(mantissa + 1, exponent, magnitude)) {
            mantissa += 1;                      /* the wider side of a power of two */
            break;
        }
        if (reads_back(mantissa - 1, exponent, magnitude)) {
            mantissa -= 1;
            break;
        }
    }
    int total = snprintf(digits, sizeof digits, "%lld", mantissa), n = total;
    while (n > 1 && digits[n - 1] == '0')       /* 150e-2 is 1.5 */
        digits[--n] = '\0';
    exponent += total - 1;                      /* now the power of ten of the first digit */
    if (negative)
        *out++ = '-';
    if (exponent < -4 || exponent >= 16) {
        snprintf(out, FLOAT_TEXT_SIZE - 1, "%c%s%se%c%02d", digits[0], n > 1 ? "." : "",
                 digits + 1, exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
        return buf;
    }
    int point = exponent + 1;                   /* how many digits before the point */
    if (point <= 0)
        out += sprintf(out, "0.%.*s", -point, "0000");
    for (int i = 0; i < point; i++)
        *out++ = i < n ? digits[i] : '0';
    if (point > 0)
        *out++ = '.';
    strcpy(out, point <= 0 ? digits : point < n ? digits + point : "0");
    return buf;
}

/* Which datetime Python makes of a Unix time t: datetime.fromtimestamp(t), local and
 * naive; fromtimestamp(t, timezone.utc), aware, printed with "+00:00"; utcfromtimestamp(t),
 * UTC but naive, printed without. */
enum datetime_kind { LOCAL_DATETIME, AWARE_UTC_DATETIME, UTC_DATETIME };

/* Python's str() of that datetime: microseconds rounded half to even, as Python does, and
 * left out when they are 0. A time that time_t cannot hold is shown as "(out of range)". */
static inline char *format_datetime(double seconds, enum datetime_kind kind,
                                    char buf[DATETIME_TEXT_SIZE])
{
    struct tm fields;
    double limit = sizeof(time_t) >= 8 ? 1e17 : 2147483647.0;
    if (!(seconds > -limit && seconds < limit))
        return strcpy(buf, "(out of range)");
    long long whole = (long long)seconds;       /* toward zero, as math.modf() */
    double scaled = (seconds - (double)whole) * 1e6;
    long long micro = (long long)scaled;
    double rest = scaled - (double)micro;       /* round half to even, either sign */
    if (rest > 0.5 || (rest == 0.5 && micro % 2 != 0))
        micro++;
    else if (rest < -0.5 || (rest == -0.5 && micro % 2 != 0))
        micro--;
    whole += micro >= 1000000 ? 1 : micro < 0 ? -1 : 0;
    micro += micro >= 1000000 ? -1000000 : micro < 0 ? 1000000 : 0;
    time_t t = (time_t)whole;
    if (!(kind != LOCAL_DATETIME ? gmtime_r(&t, &fields) : localtime_r(&t, &fields)))
        return strcpy(buf, "(out of range)");
    size_t n = strftime(buf, DATETIME_TEXT_SIZE, "%Y-%m-%d %H:%M:%S", &fields);
    if (micro != 0)
        n += (size_t)snprintf(buf + n, DATETIME_TEXT_SIZE - n, ".%06lld", micro);
    snprintf(buf + n, DATETIME_TEXT_SIZE - n, "%s", kind == AWARE_UTC_DATETIME ? "+00:00" : "");
    return buf;
}

static inline _Noreturn void show_help(const char *help)
{
    printf("usage: %s %s\n\n%s", program_name, program_usage, help);
    exit(0);
}

/* %r of a command-line word ('bad'), cut at 256 bytes. */
static inline const char *word_repr(const char *word, char buf[WORD_REPR_SIZE])
{
    return format_repr(word, strnlen(word, 256), AS_ARGUMENT, buf);
}

/* A word in a list ("unrecognized arguments: a b"): as it is, or escaped where its repr is
 * more than the word in quotes (a control character, which argparse would print raw). */
static inline const char *shown_word(const char *word, char buf[WORD_REPR_SIZE])
{
    size_t length = strlen(word);
    word_repr(word, buf);
    return strlen(buf) == length + 2 && strncmp(buf + 1, word, length) == 0 ? word : buf;
}

/* argparse never takes a word that starts with '-' as an option's value, where getopt
 * would: "-p -h" is "argument -p: expected one argument". But a negative number, as its
 * pattern has it: -5 and -.5, not -1e5. */
static inline void check_option_value(const char *text, const char *name)
{
    const char *digits = "0123456789";
    if (text[0] != '-' || text[1] == '\0')
        return;                                 /* not an option: "" and "-" are values */
    const char *rest = text + 1 + strspn(text + 1, digits);
    bool negative_number = rest > text + 1 && *rest == '\0';
    if (*rest == '.' && rest[1] != '\0' && rest[1 + strspn(rest + 1, digits)] == '\0')
        negative_number = true;
    if (!negative_number)
        usage_error("argument %s: expected one argument", name);
}

/* What Python's int() and float() read, as C's strtoll and strtod read it: whitespace around
 * stripped, an underscore between two digits dropped (5_0). NULL where no Python number
 * could be: another underscore, and for float() what strtod alone takes (0x1p3, nan(1)). */
static inline const char *python_number(const char *text, bool is_float, char *buf, size_t size)
{
    const char *space = " \t\n\r\v\f", *end = text + strlen(text);
    size_t n = 0;
    text += strspn(text, space);
    while (end > text && strchr(space, end[-1]))
        end--;
    for (const char *p = text; p < end; p++) {
        bool between_digits = p > text && p + 1 < end && p[-1] >= '0' && p[-1] <= '9' &&
                              p[1] >= '0' && p[1] <= '9';
        if ((*p == '_' && !between_digits) || (is_float && strchr("xXpP(", *p)))
            return NULL;
        if (*p == '_')
            continue;
        if (n + 1 >= size)
            return NULL;                        /* longer than any number we take */
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return n > 0 ? buf : NULL;
}

/* type=int and type=float: "invalid int value: 'x'" unless the text is what int() or float()
 * reads; outside min..max a usage error too, where the script would fail later. */
static inline long long parse_int(const char *text, const char *name, long long min,
                                  long long max)
{
    char *end = NULL, shown[WORD_REPR_SIZE], number[512];
    check_option_value(text, name);
    const char *digits = python_number(text, false, number, sizeof number);
    errno = 0;
    long long value = digits ? strtoll(digits, &end, 10) : 0;
    if (!digits || end == digits || *end != '\0')
        usage_error("argument %s: invalid int value: %s", name, word_repr(text, shown));
    if (errno == ERANGE || value < min || value > max)
        usage_error("argument %s: invalid value: %s (must be %lld..%lld)", name,
                    word_repr(text, shown), min, max);
    return value;
}

static inline double parse_float(const char *text, const char *name, double min, double max)
{
    char *end = NULL, shown[WORD_REPR_SIZE], number[512];
    check_option_value(text, name);
    const char *digits = python_number(text, true, number, sizeof number);
    double value = digits ? strtod(digits, &end) : 0;
    if (!digits || end == digits || *end != '\0')
        usage_error("argument %s: invalid float value: %s", name, word_repr(text, shown));
    if (!(value >= min && value <= max))                        /* NaN never is */
        usage_error("argument %s: invalid value: %s (must be %g..%g)", name,
                    word_repr(text, shown), min, max);
    return value;
}

/* argparse names what is missing, then what it does not know, at the end: kept till then. */
static char missing_arguments[256];
static const char *unrecognized[64];
static int unrecognized_count;

/* getopt_long returned ':' (no value: an error now) or '?' (an unknown option, kept for the
 * end as argparse keeps it). argparse names an option by all its strings, -w/--watch; the
 * long-only ones (--host, --ladder) have an upper-case val, which no optstring here holds. */
/* cppcheck-suppress constParameter ; main's argv is char *[], and C will not convert it */
static inline void option_error(int option, char *const argv[], const struct option options[])
{
    const char *word = argv[optind - 1], *next = argv[optind];  /* argv[argc] is NULL */
    bool long_word = word[0] == '-' && word[1] == '-';
    size_t length = long_word ? strcspn(word + 2, "=") : 0;    /* "--name=value" */
    char name[64] = {'-', (char)optopt, '\0'}, shown[WORD_REPR_SIZE], matches[256] = "";
    int found = -1, count = 0;
    for (int i = 0; long_word && options[i].name; i++)
        if (strncmp(options[i].name, word + 2, length) == 0) {  /* getopt_long took a prefix */
            snprintf(matches + strlen(matches), sizeof matches - strlen(matches), "%s--%s",
                     count++ ? ", " : "", options[i].name);
            if (found < 0 || strlen(options[i].name) == length)
                found = i;
        }
    if (optopt == 0 && count > 1 && strlen(options[found].name) != length)
        usage_error("ambiguous option: %s could match %s", shown_word(word, shown), matches);
    bool long_form = found >= 0 && optopt != 0 && options[found].val == optopt &&
                     (option == ':' || word[2 + length] == '=');
    bool twin = optopt >= 'a' && optopt <= 'z';     /* -w/--watch, but --ladder alone */
    if (long_form)
        snprintf(name + (twin ? 2 : 0), sizeof name - 2, "%s--%.32s", twin ? "/" : "",
                 options[found].name);
    if (option == ':')
        usage_error("argument %s: expected one argument", name);
    if (long_form)                              /* --help=3: a flag takes no value */
        usage_error("argument %s: ignored explicit argument %s", name,
                    word_repr(word + 3 + length, shown));
    /* An unknown letter: getopt_long has passed the word if it was the word's last letter,
     * else it is still inside argv[optind] ("-xyz"). An unknown long option: passed. */
    bool inside_next = optopt != 0 && next && next[0] == '-' && next[1] != '-' &&
                       strchr(next + 1, optopt) &&
                       !(word[0] == '-' && !long_word && word[strlen(word) - 1] == optopt);
    if (inside_next)
        word = next;
    bool again = unrecognized_count > 0 && unrecognized[unrecognized_count - 1] == word;
    if (!again && unrecognized_count < 64)      /* "-xy": one word, two unknown letters */
        unrecognized[unrecognized_count++] = word;
}

/* The next positional argument, checked against choices (NULL-ended, or NULL for any). NULL
 * when there is none: no_more_arguments() says so. */
static inline const char *next_positional(int argc, char *const argv[], const char *name,
                                          const char *const choices[])
{
    char list[256] = "";
    size_t used = strlen(missing_arguments);
    if (optind >= argc) {
        snprintf(missing_arguments + used, sizeof missing_arguments - used, "%s%s",
                 used ? ", " : "", name);
        return NULL;
    }
    for (int i = 0; choices && choices[i]; i++) {
        if (strcmp(argv[optind], choices[i]) == 0)
            return argv[optind++];
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? ", " : "",
                 choices[i]);
    }
    if (choices) {
        char shown[WORD_REPR_SIZE];
        usage_error("argument %s: invalid choice: %s (choose from %s)", name,
                    word_repr(argv[optind], shown), list);
    }
    return argv[optind++];
}

/* The end of the command line: what is missing, then every word left over, exit 2. */
/* cppcheck-suppress constParameter ; main's argv is char *[], and C will not convert it */
static inline void no_more_arguments(int argc, char *const argv[])
{
    char shown[WORD_REPR_SIZE];
    if (missing_arguments[0])
        usage_error("the following arguments are required: %s", missing_arguments);
    while (optind < argc && unrecognized_count < 64)
        unrecognized[unrecognized_count++] = argv[optind++];
    if (unrecognized_count == 0)
        return;
    fprintf(stderr, "usage: %s %s\n%s: error: unrecognized arguments: ", program_name,
            program_usage, program_name);
    for (int i = 0; i < unrecognized_count; i++)
        fprintf(stderr, "%s%s", i ? " " : "", shown_word(unrecognized[i], shown));
    fputc('\n', stderr);
    exit(2);
}

/* (host, port) as bind() and connect() take it in Python: "" is every interface and
 * "<broadcast>" 255.255.255.255. family: AF_INET for the IPv4-only lessons, else AF_UNSPEC.
 * A name that does not resolve ends the program with socket.gaierror's words. */
static inline struct addrinfo *resolve(const char *host, uint16_t port, int family, int socktype)
{
    struct addrinfo hints = {.ai_family = family, .ai_socktype = socktype}, *list = NULL;
    char service[8], shown[WORD_REPR_SIZE];
    hints.ai_flags = AI_NUMERICSERV | (host[0] ? 0 : AI_PASSIVE);  /* no host: the wildcard */
    if (strcmp(host, "<broadcast>") == 0)
        host = "255.255.255.255";
    snprintf(service, sizeof service, "%u", (unsigned)port);
    int code = getaddrinfo(host[0] ? host : NULL, service, &hints, &list);
    if (code == EAI_SYSTEM)                     /* only then does errno say why */
        die("getaddrinfo %s: [Errno %d] %s", word_repr(host, shown), errno, strerror(errno));
    if (code != 0)                              /* [Errno -2] Name or service not known */
        die("getaddrinfo %s: [Errno %d] %s", word_repr(host, shown), code, gai_strerror(code));
    return list;
}

/* send() may take only part of the data (a full buffer, a signal): go on. 0, or -1 and errno. */
static inline int sendall(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t sent = send(fd, p, n, 0);
        if (sent < 0 && errno != EINTR)
            return -1;
        if (sent > 0) {
            p += sent;
            n -= (size_t)sent;
        }
    }
    return 0;
}

/* settimeout(seconds) as the struct timeval that SO_RCVTIMEO and SO_SNDTIMEO take. A positive
 * time never becomes {0, 0}, which would mean "no timeout": wait forever. */
static inline struct timeval timeval_of(double seconds)
{
    struct timeval t = {.tv_sec = (time_t)seconds};
    t.tv_usec = (suseconds_t)((seconds - (double)t.tv_sec) * 1e6);
    if (seconds > 0 && t.tv_sec == 0 && t.tv_usec == 0)
        t.tv_usec = 1;
    return t;
}

static inline double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

#endif /* SOCKET_HELPERS_H */
