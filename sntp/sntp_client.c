/*
 * sntp_client.c - a complete SNTPv4 client (lecture: "Get time from the internet time
 * server", what ntplib does for the notebook; RFC 4330, the client side of RFC 5905).
 *     ./sntp_server -p 1230             ./sntp_client 127.0.0.1 -p 1230
 * (or ./sntp_client alone: pool.ntp.org). First the notebook's line, ctime(tx_time), then
 * the four timestamps T1..T4, from which come the offset and the round-trip delay. Unlike
 * sntp_time, it judges only a reply from the server's address that echoes our transmit
 * time (T1), ignoring and counting any other datagram, and refuses what RFC 4330 refuses.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <poll.h>

/* Offsets into the 48-byte packet (RFC 5905 figure 8), read with memcpy + ntohl: never a
 * struct laid over the bytes. Each timestamp is 32-bit seconds and a 32-bit fraction. */
#define NTP_PACKET_SIZE 48
#define NTP_REFERENCE_ID 12
#define NTP_ORIGINATE_TIME 24       /* T1 as the server saw it in our request */
#define NTP_RECEIVE_TIME 32         /* T2: our request reached the server */
#define NTP_TRANSMIT_TIME 40        /* T3: the reply left the server */
#define NTP_REQUEST_FIRST_BYTE 0x23 /* leap 0, version 4, mode 3 (client) */
#define NTP_MODE_SERVER 4
#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define NTP_ERA_SECONDS 4294967296LL        /* 2^32: one era, about 136 years */
/* The farthest from a reference clock we trust a server: a root distance (root delay / 2
 * + root dispersion) of 1.5 s, ntpd's default. RFC 5905's MAXDIST is 1 s, chrony's 3 s. */
#define MAX_ROOT_DISTANCE 1.5
#define OUR_PRECISION 1e-6          /* we read our clock and stamp T1, T4 within 1 us */
#define MAX_BYTES 1024

/* The header's other fields: the byte(s) each lies in, its bits, and whether it is signed
 * (poll and precision: powers of two, negative for fractions of a second; the root delay
 * and dispersion: 16.16 fixed point, in 1/65536 s). decode() reads them all into value[]. */
enum field { LEAP, VERSION, MODE, STRATUM, POLL, PRECISION, ROOT_DELAY, ROOT_DISPERSION };
static const struct { unsigned offset, bytes, shift, mask; bool is_signed; } fields[] = {
    [LEAP] = {0, 1, 6, 3, false},         [VERSION] = {0, 1, 3, 7, false},
    [MODE] = {0, 1, 0, 7, false},         [STRATUM] = {1, 1, 0, 0xff, false},
    [POLL] = {2, 1, 0, 0xff, true},       [PRECISION] = {3, 1, 0, 0xff, true},
    [ROOT_DELAY] = {4, 4, 0, 0xffffffff, true}, [ROOT_DISPERSION] = {8, 4, 0, 0xffffffff, false},
};

static void decode(const unsigned char *packet, long long value[ROOT_DISPERSION + 1])
{
    for (int f = LEAP; f <= ROOT_DISPERSION; f++) {
        uint32_t word = 0, bits = 8 * fields[f].bytes;
        memcpy((unsigned char *)&word + 4 - fields[f].bytes, packet + fields[f].offset,
               fields[f].bytes);
        word = (ntohl(word) >> fields[f].shift) & fields[f].mask;
        bool negative = fields[f].is_signed && word >> (bits - 1);
        value[f] = negative ? (long long)word - (1LL << bits) : word;
    }
}

/* Unix time: 64-bit seconds since 1970 (past 2038 and 2106), and NTP's 2^-32 s fraction. */
struct unix_time { int64_t seconds; uint32_t fraction; };

/* The timestamp at offset: 32-bit seconds since 1900, which wrap on 2036-02-07 06:28:16 UTC
 * (era 1 begins), and the fraction. Which era? RFC 5905: the one nearest a clock we trust a
 * little, here ours (the pivot, T4), so any time within 68 years (2^31 s) of it comes out
 * right, in 2036 and after. (sntp_time uses RFC 4330's fixed pivot: right in 1968-2104.) */
static struct unix_time time_at(const unsigned char *packet, size_t offset, int64_t pivot)
{
    uint32_t words[2];
    memcpy(words, packet + offset, 8);
    uint32_t ahead = ntohl(words[0]) - (uint32_t)((uint64_t)pivot + NTP_UNIX_EPOCH_DIFF);
    int64_t difference = ahead < 0x80000000u ? (int64_t)ahead : (int64_t)ahead - NTP_ERA_SECONDS;
    return (struct unix_time){pivot + difference, ntohl(words[1])};   /* ahead wraps mod 2^32 */
}

/* Our clock as NTP's fraction, rounded up so that format_time(), which rounds down, shows
 * the microseconds the clock said. (NTP seconds need no era: their low 32 bits ARE the wrap.) */
static uint32_t fraction_of(struct timespec ts)
{
    return (uint32_t)((((uint64_t)ts.tv_nsec << 32) + 999999999u) / 1000000000u);
}

static double seconds_between(struct unix_time later, struct unix_time earlier)
{
    return (double)(later.seconds - earlier.seconds) +
           ((double)later.fraction - (double)earlier.fraction) / (double)NTP_ERA_SECONDS;
}

/* "2023-08-26 20:26:22.123456 UTC", or as_ctime like time.ctime(): "Sat Aug 26 22:26:22 2023" */
static char *format_time(struct unix_time t, bool as_ctime, char buf[64])
{
    struct tm tm;
    time_t seconds = (time_t)t.seconds;
    if ((int64_t)seconds != t.seconds ||
        (as_ctime ? localtime_r(&seconds, &tm) : gmtime_r(&seconds, &tm)) == NULL)
        return memcpy(buf, "(out of range)", sizeof "(out of range)");
    size_t n = strftime(buf, 64, as_ctime ? "%a %b %e %H:%M:%S %Y" : "%Y-%m-%d %H:%M:%S", &tm);
    if (!as_ctime)
        snprintf(buf + n, 64 - n, ".%06u UTC", (unsigned)(((uint64_t)t.fraction * 1000000u) >> 32));
    return buf;
}

static double power_of_two(long long e)             /* for poll and precision */
{
    return e < 0 ? 1 / power_of_two(-e) : e == 0 ? 1 : 2 * power_of_two(e - 1);
}

/* What the four timestamps say. T1 and T4 come from our clock, T2 and T3 from the
 * server's. If the path takes as long each way, the server's clock is ahead of ours by
 * the offset; the delay is the round trip minus the time the server held the request. */
struct sample { struct unix_time t1, t2, t3, t4; double offset, delay; };

static struct sample measure(const unsigned char *reply, struct unix_time t4)
{
    struct sample s = {time_at(reply, NTP_ORIGINATE_TIME, t4.seconds),
                       time_at(reply, NTP_RECEIVE_TIME, t4.seconds),
                       time_at(reply, NTP_TRANSMIT_TIME, t4.seconds), t4, 0, 0};
    s.offset = (seconds_between(s.t2, s.t1) + seconds_between(s.t3, s.t4)) / 2;
    s.delay = seconds_between(s.t4, s.t1) - seconds_between(s.t3, s.t2);
    return s;
}

/* What check_reply() found. The first three are no answer to our request (stray, spoofed or
 * stale): they say nothing about the server. The rest are its answer, unusable. */
enum reply_verdict {
    REPLY_OK, REPLY_NOT_FROM_SERVER, REPLY_TOO_SHORT, REPLY_NOT_OURS, REPLY_NOT_SERVER_MODE,
    REPLY_BAD_VERSION, REPLY_KISS_OF_DEATH, REPLY_UNSYNCHRONISED, REPLY_BAD_STRATUM,
    REPLY_NO_TRANSMIT_TIME, REPLY_NEGATIVE_DELAY, REPLY_TOO_FAR,
};
#define VERDICT(verdict, ...) return (snprintf(why, 256, __VA_ARGS__), verdict)

/* RFC 4330 section 5's checks, in an order that matters: who sent it, and the originate
 * echo, before anything the server says is believed (even a Kiss-o'-Death must answer OUR
 * request); the stratum-0 kiss before the leap indicator (kisses come unsynchronised). Then:
 * does the sample make sense? sent: our request's transmit field; t4: our clock at arrival;
 * why: the reason. Pure (no I/O): a fuzzer calls it. */
static enum reply_verdict check_reply(const unsigned char *reply, size_t n, bool from_server,
                                      const unsigned char sent[8], struct unix_time t4,
                                      char why[256])
{
    static const unsigned char zero[8];
    static const char unsynchronised[] = "the server's clock is not synchronised";
    const unsigned char *code = reply + NTP_REFERENCE_ID;
    long long f[ROOT_DISPERSION + 1];
    if (!from_server)           /* anyone can send a datagram to our port */
        VERDICT(REPLY_NOT_FROM_SERVER, "not the server");
    if (n < NTP_PACKET_SIZE)
        VERDICT(REPLY_TOO_SHORT, "%zu bytes, too short for NTP (%d)", n, NTP_PACKET_SIZE);
    if (memcmp(reply + NTP_ORIGINATE_TIME, sent, 8) != 0)
        VERDICT(REPLY_NOT_OURS, "its originate time is not our T1 (spoofed, or the answer to "
                "an earlier try)");
    decode(reply, f);
    if (f[MODE] != NTP_MODE_SERVER)
        VERDICT(REPLY_NOT_SERVER_MODE, "has mode %lld, not 4 (server)", f[MODE]);
    if (f[VERSION] < 1 || f[VERSION] > 4)
        VERDICT(REPLY_BAD_VERSION, "has version %lld, not 1 to 4", f[VERSION]);
    if (f[STRATUM] == 0) {      /* RATE: we asked too often; DENY, RSTR...: never again */
        char shown[REPR_SIZE(4)];
        VERDICT(REPLY_KISS_OF_DEATH, "is a Kiss-o'-Death %s: %s",
                format_repr(code, 4, false, shown), memcmp(code, "RATE", 4) == 0
                ? "wait longer before asking this server again"
                : "the server refuses to serve us: stop asking it");
    }
    if (f[LEAP] == 3)
        VERDICT(REPLY_UNSYNCHRONISED, "has leap indicator 3: %s", unsynchronised);
    if (f[STRATUM] > 15)
        VERDICT(REPLY_BAD_STRATUM, "has stratum %lld: %s", f[STRATUM], unsynchronised);
    if (memcmp(reply + NTP_TRANSMIT_TIME, zero, 8) == 0)
        VERDICT(REPLY_NO_TRANSMIT_TIME, "has a zero transmit time");
    /* A round trip takes no less than no time: only the two clocks' precision can make it
     * look a little negative. More means the server's T2 or T3 is wrong. */
    struct sample s = measure(reply, t4);
    double root_distance = ((double)f[ROOT_DELAY] / 2 + (double)f[ROOT_DISPERSION]) / 65536;
    if (s.delay < -(power_of_two(f[PRECISION]) + OUR_PRECISION))
        VERDICT(REPLY_NEGATIVE_DELAY, "makes the round-trip delay %.6f s: negative beyond both "
                "clocks' precision, so its T2 or T3 is wrong", s.delay);
    if (root_distance > MAX_ROOT_DISTANCE)
        VERDICT(REPLY_TOO_FAR, "has a root distance (root delay / 2 + root dispersion) of %.6f s,"
                " over %g s: too far from a reference clock", root_distance, MAX_ROOT_DISTANCE);
    VERDICT(REPLY_OK, "is the answer");
}

/* The notebook's line, then the fields under the labels of the course's tcp/sc2.py. */
static void print_reply(const unsigned char *reply, struct unix_time t4, const char *from)
{
    static const char *const leap[] = {"no warning", "last minute of the day has 61 seconds",
                                       "last minute of the day has 59 seconds", "unsynchronised"};
    char text[64], id[REPR_SIZE(4)];
    long long f[ROOT_DISPERSION + 1];
    size_t id_length = 4;
    struct sample s = measure(reply, t4);

    decode(reply, f);
    /* The reference id, as RFC 5905 reads it: at stratum 1 a source name (GPS, LOCL...),
     * zero-filled; above it the upstream server's IPv4 address (of an IPv6 one, a hash). */
    while (id_length > 0 && reply[NTP_REFERENCE_ID + id_length - 1] == '\0')
        id_length--;
    if (f[STRATUM] <= 1 || inet_ntop(AF_INET, reply + NTP_REFERENCE_ID, id, sizeof id) == NULL)
        format_repr(reply + NTP_REFERENCE_ID, id_length, false, id);
    printf("%s\n", format_time(s.t3, true, text));  /* print(ctime(response.tx_time)) */
    printf("Response received from: %s\n", from);
    printf("Leap Indicator: %lld (%s)\n", f[LEAP], leap[f[LEAP]]);
    printf("Version Number: %lld\nMode: %lld (server)\n", f[VERSION], f[MODE]);
    printf("Stratum: %lld (%s)\n", f[STRATUM], f[STRATUM] == 1 ? "primary: it reads a reference "
           "clock" : "secondary: that many steps from a reference or local clock");
    printf("Poll: %lld (2^%lld = %g s)\n", f[POLL], f[POLL], power_of_two(f[POLL]));
    printf("Precision: %lld (2^%lld = %.3g s)\n", f[PRECISION], f[PRECISION],
           power_of_two(f[PRECISION]));
    printf("Root Delay: %.6f seconds\n", (double)f[ROOT_DELAY] / 65536);
    printf("Root dispersion: %.6f s\n", (double)f[ROOT_DISPERSION] / 65536);
    printf("Reference id: %s\n", id);
    printf("Originate Timestamp (T1): %s (our request left)\n", format_time(s.t1, false, text));
    printf("Receive Timestamp (T2): %s (it reached the server)\n", format_time(s.t2, false, text));
    printf("Transmit Timestamp (T3): %s (the reply left)\n", format_time(s.t3, false, text));
    printf("Destination Timestamp (T4): %s (it reached us)\n", format_time(s.t4, false, text));
    printf("Offset: %+.6f seconds\nRound-trip delay: %.6f s\n", s.offset, s.delay);
}

static const char usage[] = "[-h] [-p PORT] [-t TIMEOUT] [host]";
static const char help[] =
    "Ask an NTP server for the time (SNTPv4, RFC 4330) and check its answer\n\n"
    "positional arguments:\n"
    "  host        NTP server (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123)\n"
    "  -t TIMEOUT  give up after this many seconds without an answer (default 5)\n";

static struct timespec wall_clock(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        die_errno("clock_gettime", NULL);
    return ts;
}

static void client(const char *host, uint16_t port, double timeout)
{
    static unsigned char reply[MAX_BYTES];
    unsigned char request[NTP_PACKET_SIZE] = {NTP_REQUEST_FIRST_BYTE};     /* and 47 zeros */
    char where[ADDRESS_TEXT_SIZE], from[ADDRESS_TEXT_SIZE], why[256];
    struct addrinfo *server = resolve(host, port, AF_UNSPEC, SOCK_DGRAM);
    format_address(server->ai_addr, where);
    /* Not connect()ed, unlike udp_remote's client: we check each sender ourselves, so that
     * we can see, count and report the datagrams that are not the server's answer. */
    int sock = socket(server->ai_family, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    double wait = 0.5, waited = 0, deadline = 0;
    int tries = 0, ignored = 0;
    struct unix_time t4;
    for (;;) {
        double left = deadline - monotonic_seconds();
        if (left <= 0 && waited >= timeout && ignored > 0)
            die("no answer from %s after %d %s in %g s (ignored %d other datagram%s)", where, tries,
                tries == 1 ? "try" : "tries", timeout, ignored, ignored == 1 ? "" : "s");
        if (left <= 0 && waited >= timeout)
            die("no answer from %s after %d %s in %g s: is an NTP server running there?", where,
                tries, tries == 1 ? "try" : "tries", timeout);
        if (left <= 0) {
            /* A new request for each try, stamped with T1 just before it leaves. The server
             * copies our transmit field into its originate field: that echo ties its answer
             * to this request, and makes a late answer to an earlier try a stale one. */
            struct timespec t1 = wall_clock();
            uint32_t t1_words[2] = {htonl((uint32_t)((uint64_t)t1.tv_sec + NTP_UNIX_EPOCH_DIFF)),
                                    htonl(fraction_of(t1))};
            memcpy(request + NTP_TRANSMIT_TIME, t1_words, 8);
            if (sendto(sock, request, sizeof request, 0, server->ai_addr, server->ai_addrlen) < 0)
                die_errno("sendto", server->ai_addr);
            left = wait < timeout - waited ? wait : timeout - waited;
            printf("Waiting up to %g seconds for a reply from %s\n", left, where);
            deadline = monotonic_seconds() + left;
            waited += left;
            wait *= 2;                              /* wait longer before each retry */
            tries++;
        }
        struct pollfd ready = {.fd = sock, .events = POLLIN};
        int count = poll(&ready, 1, (int)(left * 1000) + 1);
        if (count < 0 && errno != EINTR)
            die_errno("poll", NULL);
        if (count <= 0)
            continue;
        struct sockaddr_storage sender;
        socklen_t sender_length = sizeof sender;
        ssize_t n = recvfrom(sock, reply, MAX_BYTES, 0, (struct sockaddr *)&sender, &sender_length);
        struct timespec arrived = wall_clock();     /* T4: as soon as the reply is in */
        if (n < 0 && errno != EINTR)
            die_errno("recvfrom", server->ai_addr);
        if (n < 0)
            continue;
        t4 = (struct unix_time){arrived.tv_sec, fraction_of(arrived)};
        /* From the server? Compared as Python compares the address tuples (host, port...). */
        bool from_server = strcmp(format_address((struct sockaddr *)&sender, from), where) == 0;
        switch (check_reply(reply, (size_t)n, from_server, request + NTP_TRANSMIT_TIME, t4, why)) {
        case REPLY_NOT_FROM_SERVER: case REPLY_TOO_SHORT: case REPLY_NOT_OURS:
            printf("Ignored a datagram from %s: %s\n", from, why);
            ignored++;
            continue;
        case REPLY_NOT_SERVER_MODE: case REPLY_BAD_VERSION: case REPLY_KISS_OF_DEATH:
        case REPLY_UNSYNCHRONISED: case REPLY_BAD_STRATUM: case REPLY_NO_TRANSMIT_TIME:
        case REPLY_NEGATIVE_DELAY: case REPLY_TOO_FAR:
            die("the reply from %s %s", from, why);
        case REPLY_OK:              /* every verdict has a case, no default: the compiler */
            break;                  /* says if one is missing */
        }
        break;
    }
    print_reply(reply, t4, from);
    freeaddrinfo(server);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 123;
    double timeout = 5;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:t:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 't': timeout = parse_float(optarg, "-t", 0.001, 86400); break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "pool.ntp.org";
    no_more_arguments(argc, argv);
    client(host, port, timeout);
    return 0;
}
