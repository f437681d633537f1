/*
 * udp_remote.c - UDP across a network, with packets "lost" on purpose (lecture: "UDP",
 * unreliability and exponential backoff; udp_remote.py from Foundations of Python Network
 * Programming, 3rd ed., chapter 2).
 *
 * Try, on one host or two:
 *     ./udp_remote server ""              (listen on every interface)
 *     ./udp_remote client 127.0.0.1       (or the server's address)
 * Watch the client wait 0.1, 0.2, 0.4 ... seconds while the server pretends to drop its
 * datagrams, and give up when the next wait would pass 2 seconds. Stop the server and
 * run the client again: on a connected socket the kernel reports "port unreachable".
 */
#include "socket_helpers.h"

#include <signal.h>
#include <sys/time.h>

#define MAX_BYTES 65535

static const char usage[] = "[-h] [-p PORT] [-d PROBABILITY] {client,server} host";
static const char help[] =
    "Send and receive UDP, pretending packets are often dropped\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to take\n"
    "  host             interface the server listens at; host the client sends to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          UDP port (default 1060)\n"
    "  -d PROBABILITY   chance that the server drops a datagram (default 0.5)\n";

/* Would a reply to peer come back to this very socket? Then we must not answer: a datagram
 * forged with our own address and port as its source would have us talk to ourselves for
 * ever. Bound to one address, that is our address and port; bound to "" (0.0.0.0), any
 * address of this host with our port (only a local address can be bound: try it). */
static bool from_myself(const struct sockaddr_in *me, const struct sockaddr_in *peer)
{
    if (peer->sin_port != me->sin_port)
        return false;
    if (me->sin_addr.s_addr != htonl(INADDR_ANY))
        return peer->sin_addr.s_addr == me->sin_addr.s_addr;
    struct sockaddr_in probe_address = {.sin_family = AF_INET, .sin_addr = peer->sin_addr};
    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    bool local = probe >= 0 &&
                 bind(probe, (struct sockaddr *)&probe_address, sizeof probe_address) == 0;
    if (probe >= 0)
        close(probe);
    return local;
}

static void server(const char *interface, uint16_t port, double drop_probability)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *interface_address = resolve(interface, port, AF_INET, SOCK_DGRAM);
    signal(SIGPIPE, SIG_IGN);               /* if our log's reader goes away, serve on */

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, interface_address->ai_addr, interface_address->ai_addrlen) < 0)
        die_errno("bind", interface_address->ai_addr);
    freeaddrinfo(interface_address);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    check_log();

    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    for (;;) {
        struct sockaddr_in address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&address,
                             &address_length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom", NULL);
        }
        format_address((struct sockaddr *)&address, where);
        if (address.sin_port == 0 || from_myself(&me, &address)) {     /* never answer these */
            printf("Ignoring a datagram from %s: %s\n", where,
                   address.sin_port == 0 ? "port 0" : "the server's own address and port");
        } else if ((double)rand() / ((double)RAND_MAX + 1.0) < drop_probability) {
            printf("Pretending to drop packet from %s\n", where);
        } else {
            printf("The client at %s says %s\n", where, format_repr(data, (size_t)n, false, shown));
            char message[64];
            int message_length = snprintf(message, sizeof message,
                                          "Your data was %zd bytes long", n);
            if (sendto(sock, message, (size_t)message_length, 0, (struct sockaddr *)&address,
                       address_length) < 0)
                warn_errno("sendto", (struct sockaddr *)&address);
        }
        check_log();                        /* a log that fails is reported, once */
    }
}

static void client(const char *hostname, uint16_t port)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *server_address = resolve(hostname, port, AF_INET, SOCK_DGRAM);

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* connect() on a UDP socket sends nothing. It fixes the destination of send() and
     * makes the kernel drop datagrams from anyone but the server: no spoofed replies.
     * It also lets the kernel tell us, as ECONNREFUSED, when an ICMP "port unreachable"
     * comes back: an unconnected socket never hears about it. */
    if (connect(sock, server_address->ai_addr, server_address->ai_addrlen) < 0)
        die_errno("connect", server_address->ai_addr);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Client socket name is %s\n", format_address((struct sockaddr *)&me, where));

    double delay = 0.1;                     /* seconds */
    const char text[] = "This is another message";
    ssize_t n;
    for (;;) {
        if (send(sock, text, strlen(text), 0) < 0)
            die_errno("send", server_address->ai_addr);
        printf("Waiting up to %g seconds for a reply\n", delay);
        struct timeval timeout = timeval_of(delay);
        if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
            die_errno("setsockopt SO_RCVTIMEO", NULL);
        n = recv(sock, data, sizeof data, 0);
        if (n >= 0)
            break;                          /* we are done, and can stop looping */
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            delay *= 2;                     /* wait even longer for the next request */
            if (delay > 2.0)
                die("I think the server is down");
        } else if (errno != EINTR) {
            die_errno("recv", server_address->ai_addr);   /* ECONNREFUSED: nothing listens there */
        }
    }
    printf("The server says %s\n", format_repr(data, (size_t)n, false, shown));
    freeaddrinfo(server_address);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const char *const roles[] = {"client", "server", NULL};
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 1060;
    double drop_probability = 0.5;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:d:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'd': drop_probability = parse_float(optarg, "-d", 0, 1); break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);

    if (strcmp(role, "client") == 0)
        client(host, port);
    else
        server(host, port, drop_probability);
    return 0;
}
