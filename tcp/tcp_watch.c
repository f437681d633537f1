/*
 * tcp_watch.c - TCP segments on the wire, without Wireshark (lecture: "TCP", How TCP
 * works: the three-way handshake, sequence numbers, the four-way close). Linux only: it
 * reads every packet of an interface through an AF_PACKET socket, so it needs root.
 *
 * Try, in three terminals (in tcp/):
 *     sudo ./tcp_watch --ladder -p 1060     (without --ladder: one line a segment)
 *     ./tcp_sixteen server 127.0.0.1
 *     ./tcp_sixteen client 127.0.0.1
 * and watch the handshake (SYN, SYN-ACK, ACK); the two 16-byte messages, each starting
 * where its side's previous segment ended (seq + len); then a FIN from each side, each
 * acknowledged with its seq + 1. In the lab (lab/README.md), watch a real link with
 *     sudo ip netns exec seed ./tcp_watch -i eth0 -p 1060
 * Keep what it sees for Wireshark: sudo ./tcp_watch -w hs.pcap, then tcpdump -r hs.pcap -n.
 * The experiment: comment out the marked line in track(), and seq and ack show as the
 * wire's raw numbers, which start at each side's random ISN.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <limits.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <time.h>

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
/* The flags byte; ECE and CWR carry congestion news (ECN, RFC 3168). */
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40,
       CWR = 0x80 };

#define MAX_PACKET 65536
#define MAX_CONNECTIONS 64  /* connections remembered for relative numbers */
#define ARROW_WIDTH 56      /* a ladder's width between its two bars */
#define MAX_SECONDS 86400   /* -t: at most a day */

static const char usage[] =
    "[-h] [-i IFACE] [-p PORT] [-c COUNT] [-t SECONDS] [-w FILE]\n"
    "                 [--ladder]";
static const char help[] =
    "Print the TCP segments to or from a port, as they cross an interface\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -i IFACE    interface to watch (default lo)\n"
    "  -p PORT     TCP port to watch; 0 watches every port (default 1060)\n"
    "  -c COUNT    stop after COUNT segments (default 0: never)\n"
    "  -t SECONDS  stop after SECONDS seconds, at most a day (default 0: never)\n"
    "  -w FILE     also write the segments shown to FILE, a pcap capture file\n"
    "              (tcpdump -r FILE, or open it in Wireshark)\n"
    "  --ladder    draw each connection as a ladder diagram: client left, server\n"
    "              right\n";

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
 * (false). */
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
struct end {
    struct in_addr address;
    uint16_t port;
    bool isn_known;
    uint32_t isn;                       /* 0 until known */
    int window_scale;                   /* from its SYN: -1 none, NO_SYN not seen */
};
struct connection {
    struct end end[2];                  /* [CLIENT] sent the SYN, [SERVER] answered it */
    unsigned number;                    /* #1, #2, ... in the order they appeared; 0: free */
    bool header_shown;
};
static struct connection connections[MAX_CONNECTIONS];
static size_t next_slot;                /* the oldest slot, which a new connection takes */
static unsigned connections_seen;
static bool ladder;                     /* --ladder: arrows instead of lines */

static bool is_end(const struct end *end, struct in_addr address, uint16_t port)
{
    return end->address.s_addr == address.s_addr && end->port == port;
}

/* The connection this segment belongs to, and which side sent it (*sender). A SYN without
 * ACK opens a connection (again, if its 4-tuple was used before, unless it repeats the
 * same ISN), and its sender is the client. A connection already open when we started
 * shows no SYN: we guess that the server is the side with the lower port (a client's
 * port is a high, ephemeral one). *new_isn: this segment told us its side's ISN. */
static struct connection *track(const struct segment *s, int *sender, bool *new_isn)
{
    struct connection *c = NULL;
    for (size_t i = 0; i < MAX_CONNECTIONS; i++)
        for (int side = CLIENT; c == NULL && connections[i].number && side <= SERVER; side++)
            if (is_end(&connections[i].end[side], s->source, s->source_port) &&
                is_end(&connections[i].end[!side], s->destination, s->destination_port)) {
                c = &connections[i];
                *sender = side;
            }
    bool opening = (s->flags & (SYN | ACK)) == SYN;
    if (c == NULL || (opening && !(*sender == CLIENT && c->end[CLIENT].isn == s->sequence))) {
        if (c == NULL)
            c = &connections[next_slot++ % MAX_CONNECTIONS];
        *sender = opening || s->source_port > s->destination_port ? CLIENT : SERVER;
        *c = (struct connection){.number = ++connections_seen};
        c->end[*sender] = (struct end){s->source, s->source_port, .window_scale = NO_SYN};
        c->end[!*sender] =
            (struct end){s->destination, s->destination_port, .window_scale = NO_SYN};
    }
    struct end *from = &c->end[*sender];
    *new_isn = !from->isn_known || ((s->flags & SYN) && from->isn != s->sequence);
    if (*new_isn) {
        /* EXPERIMENT: comment this out: seq and ack show as the raw 32-bit numbers of the
         * wire, which start at a random ISN that each side draws anew for each connection. */
        from->isn = s->sequence;
    }
    from->isn_known = true;
    if (s->flags & SYN)
        from->window_scale = s->window_scale;
    return c;
}

/* The window field counts units of 2^scale bytes, the scale its sender announced in its
 * SYN (RFC 7323), so that a 16-bit field can offer more than 64 KiB. Scaling is on only
 * when both SYNs carried the option, and a SYN's own window is never scaled. Without
 * both SYNs we cannot know the scale: -1. */
static long window_bytes(const struct connection *c, int sender, const struct segment *s)
{
    int client = c->end[CLIENT].window_scale, server = c->end[SERVER].window_scale;
    if ((s->flags & SYN) || s->window == 0)            /* and 0 is 0 at any scale */
        return s->window;
    if (client == NO_SYN || server == NO_SYN)
        return -1;
    return (long)s->window << (client >= 0 && server >= 0 ? c->end[sender].window_scale : 0);
}

/* "SYN-ACK", "FIN-ACK", "SYN-ECE-CWR", ...; "none" for a segment without flags. */
#define FLAGS_TEXT_SIZE sizeof "SYN-FIN-RST-PSH-URG-ACK-ECE-CWR"
static void format_flags(uint8_t flags, char buf[FLAGS_TEXT_SIZE])
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        {SYN, "SYN"}, {FIN, "FIN"}, {RST, "RST"}, {PSH, "PSH"}, {URG, "URG"}, {ACK, "ACK"},
        {ECE, "ECE"}, {CWR, "CWR"}};
    size_t length = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            length += (size_t)snprintf(buf + length, FLAGS_TEXT_SIZE - length, "%s%s",
                                       length ? "-" : "", names[i].name);
    if (length == 0)
        snprintf(buf, FLAGS_TEXT_SIZE, "none");
}

/* The ladder: each connection's lines start with its number; the client's bar is on the
 * left, the server's on the right, and each segment is an arrow from its sender:
 *     #1    |------ SYN seq=0 win=65495 wscale=7 ---------------->|
 *     #1    |<----- SYN-ACK seq=0 ack=1 win=65483 wscale=7 -------| */
static void print_arrow(struct connection *c, int sender, const char *label)
{
    char tag[16], dashes[ARROW_WIDTH];
    snprintf(tag, sizeof tag, "#%u", c->number);
    if (!c->header_shown) {             /* the two ends' names over the two bars */
        char client[INET_ADDRSTRLEN], server[INET_ADDRSTRLEN], left[64], right[64];
        inet_ntop(AF_INET, &c->end[CLIENT].address, client, sizeof client);
        inet_ntop(AF_INET, &c->end[SERVER].address, server, sizeof server);
        snprintf(left, sizeof left, "client %s:%u", client, (unsigned)c->end[CLIENT].port);
        int width = snprintf(right, sizeof right, "server %s:%u", server,
                             (unsigned)c->end[SERVER].port);
        printf("%-6s%-*s%s\n", tag, ARROW_WIDTH + 2 - width, left, right);
        c->header_shown = true;
    }
    int fill = ARROW_WIDTH - (int)strlen(label) - 8;   /* "------ " label " " */
    memset(dashes, '-', sizeof dashes);
    printf("%-6s|%s %s %.*s%s|\n", tag, sender == CLIENT ? "------" : "<-----", label,
           (fill > 3 ? fill : 3) - 1, dashes, sender == CLIENT ? ">" : "-");
}

static void print_segment(const struct segment *s)
{
    int sender;
    bool new_isn;
    struct connection *c = track(s, &sender, &new_isn);
    char flags[FLAGS_TEXT_SIZE], ack[32] = "", label[128];
    unsigned long seq = (unsigned long)(s->sequence - c->end[sender].isn);
    format_flags(s->flags, flags);
    /* The acknowledgement number is the next byte this side expects from its peer: so it
     * is relative to the PEER's initial sequence number. */
    if (s->flags & ACK)
        snprintf(ack, sizeof ack, " ack=%lu",
                 (unsigned long)(s->acknowledgement - c->end[!sender].isn));
    if (!ladder) {
        char from[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN], isn[32] = "";
        inet_ntop(AF_INET, &s->source, from, sizeof from);
        inet_ntop(AF_INET, &s->destination, to, sizeof to);
        if (new_isn)
            snprintf(isn, sizeof isn, " (ISN %lu)", (unsigned long)s->sequence);
        printf("%s:%u > %s:%u %s seq=%lu%s len=%zu win=%u%s\n", from, (unsigned)s->source_port,
               to, (unsigned)s->destination_port, flags, seq, ack, s->payload_length,
               (unsigned)s->window, isn);
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
}

#ifndef TCP_WATCH_NO_MAIN             /* (fuzz/tcp_watch.c: all but the socket loop) */

/* -w FILE: the segments shown, kept in a capture file that tcpdump -r and Wireshark read,
 * in the classic pcap format: a 24-byte file header, then each frame after a 16-byte record
 * header (its time and length), both in this machine's byte order, which the magic number
 * tells the reader. Our socket hands us no link-layer header, so each frame starts with a
 * 16-byte "Linux cooked" header (LINKTYPE_LINUX_SLL), in network byte order, made of what
 * recvfrom() told: the direction (sll_pkttype), the link type, its address, the protocol. */
#define LINKTYPE_LINUX_SLL 113

static _Noreturn void die_capture(const char *call, const char *path)
{
    char shown[WORD_REPR_SIZE];
    die("%s %s: %s %s", call, word_repr(path, shown), errno_name(errno), strerror(errno));
}

static FILE *open_capture_file(const char *path)
{
    uint32_t magic = 0xa1b2c3d4, rest[4] = {0, 0, MAX_PACKET, LINKTYPE_LINUX_SLL};
    uint16_t version[2] = {2, 4};       /* rest: time zone, accuracy, snap length, link */
    FILE *file = fopen(path, "wb");
    if (file == NULL)
        die_capture("open", path);
    if (fwrite(&magic, sizeof magic, 1, file) != 1 ||
        fwrite(version, sizeof version, 1, file) != 1 ||
        fwrite(rest, sizeof rest, 1, file) != 1 || fflush(file) == EOF)
        die_capture("write", path);
    return file;
}

/* Flushed at once, so Ctrl+C loses nothing. */
static void save_frame(FILE *file, const char *path, const struct sockaddr_ll *from,
                       const unsigned char *packet, size_t length)
{
    uint16_t cooked[8] = {htons(from->sll_pkttype), htons(from->sll_hatype),
                          htons(from->sll_halen)};
    memcpy(cooked + 3, from->sll_addr, from->sll_halen < 8 ? from->sll_halen : 8);
    cooked[7] = from->sll_protocol;             /* already in network order */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint32_t size = (uint32_t)(sizeof cooked + length);  /* bytes kept; bytes the frame had */
    uint32_t record[4] = {(uint32_t)now.tv_sec, (uint32_t)(now.tv_nsec / 1000), size, size};
    if (fwrite(record, sizeof record, 1, file) != 1 ||
        fwrite(cooked, sizeof cooked, 1, file) != 1 ||
        fwrite(packet, length, 1, file) != 1 || fflush(file) == EOF)
        die_capture("write", path);
}

static void watch(const char *interface, uint16_t port, long count, double seconds,
                  const char *capture_path)
{
    static unsigned char packet[MAX_PACKET];
    char shown[WORD_REPR_SIZE];
    unsigned index = if_nametoindex(interface);
    if (index == 0)
        die("no interface named %s (see: ip link)", word_repr(interface, shown));
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
    FILE *capture = capture_path ? open_capture_file(capture_path) : NULL;
    if (port)
        printf("Watching tcp port %u on %s\n", (unsigned)port, shown_word(interface, shown));
    else
        printf("Watching every tcp port on %s\n", shown_word(interface, shown));

    double deadline = monotonic_seconds() + seconds;
    for (long seen = 0; count == 0 || seen < count;) {
        double left = deadline - monotonic_seconds();       /* -t: at most a day */
        if (seconds > 0 && left <= 0)
            break;
        struct pollfd ready = {.fd = sock, .events = POLLIN};
        if (poll(&ready, 1, seconds > 0 ? (int)(left * 1000) + 1 : -1) < 0)
            die_errno("poll", NULL);
        if (!(ready.revents & POLLIN))
            continue;                   /* time is up: the loop's test ends it */
        struct sockaddr_ll from;
        socklen_t from_length = sizeof from;
        ssize_t length = recvfrom(sock, packet, sizeof packet, 0, (struct sockaddr *)&from,
                                  &from_length);
        if (length < 0)
            die_errno("recvfrom AF_PACKET", NULL);
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
        if (capture)                    /* saved first: a line shown is on the disk */
            save_frame(capture, capture_path, &from, packet, (size_t)length);
        print_segment(&segment);
        seen++;
    }
    if (capture && fclose(capture) == EOF)
        die_capture("write", capture_path);
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
    const char *capture_path = NULL;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hi:p:c:t:w:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'i': check_option_value(optarg, "-i"); interface = optarg; break;
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'c': count = (long)parse_int(optarg, "-c", 0, INT_MAX); break;
        case 't': seconds = parse_float(optarg, "-t", 0, MAX_SECONDS); break;
        case 'w': check_option_value(optarg, "-w"); capture_path = optarg; break;
        case 'L': ladder = true; break;
        default: option_error(option, argv, options);
        }
    }
    no_more_arguments(argc, argv);
    watch(interface, port, count, seconds, capture_path);
    return 0;
}
#endif
