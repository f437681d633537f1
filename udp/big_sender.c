/*
 * big_sender.c - discover the path MTU with a datagram too big to send (lecture: "UDP",
 * MTU discovery; big_sender.py from Foundations of Python Network Programming, 3rd ed.,
 * chapter 2). Linux only: IP_MTU_DISCOVER and IP_MTU are Linux socket options, and this
 * lesson is IPv4's "Don't Fragment" bit, so the socket is AF_INET.
 *
 * Try:
 *     ./big_sender 127.0.0.1        (the lecture's 999,999 bytes never fit: "Alas", then
 *                                   loopback's MTU, 65535, the most an IP packet can hold)
 *     ./big_sender -s 65507 127.0.0.1    (the largest UDP payload: it leaves)
 *     ./big_sender -s 1373 198.18.0.2    (across the lab's 1400-byte link: 1372 fits)
 * Nothing needs to listen at the other end: the kernel refuses the datagram before it
 * leaves if it is bigger than the MTU it knows for the path. Watch the refusal (EMSGSIZE):
 *     strace -e trace=network ./big_sender 127.0.0.1
 * More in README.md here.
 */
#include "socket_helpers.h"

/* The lecture's datagram, b'#' * 999999: far over the 65,507 bytes of payload that fit in
 * one IPv4 datagram (65,535 - 20 bytes of IP header - 8 of UDP header), so send() always
 * refuses it, whatever the path. -s picks a size that may fit. */
#define LECTURE_SIZE 999999

static const char usage[] = "[-h] [-p PORT] [-s SIZE] host";
static const char help[] =
    "Send UDP packet to get MTU\n\n"
    "positional arguments:\n"
    "  host        the host to which to target the packet\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 1060)\n"
    "  -s SIZE     bytes of UDP payload to send (default 999999, the lecture's)\n";

#if defined(IP_MTU_DISCOVER) && defined(IP_MTU)
static void send_big_datagram(const char *host, uint16_t port, size_t size)
{
    static char data[LECTURE_SIZE];
    int status = 0;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* IP_PMTUDISC_DO sets "Don't Fragment" on every datagram: instead of cutting a big one
     * into fragments, the kernel refuses to send it (EMSGSIZE) and remembers the MTU.
     * (&(int){IP_PMTUDISC_DO}: the address of an int holding that value, as setsockopt()
     * takes every option's value by address.)
     * EXPERIMENT: comment this out: a datagram bigger than the path's MTU but within UDP's
     * 65,507 bytes leaves in fragments ("The big datagram was sent!") instead of "Alas". */
    status = setsockopt(sock, IPPROTO_IP, IP_MTU_DISCOVER, &(int){IP_PMTUDISC_DO}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt IP_MTU_DISCOVER", NULL);
    /* IP_MTU can only be read on a connected socket: the MTU belongs to a path. */
    struct addrinfo *server = resolve(host, port, AF_INET, SOCK_DGRAM);
    if (connect(sock, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("connect", server->ai_addr);
    memset(data, '#', size);
    /* Python catches any socket.error; the one expected here is EMSGSIZE "Message too long"
     * (strace shows it): more than the path's MTU with "Don't Fragment", or than UDP holds. */
    if (send(sock, data, size, 0) < 0) {
        if (errno != EMSGSIZE)
            die_errno("send", server->ai_addr);
        printf("Alas, the datagram did not make it\n");
    } else {
        printf("The big datagram was sent!\n");
    }
    /* The MTU the kernel knows for this path (a datagram too big for UDP tells it nothing
     * new). The original prints it only when the send fails; we print it both times. */
    int max_mtu;
    socklen_t length = sizeof max_mtu;
    if (getsockopt(sock, IPPROTO_IP, IP_MTU, &max_mtu, &length) < 0)
        die_errno("getsockopt IP_MTU", server->ai_addr);
    printf("Actual MTU: %d\n", max_mtu);
    freeaddrinfo(server);
    close(sock);
}
#else
static void send_big_datagram(const char *host, uint16_t port, size_t size)
{
    (void)host;
    (void)port;
    (void)size;
    die("cannot perform MTU discovery on this operating system (no IP_MTU_DISCOVER/IP_MTU)");
}
#endif

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 1060;
    size_t size = LECTURE_SIZE;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:s:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 's': size = (size_t)parse_int(optarg, "-s", 0, LECTURE_SIZE); break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);
    send_big_datagram(host, port, size);
    return 0;
}
