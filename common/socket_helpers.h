/*
 * socket_helpers.h - what Python's socket module gives the lecture's scripts for free.
 *
 * One header, no library to link: every function is `static inline`, so a program that
 * includes it gets its own copy of what it uses and no warning for what it does not.
 * Include it FIRST, before any system header: it defines _DEFAULT_SOURCE, which glibc
 * needs to show getaddrinfo, NI_MAXHOST, IP_MTU and friends to a -std=c11 program.
 *
 * What it gives (and the Python it stands for):
 *   program_init(argv0)                  program name for messages; stdout line-buffered
 *   parse_arguments(argc, argv, ...)     argparse: -h, options anywhere, flags, its errors
 *   usage_error(usage, fmt, ...)         argparse's "usage: ..." + "prog: error: ...", exit 2
 *   parse_port(text, usage)              argparse's type=int for a port: 0..65535 or exit 2
 *   port_from_text(text, &port)          the same check, returning false instead of exiting
 *   parse_seconds(text, name, usage)     a timeout in seconds (type=float): > 0, <= a day
 *   parse_count(text, name, usage)       a byte count (type=int): 0..2**60 or exit 2
 *   die_errno(call, address)             an uncaught OSError: one line with the errno, exit 1
 *   die(fmt, ...)                        an uncaught RuntimeError: one line, exit 1
 *   warn_errno(call, address)            the same line as die_errno, but carry on
 *   errno_name(err)                      "ECONNREFUSED" for ECONNREFUSED
 *   resolve(host, port, family, type)    the (host, port) tuple: getaddrinfo, "" = any
 *   format_address(sa, buf)              str((host, port)): ('127.0.0.1', 1060)
 *   format_repr(data, n, as_bytes, buf)  repr(text) or repr(bytes): 'hi\n' or b'hi\n'
 *   sendall(fd, data, n)                 socket.sendall(): loops over partial sends
 *   monotonic_seconds()                  time.monotonic()
 *
 * Nothing here sets a socket option or hides a lesson: SO_REUSEADDR, SO_BROADCAST,
 * timeouts and recvall() stay in the programs, where the exercises ask students to
 * comment them out.
 */
#ifndef SOCKET_HELPERS_H
#define SOCKET_HELPERS_H

#ifndef _GNU_SOURCE
#define _DEFAULT_SOURCE 1
#endif

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Large enough for "('ffff:...:ffff%interface', 65535, 4294967295, 4294967295)". */
#define ADDRESS_TEXT_SIZE (NI_MAXHOST + 64)

/* Room format_repr() needs for n bytes: each byte becomes at most 4 characters (\xNN),
 * plus b, two quotes and the terminating NUL. */
#define REPR_SIZE(n) (4 * (size_t)(n) + 4)

static const char *program_name = "program";

#if defined(__GNUC__) || defined(__clang__)
#define HELPERS_NORETURN __attribute__((noreturn))
#define HELPERS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HELPERS_NORETURN
#define HELPERS_PRINTF(f, a)
#endif

/* Remember the program's name for messages, and make stdout line-buffered: Python flushes
 * print() at each newline on a terminal, and tests and pipes should see each line as soon
 * as it is printed too, not when a 4 KiB buffer fills. */
static inline void program_init(const char *argv0)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    program_name = slash ? slash + 1 : (argv0 && *argv0 ? argv0 : program_name);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* The symbolic name of an errno value (what Python shows as ConnectionRefusedError).
 * POSIX has no such function (glibc's strerrorname_np needs _GNU_SOURCE), so here is a
 * table of the ones a socket program meets. */
static inline const char *errno_name(int err)
{
    static const struct { int number; const char *name; } names[] = {
        {EACCES, "EACCES"}, {EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
        {EAFNOSUPPORT, "EAFNOSUPPORT"}, {EAGAIN, "EAGAIN"}, {EALREADY, "EALREADY"},
        {EBADF, "EBADF"}, {ECONNABORTED, "ECONNABORTED"}, {ECONNREFUSED, "ECONNREFUSED"},
        {ECONNRESET, "ECONNRESET"}, {EDESTADDRREQ, "EDESTADDRREQ"}, {EFAULT, "EFAULT"},
        {EHOSTUNREACH, "EHOSTUNREACH"}, {EINPROGRESS, "EINPROGRESS"}, {EINTR, "EINTR"},
        {EINVAL, "EINVAL"}, {EIO, "EIO"}, {EISCONN, "EISCONN"}, {EMFILE, "EMFILE"},
        {EMSGSIZE, "EMSGSIZE"}, {ENETDOWN, "ENETDOWN"}, {ENETUNREACH, "ENETUNREACH"},
        {ENFILE, "ENFILE"}, {ENOBUFS, "ENOBUFS"}, {ENODEV, "ENODEV"}, {ENOENT, "ENOENT"},
        {ENOMEM, "ENOMEM"},
        {ENOPROTOOPT, "ENOPROTOOPT"}, {ENOTCONN, "ENOTCONN"}, {ENOTSOCK, "ENOTSOCK"},
        {EOPNOTSUPP, "EOPNOTSUPP"}, {EPERM, "EPERM"}, {EPIPE, "EPIPE"},
        {EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {EPROTOTYPE, "EPROTOTYPE"},
        {ETIMEDOUT, "ETIMEDOUT"},
    };
    if (err == EWOULDBLOCK)             /* the same number as EAGAIN on Linux */
        return "EAGAIN";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].number == err)
            return names[i].name;
    return "errno";
}

/* str((host, port)) for a socket address: ('127.0.0.1', 1060) for IPv4 and
 * ('::1', 1060, 0, 0) for IPv6 (Python adds flowinfo and scope_id). getnameinfo with
 * NI_NUMERICHOST never asks DNS. Writes into the caller's buffer (never a static one,
 * so two addresses can go in one printf) and returns it. */
static inline char *format_address(const struct sockaddr *address, char buf[ADDRESS_TEXT_SIZE])
{
    char host[NI_MAXHOST];
    socklen_t length = address->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in);
    if (address->sa_family != AF_INET && address->sa_family != AF_INET6) {
        snprintf(buf, ADDRESS_TEXT_SIZE, "(address family %d)", address->sa_family);
        return buf;
    }
    if (getnameinfo(address, length, host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(host, sizeof host, "?");
    if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)address;
        snprintf(buf, ADDRESS_TEXT_SIZE, "('%s', %u, %lu, %lu)", host,
                 (unsigned)ntohs(in6->sin6_port), (unsigned long)ntohl(in6->sin6_flowinfo),
                 (unsigned long)in6->sin6_scope_id);
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)address;
        snprintf(buf, ADDRESS_TEXT_SIZE, "('%s', %u)", host, (unsigned)ntohs(in->sin_port));
    }
    return buf;
}

/* The one-line report of a failed call, as "prog: call address: ENAME text". */
static inline void warn_errno(const char *call, const struct sockaddr *address)
{
    int err = errno;
    char where[ADDRESS_TEXT_SIZE + 1] = "";
    if (address) {
        where[0] = ' ';
        format_address(address, where + 1);
    }
    fprintf(stderr, "%s: %s%s: %s %s\n", program_name, call, where, errno_name(err),
            strerror(err));
    errno = err;
}

/* Report a failed call (errno says why) and exit 1. address may be NULL. */
static inline HELPERS_NORETURN void die_errno(const char *call, const struct sockaddr *address)
{
    warn_errno(call, address);
    exit(1);
}

/* Report a runtime error in one line and exit 1. */
static inline HELPERS_NORETURN HELPERS_PRINTF(1, 2) void die(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* A usage error, worded as argparse words it: the usage line, then "prog: error: ...",
 * exit 2. usage is the text after "usage: prog", e.g. "[-h] [-p PORT] {client,server}". */
static inline HELPERS_NORETURN HELPERS_PRINTF(2, 3) void usage_error(const char *usage,
                                                                      const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "usage: %s %s\n%s: error: ", program_name, usage, program_name);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(2);
}

/* A port number from text: all digits, 0..65535. Returns false for anything else ("abc",
 * "70000", "-1", "12x", ""), leaving *port alone. */
static inline bool port_from_text(const char *text, uint16_t *port)
{
    unsigned long value = 0;
    if (*text == '\0')
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (unsigned long)(*p - '0');
        if (value > 65535)
            return false;
    }
    *port = (uint16_t)value;
    return true;
}

/* The port given with -p (0 asks the OS for any free port); anything that is not a port
 * is a usage error. */
static inline uint16_t parse_port(const char *text, const char *usage)
{
    uint16_t port;
    if (!port_from_text(text, &port))
        usage_error(usage, "argument -p: invalid port: '%s' (must be 0..65535)", text);
    return port;
}

/* A timeout given on the command line (argparse's type=float): seconds, more than 0 (a
 * socket timeout of 0 means "wait forever") and at most a day. Anything else, NaN
 * included, is a usage error. */
#define LONGEST_TIMEOUT 86400.0

static inline double parse_seconds(const char *text, const char *name, const char *usage)
{
    char *end;
    double seconds = strtod(text, &end);
    if (end == text || *end != '\0' || !(seconds > 0) || !(seconds <= LONGEST_TIMEOUT))
        usage_error(usage, "argument %s: invalid timeout: '%s' (must be more than 0 and at "
                    "most %.0f seconds)", name, text, LONGEST_TIMEOUT);
    return seconds;
}

/* One command-line argument, as argparse's add_argument() declares it. A name that starts
 * with '-' is an option taking a value ("-p" takes "-p 1060" or "-p1060"); any other name
 * is a positional argument, taken in order. kind says more:
 *   false (0)          a required positional argument, or an option with a value
 *   true (1)           a positional argument that may be left out (nargs='?')
 *   ARGUMENT_FLAG      an option without a value (action='store_true'): *value becomes the
 *                      option's name when it is given
 * The value is stored as text in *value, which holds the default beforehand. */
enum { ARGUMENT_FLAG = 2 };

struct argument {
    const char *name;
    const char **value;
    int kind;
};

/* argparse's parse_args(): fill in the arguments (a list ending with {NULL}), print
 * "usage: prog USAGE" and then HELP for -h/--help and exit 0; report a missing, unknown or
 * extra argument as argparse does (usage_error, exit 2). Options may come before, between
 * or after the positional arguments; "--" ends the options. */
/* cppcheck-suppress constParameter ; main's argv is char *[], and C will not convert it */
static inline void parse_arguments(int argc, char *const argv[], const char *usage, const char *help,
                                   const struct argument *arguments)
{
    const struct argument *next_positional = arguments;
    bool options_ended = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool is_option = !options_ended && arg[0] == '-' && arg[1] != '\0' &&
                         !(arg[1] >= '0' && arg[1] <= '9');     /* "-1" is a value */
        if (is_option && strcmp(arg, "--") == 0) {
            options_ended = true;
            continue;
        }
        if (is_option && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
            printf("usage: %s %s\n\n%s", program_name, usage, help);
            exit(0);
        }
        if (is_option) {
            const struct argument *a = arguments;
            size_t flag_length = 0;
            for (; a->name; a++) {
                flag_length = strlen(a->name);
                if (a->name[0] == '-' && strncmp(arg, a->name, flag_length) == 0 &&
                    (arg[flag_length] == '\0' || (flag_length == 2 && arg[1] != '-')))
                    break;
            }
            if (a->name == NULL)
                usage_error(usage, "unrecognized arguments: %s", arg);
            if (a->kind == ARGUMENT_FLAG && arg[flag_length] != '\0')
                usage_error(usage, "argument %s: ignored explicit argument '%s'", a->name,
                            arg + flag_length);
            if (a->kind == ARGUMENT_FLAG)
                *a->value = a->name;
            else if (arg[flag_length] != '\0')
                *a->value = arg + flag_length;                  /* -p1060 */
            else if (++i < argc)
                *a->value = argv[i];
            else
                usage_error(usage, "argument %s: expected one argument", a->name);
            continue;
        }
        while (next_positional->name && next_positional->name[0] == '-')
            next_positional++;
        if (next_positional->name == NULL)
            usage_error(usage, "unrecognized arguments: %s", arg);
        *next_positional->value = arg;
        next_positional++;
    }
    char missing[256] = "";
    int missing_count = 0;
    for (; next_positional->name; next_positional++)
        if (next_positional->name[0] != '-' && next_positional->kind == 0)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                     missing_count++ ? ", " : "", next_positional->name);
    if (missing_count > 0)
        usage_error(usage, "the following arguments are required: %s", missing);
}

/* The name of a getaddrinfo() error code, like errno_name() for errno. */
static inline const char *gai_error_name(int code)
{
    switch (code) {
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_BADFLAGS: return "EAI_BADFLAGS";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
    case EAI_SYSTEM: return "EAI_SYSTEM";
#ifdef EAI_NODATA
    case EAI_NODATA: return "EAI_NODATA";
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
#endif
    default: return "EAI";
    }
}

/* Turn (host, port) into socket addresses, as Python does for sock.bind((host, port)) or
 * sock.connect((host, port)). As in Python, "" means every interface (INADDR_ANY) and
 * "<broadcast>" means 255.255.255.255. family is AF_INET for the IPv4-only lessons or
 * AF_UNSPEC for both. A name that does not resolve ends the program with the resolver's
 * own message (gai_strerror, not errno) naming the host. Free the list with freeaddrinfo. */
static inline struct addrinfo *resolve(const char *host, uint16_t port, int family, int socktype)
{
    struct addrinfo hints, *list = NULL;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV;
    if (host[0] == '\0') {
        hints.ai_flags |= AI_PASSIVE;       /* no host + AI_PASSIVE = the wildcard address */
    } else if (strcmp(host, "<broadcast>") == 0) {
        host = "255.255.255.255";
    }
    snprintf(service, sizeof service, "%u", (unsigned)port);
    int code = getaddrinfo(host[0] ? host : NULL, service, &hints, &list);
    if (code == EAI_SYSTEM)
        die("getaddrinfo '%s': %s %s", host, errno_name(errno), strerror(errno));
    if (code != 0)
        die("getaddrinfo '%s': %s %s", host, gai_error_name(code), gai_strerror(code));
    return list;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not one.
 * Rejects overlong forms, surrogates and values above U+10FFFF, as Python's decoder does. */
static inline size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *codepoint)
{
    size_t length;
    uint32_t value, minimum;
    if (s[0] < 0x80) { *codepoint = s[0]; return 1; }
    else if ((s[0] & 0xe0) == 0xc0) { length = 2; value = s[0] & 0x1f; minimum = 0x80; }
    else if ((s[0] & 0xf0) == 0xe0) { length = 3; value = s[0] & 0x0f; minimum = 0x800; }
    else if ((s[0] & 0xf8) == 0xf0) { length = 4; value = s[0] & 0x07; minimum = 0x10000; }
    else return 0;
    if (length > n)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3f);
    }
    if (value < minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    *codepoint = value;
    return length;
}

/* True for the characters Python's str.isprintable() rejects above ASCII: C1 controls,
 * spaces other than ' ', line and paragraph separators, invisible format characters
 * (including the ones that reverse text direction) and private-use characters. Unassigned
 * code points would need Unicode's tables; they are shown as they are. */
static inline bool unicode_is_invisible(uint32_t c)
{
    return (c >= 0x80 && c <= 0xa0) || c == 0xad || (c >= 0x600 && c <= 0x605) ||
           c == 0x61c || c == 0x6dd || c == 0x70f || c == 0x1680 || c == 0x180e ||
           (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
           (c >= 0x205f && c <= 0x206f) || c == 0x3000 || (c >= 0xe000 && c <= 0xf8ff) ||
           c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe0000 && c <= 0xe007f) ||
           c >= 0xf0000;
}

/* Python's repr() of data received from the network, so that nothing a peer sends can
 * reach the terminal raw (no escape sequences, no invalid UTF-8):
 *   as_bytes: repr(bytes)  b'Hi\n\x00'  every byte outside printable ASCII is \xNN;
 *   else:     repr(str)    'Hi\n'       the data decoded as UTF-8: printable characters
 *             stay as they are, the others become \xNN, \uNNNN or \UNNNNNNNN as in
 *             Python, and bytes that are not valid UTF-8 become \xNN (Python's decode
 *             would raise an exception there; we show them instead).
 * Quotes as Python chooses them: '...' unless the text has a ' and no ".
 * buf must hold REPR_SIZE(n) characters. Returns buf. */
static inline char *format_repr(const void *data, size_t n, bool as_bytes, char *buf)
{
    const unsigned char *s = data;
    bool has_single = n > 0 && memchr(s, '\'', n), has_double = n > 0 && memchr(s, '"', n);
    char quote = has_single && !has_double ? '"' : '\'';
    char *out = buf;
    if (as_bytes)
        *out++ = 'b';
    *out++ = quote;
    for (size_t i = 0; i < n;) {
        uint32_t c = s[i];
        size_t length = as_bytes ? 1 : utf8_sequence(s + i, n - i, &c);
        if (length == 0) {                  /* not UTF-8: show the byte itself */
            out += sprintf(out, "\\x%02x", s[i]);
            i++;
            continue;
        }
        if (c == (uint32_t)quote || c == '\\') {
            *out++ = '\\';
            *out++ = (char)c;
        } else if (c == '\n') {
            out += sprintf(out, "\\n");
        } else if (c == '\r') {
            out += sprintf(out, "\\r");
        } else if (c == '\t') {
            out += sprintf(out, "\\t");
        } else if (c < 0x20 || c == 0x7f || (as_bytes && c >= 0x80)) {
            out += sprintf(out, "\\x%02x", (unsigned)c);
        } else if (c >= 0x80 && unicode_is_invisible(c)) {
            if (c <= 0xff)
                out += sprintf(out, "\\x%02x", (unsigned)c);
            else if (c <= 0xffff)
                out += sprintf(out, "\\u%04x", (unsigned)c);
            else
                out += sprintf(out, "\\U%08x", (unsigned)c);
        } else {
            memcpy(out, s + i, length);     /* printable: copy its bytes as they came */
            out += length;
        }
        i += length;
    }
    *out++ = quote;
    *out = '\0';
    return buf;
}

/* socket.sendall(): send() may take only part of the data (a full socket buffer, a
 * signal); keep going until all of it is sent. Returns 0, or -1 with errno set. */
static inline int sendall(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t sent = send(fd, p, n, 0);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += sent;
        n -= (size_t)sent;
    }
    return 0;
}

/* time.monotonic(): seconds from a clock that never jumps, for timing and throughput. */
static inline double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* argparse's type=int for a count of bytes: digits only, 0 to 2**60, else a usage error. */
static inline unsigned long long parse_count(const char *text, const char *name,
                                             const char *usage)
{
    unsigned long long value = 0;
    bool valid = *text != '\0';
    for (const char *p = text; valid && *p; p++) {
        valid = *p >= '0' && *p <= '9' && value <= (1ULL << 60);  /* so *10 cannot overflow */
        value = value * 10 + (unsigned long long)(*p - '0');
    }
    if (!valid || value > (1ULL << 60))
        usage_error(usage, "argument %s: invalid count: '%s' (a whole number of bytes, "
                    "0 to 2**60)", name, text);
    return value;
}

#endif /* SOCKET_HELPERS_H */
