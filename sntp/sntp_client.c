/*
 * sntp_client.c - a complete SNTPv4 client (lecture: "Get time from the internet time
 * server", what ntplib does for the Python notebook; RFC 4330 and the client side of
 * RFC 5905).
 *
 * Try, with this chapter's own server (no internet needed):
 *     ./sntp_server -p 1230             ./sntp_client 127.0.0.1 -p 1230
 * and, where the internet is reachable, ./sntp_client (pool.ntp.org).
 * Watch the four timestamps T1..T4: the offset and the round-trip delay come from them,
 * and the offset is near 0 when client and server share one clock.
 *
 * Unlike sntp_time, this client believes a reply only if it comes from the server's
 * address and echoes our transmit time (T1) in its originate field, and it checks every
 * field RFC 4330 says a client must check before it trusts the time.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <poll.h>

/* The 48-byte NTP packet, as offsets into it (RFC 5905 figure 8). Fields are big-endian;
 * they are read with memcpy + ntohl, never by laying a struct over the bytes. */
#define NTP_PACKET_SIZE 48
#define NTP_LI_VN_MODE 0            /* leap indicator (2 bits), version (3), mode (3) */
#define NTP_STRATUM 1
#define NTP_POLL 2                  /* signed log2 of the poll interval in seconds */
#define NTP_PRECISION 3             /* signed log2 of the server clock's resolution */
#define NTP_ROOT_DELAY 4            /* 16.16 fixed point, seconds */
#define NTP_ROOT_DISPERSION 8       /* 16.16 fixed point, seconds */
#define NTP_REFERENCE_ID 12
#define NTP_REFERENCE_TIME 16       /* each timestamp: 32-bit seconds, 32-bit fraction */
#define NTP_ORIGINATE_TIME 24       /* T1 as the server saw it in our request */
#define NTP_RECEIVE_TIME 32         /* T2: our request reached the server */
#define NTP_TRANSMIT_TIME 40        /* T3: the reply left the server */

#define NTP_VERSION 4
#define NTP_MODE_CLIENT 3
#define NTP_MODE_SERVER 4
#define NTP_LEAP_UNSYNCHRONISED 3
#define NTP_MAX_STRATUM 15          /* 16 means "unsynchronised" */
#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define NTP_ERA_SECONDS 4294967296LL        /* 2^32: one era, about 136 years */
#define NTP_FRACTION 4294967296.0           /* the fraction counts 2^-32 s */
#define MAX_BYTES 1024

/* A timestamp as it travels: seconds since 1900 (modulo 2^32) and a 2^-32 s fraction. */
struct ntp_timestamp {
    uint32_t seconds, fraction;
};

/* A timestamp on the Unix time line: seconds since 1970 (64 bits, so past 2038 and 2106)
 * and the same 2^-32 s fraction, which keeps the nanoseconds a double would round off. */
struct unix_time {
    int64_t seconds;
    uint32_t fraction;
};

/* The reply's fields, decoded. */
struct ntp_reply {
    unsigned leap, version, mode, stratum;
    int poll, precision;
    double root_delay, root_dispersion;
    unsigned char reference_id[4];
    struct ntp_timestamp reference, originate, receive, transmit;
};

static uint32_t read_u32(const unsigned char *packet, size_t offset)
{
    uint32_t value;
    memcpy(&value, packet + offset, sizeof value);
    return ntohl(value);
}

static struct ntp_timestamp read_timestamp(const unsigned char *packet, size_t offset)
{
    struct ntp_timestamp t = {read_u32(packet, offset), read_u32(packet, offset + 4)};
    return t;
}

/* The 2036 rollover. An NTP timestamp's 32-bit seconds count from 1900 and wrap on
 * 2036-02-07 06:28:16 UTC, when era 1 begins; the packet does not say which era it is in.
 * RFC 5905 takes the era that puts the time nearest a clock we trust a little: here the
 * pivot is our own clock (the destination time), so every timestamp within 68 years
 * (2^31 s) of it maps to the right Unix time, in 2036 and long after. (sntp_time uses the
 * fixed pivot of RFC 4330 instead: right from 1968 to 2104.) */
static int64_t unix_seconds_from_ntp(uint32_t ntp_seconds, int64_t pivot)
{
    uint32_t pivot_ntp = (uint32_t)((uint64_t)(pivot + (int64_t)NTP_UNIX_EPOCH_DIFF));
    uint32_t ahead = ntp_seconds - pivot_ntp;       /* unsigned: wraps modulo 2^32 */
    int64_t difference = ahead < 0x80000000u ? (int64_t)ahead
                                             : (int64_t)ahead - NTP_ERA_SECONDS;
    return pivot + difference;
}

static struct unix_time unix_from_ntp(struct ntp_timestamp t, int64_t pivot)
{
    struct unix_time u = {unix_seconds_from_ntp(t.seconds, pivot), t.fraction};
    return u;
}

/* The other way needs no era: keeping the low 32 bits of "seconds since 1900" IS the wrap. */
static struct ntp_timestamp ntp_from_unix(struct unix_time u)
{
    struct ntp_timestamp t = {(uint32_t)((uint64_t)(u.seconds + (int64_t)NTP_UNIX_EPOCH_DIFF)),
                              u.fraction};
    return t;
}

/* The fraction is rounded up, so that format_utc(), which rounds down, shows the
 * microseconds the clock said. */
static struct unix_time unix_from_timespec(struct timespec ts)
{
    struct unix_time u = {(int64_t)ts.tv_sec,
                          (uint32_t)((((uint64_t)ts.tv_nsec << 32) + 999999999u) / 1000000000u)};
    return u;
}

static double seconds_between(struct unix_time later, struct unix_time earlier)
{
    return (double)(later.seconds - earlier.seconds) +
           ((double)later.fraction - (double)earlier.fraction) / NTP_FRACTION;
}

static struct unix_time add_seconds(struct unix_time t, double seconds)
{
    double total = (double)t.fraction / NTP_FRACTION + seconds;
    int64_t whole = (int64_t)total;
    if ((double)whole > total)                      /* (int64_t) rounds toward zero */
        whole--;
    double fraction = (total - (double)whole) * NTP_FRACTION;
    t.seconds += whole;
    t.fraction = fraction >= NTP_FRACTION ? UINT32_MAX : (uint32_t)fraction;
    return t;
}

/* "2023-08-26 20:26:22.123456 UTC" */
static char *format_utc(struct unix_time t, char buf[64])
{
    struct tm utc;
    time_t seconds = (time_t)t.seconds;
    if ((int64_t)seconds != t.seconds || gmtime_r(&seconds, &utc) == NULL) {
        snprintf(buf, 64, "(out of range)");
        return buf;
    }
    size_t n = strftime(buf, 64, "%Y-%m-%d %H:%M:%S", &utc);
    snprintf(buf + n, 64 - n, ".%06u UTC",
             (unsigned)(((uint64_t)t.fraction * 1000000u) >> 32));
    return buf;
}

/* What check_reply() found. Only REPLY_NOT_OURS lets the client go on waiting: such a
 * datagram is not an answer to this request (a spoofed or stale one), so it says nothing
 * about the server. The others are the server's answer, and it is unusable. */
enum reply_verdict {
    REPLY_OK,
    REPLY_TOO_SHORT,
    REPLY_NOT_SERVER_MODE,
    REPLY_NOT_OURS,
    REPLY_BAD_VERSION,
    REPLY_KISS_OF_DEATH,
    REPLY_UNSYNCHRONISED,
    REPLY_BAD_STRATUM,
    REPLY_NO_TRANSMIT_TIME,
};

/* RFC 4330 section 5's checks on a reply, in an order that matters: the originate check
 * comes before anything the server says is believed (even a Kiss-o'-Death must answer
 * OUR request), and the stratum-0 kiss before the leap indicator, because servers send
 * their kisses marked unsynchronised. sent_transmit is the 8 bytes of our request's
 * transmit field. A pure function of its arguments (no I/O), so a fuzzer can call it. */
static enum reply_verdict check_reply(const unsigned char *buf, size_t len,
                                      const unsigned char sent_transmit[8])
{
    if (len < NTP_PACKET_SIZE)
        return REPLY_TOO_SHORT;
    unsigned version = (buf[NTP_LI_VN_MODE] >> 3) & 7, mode = buf[NTP_LI_VN_MODE] & 7;
    unsigned leap = buf[NTP_LI_VN_MODE] >> 6, stratum = buf[NTP_STRATUM];
    if (mode != NTP_MODE_SERVER)
        return REPLY_NOT_SERVER_MODE;
    if (memcmp(buf + NTP_ORIGINATE_TIME, sent_transmit, 8) != 0)
        return REPLY_NOT_OURS;
    if (version < 1 || version > 4)
        return REPLY_BAD_VERSION;
    if (stratum == 0)
        return REPLY_KISS_OF_DEATH;
    if (leap == NTP_LEAP_UNSYNCHRONISED)
        return REPLY_UNSYNCHRONISED;
    if (stratum > NTP_MAX_STRATUM)
        return REPLY_BAD_STRATUM;
    if (read_u32(buf, NTP_TRANSMIT_TIME) == 0 && read_u32(buf, NTP_TRANSMIT_TIME + 4) == 0)
        return REPLY_NO_TRANSMIT_TIME;
    return REPLY_OK;
}

/* The fields of a packet of at least NTP_PACKET_SIZE bytes. Pure, like check_reply(). */
static struct ntp_reply decode_reply(const unsigned char *buf)
{
    struct ntp_reply r;
    r.leap = buf[NTP_LI_VN_MODE] >> 6;
    r.version = (buf[NTP_LI_VN_MODE] >> 3) & 7;
    r.mode = buf[NTP_LI_VN_MODE] & 7;
    r.stratum = buf[NTP_STRATUM];
    r.poll = (int)(signed char)buf[NTP_POLL];
    r.precision = (int)(signed char)buf[NTP_PRECISION];
    /* Root delay is signed in RFC 4330 (a path can be "negative" after corrections). */
    uint32_t delay = read_u32(buf, NTP_ROOT_DELAY);
    r.root_delay = (delay < 0x80000000u ? (double)delay : (double)delay - NTP_FRACTION) / 65536.0;
    r.root_dispersion = (double)read_u32(buf, NTP_ROOT_DISPERSION) / 65536.0;
    memcpy(r.reference_id, buf + NTP_REFERENCE_ID, 4);
    r.reference = read_timestamp(buf, NTP_REFERENCE_TIME);
    r.originate = read_timestamp(buf, NTP_ORIGINATE_TIME);
    r.receive = read_timestamp(buf, NTP_RECEIVE_TIME);
    r.transmit = read_timestamp(buf, NTP_TRANSMIT_TIME);
    return r;
}

/* The reference id, as RFC 5905 says to read it: a kiss code at stratum 0, a four-letter
 * source name (GPS, PPS, LOCL...) at stratum 1, the IPv4 address of the upstream server
 * above (for an IPv6 upstream, the first four bytes of a hash of its address). */
static char *format_reference_id(const struct ntp_reply *r, char buf[INET_ADDRSTRLEN + 32])
{
    if (r->stratum <= 1) {
        char text[REPR_SIZE(4)];
        size_t n = 4;
        while (n > 0 && r->reference_id[n - 1] == '\0')     /* left-justified, zero-filled */
            n--;
        snprintf(buf, INET_ADDRSTRLEN + 32, "%s", format_repr(r->reference_id, n, false, text));
    } else if (inet_ntop(AF_INET, r->reference_id, buf, INET_ADDRSTRLEN) == NULL) {
        snprintf(buf, INET_ADDRSTRLEN + 32, "?");
    }
    return buf;
}

#ifndef SNTP_NO_MAIN        /* tests/sntp_convert_test.c includes the functions above */

static const char usage[] = "[-h] [-p PORT] [-t TIMEOUT] [host]";
static const char help[] =
    "Ask an NTP server for the time (SNTPv4, RFC 4330) and check its answer\n\n"
    "positional arguments:\n"
    "  host        NTP server (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123)\n"
    "  -t TIMEOUT  give up after this many seconds without an answer (default 5)\n";

static void write_u32(unsigned char *packet, size_t offset, uint32_t value)
{
    value = htonl(value);
    memcpy(packet + offset, &value, sizeof value);
}

static bool same_address(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family)
        return false;
    if (a->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->sa_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return false;
}

static struct unix_time now_utc(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return unix_from_timespec(now);
}

static const char *kiss_meaning(const unsigned char code[4])
{
    if (memcmp(code, "RATE", 4) == 0)
        return "we asked too often: wait longer before asking this server again";
    if (memcmp(code, "DENY", 4) == 0 || memcmp(code, "RSTR", 4) == 0)
        return "the server refuses to serve us: stop asking it";
    return "the server will not give us the time";
}

/* 2^exponent, for the poll and precision fields (without libm's ldexp). */
static double power_of_two(int exponent)
{
    double value = 1.0;
    for (; exponent > 0; exponent--)
        value *= 2;
    for (; exponent < 0; exponent++)
        value /= 2;
    return value;
}

static void print_reply(const struct ntp_reply *r, struct unix_time destination)
{
    static const char *const leap_meaning[] = {
        "no warning", "last minute of the day has 61 seconds",
        "last minute of the day has 59 seconds", "unsynchronised"};
    char text[64], id[INET_ADDRSTRLEN + 32];
    int64_t pivot = destination.seconds;
    struct unix_time t1 = unix_from_ntp(r->originate, pivot), t2 = unix_from_ntp(r->receive, pivot),
                     t3 = unix_from_ntp(r->transmit, pivot), t4 = destination;
    /* T1 and T4 come from our clock, T2 and T3 from the server's. If the path takes as
     * long each way, the server's clock is ahead of ours by the offset; the delay is the
     * round trip minus the time the server held the request. */
    double offset = (seconds_between(t2, t1) + seconds_between(t3, t4)) / 2;
    double delay = seconds_between(t4, t1) - seconds_between(t3, t2);

    printf("Leap indicator: %u (%s)\n", r->leap, leap_meaning[r->leap]);
    printf("Version: %u\n", r->version);
    printf("Mode: %u (server)\n", r->mode);
    printf("Stratum: %u (%s)\n", r->stratum,
           r->stratum == 1 ? "primary: it reads a reference clock"
                           : "secondary: that many steps from a reference or local clock");
    printf("Poll: %d (2^%d = %g s)\n", r->poll, r->poll, power_of_two(r->poll));
    printf("Precision: %d (2^%d = %.3g s)\n", r->precision, r->precision,
           power_of_two(r->precision));
    printf("Root delay: %.6f s\n", r->root_delay);
    printf("Root dispersion: %.6f s\n", r->root_dispersion);
    printf("Reference id: %s\n", format_reference_id(r, id));
    if (r->reference.seconds == 0 && r->reference.fraction == 0)
        printf("Reference time:   (never set)\n");
    else
        printf("Reference time:   %s\n", format_utc(unix_from_ntp(r->reference, pivot), text));
    printf("Originate time:   %s (T1, our request left)\n", format_utc(t1, text));
    printf("Receive time:     %s (T2, it reached the server)\n", format_utc(t2, text));
    printf("Transmit time:    %s (T3, the reply left the server)\n", format_utc(t3, text));
    printf("Destination time: %s (T4, the reply reached us)\n", format_utc(t4, text));
    printf("Offset: %+.6f s\n", offset);
    printf("Round-trip delay: %.6f s\n", delay);
    printf("Corrected time:   %s\n", format_utc(add_seconds(t4, offset), text));
}

/* An answer from the server that check_reply() found unusable: say why, exit 1. */
static HELPERS_NORETURN void reject(enum reply_verdict verdict, const unsigned char *data,
                                    size_t n, const char *from)
{
    struct ntp_reply r = decode_reply(data);        /* data has room for 48 bytes */
    char code[REPR_SIZE(4)];
    switch (verdict) {
    case REPLY_TOO_SHORT:
        die("the reply from %s is %zu bytes, too short for NTP (%d)", from, n, NTP_PACKET_SIZE);
    case REPLY_NOT_SERVER_MODE:
        die("the reply from %s has mode %u, not %d (server)", from, r.mode, NTP_MODE_SERVER);
    case REPLY_BAD_VERSION:
        die("the reply from %s has version %u, not 1 to 4", from, r.version);
    case REPLY_KISS_OF_DEATH:
        die("Kiss-o'-Death from %s: %s (%s)", from, format_repr(r.reference_id, 4, false, code),
            kiss_meaning(r.reference_id));
    case REPLY_UNSYNCHRONISED:
        die("the reply from %s has leap indicator 3: the server's clock is not synchronised", from);
    case REPLY_BAD_STRATUM:
        die("the reply from %s has stratum %u: the server's clock is not synchronised", from,
            r.stratum);
    case REPLY_NO_TRANSMIT_TIME:
        die("the reply from %s has a zero transmit time", from);
    default:
        die("the reply from %s is unusable", from);
    }
}

/* Wait until wait_until (monotonic seconds) for the server's answer to request. Datagrams
 * from anyone else, and replies that do not echo our T1, are reported, counted in
 * *ignored, and waited past. Returns the answer's length (and T4 in *destination), or 0
 * when the wait ended without one. */
static size_t await_reply(int sock, const struct sockaddr *server, const unsigned char *request,
                          double wait_until, unsigned char data[MAX_BYTES],
                          struct unix_time *destination, int *ignored)
{
    char from[ADDRESS_TEXT_SIZE];
    for (;;) {
        double left = wait_until - monotonic_seconds();
        struct pollfd ready = {.fd = sock, .events = POLLIN};
        int count = left > 0 ? poll(&ready, 1, (int)(left * 1000) + 1) : 0;
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            die_errno("poll", NULL);
        if (count == 0)
            return 0;
        struct sockaddr_storage sender;
        socklen_t sender_length = sizeof sender;
        ssize_t n = recvfrom(sock, data, MAX_BYTES, 0, (struct sockaddr *)&sender, &sender_length);
        *destination = now_utc();                   /* T4: as soon as the reply is in */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom", server);
        }
        format_address((struct sockaddr *)&sender, from);
        /* Anyone can send a datagram to our port: believe only the server's address. */
        if (!same_address((struct sockaddr *)&sender, server)) {
            printf("Ignored a datagram from %s: not the server\n", from);
            ++*ignored;
            continue;
        }
        enum reply_verdict verdict = check_reply(data, (size_t)n, request + NTP_TRANSMIT_TIME);
        if (verdict == REPLY_NOT_OURS) {
            printf("Ignored a reply from %s: its originate time is not our T1 "
                   "(spoofed, or the answer to an earlier try)\n", from);
            ++*ignored;
            continue;
        }
        if (verdict != REPLY_OK)
            reject(verdict, data, (size_t)n, from);
        printf("Response received from: %s\n", from);
        return (size_t)n;
    }
}

static void client(const char *host, uint16_t port, double timeout)
{
    static unsigned char data[MAX_BYTES];
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *server = resolve(host, port, AF_UNSPEC, SOCK_DGRAM);
    format_address(server->ai_addr, where);

    /* Not connect()ed, unlike udp_remote's client: we check each sender ourselves, so that
     * we can see, count and report the datagrams that are not the server's answer. */
    int sock = socket(server->ai_family, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);

    unsigned char request[NTP_PACKET_SIZE];
    struct unix_time destination;
    double delay = 0.5, waited = 0;
    int tries = 0, ignored = 0;
    for (;;) {
        /* A new request for each try, stamped with T1 just before it leaves. The server
         * copies our transmit field into its originate field: that echo ties its answer
         * to this request, and makes a late answer to an earlier try a stale one. */
        memset(request, 0, sizeof request);
        request[NTP_LI_VN_MODE] = (NTP_VERSION << 3) | NTP_MODE_CLIENT;
        struct ntp_timestamp t1 = ntp_from_unix(now_utc());
        write_u32(request, NTP_TRANSMIT_TIME, t1.seconds);
        write_u32(request, NTP_TRANSMIT_TIME + 4, t1.fraction);
        if (sendto(sock, request, sizeof request, 0, server->ai_addr, server->ai_addrlen) < 0)
            die_errno("sendto", server->ai_addr);
        tries++;
        double wait = delay < timeout - waited ? delay : timeout - waited;
        printf("Waiting up to %g seconds for a reply from %s\n", wait, where);
        if (await_reply(sock, server->ai_addr, request, monotonic_seconds() + wait, data,
                        &destination, &ignored) > 0)
            break;
        waited += wait;
        delay *= 2;                                 /* wait longer before each retry */
        if (waited >= timeout) {
            if (ignored > 0)
                die("no answer from %s after %d %s in %g s (ignored %d other datagram%s)",
                    where, tries, tries == 1 ? "try" : "tries", timeout, ignored,
                    ignored == 1 ? "" : "s");
            die("no answer from %s after %d %s in %g s: is an NTP server running there?",
                where, tries, tries == 1 ? "try" : "tries", timeout);
        }
    }
    struct ntp_reply reply = decode_reply(data);
    print_reply(&reply, destination);
    if (ignored > 0)
        printf("Ignored %d datagram%s that %s not the answer\n", ignored, ignored == 1 ? "" : "s",
               ignored == 1 ? "was" : "were");
    freeaddrinfo(server);
    close(sock);
}

int main(int argc, char *argv[])
{
    const char *host = "pool.ntp.org", *port = "123", *timeout = "5";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"host", &host, true}, {"-p", &port, false}, {"-t", &timeout, false},
        {NULL, NULL, false}});
    client(host, parse_port(port, usage), parse_seconds(timeout, "-t", usage));
    return 0;
}

#endif /* SNTP_NO_MAIN */
