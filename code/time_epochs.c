/*
 * time_epochs.c - Unix time, NTP time, and NTP's eras (lecture, later edition: "Time
 * epochs"). Unix counts seconds from 1970-01-01, NTP from 1900-01-01 UTC, in 32 bits.
 *
 * Try:
 *     ./time_epochs                       one SNTP query to pool.ntp.org (needs the internet)
 *     ../sntp/sntp_server -p 1123 &  ./time_epochs 127.0.0.1 -p 1123      offline
 * Watch for: the snippet's four lines in Python's formats (a float, str(datetime)); the
 * NTP timestamp is the Unix time plus 2208988800, the seconds of the 70
 * years (17 of them leap years) from 1900 to 1970. 32 bits of seconds last 136 years: the
 * count wraps to 0 on 2036-02-07, when era 1 begins, and only the era tells the two apart.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <sys/time.h>

#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define NTP_ERA_SECONDS 4294967296LL        /* 2^32: the seconds field wraps, a new era */
#define NTP_PACKET_SIZE 48
#define NTP_TRANSMIT_TIME 40                /* where the server's clock reading lies */

static const char usage[] = "[-h] [-p PORT] [-t SECONDS] [host]";
static const char help[] =
    "Convert between Unix time and NTP time, with one SNTP query, and show NTP's\n"
    "eras\n\n"
    "positional arguments:\n"
    "  host        the NTP server to ask (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     its UDP port (default 123)\n"
    "  -t SECONDS  how long to wait for its answer (default 5)\n";

/* One SNTP request (RFC 4330): 48 bytes, all zero but the first, which says leap 0,
 * version 4 and mode 3 (client): 00 100 011. Returns the reply's transmit timestamp: when
 * the server sent it, in NTP seconds within the era (32 bits of seconds, then 32 bits of
 * fraction). ../sntp/sntp_client makes the checks a real client must make of the reply. */
static double ask_ntp_time(const char *host, uint16_t port, double timeout)
{
    unsigned char packet[NTP_PACKET_SIZE] = {(4 << 3) | 3};
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *server = resolve(host, port, AF_UNSPEC, SOCK_DGRAM);
    format_address(server->ai_addr, where);
    int sock = socket(server->ai_family, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* connect(): the kernel then passes on only the server's datagrams, and reports an
     * ICMP "port unreachable" as ECONNREFUSED on the next recv(). */
    if (connect(sock, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("connect", server->ai_addr);
    struct timeval wait = timeval_of(timeout);
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait) < 0)
        die_errno("setsockopt SO_RCVTIMEO", NULL);
    if (send(sock, packet, sizeof packet, 0) < 0)
        die_errno("send", server->ai_addr);
    ssize_t n;
    do
        n = recv(sock, packet, sizeof packet, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        die("no answer from %s within %g seconds", where, timeout);
    if (n < 0)
        die_errno("recv", server->ai_addr);
    if (n < NTP_PACKET_SIZE)
        die("a reply of %zd bytes from %s: an NTP reply has %d", n, where, NTP_PACKET_SIZE);
    uint32_t seconds, fraction;
    memcpy(&seconds, packet + NTP_TRANSMIT_TIME, sizeof seconds);   /* maybe unaligned */
    memcpy(&fraction, packet + NTP_TRANSMIT_TIME + 4, sizeof fraction);
    close(sock);
    freeaddrinfo(server);
    /* big-endian on the wire, as every NTP field; the fraction counts 2^-32 s */
    return (double)ntohl(seconds) + (double)ntohl(fraction) / (double)NTP_ERA_SECONDS;
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
    const char *host = optind < argc ? argv[optind++] : "pool.ntp.org";    /* nargs='?' */
    no_more_arguments(argc, argv);

    /* time.time(): Unix time as a float, to the nanosecond the clock gives. */
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        die_errno("clock_gettime", NULL);
    double unix_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    char text[DATETIME_TEXT_SIZE];    /* room for a float or a datetime, as Python prints them */
    printf("Current Unix time: %s\n", format_float(unix_time, text));
    double ntp_timestamp = unix_time + (double)NTP_UNIX_EPOCH_DIFF;
    printf("Corresponding NTP timestamp: %s\n", format_float(ntp_timestamp, text));

    /* 32 bits cannot say which era a timestamp is in. RFC 4330's rule, good from 1968 to
     * 2104: with the top bit set it is era 0 (1968-2036), without it era 1 (2036-2104). */
    double ntp_time = ask_ntp_time(host, port, timeout);
    long long era = ntp_time >= 2147483648.0 ? 0 : 1;
    double since_1900 = (double)(era * NTP_ERA_SECONDS) + ntp_time;
    double since_1970 = since_1900;
    /* EXPERIMENT: comment this out: the server's time shows 70 years late (2096): NTP's
     * seconds since 1900 read as Unix seconds since 1970. */
    since_1970 -= (double)NTP_UNIX_EPOCH_DIFF;
    printf("NTP time in human-readable local time: %s\n",
           format_datetime(since_1970, AWARE_UTC_DATETIME, text));
    printf("Current Unix time in human-readable local time: %s\n",
           format_datetime(unix_time, LOCAL_DATETIME, text));

    /* The era arithmetic: the full count of seconds since 1900, split into era and field. */
    long long ntp_now = (long long)now.tv_sec + (long long)NTP_UNIX_EPOCH_DIFF;
    time_t era1 = (time_t)(NTP_ERA_SECONDS - (long long)NTP_UNIX_EPOCH_DIFF);
    struct tm utc;
    if (gmtime_r(&era1, &utc) == NULL ||
        strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc) == 0)
        die("gmtime_r: era 1 is out of this system's range");
    printf("\nNTP era arithmetic (the timestamp's seconds field has 32 bits):\n");  /* ours */
    printf("  32-bit seconds field of now: %lld (NTP timestamp mod 2^32)\n",
           ntp_now % NTP_ERA_SECONDS);
    printf("  era of now: %lld (NTP timestamp / 2^32)\n", ntp_now / NTP_ERA_SECONDS);
    printf("  era 1 begins at Unix time %lld: %s\n", (long long)era1, text);
    return 0;
}
