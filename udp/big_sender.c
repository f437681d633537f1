/*
 * big_sender.c - discover the path MTU with a datagram too big to send (lecture: "UDP",
 * MTU discovery; big_sender.py from Foundations of Python Network Programming, 3rd ed.,
 * chapter 2). Linux only: IP_MTU_DISCOVER and IP_MTU are Linux socket options, and this
 * lesson is IPv4's "Don't Fragment" bit, so the socket is AF_INET.
 *
 * Try:
 *     ./big_sender 127.0.0.1        (loopback's MTU is 65536: even the biggest datagram fits;
 *                                   IP_MTU reports 65535, the most an IP packet can hold)
 *     ./big_sender 198.18.0.2       (across the lab's 1400-byte link: see README "lab")
 * Nothing needs to listen at the other end: the kernel refuses the datagram before it
 * leaves if it is bigger than the MTU it knows for the path.
 */
#include "socket_helpers.h"

#define DATAGRAM_SIZE 65000

static const char usage[] = "[-h] [-p PORT] host";
static const char help[] =
    "Send UDP packet to get MTU\n\n"
    "positional arguments:\n"
    "  host        the host to which to target the packet\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 1060)\n";

#if defined(IP_MTU_DISCOVER) && defined(IP_MTU)
static void send_big_datagram(const char *host, uint16_t port)
{
    static char data[DATAGRAM_SIZE];
    struct addrinfo *server = resolve(host, port, AF_INET, SOCK_DGRAM);

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* IP_PMTUDISC_DO sets "Don't Fragment" on every datagram: instead of cutting a big one
     * into fragments, the kernel refuses to send it (EMSGSIZE) and remembers the MTU. */
    int discover = IP_PMTUDISC_DO;
    if (setsockopt(sock, IPPROTO_IP, IP_MTU_DISCOVER, &discover, sizeof discover) < 0)
        die_errno("setsockopt IP_MTU_DISCOVER", NULL);
    /* IP_MTU can only be read on a connected socket: the MTU belongs to a path. */
    if (connect(sock, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("connect", server->ai_addr);
    memset(data, '#', sizeof data);
    if (send(sock, data, sizeof data, 0) < 0) {
        if (errno != EMSGSIZE)
            die_errno("send", server->ai_addr);
        printf("Alas, the datagram did not make it\n");
    } else {
        printf("The big datagram was sent!\n");
    }
    /* The original prints the MTU only when the send fails; we print it both times, so
     * that loopback (whose MTU is bigger than any IP datagram) shows it too. */
    int max_mtu;
    socklen_t length = sizeof max_mtu;
    if (getsockopt(sock, IPPROTO_IP, IP_MTU, &max_mtu, &length) < 0)
        die_errno("getsockopt IP_MTU", server->ai_addr);
    printf("Actual MTU: %d\n", max_mtu);
    freeaddrinfo(server);
    close(sock);
}
#else
static void send_big_datagram(const char *host, uint16_t port)
{
    (void)host, (void)port;
    die("cannot perform MTU discovery on this operating system (no IP_MTU_DISCOVER/IP_MTU)");
}
#endif

int main(int argc, char *argv[])
{
    const char *host = NULL, *port = "1060";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"host", &host, false}, {"-p", &port, false}, {NULL, NULL, false}});
    send_big_datagram(host, parse_port(port, usage));
    return 0;
}
