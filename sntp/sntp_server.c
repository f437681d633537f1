/*
 * sntp_server.c - a small SNTPv4 server, so the chapter works without the internet
 * (lecture: "Get time from the internet time server"; the server side of RFC 4330).
 *
 * Try, in two terminals (port 123 needs root, so pick another):
 *     ./sntp_server -p 1230             ./sntp_time 127.0.0.1 -p 1230
 *                                       ./sntp_client 127.0.0.1 -p 1230
 * The server answers from this machine's own clock and says so: stratum 10 and reference
 * id 127.127.1.1, the conventional "local clock" (-s and -r change them). Watch it print a
 * line for each request it answers (one line per request: a flood fills a disk), and for
 * each datagram it drops: it answers only well-formed 48-byte requests, so it can never be
 * used to reflect or amplify traffic. With "" it serves every address, IPv4 and IPv6
 * (./sntp_server "" -p 1230, then ./sntp_client 127.0.0.2 -p 1230 or ::1), and answers
 * from the address each client asked at. Its two experiments (marked lines: the epoch, and
 * the byte order) are in README.md, this folder's guide.
 */
#define _GNU_SOURCE     /* glibc shows struct in6_pktinfo (RFC 3542) only with it */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/uio.h>

/* The 48-byte NTP packet, as offsets into it (RFC 5905 figure 8), read and written with
 * memcpy + htonl/ntohl: never a struct laid over the bytes. */
#define NTP_PACKET_SIZE 48
#define NTP_LI_VN_MODE 0            /* leap indicator (2 bits), version (3), mode (3) */
#define NTP_STRATUM 1
#define NTP_POLL 2
#define NTP_PRECISION 3
#define NTP_ROOT_DELAY 4
#define NTP_ROOT_DISPERSION 8
#define NTP_REFERENCE_ID 12
#define NTP_REFERENCE_TIME 16
#define NTP_ORIGINATE_TIME 24
#define NTP_RECEIVE_TIME 32
#define NTP_TRANSMIT_TIME 40

#define NTP_MODE_SYMMETRIC_ACTIVE 1
#define NTP_MODE_CLIENT 3
#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define CLOCK_READS 1000                    /* to measure the clock's precision */
#define MAX_BYTES 65535

static const char usage[] = "[-h] [-p PORT] [-s STRATUM] [-r REFID] [host]";
static const char help[] =
    "Answer SNTP requests with this machine's clock (SNTPv4, RFC 4330)\n\n"
    "positional arguments:\n"
    "  host        address to listen at (default 127.0.0.1; \"\" for every one, IPv4\n"
    "              and IPv6)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123, which needs root; 0 lets the OS choose)\n"
    "  -s STRATUM  stratum to announce, 1 to 15 (default 10: a local clock)\n"
    "  -r REFID    reference id: up to 4 letters at stratum 1 (e.g. LOCL), an IPv4\n"
    "              address above it (default LOCL at stratum 1, else 127.127.1.1)\n";

/* Why a datagram is not a request we answer, or NULL when it is one. RFC 4330 section 5:
 * a client request (mode 3) gets a server reply (mode 4), a symmetric-active one (mode 1)
 * a symmetric-passive reply (mode 2). Nothing else: a reply to a reply (4), to a broadcast
 * (5) or to the control and private modes (6, 7, the amplification attacks of old ntpd)
 * could bounce traffic at a spoofed victim. Only exactly 48 bytes: more is a MAC or
 * extension fields, which we have no keys to answer (chronyd drops them too), and the
 * reply is never larger than the request. */
static const char *check_request(const unsigned char *buf, size_t len)
{
    if (len < NTP_PACKET_SIZE)
        return "too short for NTP";
    if (len > NTP_PACKET_SIZE)
        return "longer than 48 bytes: a MAC or extension fields, and we have no keys";
    unsigned version = (buf[NTP_LI_VN_MODE] >> 3) & 7, mode = buf[NTP_LI_VN_MODE] & 7;
    if (mode != NTP_MODE_CLIENT && mode != NTP_MODE_SYMMETRIC_ACTIVE)
        return "not a client (3) or symmetric active (1) request";
    if (version < 1 || version > 4)
        return "unknown NTP version";
    return NULL;
}

/* Every field goes out big-endian, "network byte order", whatever this machine's order. */
static void write_u32(unsigned char *packet, size_t offset, uint32_t value)
{
    /* EXPERIMENT: comment this out: on a little-endian machine (x86, ARM) each 32-bit field
     * goes out backwards: the root dispersion of 1/65536 s reads as 256 s, and sntp_client
     * refuses the reply (a root distance over 1.5 s) */
    value = htonl(value);
    memcpy(packet + offset, &value, sizeof value);
}

/* The clock as an NTP timestamp: seconds since 1900 (the low 32 bits, which is exactly
 * how they wrap into era 1 in 2036) and the fraction of a second in units of 2^-32 s. */
static void write_timestamp(unsigned char *packet, size_t offset, struct timespec t)
{
    uint64_t seconds = (uint64_t)t.tv_sec;          /* since 1970, Unix's epoch */
    /* EXPERIMENT: comment this out: the server sends seconds since 1970 where NTP counts
     * from 1900; clients read them in era 1, 2^32 - 2208988800 = 2085978496 s (66 years)
     * ahead: a date around 2093 */
    seconds += NTP_UNIX_EPOCH_DIFF;
    write_u32(packet, offset, (uint32_t)seconds);
    write_u32(packet, offset + 4, (uint32_t)(((uint64_t)t.tv_nsec << 32) / 1000000000u));
}

static struct timespec clock_now(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        die_errno("clock_gettime", NULL);
    return now;
}

/* RFC 5905's precision: log2 of the time it takes to read the clock (not its resolution,
 * 1 ns here, which no program can use): the fastest of many reads, to the nearest 2^n s
 * (as chrony rounds it: 20 ns is 2^-26). */
static int measure_precision(long *fastest)
{
    int exponent = 0;
    *fastest = 1000000000L;
    for (int i = 0; i < CLOCK_READS; i++) {
        struct timespec a = clock_now(), b = clock_now();
        long ns = (long)(b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
        if (ns > 0 && ns < *fastest)
            *fastest = ns;
    }
    double step = 1.0;              /* 2^exponent, down to the first power of two <= fastest */
    for (; step > *fastest * 1e-9 && exponent > -32; step /= 2)
        exponent--;
    return step * 1.41421356 < *fastest * 1e-9 ? exponent + 1 : exponent;   /* sqrt(2): halfway */
}

/* Other systems (REFERENCE.md, "Platforms"): the kernel's receive time comes in nanoseconds on
 * Linux (SO_TIMESTAMPNS), elsewhere in microseconds (SO_TIMESTAMP); without IP_PKTINFO
 * (the BSDs) an IPv4 reply goes out from the address the kernel picks. */
#ifdef SO_TIMESTAMPNS
#define SO_RECEIVE_TIME SO_TIMESTAMPNS
#define SCM_RECEIVE_TIME SCM_TIMESTAMPNS
static struct timespec receive_time(const struct cmsghdr *c)
{
    struct timespec t;
    memcpy(&t, CMSG_DATA(c), sizeof t);
    return t;
}
#else
#define SO_RECEIVE_TIME SO_TIMESTAMP
#define SCM_RECEIVE_TIME SCM_TIMESTAMP
static struct timespec receive_time(const struct cmsghdr *c)
{
    struct timeval t;
    memcpy(&t, CMSG_DATA(c), sizeof t);
    return (struct timespec){t.tv_sec, (long)t.tv_usec * 1000};
}
#endif

/* The reply goes out from the address the request came to. A socket bound to every
 * address would otherwise send from the one the kernel's routing picks, which a client
 * that asked at another address rightly ignores. The kernel tells us where each request
 * came to (IP_PKTINFO, IPV6_PKTINFO) and when (SO_TIMESTAMPNS: T2); we hand the address
 * back as the reply's source. For IPv4 it is ipi_spec_dst, the local address the kernel
 * would answer from: the request's destination, or for a broadcast (127.255.255.255) the
 * interface's own address, since no datagram may come from a broadcast address. An IPv4
 * datagram on the "" socket (IPv6, v4-mapped) brings both kinds: IP_PKTINFO wins. */
static size_t read_control(struct msghdr *message, struct timespec *received,
                           unsigned char *control)
{
    struct cmsghdr *out = (struct cmsghdr *)(void *)control;
    bool ipv4 = false;
    memset(control, 0, CMSG_SPACE(sizeof(struct in6_pktinfo)));     /* padding too */
    out->cmsg_len = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(message); c; c = CMSG_NXTHDR(message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RECEIVE_TIME)
            *received = receive_time(c);
#ifdef IP_PKTINFO
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof info);
            info.ipi_ifindex = 0;       /* route as usual, from ipi_spec_dst */
            out->cmsg_level = IPPROTO_IP;
            out->cmsg_type = IP_PKTINFO;
            out->cmsg_len = CMSG_LEN(sizeof info);
            memcpy(CMSG_DATA(out), &info, sizeof info);
            ipv4 = true;
        }
#endif
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO && !ipv4) {
            out->cmsg_level = IPPROTO_IPV6;     /* address and interface, as they came */
            out->cmsg_type = IPV6_PKTINFO;
            out->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
            memcpy(CMSG_DATA(out), CMSG_DATA(c), sizeof(struct in6_pktinfo));
        }
    }
    return out->cmsg_len == 0 ? 0 : ipv4 ? CMSG_SPACE(sizeof(struct in_pktinfo))
                                         : CMSG_SPACE(sizeof(struct in6_pktinfo));
}

/* The answer to a request that check_request() passed: RFC 4330 section 5's server reply. */
static void fill_reply(unsigned char *reply, const unsigned char *request, unsigned stratum,
                       int precision, const unsigned char reference_id[4],
                       struct timespec received)
{
    unsigned version = (request[NTP_LI_VN_MODE] >> 3) & 7, mode = request[NTP_LI_VN_MODE] & 7;
    /* Leap indicator 0 (no warning: the top two bits stay 0), the request's version,
     * and mode 4 for mode 3, 2 for 1. */
    unsigned reply_mode = mode == NTP_MODE_CLIENT ? 4 : 2;
    memset(reply, 0, NTP_PACKET_SIZE);
    reply[NTP_LI_VN_MODE] = (unsigned char)((version << 3) | reply_mode);
    reply[NTP_STRATUM] = (unsigned char)stratum;
    reply[NTP_POLL] = request[NTP_POLL];            /* RFC 4330: copied from the request */
    reply[NTP_PRECISION] = (unsigned char)(signed char)precision;
    /* Root delay 0: this clock is its own reference. Root dispersion: how far it may
     * be off, here one clock tick (the 16.16 format's smallest step, 15 us). */
    write_u32(reply, NTP_ROOT_DELAY, 0);
    write_u32(reply, NTP_ROOT_DISPERSION, 1);
    memcpy(reply + NTP_REFERENCE_ID, reference_id, 4);
    write_timestamp(reply, NTP_REFERENCE_TIME, received);   /* our clock is always "set" */
    /* The client's transmit time goes back as our originate time, byte for byte: the
     * client recognises its answer by it. */
    memcpy(reply + NTP_ORIGINATE_TIME, request + NTP_TRANSMIT_TIME, 8);
    write_timestamp(reply, NTP_RECEIVE_TIME, received);
}

static void server(const char *host, uint16_t port, unsigned stratum,
                   const unsigned char reference_id[4])
{
    static unsigned char data[MAX_BYTES];
    char where[ADDRESS_TEXT_SIZE];
    int on = 1, off = 0, status = 0;
    /* "": one IPv6 socket for both families. With IPV6_V6ONLY off, `::` also takes IPv4
     * datagrams, whose senders appear as v4-mapped addresses ('::ffff:127.0.0.2', ...). */
    struct addrinfo *address = resolve(host, port, host[0] ? AF_UNSPEC : AF_INET6, SOCK_DGRAM);
    int family = address->ai_family;
    int sock = socket(family, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (family == AF_INET6 && host[0] == '\0')
        status = setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    /* Where each request came to (IPv4 datagrams on "" too), and when, as read_control() says. */
#ifdef IP_PKTINFO
    if (status == 0 && (family == AF_INET || host[0] == '\0'))
        status = setsockopt(sock, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
#endif
    if (status == 0 && family == AF_INET6)
        status = setsockopt(sock, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
    /* The kernel stamps each datagram as it arrives: T2 without our scheduling delay. */
    if (status == 0)
        status = setsockopt(sock, SOL_SOCKET, SO_RECEIVE_TIME, &on, sizeof on);
    if (status < 0)
        die_errno("setsockopt", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    memset(&me, 0, sizeof me);
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    long fastest;
    int precision = measure_precision(&fastest);
    say("Precision: %d (2^%d s: the fastest of %d clock reads took %ld ns)\n", precision,
        precision, CLOCK_READS, fastest);

    for (;;) {
        struct sockaddr_storage client;
        struct iovec buffer = {data, sizeof data};
        union { struct cmsghdr align; unsigned char bytes[256]; } control_in, control_out;
        struct msghdr message = {.msg_name = &client, .msg_namelen = sizeof client,
                                 .msg_iov = &buffer, .msg_iovlen = 1,
                                 .msg_control = control_in.bytes,
                                 .msg_controllen = sizeof control_in.bytes};
        ssize_t n = recvmsg(sock, &message, 0);
        struct timespec received = clock_now();     /* T2, if the kernel gives none */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("recvmsg", NULL);
        if (ignore_reflection((struct sockaddr *)&client, (struct sockaddr *)&me))
            continue;
        format_address((struct sockaddr *)&client, where);
        const char *problem = check_request(data, (size_t)n);
        if (problem) {
            say("Dropped %zd bytes from %s: %s\n", n, where, problem);
            continue;
        }
        size_t control_length = read_control(&message, &received, control_out.bytes);

        unsigned char reply[NTP_PACKET_SIZE];
        fill_reply(reply, data, stratum, precision, reference_id, received);
        buffer = (struct iovec){reply, sizeof reply};
        message.msg_control = control_length ? control_out.bytes : NULL;
        message.msg_controllen = control_length;
        write_timestamp(reply, NTP_TRANSMIT_TIME, clock_now());  /* T3: last, then send */
        /* One client's trouble must not stop the server: report it and serve the next. */
        if (sendmsg(sock, &message, 0) < 0)
            warn_errno("sendmsg", (struct sockaddr *)&client);
        else
            say("Answered a version %u %srequest from %s\n", (data[NTP_LI_VN_MODE] >> 3) & 7,
                (data[NTP_LI_VN_MODE] & 7) == NTP_MODE_CLIENT ? "" : "symmetric active ", where);
    }
}

/* -r: four bytes. At stratum 1 a name of up to four printable ASCII characters,
 * zero-filled; above it an IPv4 address (the server we would follow). */
static void parse_reference_id(const char *text, unsigned stratum, unsigned char id[4])
{
    char shown[WORD_REPR_SIZE];
    size_t n = strlen(text);
    bool printable = n >= 1 && n <= 4;
    for (size_t i = 0; printable && i < n; i++)
        printable = text[i] > ' ' && text[i] < 0x7f;
    memset(id, 0, 4);
    if (stratum == 1 && !printable)
        usage_error("argument -r: invalid reference id at stratum 1: %s (1 to 4 letters, "
                    "e.g. LOCL)", word_repr(text, shown));
    if (stratum == 1)
        memcpy(id, text, n);
    else if (inet_pton(AF_INET, text, id) != 1)
        usage_error("argument -r: invalid reference id above stratum 1: %s (an IPv4 address)",
                    word_repr(text, shown));
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *reference = NULL;
    unsigned char reference_id[4];
    uint16_t port = 123;
    unsigned stratum = 10;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:s:r:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        /* 0 would be a Kiss-o'-Death, 16 "unsynchronised" */
        case 's': stratum = (unsigned)parse_int(optarg, "-s", 1, 15); break;
        case 'r': check_option_value(optarg, "-r"); reference = optarg; break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "127.0.0.1";
    no_more_arguments(argc, argv);
    if (reference == NULL)
        reference = stratum == 1 ? "LOCL" : "127.127.1.1";
    parse_reference_id(reference, stratum, reference_id);
    /* A server's log is secondary: if its reader goes away (./sntp_server | head -2), a
     * write must fail with EPIPE, reported once (say() checks each log line), not kill
     * the server. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        die_errno("signal", NULL);
    server(host, port, stratum, reference_id);
    return 0;
}

/* For the tools: fuzz/sntp_request.c includes this file, main() renamed, and calls
 * check_request(): keep it pure (no I/O). server() zeroes `me` with memset, not `= {0}`:
 * clang-tidy's analyzer then stops taking its port for garbage in ignore_reflection(). */
