/*
 * tcp_watch.c - TCP segments on the wire, without Wireshark (lecture: "TCP", How TCP
 * works: the three-way handshake, sequence numbers, the four-way close). Linux only: it
 * reads every packet of an interface through an AF_PACKET socket, so it needs root
 * (CAP_NET_RAW).
 *
 * Try, in three terminals (in tcp/):
 *     sudo ./tcp_watch -p 1060                  (prints "Watching tcp port 1060 on lo")
 *     ./tcp_sixteen server 127.0.0.1
 *     ./tcp_sixteen client 127.0.0.1
 * and watch: SYN, SYN-ACK, ACK (the handshake); the two 16-byte messages, each starting
 * where the previous segment of its side ended (seq + len); then a FIN from each side,
 * each acknowledged with its seq + 1. `sudo ./tcp_watch --ladder` draws the same as the
 * lecture's ladder diagram: client on the left, server on the right, one arrow per
 * segment. In the lab (README), watch a real link with
 *     sudo ip netns exec seed ./tcp_watch -i eth0 -p 1060
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <limits.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <poll.h>

/* Fixed offsets into the IPv4 header (RFC 791) and the TCP header (RFC 9293). */
#define IP_MIN_HEADER 20
#define IP_TOTAL_LENGTH 2   /* 16 bits */
#define IP_FRAGMENT 6       /* 3 flag bits, 13 bits of fragment offset */
#define IP_PROTOCOL 9
#define IP_SOURCE 12
#define IP_DESTINATION 16
#define TCP_MIN_HEADER 20
#define TCP_SOURCE_PORT 0
#define TCP_DESTINATION_PORT 2
#define TCP_SEQUENCE 4
#define TCP_ACKNOWLEDGEMENT 8
#define TCP_DATA_OFFSET 12  /* high 4 bits: header length in 32-bit words */
#define TCP_FLAGS 13
#define TCP_WINDOW 14
#define TCP_OPTION_WINDOW_SCALE 3
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20 };

#define MAX_PACKET 65536
#define MAX_CONNECTIONS 64  /* connections remembered for relative numbers */
#define ARROW_WIDTH 56      /* a ladder's width between its two bars */
#define MAX_SECONDS 86400   /* -t: at most a day */

static const char usage[] = "[-h] [-i IFACE] [-p PORT] [-c COUNT] [-t SECONDS] [--ladder]";
static const char help[] =
    "Print the TCP segments to or from a port, as they cross an interface\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -i IFACE    interface to watch (default lo)\n"
    "  -p PORT     TCP port to watch; 0 watches every port (default 1060)\n"
    "  -c COUNT    stop after COUNT segments (default 0: never)\n"
    "  -t SECONDS  stop after SECONDS seconds, at most a day (default 0: never)\n"
    "  --ladder    draw each connection as a ladder diagram: client left, server right\n";

struct segment {
    struct in_addr source, destination;
    uint16_t source_port, destination_port, window;
    uint32_t sequence, acknowledgement;
    uint8_t flags;
    int window_scale;                   /* the SYN's window scale option; -1: none */
    size_t payload_length;
};

static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decode one IPv4 packet holding a TCP segment. The bytes come from the network and may
 * be anything: every length is checked against the bytes we actually have before it is
 * used, and anything that is not a whole, unfragmented IPv4+TCP header is refused
 * (false). Pure: no I/O, no state, so a fuzzer can call it on its own. */
static bool parse_segment(const unsigned char *packet, size_t length, struct segment *out)
{
    if (length < IP_MIN_HEADER || packet[0] >> 4 != 4 || packet[IP_PROTOCOL] != IPPROTO_TCP)
        return false;
    size_t ip_header = (size_t)(packet[0] & 0x0f) * 4;
    size_t total = get16(packet + IP_TOTAL_LENGTH);
    /* A fragment other than the first has no TCP header at its start. */
    if (ip_header < IP_MIN_HEADER || total > length || total < ip_header + TCP_MIN_HEADER ||
        (get16(packet + IP_FRAGMENT) & 0x1fff) != 0)
        return false;
    const unsigned char *tcp = packet + ip_header;
    size_t tcp_header = (size_t)(tcp[TCP_DATA_OFFSET] >> 4) * 4;
    if (tcp_header < TCP_MIN_HEADER || ip_header + tcp_header > total)
        return false;
    memcpy(&out->source, packet + IP_SOURCE, 4);          /* already in network order */
    memcpy(&out->destination, packet + IP_DESTINATION, 4);
    out->source_port = get16(tcp + TCP_SOURCE_PORT);
    out->destination_port = get16(tcp + TCP_DESTINATION_PORT);
    out->sequence = get32(tcp + TCP_SEQUENCE);
    out->acknowledgement = get32(tcp + TCP_ACKNOWLEDGEMENT);
    out->flags = tcp[TCP_FLAGS];
    out->window = get16(tcp + TCP_WINDOW);
    out->payload_length = total - ip_header - tcp_header;
    /* The options follow the fixed header: kind 0 ends them, kind 1 pads, any other is
     * kind, length (counting these two bytes), data. Window scale: kind 3, length 3. */
    out->window_scale = -1;
    for (size_t i = TCP_MIN_HEADER, size; i < tcp_header && tcp[i] != 0; i += size) {
        size = tcp[i] == 1 ? 1 : i + 1 < tcp_header ? tcp[i + 1] : 0;
        if (size < (tcp[i] == 1 ? 1u : 2u) || i + size > tcp_header)
            break;                                      /* a broken option: stop there */
        if (tcp[i] == TCP_OPTION_WINDOW_SCALE && size == 3)
            out->window_scale = tcp[i + 2] > 14 ? 14 : tcp[i + 2];  /* RFC 7323: 14 at most */
    }
    return true;
}

/* Each end of a connection numbers its bytes from a random initial sequence number (ISN),
 * so that a stray segment from an old connection is unlikely to fit a new one. We show
 * numbers relative to it, as Wireshark does: the first byte of data is seq 1, because
 * the SYN itself counts as one. A connection is its 4-tuple (both addresses and ports):
 * two clients of one server are two connections, each with its own pair of ISNs. */
enum { CLIENT, SERVER, NO_SYN = -2 };
struct connection {
    struct in_addr address[2];          /* [CLIENT] sent the SYN, [SERVER] answered it */
    uint16_t port[2];
    uint32_t isn[2];
    bool isn_known[2], used, header_shown;
    int window_scale[2];                /* from each side's SYN: -1 none, NO_SYN not seen */
    unsigned number;                    /* #1, #2, ... in the order they appeared */
};
static struct connection connections[MAX_CONNECTIONS];
static size_t next_slot;
static unsigned connections_seen;
static bool ladder;                     /* --ladder: arrows instead of lines */

/* The connection this segment belongs to, and which side sent it (CLIENT or SERVER). */
static struct connection *find_connection(const struct segment *s, int *sender)
{
    for (size_t i = 0; i < MAX_CONNECTIONS; i++)
        for (int side = CLIENT; connections[i].used && side <= SERVER; side++) {
            const struct connection *c = &connections[i];
            if (c->address[side].s_addr == s->source.s_addr &&
                c->port[side] == s->source_port &&
                c->address[!side].s_addr == s->destination.s_addr &&
                c->port[!side] == s->destination_port) {
                *sender = side;
                return &connections[i];
            }
        }
    return NULL;
}

/* A SYN without ACK opens a connection (again, if its 4-tuple was used before), and its
 * sender is the client. A connection already open when we started shows no SYN: we guess
 * that the server is the side with the lower port (a client's port is a high, ephemeral
 * one). new_isn: this segment told us its side's ISN. */
static struct connection *track(const struct segment *s, int *sender, bool *new_isn)
{
    struct connection *c = find_connection(s, sender);
    bool opening = (s->flags & (SYN | ACK)) == SYN;
    if (c == NULL || (opening && !(*sender == CLIENT && c->isn[CLIENT] == s->sequence))) {
        if (c == NULL) {
            c = &connections[next_slot];                /* the oldest slot makes room */
            next_slot = (next_slot + 1) % MAX_CONNECTIONS;
        }
        *sender = opening || s->source_port > s->destination_port ? CLIENT : SERVER;
        *c = (struct connection){.used = true, .number = ++connections_seen,
                                 .window_scale = {NO_SYN, NO_SYN}};
        c->address[*sender] = s->source;
        c->port[*sender] = s->source_port;
        c->address[!*sender] = s->destination;
        c->port[!*sender] = s->destination_port;
    }
    *new_isn = !c->isn_known[*sender] || ((s->flags & SYN) && c->isn[*sender] != s->sequence);
    if (*new_isn)
        c->isn[*sender] = s->sequence;
    c->isn_known[*sender] = true;
    if (s->flags & SYN)
        c->window_scale[*sender] = s->window_scale;
    return c;
}

/* The window field counts units of 2^scale bytes, the scale its sender announced in its
 * SYN (RFC 7323), so that a 16-bit field can offer more than 64 KiB. Scaling is on only
 * when both SYNs carried the option, and a SYN's own window is never scaled. Without
 * both SYNs we cannot know the scale: -1. */
static long window_bytes(const struct connection *c, int sender, const struct segment *s)
{
    if ((s->flags & SYN) || s->window == 0)            /* and 0 is 0 at any scale */
        return s->window;
    if (c->window_scale[CLIENT] == NO_SYN || c->window_scale[SERVER] == NO_SYN)
        return -1;
    bool scaled = c->window_scale[CLIENT] >= 0 && c->window_scale[SERVER] >= 0;
    return (long)s->window << (scaled ? c->window_scale[sender] : 0);
}

static void format_flags(uint8_t flags, char *buf, size_t size)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        {SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {URG, "URG"}, {ACK, "ACK"}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "-" : "",
                     names[i].name);
    if (buf[0] == '\0')
        snprintf(buf, size, "none");
}

/* The ladder: each connection's lines start with its number; the client's bar is on the
 * left, the server's on the right, and each segment is an arrow from its sender:
 *     #1    |------ SYN seq=0 win=65495 wscale=7 ---------------->|
 *     #1    |<----- SYN-ACK seq=0 ack=1 win=65483 wscale=7 -------| */
static void print_arrow(const struct connection *c, int sender, const char *label)
{
    char tag[16], arrow[ARROW_WIDTH + 160];
    snprintf(tag, sizeof tag, "#%u", c->number);
    if (!c->header_shown) {     /* the two ends' names over the two bars */
        char client[INET_ADDRSTRLEN], server[INET_ADDRSTRLEN], left[64], right[64];
        inet_ntop(AF_INET, &c->address[CLIENT], client, sizeof client);
        inet_ntop(AF_INET, &c->address[SERVER], server, sizeof server);
        snprintf(left, sizeof left, "client %s:%u", client, (unsigned)c->port[CLIENT]);
        int width = snprintf(right, sizeof right, "server %s:%u", server,
                             (unsigned)c->port[SERVER]);
        printf("%-6s%-*s%s\n", tag, ARROW_WIDTH + 2 - width, left, right);
    }
    size_t length = (size_t)snprintf(arrow, sizeof arrow, "%s %s ",
                                     sender == CLIENT ? "------" : "<-----", label);
    for (size_t dashes = 0; length < ARROW_WIDTH || dashes < 3; dashes++)
        arrow[length++] = '-';
    arrow[length - 1] = sender == CLIENT ? '>' : '-';
    arrow[length] = '\0';
    printf("%-6s|%s|\n", tag, arrow);
}

static void print_segment(const struct segment *s)
{
    int sender;
    bool new_isn;
    struct connection *c = track(s, &sender, &new_isn);
    char flags[32], ack[32] = "", label[128];
    unsigned long seq = (unsigned long)(s->sequence - c->isn[sender]);
    format_flags(s->flags, flags, sizeof flags);
    /* The acknowledgement number is the next byte this side expects from its peer: so it
     * is relative to the PEER's initial sequence number. */
    if (s->flags & ACK)
        snprintf(ack, sizeof ack, " ack=%lu", (unsigned long)(s->acknowledgement -
                                     (c->isn_known[!sender] ? c->isn[!sender] : 0)));
    if (!ladder) {
        char from[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &s->source, from, sizeof from);
        inet_ntop(AF_INET, &s->destination, to, sizeof to);
        printf("%s:%u > %s:%u %s seq=%lu%s len=%zu win=%u", from, (unsigned)s->source_port, to,
               (unsigned)s->destination_port, flags, seq, ack, s->payload_length,
               (unsigned)s->window);
        if (new_isn)
            printf(" (ISN %lu)", (unsigned long)c->isn[sender]);
        printf("\n");
        return;
    }
    /* On an arrow: len only when there is data; the window in bytes (a '?' after the
     * raw field when we missed the SYNs); the scale a SYN announces. */
    int n = snprintf(label, sizeof label, "%s seq=%lu%s", flags, seq, ack);
    if (s->payload_length)
        n += snprintf(label + n, sizeof label - (size_t)n, " len=%zu", s->payload_length);
    long window = window_bytes(c, sender, s);
    n += snprintf(label + n, sizeof label - (size_t)n, window >= 0 ? " win=%ld" : " win=%ld?",
                  window >= 0 ? window : (long)s->window);
    if ((s->flags & SYN) && s->window_scale >= 0)
        snprintf(label + n, sizeof label - (size_t)n, " wscale=%d", s->window_scale);
    print_arrow(c, sender, label);
    c->header_shown = true;
}

/* A fuzz target defines TCP_WATCH_NO_MAIN, includes this file and calls parse_segment(). */
#ifndef TCP_WATCH_NO_MAIN
static void watch(const char *interface, uint16_t port, long count, double seconds)
{
    static unsigned char packet[MAX_PACKET];
    unsigned index = if_nametoindex(interface);
    if (index == 0)
        die("no interface named '%s' (see: ip link)", interface);
    /* SOCK_DGRAM: the kernel strips the link-layer header (Ethernet, or lo's fake one),
     * so every packet starts at its network header whatever the interface. ETH_P_ALL, not
     * ETH_P_IP: only "all protocols" sockets see what the interface SENDS as well as what
     * it receives; we keep the IPv4 packets ourselves, below. */
    int sock = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
    if (sock < 0) {
        if (errno == EPERM)
            die("socket AF_PACKET: EPERM %s (watching packets needs root: sudo ./tcp_watch)",
                strerror(errno));
        die_errno("socket AF_PACKET", NULL);
    }
    struct sockaddr_ll me = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = (int)index};
    if (bind(sock, (struct sockaddr *)&me, sizeof me) < 0)
        die_errno("bind AF_PACKET", NULL);
    if (port)
        printf("Watching tcp port %u on %s\n", (unsigned)port, interface);
    else
        printf("Watching every tcp port on %s\n", interface);

    double deadline = seconds > 0 ? monotonic_seconds() + seconds : 0;
    for (long seen = 0; count <= 0 || seen < count;) {
        int timeout = -1;
        if (deadline > 0) {
            double left = deadline - monotonic_seconds();
            if (left <= 0)
                break;
            /* In whole milliseconds, rounded up. Bounded first: a double too big for an
             * int makes the cast undefined (-t is at most a day, 86,400,000 ms). */
            timeout = (int)((left < MAX_SECONDS ? left : MAX_SECONDS) * 1000) + 1;
        }
        struct pollfd ready = {.fd = sock, .events = POLLIN};
        int n = poll(&ready, 1, timeout);
        if (n < 0 && errno != EINTR)
            die_errno("poll", NULL);
        if (n <= 0)
            continue;
        struct sockaddr_ll from;
        socklen_t from_length = sizeof from;
        ssize_t length = recvfrom(sock, packet, sizeof packet, 0, (struct sockaddr *)&from,
                                  &from_length);
        if (length < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom AF_PACKET", NULL);
        }
        /* A packet socket sees what the interface sends (PACKET_OUTGOING) and what it
         * receives. Loopback receives everything it sends, so there each segment would
         * show twice: we keep the received copy only. Elsewhere (eth0) the two are
         * different segments, one each way, and we keep both. */
        if (from.sll_ifindex != (int)index || from.sll_protocol != htons(ETH_P_IP) ||
            (from.sll_hatype == ARPHRD_LOOPBACK && from.sll_pkttype == PACKET_OUTGOING))
            continue;
        struct segment segment;
        if (!parse_segment(packet, (size_t)length, &segment))
            continue;
        if (port && segment.source_port != port && segment.destination_port != port)
            continue;
        print_segment(&segment);
        seen++;
    }
    close(sock);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'}, {"ladder", no_argument, NULL, 'L'}, {NULL, 0, NULL, 0}};
    const char *interface = "lo";
    uint16_t port = 1060;
    long count = 0;
    double seconds = 0;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hi:p:c:t:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'i': check_option_value(optarg, "-i"); interface = optarg; break;
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'c': count = (long)parse_int(optarg, "-c", 0, INT_MAX); break;
        case 't': seconds = parse_float(optarg, "-t", 0, MAX_SECONDS); break;
        case 'L': ladder = true; break;
        default: option_error(option, argv, options);
        }
    }
    no_more_arguments(argc, argv);
    watch(interface, port, count, seconds);
    return 0;
}
#endif
