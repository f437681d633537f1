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
 * subnet bound to "" receives the datagram (lab/README.md shows two hosts hear it).
 * Watch it: sudo tcpdump -i lo -n udp port 1060 (the destination is 127.255.255.255).
 * More in README.md here.
 */
#include "socket_helpers.h"

#include <signal.h>

#define BUFSIZE 65535

static const char usage[] = "[-h] [-p port] {client,server} host";
static const char help[] =
    "Send, receive UDP broadcast\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to take\n"
    "  host             interface the server listens at; network the client sends\n"
    "                   to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p port          UDP port (default 1060)\n";

static void server(const char *interface, uint16_t port)
{
    static char data[BUFSIZE], shown[REPR_SIZE(BUFSIZE)];
    char where[ADDRESS_TEXT_SIZE];
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Only a socket bound to "" (0.0.0.0) or to the broadcast address itself receives
     * broadcasts: one bound to the host's own address (e.g. 127.0.0.1) does not. */
    struct addrinfo *interface_address = resolve(interface, port, AF_INET, SOCK_DGRAM);
    if (bind(sock, interface_address->ai_addr, interface_address->ai_addrlen) < 0)
        die_errno("bind", interface_address->ai_addr);
    freeaddrinfo(interface_address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening for datagrams at %s\n", format_address((struct sockaddr *)&me, where));
    for (;;) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom_uninterrupted(sock, data, sizeof data, &address, &address_length);
        say("The client at %s says: %s\n", format_address((struct sockaddr *)&address, where),
            format_repr(data, (size_t)n, false, shown));
    }
}

static void client(const char *network, uint16_t port)
{
    int status = 0;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* A program must ask before it may send to a broadcast address, so that one typo
     * cannot flood a whole network. (&(int){1}: the address of an int holding 1, as
     * setsockopt() takes every option's value by address.)
     * EXPERIMENT: comment this out: sendto() fails with EACCES Permission denied. */
    status = setsockopt(sock, SOL_SOCKET, SO_BROADCAST, &(int){1}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt SO_BROADCAST", NULL);
    static const char text[] = "Broadcast datagram!";
    struct addrinfo *destination = resolve(network, port, AF_INET, SOCK_DGRAM);
    if (sendto(sock, text, sizeof text - 1, 0, destination->ai_addr, destination->ai_addrlen) < 0)
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

    if (strcmp(role, "client") == 0) {
        client(host, port);
    } else {
        signal(SIGPIPE, SIG_IGN);           /* a server whose log's reader is gone serves on */
        server(host, port);
    }
    return 0;
}
