/*
 * udp_forge.c - test helper: send ONE UDP datagram whose source address and port are
 * whatever we say, by writing the IPv4 and UDP headers ourselves on a raw socket.
 *     udp_forge SOURCE SOURCE_PORT DESTINATION DESTINATION_PORT [TEXT]
 * e.g. udp_forge 127.0.0.1 1060 127.0.0.1 1060 hello: a datagram "from" a server to itself.
 * This is how the tests start a UDP server talking to itself, or two servers answering
 * each other (udp/README.md, the reflection loop). Root only (a raw socket); numeric IPv4 addresses
 * only, and both must be in 127.0.0.0/8: nothing forged may leave this machine, and no
 * reply to a forged source may either. Exit 0 once sent, 1 on an error, 2 on bad arguments.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

static const char usage[] = "SOURCE SOURCE_PORT DESTINATION DESTINATION_PORT [TEXT]";

/* The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
 * the 16-bit words, over two pieces (the UDP pseudo-header, then the datagram). */
static uint16_t checksum(const void *first, size_t first_length, const void *second,
                         size_t second_length)
{
    uint32_t sum = 0;
    const unsigned char *pieces[2] = {first, second};
    const size_t lengths[2] = {first_length, second_length};
    for (int piece = 0; piece < 2; piece++)
        for (size_t i = 0; i < lengths[piece]; i += 2)
            sum += (uint32_t)(pieces[piece][i] << 8) +
                   (i + 1 < lengths[piece] ? pieces[piece][i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

static struct in_addr loopback_address(const char *text, const char *name)
{
    struct in_addr address;
    if (inet_pton(AF_INET, text, &address) != 1 || (ntohl(address.s_addr) >> 24) != 127)
        usage_error("argument %s: '%s' is not an IPv4 address in 127.0.0.0/8", name, text);
    return address;
}

int main(int argc, char *argv[])
{
    static unsigned char packet[1500];
    program_init(argv[0], usage);
    if (argc < 5 || argc > 6)
        usage_error("expected SOURCE SOURCE_PORT DESTINATION DESTINATION_PORT [TEXT]");
    struct in_addr source = loopback_address(argv[1], "SOURCE");
    uint16_t source_port = (uint16_t)parse_int(argv[2], "SOURCE_PORT", 0, 65535);
    struct sockaddr_in destination = {.sin_family = AF_INET,
                                      .sin_addr = loopback_address(argv[3], "DESTINATION")};
    uint16_t destination_port = (uint16_t)parse_int(argv[4], "DESTINATION_PORT", 1, 65535);
    const char *text = argc == 6 ? argv[5] : "forged";
    size_t text_length = strlen(text);
    if (text_length > sizeof packet - sizeof(struct ip) - sizeof(struct udphdr))
        usage_error("TEXT is too long");

    struct ip *ip = (struct ip *)(void *)packet;
    struct udphdr *udp = (struct udphdr *)(void *)(packet + sizeof *ip);
    size_t udp_length = sizeof *udp + text_length;
    memcpy(packet + sizeof *ip + sizeof *udp, text, text_length);
    *udp = (struct udphdr){.uh_sport = htons(source_port), .uh_dport = htons(destination_port),
                           .uh_ulen = htons((uint16_t)udp_length)};
    /* The UDP checksum covers a pseudo-header: both addresses, the protocol, the length. */
    unsigned char pseudo[12] = {[9] = IPPROTO_UDP, [10] = (unsigned char)(udp_length >> 8),
                                [11] = (unsigned char)udp_length};
    memcpy(pseudo, &source, 4);
    memcpy(pseudo + 4, &destination.sin_addr, 4);
    udp->uh_sum = checksum(pseudo, sizeof pseudo, udp, udp_length);
    if (udp->uh_sum == 0)
        udp->uh_sum = 0xffff;               /* 0 means "no checksum": send its other form */
    *ip = (struct ip){.ip_v = 4, .ip_hl = 5, .ip_ttl = 64, .ip_p = IPPROTO_UDP,
                      .ip_len = htons((uint16_t)(sizeof *ip + udp_length)),
                      .ip_src = source, .ip_dst = destination.sin_addr};
    ip->ip_sum = checksum(ip, sizeof *ip, NULL, 0);

    /* IPPROTO_RAW: we write the IP header ourselves (IP_HDRINCL is implied). */
    int sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (sock < 0)
        die_errno("socket SOCK_RAW (root only)", NULL);
    if (sendto(sock, packet, sizeof *ip + udp_length, 0, (struct sockaddr *)&destination,
               sizeof destination) < 0)
        die_errno("sendto", (struct sockaddr *)&destination);
    close(sock);
    return 0;
}
