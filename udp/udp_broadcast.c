/*
 * udp_broadcast.c - one datagram to every host on a network (lecture: "UDP", broadcast;
 * udp_broadcast.py from Foundations of Python Network Programming, 3rd ed., chapter 2).
 * Broadcast is an IPv4 idea (IPv6 has only multicast), so the socket is AF_INET.
 *
 * Try, in two terminals on one host (loopback's broadcast address never leaves it):
 *     ./udp_broadcast server ""
 *     ./udp_broadcast client 127.255.255.255
 * One host runs one server (a second cannot bind the port); on a real network the client
 * sends to the subnet's broadcast address, e.g. 192.168.1.255, and every server on that
 * subnet bound to "" receives the datagram (the lab in README shows two hosts hear it).
 */
#include "socket_helpers.h"

#include <signal.h>

#define BUFSIZE 65535

static const char usage[] = "[-h] [-p port] {client,server} host";
static const char help[] =
    "Send, receive UDP broadcast\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to take\n"
    "  host             interface the server listens at; network the client sends to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p port          UDP port (default 1060)\n";

static void server(const char *interface, uint16_t port)
{
    static char data[BUFSIZE], shown[REPR_SIZE(BUFSIZE)];
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *interface_address = resolve(interface, port, AF_INET, SOCK_DGRAM);
    signal(SIGPIPE, SIG_IGN);               /* if our log's reader goes away, serve on */

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Only a socket bound to "" (0.0.0.0) or to the broadcast address itself receives
     * broadcasts: one bound to the host's own address (e.g. 127.0.0.1) does not. */
    if (bind(sock, interface_address->ai_addr, interface_address->ai_addrlen) < 0)
        die_errno("bind", interface_address->ai_addr);
    freeaddrinfo(interface_address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening for datagrams at %s\n", format_address((struct sockaddr *)&me, where));
    check_log();
    for (;;) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&address,
                             &address_length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom", NULL);
        }
        printf("The client at %s says: %s\n", format_address((struct sockaddr *)&address, where),
               format_repr(data, (size_t)n, false, shown));
        check_log();                        /* a log that fails is reported, once */
    }
}

static void client(const char *network, uint16_t port)
{
    struct addrinfo *destination = resolve(network, port, AF_INET, SOCK_DGRAM);
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    int status = 0;
    /* A program must ask before it may send to a broadcast address, so that one typo
     * cannot flood a whole network.
     * EXPERIMENT: comment out the next line: sendto() fails with EACCES. */
    status = setsockopt(sock, SOL_SOCKET, SO_BROADCAST, &(int){1}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt SO_BROADCAST", NULL);
    const char text[] = "Broadcast datagram!";
    if (sendto(sock, text, strlen(text), 0, destination->ai_addr, destination->ai_addrlen) < 0)
        die_errno("sendto", destination->ai_addr);
    freeaddrinfo(destination);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const char *const roles[] = {"client", "server", NULL};
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 1060;
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
    const char *role = next_positional(argc, argv, "role", roles);
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);

    if (strcmp(role, "client") == 0)
        client(host, port);
    else
        server(host, port);
    return 0;
}
