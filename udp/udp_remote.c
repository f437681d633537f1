/*
 * udp_remote.c - UDP across a network, with packets "lost" on purpose (lecture: "UDP",
 * unreliability and exponential backoff; udp_remote.py from Foundations of Python Network
 * Programming, 3rd ed., chapter 2).
 *
 * Try, on one host or two:
 *     ./udp_remote server ""              (listen on every interface)
 *     ./udp_remote client 127.0.0.1       (or the server's address)
 * Watch the client wait 0.1, 0.2, 0.4 ... seconds while the server pretends to drop its
 * datagrams, and give up when the next wait would pass 2 seconds (-w changes that). Stop
 * the server and run the client again: on a connected socket the kernel reports "port
 * unreachable". More in README.md here.
 */
#include "socket_helpers.h"

#include <signal.h>

#define MAX_BYTES 65535

static const char usage[] =
    "[-h] [-p PORT] [-d PROBABILITY] [-w MAX_WAIT]\n"
    "                  {client,server} host";
static const char help[] =
    "Send and receive UDP, pretending packets are often dropped\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to take\n"
    "  host             interface the server listens at; host the client sends to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          UDP port (default 1060)\n"
    "  -d PROBABILITY   chance that the server drops a datagram (default 0.5)\n"
    "  -w MAX_WAIT      the client gives up when its next wait would pass MAX_WAIT\n"
    "                   seconds (default 2.0)\n";

/* Python's random.random(): a number from 0 up to, not including, 1. */
static double random_fraction(void)
{
    return (double)rand() / ((double)RAND_MAX + 1.0);
}

/* Python's socket.timeout: the wait that SO_RCVTIMEO set ran out (EAGAIN, or its other
 * name EWOULDBLOCK). On Linux a Ctrl+Z and fg also end the wait early (EINTR): the same
 * for us, no reply yet. */
static bool timed_out(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

static void server(const char *interface, uint16_t port, double drop_probability)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE];
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    struct addrinfo *interface_address = resolve(interface, port, AF_INET, SOCK_DGRAM);
    if (bind(sock, interface_address->ai_addr, interface_address->ai_addrlen) < 0)
        die_errno("bind", interface_address->ai_addr);
    freeaddrinfo(interface_address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    for (;;) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom_uninterrupted(sock, data, sizeof data, &address, &address_length);
        if (ignore_reflection((struct sockaddr *)&address, (struct sockaddr *)&me))
            continue;
        format_address((struct sockaddr *)&address, where);
        if (random_fraction() < drop_probability) {
            say("Pretending to drop packet from %s\n", where);
            continue;
        }
        say("The client at %s says %s\n", where, format_repr(data, (size_t)n, false, shown));
        int message_length = snprintf(data, sizeof data, "Your data was %zd bytes long", n);
        /* One client's trouble must not stop the server: report it and serve the next. */
        if (sendto(sock, data, (size_t)message_length, 0, (struct sockaddr *)&address,
                   address_length) < 0)
            warn_errno("sendto", (struct sockaddr *)&address);
    }
}

static void client(const char *hostname, uint16_t port, double max_wait)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE];
    int status = 0;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    struct addrinfo *server_address = resolve(hostname, port, AF_INET, SOCK_DGRAM);
    /* connect() on a UDP socket sends nothing. It gives the socket the server's address for
     * send(), and from then on the kernel hands it only datagrams whose source is that
     * address and port: anyone else's is answered "port unreachable", as if nobody listened
     * here. That is a filter, not a proof of who sent a datagram: one forged with the
     * server's address and port as its source gets in (README.md here shows it); only
     * cryptography tells a forged reply from a real one. connect() also lets the kernel
     * report the server's "port unreachable" to us, as ECONNREFUSED.
     * EXPERIMENT: comment this out: a datagram from any address and port is taken as the
     * server's reply, and with no server the client waits in vain instead of ECONNREFUSED. */
    status = connect(sock, server_address->ai_addr, server_address->ai_addrlen);
    if (status < 0)
        die_errno("connect", server_address->ai_addr);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Client socket name is %s\n", format_address((struct sockaddr *)&me, where));

    double delay = 0.1;                     /* seconds */
    static const char text[] = "This is another message";
    ssize_t n;
    for (;;) {
        ssize_t sent = send(sock, text, sizeof text - 1, 0);
        if (sent < 0 && (errno == EDESTADDRREQ || errno == ENOTCONN))   /* no connect() */
            sent = sendto(sock, text, sizeof text - 1, 0, server_address->ai_addr,
                          server_address->ai_addrlen);
        if (sent < 0)
            die_errno("send", server_address->ai_addr);
        printf("Waiting up to %g seconds for a reply\n", delay);
        struct timeval timeout = timeval_of(delay);       /* Python's settimeout(delay) */
        if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
            die_errno("setsockopt SO_RCVTIMEO", NULL);
        n = recv(sock, data, sizeof data, 0);
        if (n >= 0)
            break;                          /* we are done, and can stop looping */
        if (!timed_out(errno))
            die_errno("recv", server_address->ai_addr);   /* ECONNREFUSED: nothing listens there */
        delay *= 2;                         /* wait even longer for the next request */
        if (delay > max_wait)
            die("I think the server is down");
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
    double drop_probability = 0.5, max_wait = 2.0;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:d:w:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'd': drop_probability = parse_float(optarg, "-d", 0, 1); break;
        case 'w': max_wait = parse_float(optarg, "-w", 0, 86400); break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);

    if (strcmp(role, "client") == 0) {
        client(host, port, max_wait);
    } else {
        signal(SIGPIPE, SIG_IGN);           /* a server whose log's reader is gone serves on */
        server(host, port, drop_probability);
    }
    return 0;
}
