/*
 * sntp_raw.c - ntp in Scapy, by hand (lecture: "ntp in Scapy", tcp/scntp.py): what
 * IP(dst=server)/UDP(dport=123)/NTP(version=4, mode=3) and sr1() do, byte by byte.
 *     ./sntp_server -p 1230             sudo ./sntp_raw 127.0.0.1 -p 1230 -s
 * It prints scntp.py's lines. It builds the IPv4 header, the UDP header and the 48-byte
 * NTP request itself, with scapy's defaults and both checksums, sends them on a raw
 * socket, and catches the reply on another; -s shows each layer as scapy's show() does.
 * Raw sockets need root or CAP_NET_RAW, as the lecture's setcap lines say (sudo setcap
 * cap_net_raw+ep sntp_raw). IPv4 only: the lesson is its header. The kernel is told
 * nothing: the headers are just bytes. The experiment (a marked line: the IPv4 checksum,
 * which Linux fills in) is in README.md, this folder's guide.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <poll.h>

#define IP_HEADER_SIZE 20           /* IHL 5: no options */
#define UDP_HEADER_SIZE 8
#define NTP_PACKET_SIZE 48
#define PACKET_SIZE (IP_HEADER_SIZE + UDP_HEADER_SIZE + NTP_PACKET_SIZE)
#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define TIMEOUT 2                   /* seconds: sr1(..., timeout=2) */
#define MAX_BYTES 65535
#define FIXED_POINT_SIZE 48         /* "4294967295." and 32 decimals */

static const char usage[] = "[-h] [-p PORT] [-s] [host]";
static const char help[] =
    "Ask an NTP server for the time with hand-built IPv4, UDP and NTP headers (raw\n"
    "sockets), as scntp.py does with scapy\n\n"
    "positional arguments:\n"
    "  host        NTP server (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123)\n"
    "  -s, --show  show the request and the reply layer by layer, as scapy's show()\n"
    "              does, and what the kernel changed\n";

/* Big-endian ("network byte order") 16- and 32-bit fields, a byte at a time. */
static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t get32(const unsigned char *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = v & 0xff;
}
static void put32(unsigned char *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

/* The Internet checksum (RFC 1071): add the data as 16-bit big-endian words (a last odd
 * byte padded with zero), fold the carries back in, and take the ones' complement. */
static uint32_t add_words(const unsigned char *data, size_t n, uint32_t sum)
{
    for (size_t i = 0; i < n; i += 2)
        sum += (uint32_t)data[i] << 8 | (i + 1 < n ? data[i + 1] : 0);
    return sum;
}

static unsigned fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}

/* The IPv4 header's checksum covers the header alone (its own field taken as 0). */
static unsigned ip_checksum(const unsigned char *ip)
{
    unsigned char header[IP_HEADER_SIZE];
    memcpy(header, ip, sizeof header);
    put16(header + 10, 0);
    return fold(add_words(header, sizeof header, 0));
}

/* UDP's covers a pseudo-header (source and destination addresses, protocol 17 and the UDP
 * length, from the IP header), the UDP header (its own field as 0) and the data. A result
 * of 0 is sent as 0xffff: in UDP over IPv4, 0 means "no checksum". */
static unsigned udp_checksum(const unsigned char *ip, const unsigned char *udp, size_t length)
{
    unsigned char pseudo[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, IPPROTO_UDP};
    memcpy(pseudo, ip + 12, 8);
    put16(pseudo + 10, (unsigned)length);
    uint32_t sum = add_words(pseudo, sizeof pseudo, 0) + add_words(udp, 6, 0);
    unsigned checksum = fold(add_words(udp + UDP_HEADER_SIZE, length - UDP_HEADER_SIZE, sum));
    return checksum == 0 ? 0xffff : checksum;
}

/* An NTP timestamp from Unix seconds, as scapy makes it: the sum as a double, then the
 * whole seconds and the fraction in units of 2^-32 s. */
static void put_timestamp(unsigned char *p, double unix_time)
{
    double seconds = unix_time + (double)NTP_UNIX_EPOCH_DIFF;
    put32(p, (uint32_t)seconds);
    put32(p + 4, (uint32_t)((seconds - (double)(uint32_t)seconds) * 4294967296.0));
}

/* An NTP timestamp as Unix seconds (RFC 4330's era rule: the top bit clear is 2036-2104). */
static double unix_seconds(const unsigned char *p)
{
    uint32_t seconds = get32(p);
    double era = seconds & 0x80000000u ? 0 : 4294967296.0;
    return (double)seconds + era - (double)NTP_UNIX_EPOCH_DIFF + get32(p + 4) / 4294967296.0;
}

/* A fixed-point field (whole + fraction / 2^bits) as scapy's FixedPointField shows it, and
 * as print() shows its value: the fraction rounded to `digits` significant digits, half to
 * even, trailing zeros dropped (Decimal.normalize), then added to the whole part: 0, 1.5,
 * 0.00001526, and 2.32830644E-10 below 1e-6. Returns the whole part after rounding
 * (0.99999 to 4 digits is 1). */
static unsigned long long format_fixed_point(uint32_t whole, uint32_t fraction, int bits,
                                             int digits, char buf[FIXED_POINT_SIZE])
{
    char decimals[32] = {0};                    /* fraction / 2^bits has at most bits */
    int count = 0, first = -1;                  /* first: the first digit that is not 0 */
    unsigned long long integer = whole;
    uint64_t rest = fraction, mask = ((uint64_t)1 << bits) - 1;
    for (; rest != 0 && count < bits; count++) {        /* long division, exact */
        rest *= 10;
        decimals[count] = (char)('0' + (rest >> bits));
        rest &= mask;
        if (first < 0 && decimals[count] != '0')
            first = count;
    }
    int keep = first + digits;
    if (first >= 0 && count > keep) {
        bool beyond = false;                    /* a digit after the first one dropped? */
        for (int i = keep + 1; i < count; i++)
            beyond = beyond || decimals[i] != '0';
        bool up = decimals[keep] > '5' ||
                  (decimals[keep] == '5' && (beyond || (decimals[keep - 1] - '0') % 2 != 0));
        count = keep;
        while (up && keep > 0) {                /* add 1 to the last digit kept, and carry */
            keep--;
            up = decimals[keep] == '9';
            decimals[keep] = up ? '0' : (char)(decimals[keep] + 1);
        }
        integer += up;
    }
    while (count > 0 && decimals[count - 1] == '0')
        count--;
    int zeros = 0;                              /* after the point, before the digits */
    while (zeros < count && decimals[zeros] == '0')
        zeros++;
    if (integer == 0 && zeros >= 6 && count > 0)        /* below 1e-6: str() of a Decimal */
        snprintf(buf, FIXED_POINT_SIZE, "%c%s%.*sE-%d", decimals[zeros],
                 count > zeros + 1 ? "." : "", count - zeros - 1, decimals + zeros + 1, zeros + 1);
    else
        snprintf(buf, FIXED_POINT_SIZE, "%llu%s%.*s", integer, count > 0 ? "." : "", count,
                 decimals);
    return integer;
}

/* NTP's short format (root delay, root dispersion: 16.16 bits), as scapy shows it. */
static const char *short_format(const unsigned char *p, char buf[FIXED_POINT_SIZE])
{
    format_fixed_point(get16(p), get16(p + 2), 16, 4, buf);
    return buf;
}

/* One field as scapy's show() prints it: indented by layer, the name, padded, "= ", value. */
static __attribute__((format(printf, 3, 4))) void field(int layer, const char *name,
                                                       const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    printf("%*s  %-10s= ", 3 * layer, "", name);
    vprintf(fmt, args);
    putchar('\n');
    va_end(args);
}

/* A port as scapy's UDP layer names it: its /etc/services name, made an attribute name
 * (not a letter or digit: '_'), or the number. */
static const char *port_name(unsigned port, char buf[64])
{
    const struct servent *service = getservbyport(htons((uint16_t)port), "udp");
    if (!service)
        snprintf(buf, 64, "%u", port);
    else
        snprintf(buf, 64, "%s%s", isdigit((unsigned char)service->s_name[0]) ? "n_" : "",
                 service->s_name);
    for (char *p = buf; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p))
            *p = '_';
    return buf;
}

/* scapy's NTP timestamp: 0 and the times before 1970 as numbers, the others as a date. */
static void show_timestamp(const char *name, const unsigned char *p)
{
    char text[FIXED_POINT_SIZE];
    unsigned long long seconds = format_fixed_point(get32(p), get32(p + 4), 32, 9, text);
    if (seconds >= NTP_UNIX_EPOCH_DIFF) {
        time_t t = (time_t)(seconds - NTP_UNIX_EPOCH_DIFF);     /* below 2^31 */
        struct tm utc;
        if (gmtime_r(&t, &utc))
            strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    }
    field(2, name, "%s", text);
}

/* packet.show() for an IPv4 packet of 20 bytes of header, then UDP, then NTP's 48 bytes. */
static void show(const unsigned char *ip)
{
    static const char *const flags[] = {"", "MF", "DF", "MF+DF", "evil", "MF+evil", "DF+evil",
                                        "MF+DF+evil"};
    static const char *const leaps[] = {"no warning", "last minute of the day has 61 seconds",
                                        "last minute of the day has 59 seconds",
                                        "unknown (clock unsynchronized)"};
    static const char *const modes[] = {"reserved", "symmetric active", "symmetric passive",
                                        "client", "server", "broadcast", "NTP control message",
                                        "reserved for private use"};
    char source[INET_ADDRSTRLEN], destination[INET_ADDRSTRLEN];
    char port[64], delay[FIXED_POINT_SIZE], dispersion[FIXED_POINT_SIZE];
    const unsigned char *udp = ip + IP_HEADER_SIZE, *ntp = udp + UDP_HEADER_SIZE;
    printf("###[ IP ]### \n");
    field(0, "version", "%u", (unsigned)ip[0] >> 4);
    field(0, "ihl", "%u", (unsigned)ip[0] & 15);
    field(0, "tos", "0x%x", ip[1]);
    field(0, "len", "%u", get16(ip + 2));
    field(0, "id", "%u", get16(ip + 4));
    field(0, "flags", "%s", flags[get16(ip + 6) >> 13]);
    field(0, "frag", "%u", get16(ip + 6) & 0x1fff);
    field(0, "ttl", "%u", ip[8]);
    field(0, "proto", "udp");
    field(0, "chksum", "0x%x", get16(ip + 10));
    field(0, "src", "%s", inet_ntop(AF_INET, ip + 12, source, sizeof source));
    field(0, "dst", "%s", inet_ntop(AF_INET, ip + 16, destination, sizeof destination));
    printf("  \\options   \\\n");
    printf("###[ UDP ]### \n");
    field(1, "sport", "%s", port_name(get16(udp), port));
    field(1, "dport", "%s", port_name(get16(udp + 2), port));
    field(1, "len", "%u", get16(udp + 4));
    field(1, "chksum", "0x%x", get16(udp + 6));
    printf("###[ NTPHeader ]### \n");
    field(2, "leap", "%s", leaps[ntp[0] >> 6]);
    field(2, "version", "%u", ((unsigned)ntp[0] >> 3) & 7);
    field(2, "mode", "%s", modes[ntp[0] & 7]);
    field(2, "stratum", "%u", ntp[1]);
    field(2, "poll", "%u", ntp[2]);
    field(2, "precision", "%u", ntp[3]);        /* scapy: an unsigned byte, -25 is 231 */
    field(2, "delay", "%s", short_format(ntp + 4, delay));
    field(2, "dispersion", "%s", short_format(ntp + 8, dispersion));
    if (ntp[1] > 1) {                           /* an address above stratum 1, else letters */
        field(2, "id", "%u.%u.%u.%u", ntp[12], ntp[13], ntp[14], ntp[15]);
    } else {
        char text[REPR_SIZE(4)];
        size_t length = 4;                      /* shown without its zero bytes at the end */
        while (length > 0 && ntp[12 + length - 1] == 0)
            length--;
        field(2, "ref_id", "%s", format_repr(ntp + 12, length, true, text));
    }
    show_timestamp("ref", ntp + 16);
    show_timestamp("orig", ntp + 24);
    show_timestamp("recv", ntp + 32);
    show_timestamp("sent", ntp + 40);
    putchar('\n');
}

/* Not scapy's: the checksums as computed here. On loopback the kernel leaves a reply's UDP
 * checksum unfinished (the pseudo-header's part only), for a network card to complete
 * ("checksum offload") that never comes. */
static void show_checksums(const unsigned char *ip, size_t n)
{
    unsigned ip_sum = ip_checksum(ip);
    unsigned udp_sum = udp_checksum(ip, ip + IP_HEADER_SIZE, n - IP_HEADER_SIZE);
    unsigned ip_sent = get16(ip + 10), udp_sent = get16(ip + IP_HEADER_SIZE + 6);
    printf("Checksums computed here: IP 0x%x (%s), UDP 0x%x (%s)\n", ip_sum,
           ip_sum == ip_sent ? "the same" : "not the packet's", udp_sum,
           udp_sum == udp_sent ? "the same" : "not the packet's: left unfinished, offload");
}

/* IP(dst=...)/UDP(dport=...)/NTP(version=4, mode=3) with scapy's defaults, from me to to. */
static void build_request(unsigned char *packet, const struct sockaddr_in *me,
                          const struct sockaddr_in *to, double now)
{
    unsigned char *udp = packet + IP_HEADER_SIZE, *ntp = udp + UDP_HEADER_SIZE;
    memset(packet, 0, PACKET_SIZE);
    /* The IPv4 header (RFC 791): version 4 and IHL 5 (20 bytes) in one byte, total length,
     * id 1 (scapy's; Linux fills one in only for 0), no flags (no Don't Fragment), TTL 64,
     * protocol 17 (UDP), the checksum, the two addresses. */
    packet[0] = 4 << 4 | IP_HEADER_SIZE / 4;
    put16(packet + 2, PACKET_SIZE);
    put16(packet + 4, 1);
    packet[8] = 64;
    packet[9] = IPPROTO_UDP;
    memcpy(packet + 12, &me->sin_addr, 4);
    memcpy(packet + 16, &to->sin_addr, 4);
    /* The header's checksum, as scapy computes it when you leave chksum unset. */
    /* EXPERIMENT: comment this out: the request is still answered: Linux fills in the IPv4
     * checksum of every packet sent on an IP_HDRINCL socket (with -s: "Our request as it
     * went out" shows the kernel's checksum, ours 0x0) */
    put16(packet + 10, ip_checksum(packet));
    /* The UDP header (RFC 768): ports, length (header and data), checksum. */
    memcpy(udp, &me->sin_port, 2);
    memcpy(udp + 2, &to->sin_port, 2);
    put16(udp + 4, UDP_HEADER_SIZE + NTP_PACKET_SIZE);
    /* NTP(version=4, mode=3), and NTPHeader's defaults: stratum 2, poll 10 (2^10 s), id
     * 127.0.0.1, and our clock as the originate and the transmit time (T1). */
    ntp[0] = 4 << 3 | 3;
    ntp[1] = 2;
    ntp[2] = 10;
    put32(ntp + 12, 0x7f000001);
    put_timestamp(ntp + 24, now);
    put_timestamp(ntp + 40, now);
    put16(udp + 6, udp_checksum(packet, udp, UDP_HEADER_SIZE + NTP_PACKET_SIZE));
}

static double wall_clock(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        die_errno("clock_gettime", NULL);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The UDP pseudo-header needs our source address: the one the kernel would choose.
 * connect() on a UDP socket sends nothing, but picks it (and a port, which this socket
 * keeps for us while it is open: the reply then finds a socket, and no ICMP "port
 * unreachable" goes back). Returns that socket; me gets the address and port. */
static int choose_source(const struct addrinfo *server, struct sockaddr_in *me)
{
    socklen_t length = sizeof *me;
    int chooser = socket(AF_INET, SOCK_DGRAM, 0);
    if (chooser < 0)
        die_errno("socket", NULL);
    if (connect(chooser, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("connect", server->ai_addr);
    if (getsockname(chooser, (struct sockaddr *)me, &length) < 0)
        die_errno("getsockname", NULL);
    return chooser;
}

/* Wait until sock has a datagram or the deadline (monotonic seconds) passes: false then. */
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

/* Is this our own request (same addresses, same ports), as the catcher sees it leave? */
static bool is_our_request(const unsigned char *ip, size_t n, const unsigned char *request)
{
    return n == PACKET_SIZE && memcmp(ip + 12, request + 12, 8) == 0 &&
           memcmp(ip + IP_HEADER_SIZE, request + IP_HEADER_SIZE, 4) == 0;
}

/* Is it the answer: a 20-byte IPv4 header and 48 bytes of NTP or more, from the server's
 * address and port to ours, whose NTP originate time is our T1? */
static bool is_answer(const unsigned char *ip, size_t n, const unsigned char *request)
{
    const unsigned char *udp = request + IP_HEADER_SIZE, *ntp = udp + UDP_HEADER_SIZE;
    return n >= PACKET_SIZE && (ip[0] & 15) * 4 == IP_HEADER_SIZE &&
           memcmp(ip + 12, request + 16, 4) == 0 && memcmp(ip + 16, request + 12, 4) == 0 &&
           memcmp(ip + IP_HEADER_SIZE, udp + 2, 2) == 0 &&
           memcmp(ip + IP_HEADER_SIZE + 2, udp, 2) == 0 &&
           memcmp(ip + IP_HEADER_SIZE + UDP_HEADER_SIZE + 24, ntp + 40, 8) == 0;
}

/* sr1(): the answer's length in reply, or 0 when none came within TIMEOUT seconds. The
 * catcher sees every UDP datagram this host receives (on loopback, our own request too,
 * which sr1 would take for the answer): ours is from the server, to us, and echoes T1. */
static size_t send_and_receive(int sender, int catcher, const unsigned char *packet,
                               const struct addrinfo *server, unsigned char *reply,
                               bool show_layers)
{
    if (sendto(sender, packet, PACKET_SIZE, 0, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("sendto", server->ai_addr);
    double deadline = monotonic_seconds() + TIMEOUT;
    while (readable_before(catcher, deadline)) {
        ssize_t n = recv(catcher, reply, MAX_BYTES, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("recv", NULL);
        if (show_layers && is_our_request(reply, (size_t)n, packet))     /* on loopback */
            printf("Our request as it went out: IP id %u, DF %s, chksum 0x%x, ours 0x%x (%s)\n",
                   get16(reply + 4), get16(reply + 6) & 0x4000 ? "set" : "unset",
                   get16(reply + 10), get16(packet + 10),
                   get16(reply + 10) == get16(packet + 10) ? "the same" : "they differ");
        if (is_answer(reply, (size_t)n, packet))
            return (size_t)n;
    }
    return 0;
}

static void client(const char *host, uint16_t port, bool show_layers)
{
    static unsigned char reply[MAX_BYTES];
    unsigned char packet[PACKET_SIZE];
    struct sockaddr_in me;
    char escaped[WORD_REPR_SIZE];
    const char *name = shown_word(host, escaped);   /* as typed, escaped if unprintable */

    /* Raw sockets first: without root or CAP_NET_RAW nothing else is worth doing. */
    int sender = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);   /* we write the IP header too */
    int catcher = sender < 0 ? -1 : socket(AF_INET, SOCK_RAW, IPPROTO_UDP);   /* all UDP in */
    if (sender < 0 || catcher < 0)
        die("socket(AF_INET, SOCK_RAW): %s %s: raw sockets need root or CAP_NET_RAW: run it with "
            "sudo, or once: sudo setcap cap_net_raw+ep %s", errno_name(errno), strerror(errno),
            program_name);

    printf("Sending NTP request to %s...\n", name);
    struct addrinfo *server = resolve(host, port, AF_INET, SOCK_DGRAM);
    int chooser = choose_source(server, &me);
    double t1 = wall_clock();
    build_request(packet, &me, (const struct sockaddr_in *)(void *)server->ai_addr, t1);
    if (show_layers) {
        show(packet);
        show_checksums(packet, sizeof packet);
    }
    size_t n = send_and_receive(sender, catcher, packet, server, reply, show_layers);
    double t4 = wall_clock();
    if (n == 0) {
        printf("No response received from the server.\n");
    } else {
        const unsigned char *ntp = reply + IP_HEADER_SIZE + UDP_HEADER_SIZE;
        char id[REPR_SIZE(4)], delay[FIXED_POINT_SIZE], dispersion[FIXED_POINT_SIZE];
        char now[DATETIME_TEXT_SIZE];
        if (show_layers) {
            show(reply);
            show_checksums(reply, n);
        }
        printf("NTP Server: %s\n", name);
        printf("Stratum: %u\n", ntp[1]);
        /* ref_id, a field only at stratum 0 and 1: None above, else the 4 bytes. */
        printf("Reference ID: %s\n", ntp[1] > 1 ? "None" : format_repr(ntp + 12, 4, true, id));
        printf("Root delay: %s\n", short_format(ntp + 4, delay));
        printf("Root dispersion: %s\n", short_format(ntp + 8, dispersion));
        double offset = ((unix_seconds(ntp + 32) - t1) + (unix_seconds(ntp + 40) - t4)) / 2;
        printf("Offset: %.6f seconds\n", offset);
        printf("current time: %s\n", format_datetime(t4 + offset, LOCAL_DATETIME, now));
    }
    freeaddrinfo(server);
    close(chooser);
    close(catcher);
    close(sender);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'},
                                            {"show", no_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
    uint16_t port = 123;
    bool show_layers = false;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:s", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 's': show_layers = true; break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "pool.ntp.org";
    no_more_arguments(argc, argv);
    client(host, port, show_layers);
    return 0;
}

/* For the tools: tests/sntp_raw_test.c includes this file, main() renamed, and calls
 * ip_checksum(), udp_checksum(), format_fixed_point() and build_request(): keep them pure. */
