/*
 * sntp_raw.c - ntp in Scapy, by hand (lecture: "ntp in Scapy", tcp/scntp.py): what
 * IP(dst=server)/UDP(dport=123)/NTP(version=4, mode=3) and sr1() do, byte by byte.
 *     ./sntp_server -p 1230             sudo ./sntp_raw 127.0.0.1 -p 1230
 * It builds the IPv4 header, the UDP header and the 48-byte NTP request itself, with both
 * checksums, sends them on a raw socket, catches the reply on another, and shows each
 * layer as scapy's show() does. Raw sockets need root or CAP_NET_RAW, as the lecture's
 * setcap lines say (sudo setcap cap_net_raw+ep sntp_raw). IPv4 only: the lesson is its
 * header. The kernel is told nothing: the headers are just bytes. The experiment
 * (a marked line: the IPv4 checksum, which Linux fills in) is in README.md, this folder's guide.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <poll.h>

#define IP_HEADER_SIZE 20           /* IHL 5: no options */
#define UDP_HEADER_SIZE 8
#define NTP_PACKET_SIZE 48
#define PACKET_SIZE (IP_HEADER_SIZE + UDP_HEADER_SIZE + NTP_PACKET_SIZE)
#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define IP_DONT_FRAGMENT 0x4000
#define TTL 64
#define MAX_BYTES 65535

static const char usage[] = "[-h] [-p PORT] [host]";
static const char help[] =
    "Ask an NTP server for the time with hand-built IPv4, UDP and NTP headers (raw\n"
    "sockets)\n\n"
    "positional arguments:\n"
    "  host        NTP server (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123)\n";

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

/* An NTP timestamp as Unix seconds (RFC 4330's era rule: the top bit clear is 2036-2104). */
static double unix_seconds(const unsigned char *p)
{
    uint32_t seconds = get32(p);
    double era = seconds & 0x80000000u ? 0 : 4294967296.0;
    return (double)seconds + era - (double)NTP_UNIX_EPOCH_DIFF + get32(p + 4) / 4294967296.0;
}

/* Seconds as time_t, false if they do not fit: a 32-bit time_t ends in 2038, and a double
 * converted out of its type's range is undefined behaviour, not a wrong number. */
static bool time_of(double seconds, time_t *t)
{
    double limit = sizeof(time_t) >= 8 ? 9223372036854775808.0 : 2147483648.0;  /* 2^63, 2^31 */
    if (!(seconds >= -limit && seconds < limit))
        return false;
    *t = (time_t)seconds;
    return true;
}

/* One field as scapy's show() prints it: the name, padded, then "= " and the value. */
static __attribute__((format(printf, 2, 3))) void field(const char *name, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    printf("  %-10s= ", name);
    vprintf(fmt, args);
    putchar('\n');
    va_end(args);
}

static void show_timestamp(const char *name, const unsigned char *p)
{
    char text[64] = "(out of range)";
    time_t t;
    struct tm utc;
    if (get32(p) == 0 && get32(p + 4) == 0)
        snprintf(text, sizeof text, "--");
    else if (time_of(unix_seconds(p), &t) && gmtime_r(&t, &utc))
        strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    field(name, "%s", text);
}

/* Each layer of packet (an IP header, then UDP, then NTP), field by field. */
static void show(const unsigned char *ip, size_t n)
{
    static const char *const modes[] = {"reserved", "symmetric_active", "symmetric_passive",
                                        "client", "server", "broadcast", "control", "private"};
    char source[INET_ADDRSTRLEN], destination[INET_ADDRSTRLEN];
    const unsigned char *udp = ip + IP_HEADER_SIZE, *ntp = udp + UDP_HEADER_SIZE;
    unsigned flags = get16(ip + 6) >> 13;
    printf("###[ IP ]###\n");
    field("version", "%u", (unsigned)ip[0] >> 4);
    field("ihl", "%u", (unsigned)ip[0] & 15);
    field("tos", "0x%x", ip[1]);
    field("len", "%u", get16(ip + 2));
    field("id", "%u", get16(ip + 4));
    field("flags", "%s", flags == 2 ? "DF" : flags == 1 ? "MF" : flags ? "DF+MF" : "");
    field("frag", "%u", get16(ip + 6) & 0x1fff);
    field("ttl", "%u", ip[8]);
    field("proto", "%s", ip[9] == IPPROTO_UDP ? "udp" : "?");
    field("chksum", "0x%04x (computed: 0x%04x)", get16(ip + 10), ip_checksum(ip));
    field("src", "%s", inet_ntop(AF_INET, ip + 12, source, sizeof source));
    field("dst", "%s", inet_ntop(AF_INET, ip + 16, destination, sizeof destination));
    printf("###[ UDP ]###\n");
    field("sport", "%u", get16(udp));
    field("dport", "%u", get16(udp + 2));
    field("len", "%u", get16(udp + 4));
    /* On loopback the kernel leaves a reply's UDP checksum unfinished (the pseudo-header's
     * part only), for a network card to complete ("checksum offload") that never comes. */
    unsigned udp_sum = udp_checksum(ip, udp, n - IP_HEADER_SIZE);
    field("chksum", "0x%04x (computed: 0x%04x%s)", get16(udp + 6), udp_sum,
          get16(udp + 6) == udp_sum ? "" : ", left unfinished: checksum offload");
    printf("###[ NTPHeader ]###\n");
    field("leap", "%u", (unsigned)ntp[0] >> 6);
    field("version", "%u", ((unsigned)ntp[0] >> 3) & 7);
    field("mode", "%s", modes[ntp[0] & 7]);
    field("stratum", "%u", ntp[1]);
    field("poll", "%d", (signed char)ntp[2]);
    field("precision", "%d", (signed char)ntp[3]);
    field("delay", "%g", (double)(int32_t)get32(ntp + 4) / 65536);
    field("dispersion", "%g", (double)get32(ntp + 8) / 65536);
    field("id", "%u.%u.%u.%u", ntp[12], ntp[13], ntp[14], ntp[15]);
    show_timestamp("ref", ntp + 16);
    show_timestamp("orig", ntp + 24);
    show_timestamp("recv", ntp + 32);
    show_timestamp("sent", ntp + 40);
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

/* Is it the answer: an IPv4 packet from the server's address and port to ours, whose NTP
 * originate time is our T1? */
static bool is_answer(const unsigned char *ip, size_t n, const unsigned char *request)
{
    const unsigned char *udp = request + IP_HEADER_SIZE, *ntp = udp + UDP_HEADER_SIZE;
    size_t header = (size_t)(ip[0] & 15) * 4;
    return n >= PACKET_SIZE && header == IP_HEADER_SIZE &&
           memcmp(ip + 12, request + 16, 4) == 0 && memcmp(ip + 16, request + 12, 4) == 0 &&
           memcmp(ip + header, udp + 2, 2) == 0 && memcmp(ip + header + 2, udp, 2) == 0 &&
           memcmp(ip + header + UDP_HEADER_SIZE + 24, ntp + 40, 8) == 0;
}

static void client(const char *host, uint16_t port)
{
    static unsigned char reply[MAX_BYTES];
    unsigned char packet[PACKET_SIZE] = {0}, *udp = packet + IP_HEADER_SIZE;
    unsigned char *ntp = udp + UDP_HEADER_SIZE;
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *server = resolve(host, port, AF_INET, SOCK_DGRAM);
    struct sockaddr_in *to = (struct sockaddr_in *)(void *)server->ai_addr, me;
    format_address(server->ai_addr, where);

    /* Raw sockets first: without root or CAP_NET_RAW nothing else is worth doing. */
    int sender = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);   /* we write the IP header too */
    int catcher = sender < 0 ? -1 : socket(AF_INET, SOCK_RAW, IPPROTO_UDP);   /* all UDP in */
    if (sender < 0 || catcher < 0)
        die("socket(AF_INET, SOCK_RAW): %s %s: raw sockets need root or CAP_NET_RAW: run it with "
            "sudo, or once: sudo setcap cap_net_raw+ep %s", errno_name(errno), strerror(errno),
            program_name);
    int chooser = choose_source(server, &me);

    /* The IPv4 header (RFC 791): version 4 and IHL 5 (20 bytes) in one byte, total length,
     * an id, Don't Fragment, TTL, protocol 17 (UDP), the checksum, the two addresses. */
    packet[0] = 4 << 4 | IP_HEADER_SIZE / 4;
    put16(packet + 2, PACKET_SIZE);
    put16(packet + 4, ((unsigned)getpid() & 0x7fff) + 1);    /* never 0: Linux would pick one */
    put16(packet + 6, IP_DONT_FRAGMENT);
    packet[8] = TTL;
    packet[9] = IPPROTO_UDP;
    memcpy(packet + 12, &me.sin_addr, 4);
    memcpy(packet + 16, &to->sin_addr, 4);
    /* The header's checksum, as scapy computes it when you leave chksum unset. */
    /* EXPERIMENT: comment this out: the request is still answered: Linux fills in the IPv4
     * checksum of every packet sent on an IP_HDRINCL socket (see "Our request as it went
     * out": the kernel's checksum, ours 0x0000) */
    put16(packet + 10, ip_checksum(packet));
    /* The UDP header (RFC 768): ports, length (header and data), checksum. */
    memcpy(udp, &me.sin_port, 2);
    memcpy(udp + 2, &to->sin_port, 2);
    put16(udp + 4, UDP_HEADER_SIZE + NTP_PACKET_SIZE);
    /* NTP(version=4, mode=3): one byte, 39 zeros, and our clock as the transmit time (T1). */
    ntp[0] = 4 << 3 | 3;
    double t1 = wall_clock();
    put32(ntp + 40, (uint32_t)((uint64_t)t1 + NTP_UNIX_EPOCH_DIFF));
    put32(ntp + 44, (uint32_t)((t1 - (double)(uint64_t)t1) * 4294967296.0));
    put16(udp + 6, udp_checksum(packet, udp, UDP_HEADER_SIZE + NTP_PACKET_SIZE));

    printf("Sending to %s:\n", where);
    show(packet, sizeof packet);
    if (sendto(sender, packet, sizeof packet, 0, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("sendto", server->ai_addr);

    /* The catcher sees every UDP datagram this host receives (on loopback, our own request
     * too): ours is from the server's address and port, to ours, and echoes our T1. */
    double deadline = monotonic_seconds() + 5;
    for (;;) {
        if (!readable_before(catcher, deadline))
            die("no answer from %s in 5 seconds", where);
        ssize_t n = recv(catcher, reply, sizeof reply, 0);
        double t4 = wall_clock();
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("recv", NULL);
        if (is_our_request(reply, (size_t)n, packet))     /* on loopback */
            printf("Our request as it went out: IP chksum 0x%04x, ours 0x%04x (%s)\n",
                   get16(reply + 10), get16(packet + 10),
                   get16(reply + 10) == get16(packet + 10) ? "the same" : "they differ");
        if (!is_answer(reply, (size_t)n, packet))
            continue;
        size_t header = (size_t)(reply[0] & 15) * 4;
        const unsigned char *answer = reply + header + UDP_HEADER_SIZE;
        double t2 = unix_seconds(answer + 32), t3 = unix_seconds(answer + 40);
        time_t shown;
        char text[64];
        printf("Received from %s:\n", where);
        show(reply, (size_t)n);
        bool in_range = time_of(t3, &shown) && ctime_r(&shown, text);
        printf("Time: %s", in_range ? text : "(out of range)\n");
        printf("Offset: %+.6f seconds\n", ((t2 - t1) + (t3 - t4)) / 2);
        break;
    }
    freeaddrinfo(server);
    close(chooser);
    close(catcher);
    close(sender);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 123;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "pool.ntp.org";
    no_more_arguments(argc, argv);
    client(host, port);
    return 0;
}

/* For the tools: tests/sntp_raw_test.c includes this file, main() renamed, and calls
 * ip_checksum(), udp_checksum() and time_of(): keep them pure. */
