/*
 * sntp_client.c - a complete SNTPv4 client (lecture: "Get time from the internet time
 * server": the course's tcp/sc2.py, and what ntplib does for the notebook; RFC 4330, the
 * client side of RFC 5905).
 *     ./sntp_server -p 1230             ./sntp_client 127.0.0.1 -p 1230
 * (or ./sntp_client alone: pool.ntp.org). First sc2.py's lines, word for word: the header's
 * fields, the four timestamps T1..T4, the offset they give and the corrected time; then the
 * notebook's ctime(tx_time) line and what sc2.py leaves out (the round-trip delay among it).
 * Unlike sc2.py and sntp_time, it believes only a reply from the server's address that
 * echoes our transmit time (T1), ignoring and counting any other datagram (-v shows each),
 * and refuses what RFC 4330 refuses and the replies RFC 5905 shows cannot be true. Watch
 * it: strace -e trace=network ./sntp_client 127.0.0.1 -p 1230. The experiment (a marked line
 * in client()) and the hostile server tests/sntp_responder are in README.md, this folder's
 * guide.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <math.h>       /* ldexp(1, e): 2^e, for poll and precision */
#include <poll.h>

/* Offsets into the 48-byte packet (RFC 5905 figure 8), read with memcpy + ntohl: never a
 * struct laid over the bytes. Each timestamp is 32-bit seconds and a 32-bit fraction. */
#define NTP_PACKET_SIZE 48
#define NTP_REFERENCE_ID 12
#define NTP_REFERENCE_TIME 16       /* when the server's clock was last set */
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
/* The longest round trip we believe, chrony's maxdelay: the offset may be wrong by up to
 * half the delay, so a sample slower than 3 s says little. */
#define MAX_DELAY 3.0
#define OUR_PRECISION 1e-6          /* we read our clock for T1 and T4 to the microsecond */
#define MAX_BYTES 1024

/* The header's first 12 bytes: leap indicator (2 bits), version (3), mode (3), stratum; poll
 * and precision, signed powers of two (-20: 2^-20 s, about a microsecond); root delay and
 * root dispersion, unsigned 16.16 fixed point (RFC 5905's "short format": 1/65536 s; RFC
 * 4330 called the delay signed, and a "negative" one would hide a huge dispersion), which
 * decode() turns into seconds. */
struct header {
    unsigned leap, version, mode, stratum;
    int poll, precision;
    double root_delay, root_dispersion;
};

static uint32_t word_at(const unsigned char *packet, size_t offset)
{
    uint32_t word;
    memcpy(&word, packet + offset, 4);
    return ntohl(word);
}

static struct header decode(const unsigned char *p)
{
    return (struct header){.leap = p[0] >> 6, .version = (p[0] >> 3) & 7, .mode = p[0] & 7,
                           .stratum = p[1], .poll = (int8_t)p[2], .precision = (int8_t)p[3],
                           .root_delay = word_at(p, 4) / 65536.0,
                           .root_dispersion = word_at(p, 8) / 65536.0};
}

/* Unix time: 64-bit seconds since 1970 (past 2038 and 2106), and NTP's 2^-32 s fraction. */
struct unix_time { int64_t seconds; uint32_t fraction; };

/* The timestamp at offset: 32-bit seconds since 1900, which wrap on 2036-02-07 06:28:16 UTC
 * (era 1 begins), and the fraction. Which era? RFC 5905: the one nearest a clock we trust a
 * little, here ours (the pivot, T4), so any time within 68 years (2^31 s) of it comes out
 * right, in 2036 and after. (sntp_time uses RFC 4330's fixed pivot: right in 1968-2104.) */
static struct unix_time time_at(const unsigned char *packet, size_t offset, int64_t pivot)
{
    /* How far the timestamp is past the pivot, mod 2^32; more than 2^31 ahead is behind. */
    uint32_t ahead = word_at(packet, offset) - (uint32_t)((uint64_t)pivot + NTP_UNIX_EPOCH_DIFF);
    int64_t difference = ahead < 0x80000000u ? (int64_t)ahead : (int64_t)ahead - NTP_ERA_SECONDS;
    return (struct unix_time){pivot + difference, word_at(packet, offset + 4)};
}

/* NTP's fraction of our clock's nanoseconds (rounded up: never shown a microsecond early). */
static uint32_t fraction_of(struct timespec ts)
{
    return (uint32_t)((((uint64_t)ts.tv_nsec << 32) + 999999999u) / 1000000000u);
}

static struct unix_time our_clock(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        die_errno("clock_gettime", NULL);
    return (struct unix_time){ts.tv_sec, fraction_of(ts)};
}

static double seconds_between(struct unix_time later, struct unix_time earlier)
{
    return (double)(later.seconds - earlier.seconds) +
           ((double)later.fraction - (double)earlier.fraction) / (double)NTP_ERA_SECONDS;
}

/* The time as a Python float of Unix seconds, as sc2.py holds it: a double, so to about a
 * quarter of a microsecond today. */
static double as_float(struct unix_time t)
{
    return (double)t.seconds + (double)t.fraction / (double)NTP_ERA_SECONDS;
}

/* sc2.py's str(datetime.utcfromtimestamp(t)): "2023-08-26 20:26:22.123456". */
static char *utc_datetime(struct unix_time t, char buf[DATETIME_TEXT_SIZE])
{
    return format_datetime(as_float(t), UTC_DATETIME, buf);
}

/* The notebook's time.ctime(t), local time: "Sat Aug 26 22:26:22 2023". */
static char *ctime_of(struct unix_time t, char buf[DATETIME_TEXT_SIZE])
{
    struct tm tm;
    time_t seconds = (time_t)t.seconds;
    if ((int64_t)seconds != t.seconds || localtime_r(&seconds, &tm) == NULL)
        return memcpy(buf, "(out of range)", sizeof "(out of range)");
    strftime(buf, DATETIME_TEXT_SIZE, "%a %b %e %H:%M:%S %Y", &tm);
    return buf;
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

/* A datagram that is not the answer to our request (stray, spoofed or stale) says nothing
 * about the server: we ignore it and wait on. The server's answer we use, or refuse. */
enum verdict { ANSWER, NOT_AN_ANSWER, REFUSED };

/* The verdict, with why in words (for "Ignored a datagram from ...: WHY" or "the reply
 * from ... WHY"). */
static __attribute__((format(printf, 3, 4))) enum verdict judged(enum verdict verdict,
                                                                char why[256], const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, 256, fmt, args);
    va_end(args);
    return verdict;
}

static bool is_zero(const unsigned char *packet, size_t offset)
{
    return word_at(packet, offset) == 0 && word_at(packet, offset + 4) == 0;
}

/* RFC 4330 section 5's checks, in an order that matters: who sent it, and the originate
 * echo, before anything the server says is believed (even a Kiss-o'-Death must answer OUR
 * request); the stratum-0 kiss before the leap indicator (kisses come unsynchronised). Then
 * RFC 5905's: is the header possible, and does the sample make sense? from_server and
 * echoes_t1 are what only the caller knows: the sender's address, and our T1. */
static enum verdict check_reply(const unsigned char *reply, size_t n, bool from_server,
                                bool echoes_t1, struct unix_time t4, char why[256])
{
    static const char unsynchronised[] = "the server's clock is not synchronised";
    const unsigned char *code = reply + NTP_REFERENCE_ID;
    if (!from_server)           /* anyone can send a datagram to our port */
        return judged(NOT_AN_ANSWER, why, "not the server");
    if (n < NTP_PACKET_SIZE)
        return judged(NOT_AN_ANSWER, why, "%zu bytes, too short for NTP (%d)", n, NTP_PACKET_SIZE);
    if (!echoes_t1)
        return judged(NOT_AN_ANSWER, why, "its originate time is not our T1 (spoofed, or the "
                      "answer to an earlier try)");
    struct header h = decode(reply);
    if (h.mode != NTP_MODE_SERVER)
        return judged(REFUSED, why, "has mode %u, not 4 (server)", h.mode);
    if (h.version < 1 || h.version > 4)
        return judged(REFUSED, why, "has version %u, not 1 to 4", h.version);
    if (h.stratum == 0) {       /* RATE: we asked too often; DENY, RSTR...: never again */
        char shown[REPR_SIZE(4)];
        bool rate = memcmp(code, "RATE", 4) == 0;
        return judged(REFUSED, why, "is a Kiss-o'-Death %s: %s", format_repr(code, 4, false, shown),
                      rate ? "wait longer before asking this server again"
                           : "the server refuses to serve us: stop asking it");
    }
    if (h.leap == 3)
        return judged(REFUSED, why, "has leap indicator 3: %s", unsynchronised);
    if (h.stratum > 15)
        return judged(REFUSED, why, "has stratum %u: %s", h.stratum, unsynchronised);
    if (is_zero(reply, NTP_TRANSMIT_TIME))
        return judged(REFUSED, why, "has a zero transmit time");
    /* A clock read that takes longer than the error we accept cannot keep time within it. */
    if (ldexp(1, h.precision) > MAX_ROOT_DISTANCE)
        return judged(REFUSED, why, "has precision %d (2^%d s): a clock that coarse cannot "
                      "be within %g s of the time", h.precision, h.precision, MAX_ROOT_DISTANCE);
    double root_distance = h.root_delay / 2 + h.root_dispersion;
    if (root_distance > MAX_ROOT_DISTANCE)
        return judged(REFUSED, why, "has a root distance (root delay / 2 + root dispersion) of "
                      "%.6f s, over %g s: too far from a reference clock", root_distance,
                      MAX_ROOT_DISTANCE);
    if (is_zero(reply, NTP_RECEIVE_TIME))
        return judged(REFUSED, why, "has a zero receive time");
    struct sample s = measure(reply, t4);
    if (seconds_between(s.t3, s.t2) < 0)
        return judged(REFUSED, why, "has a transmit time (T3) %.6f s before its receive time "
                      "(T2): it cannot answer before it is asked", -seconds_between(s.t3, s.t2));
    /* A round trip takes no less than no time: only the two clocks' precision can make it
     * look a little negative. More means the server's T2 or T3 is wrong. */
    if (s.delay < -(ldexp(1, h.precision) + OUR_PRECISION))
        return judged(REFUSED, why, "makes the round-trip delay %.6f s: negative beyond both "
                      "clocks' precision, so its T2 or T3 is wrong", s.delay);
    if (s.delay > MAX_DELAY)
        return judged(REFUSED, why, "makes the round-trip delay %.6f s, over %g s (chrony's "
                      "maxdelay): the offset could be wrong by half that", s.delay, MAX_DELAY);
    return judged(ANSWER, why, "is the answer");
}

/* A timestamp of the reply as sc2.py prints it. Zero, NTP's "unknown" (a reference time
 * never set), is 1900-01-01 to sc2.py, which knows no eras: so here too. */
static char *format_timestamp(const unsigned char *reply, size_t offset, struct unix_time t4,
                              char buf[DATETIME_TEXT_SIZE])
{
    struct unix_time t = {-(int64_t)NTP_UNIX_EPOCH_DIFF, 0};
    if (!is_zero(reply, offset))
        t = time_at(reply, offset, t4.seconds);
    return utc_datetime(t, buf);
}

/* The answer, as tcp/sc2.py prints it, word for word; then the notebook's line, then what
 * sc2.py leaves out. */
static void print_reply(const unsigned char *reply, struct unix_time t4, const char *from)
{
    static const char *const leap[] = {"no warning", "last minute of the day has 61 seconds",
                                       "last minute of the day has 59 seconds", "unsynchronised"};
    const unsigned char *code = reply + NTP_REFERENCE_ID;
    char text[DATETIME_TEXT_SIZE], number[FLOAT_TEXT_SIZE], id[REPR_SIZE(4)];
    struct header h = decode(reply);
    struct sample s = measure(reply, t4);
    double corrected = as_float(t4) + s.offset;     /* our clock at T4, as sc2.py corrects it */

    /* tcp/sc2.py's fourteen lines: its floats and datetimes as Python prints them. */
    printf("SNTP Response:\n");
    printf("Leap Indicator: %u\nVersion Number: %u\nMode: %u\nStratum: %u\n", h.leap,
           h.version, h.mode, h.stratum);
    printf("Root Delay: %s seconds\n", format_float(h.root_delay, number));
    printf("Root Dispersion: %s seconds\n", format_float(h.root_dispersion, number));
    printf("Reference Timestamp: %s\n", format_timestamp(reply, NTP_REFERENCE_TIME, t4, text));
    printf("Originate Timestamp (T1): %s\n", utc_datetime(s.t1, text));
    printf("Receive Timestamp (T2): %s\n", utc_datetime(s.t2, text));
    printf("Transmit Timestamp (T3): %s\n", utc_datetime(s.t3, text));
    printf("Destination Timestamp (T4): %s\n", utc_datetime(s.t4, text));
    printf("Offset: %s seconds\n", format_float(s.offset, number));
    printf("Corrected Time: %s UTC\n", format_datetime(corrected, UTC_DATETIME, text));

    /* The notebook's ntplib cell: print(ctime(response.tx_time)), T3 in local time. */
    printf("%s\n", ctime_of(s.t3, text));

    /* What sc2.py leaves out. The reference id, as RFC 5905 reads it: at stratum 1 a source name (GPS, LOCL...),
     * zero-filled; above it the upstream server's IPv4 address (of an IPv6 one, a hash). */
    if (h.stratum <= 1 || inet_ntop(AF_INET, code, id, sizeof id) == NULL)
        format_repr(code, strnlen((const char *)code, 4), false, id);
    printf("Response received from: %s\n", from);
    printf("Believed: from the server, echoes our T1, passes RFC 4330's and 5905's checks\n");
    printf("Leap Indicator %u: %s\n", h.leap, leap[h.leap]);
    printf("Stratum %u: %s\n", h.stratum, h.stratum == 1 ? "primary: it reads a reference "
           "clock" : "secondary: that many steps from a reference or local clock");
    printf("Poll: %d (2^%d = %g s)\n", h.poll, h.poll, ldexp(1, h.poll));
    printf("Precision: %d (2^%d = %.3g s)\n", h.precision, h.precision, ldexp(1, h.precision));
    printf("Reference id: %s\n", id);
    printf("Round-trip delay: %.6f s\n", s.delay);
}

static const char usage[] = "[-h] [-p PORT] [-t TIMEOUT] [-v] [host]";
static const char help[] =
    "Ask an NTP server for the time (SNTPv4, RFC 4330) and check its answer\n\n"
    "positional arguments:\n"
    "  host        NTP server (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123)\n"
    "  -t TIMEOUT  give up after this many seconds without an answer (default 5)\n"
    "  -v          show each try and each datagram ignored, as they happen\n";

/* Wait until sock has a datagram or the deadline (monotonic seconds) passes: false then.
 * A signal (EINTR) only shortens the wait, which goes on to the deadline. */
static bool readable_before(int sock, double deadline)
{
    double left;
    while ((left = deadline - monotonic_seconds()) > 0) {
        struct pollfd ready = {.fd = sock, .events = POLLIN};
        int count = poll(&ready, 1, (int)(left * 1000) + 1);
        if (count < 0 && errno != EINTR)
            die_errno("poll", NULL);
        if (count > 0)
            return true;
    }
    return false;
}

/* Our clock as an NTP timestamp at offset (NTP seconds need no era: their low 32 bits ARE
 * the wrap). */
static void write_timestamp(unsigned char *packet, size_t offset, struct unix_time t)
{
    uint32_t words[2] = {htonl((uint32_t)((uint64_t)t.seconds + NTP_UNIX_EPOCH_DIFF)),
                         htonl(t.fraction)};
    memcpy(packet + offset, words, sizeof words);
}

/* No answer: say which address we asked, and, when the name has several, that we asked
 * only the first (as ntplib does: with "::1 localhost" first in /etc/hosts, localhost is
 * ::1, where a server listening at 127.0.0.1 never hears us). */
static _Noreturn void no_answer(const char *host, const struct addrinfo *server, int tries,
                                double timeout, int ignored)
{
    char where[ADDRESS_TEXT_SIZE], others[WORD_REPR_SIZE + 64] = "", ignoring[64] = "";
    int count = 0;
    for (const struct addrinfo *a = server; a; a = a->ai_next)
        count++;
    if (count > 1) {
        char name[WORD_REPR_SIZE];
        snprintf(others, sizeof others, " (the first of %d addresses of %s)", count,
                 word_repr(host, name));
    }
    if (ignored > 0)
        snprintf(ignoring, sizeof ignoring, " (ignored %d other datagram%s)", ignored,
                 ignored == 1 ? "" : "s");
    die("no answer from %s%s after %d %s in %g s%s", format_address(server->ai_addr, where),
        others, tries, tries == 1 ? "try" : "tries", timeout,
        ignored > 0 ? ignoring : ": is an NTP server running there?");
}

static void client(const char *host, uint16_t port, double timeout, bool verbose)
{
    static unsigned char reply[MAX_BYTES];
    unsigned char request[NTP_PACKET_SIZE] = {NTP_REQUEST_FIRST_BYTE};     /* and 47 zeros */
    char where[ADDRESS_TEXT_SIZE], from[ADDRESS_TEXT_SIZE], why[256];
    struct addrinfo *server = resolve(host, port, AF_UNSPEC, SOCK_DGRAM);  /* the first */
    format_address(server->ai_addr, where);
    /* Not connect()ed, unlike udp_remote's client: we check each sender ourselves, so that
     * we can see, count and report the datagrams that are not the server's answer. */
    int sock = socket(server->ai_family, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    int tries = 0, ignored = 0;
    /* Each try waits twice as long as the last (0.5, 1, 2... s), the last one cut to end
     * at -t: with -t 1 that is 0.5 and 0.5, with -t 4 it is 0.5, 1, 2 and 0.5. */
    for (double wait = 0.5, waited = 0; waited < timeout; wait *= 2) {
        tries++;
        /* A new request for each try, stamped with T1 just before it leaves. The server
         * copies our transmit field into its originate field: that echo ties its answer
         * to this request, and makes a late answer to an earlier try a stale one. */
        write_timestamp(request, NTP_TRANSMIT_TIME, our_clock());
        if (sendto(sock, request, sizeof request, 0, server->ai_addr, server->ai_addrlen) < 0)
            die_errno("sendto", server->ai_addr);
        if (wait > timeout - waited)
            wait = timeout - waited;        /* the last wait ends at -t */
        waited += wait;
        if (verbose)
            printf("Waiting up to %g seconds for a reply from %s\n", wait, where);
        double deadline = monotonic_seconds() + wait;
        while (readable_before(sock, deadline)) {
            struct sockaddr_storage sender;
            socklen_t length = sizeof sender;
            ssize_t n = recvfrom(sock, reply, sizeof reply, 0, (struct sockaddr *)&sender, &length);
            struct unix_time t4 = our_clock();    /* T4: as soon as the reply is in */
            if (n < 0)
                die_errno("recvfrom", server->ai_addr);
            /* From the server? Compared as Python compares the address tuples (host, port...). */
            bool from_server = strcmp(format_address((struct sockaddr *)&sender, from), where) == 0;
            /* Does it answer THIS request? The server copied our T1 into its originate field:
             * only a reply from someone who saw our request can carry it (reply is larger
             * than a packet: a short datagram leaves old bytes here, and fails the length
             * check first). */
            bool echoes_t1 = true;
            /* EXPERIMENT: comment this out: a forged reply is believed (tests/sntp_responder
             * origin sends one whose originate time is not our T1) */
            echoes_t1 = memcmp(reply + NTP_ORIGINATE_TIME, request + NTP_TRANSMIT_TIME, 8) == 0;
            enum verdict verdict = check_reply(reply, (size_t)n, from_server, echoes_t1, t4, why);
            if (verdict == REFUSED)
                die("the reply from %s %s", from, why);
            if (verdict == ANSWER) {
                print_reply(reply, t4, from);
                printf("Tries: %d; other datagrams ignored: %d%s\n", tries, ignored,
                       verbose ? "" : " (-v shows each)");
                freeaddrinfo(server);
                close(sock);
                return;
            }
            if (verbose)
                printf("Ignored a datagram from %s: %s\n", from, why);
            ignored++;
        }
    }
    no_answer(host, server, tries, timeout, ignored);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 123;
    double timeout = 5;
    bool verbose = false;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:t:v", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 't': timeout = parse_float(optarg, "-t", 0.001, 86400); break;
        case 'v': verbose = true; break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "pool.ntp.org";
    no_more_arguments(argc, argv);
    client(host, port, timeout, verbose);
    return 0;
}

/* For the tools: tests/sntp_convert_test.c and fuzz/sntp_reply.c include this file, main()
 * renamed, and call time_at(), decode(), measure(), check_reply() and print_reply(): keep
 * them pure (no I/O but print_reply's printf). */
