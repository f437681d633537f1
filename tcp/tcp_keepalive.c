/*
 * tcp_keepalive.c - how a dead peer is found (lecture: "Closed connections and half-open
 * connections": the half-open connection, and TCP keepalive).
 *
 * A connection on which nobody sends is silent: if the peer's machine dies or the cable is
 * pulled, no FIN and no RST ever come, and recv() waits forever. That is a half-open
 * connection. Keepalive makes the kernel probe an idle connection; unanswered probes end
 * it, and recv() fails with ETIMEDOUT.
 *
 * Try, in three terminals:
 *     ./tcp_keepalive server ""
 *     ./tcp_keepalive client 127.0.0.1 -k
 *     ./tcp_keepalive client 127.0.0.1
 * All wait (the server watches both connections at once with poll()). Stop the server with
 * Ctrl+C: its kernel closes both sockets (FIN) and each client says the server closed.
 * Probes need a peer that is gone without a word (the kernel answers them even for a
 * stopped process): pull the cable between two machines, cut the network lab's link
 * (sudo ../tests/lab.sh cut parrot), or take lo down in a namespace (tcp/README.md). With
 * -k the client gives up 3 to 4 seconds later (1 s idle, then 3 probes 1 s apart) with
 * ETIMEDOUT; without -k it waits forever. The experiment: comment out the marked
 * SO_KEEPALIVE line in turn_keepalive_on(): -k then sets the timers, but never a probe goes.
 */
#include "socket_helpers.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>

static const char usage[] =
    "[-h] [-p PORT] [-k] [-i IDLE] [-n COUNT]\n"
    "                     {client,server} host";
static const char help[] =
    "Wait on an idle TCP connection, optionally with keepalive probes\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client connects\n"
    "                   to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n"
    "  -k               turn keepalive on (first probe after 1 s idle, then every 1\n"
    "                   s, give up after 3 probes)\n"
    "  -i IDLE          seconds idle before the first probe and between probes\n"
    "                   (default 1; implies -k)\n"
    "  -n COUNT         unanswered probes before giving up (default 3; implies -k)\n";

/* How keepalive is set up: on or off, and its three timers. */
struct keepalive {
    bool on;
    int idle, count;
};

/* Turn keepalive on for one connection and print what the kernel took (read back with
 * getsockopt, so the line shows the truth, not our wish). SO_KEEPALIVE is POSIX; the three
 * timers are Linux's names (the system-wide defaults are 7200 s idle, every 75 s, 9 probes:
 * over two hours to notice, see /proc/sys/net/ipv4/tcp_keepalive_*). */
static void turn_keepalive_on(int sock, const struct keepalive *settings)
{
    int on = 1, idle = 0, interval = 0, count = 0, status = 0;
    socklen_t length = sizeof on;       /* each value read back below is an int */
    if (setsockopt(sock, IPPROTO_TCP, TCP_KEEPIDLE, &settings->idle, sizeof settings->idle) < 0)
        die_errno("setsockopt TCP_KEEPIDLE", NULL);
    if (setsockopt(sock, IPPROTO_TCP, TCP_KEEPINTVL, &settings->idle, sizeof settings->idle) < 0)
        die_errno("setsockopt TCP_KEEPINTVL", NULL);
    if (setsockopt(sock, IPPROTO_TCP, TCP_KEEPCNT, &settings->count, sizeof settings->count) < 0)
        die_errno("setsockopt TCP_KEEPCNT", NULL);
    /* EXPERIMENT: comment this out: the timers above are set but never armed, no probe is
     * ever sent, and a client whose server vanished without a word waits in recv() forever. */
    status = setsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    if (status < 0)
        die_errno("setsockopt SO_KEEPALIVE", NULL);
    if (getsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, &length) < 0 ||
        getsockopt(sock, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &length) < 0 ||
        getsockopt(sock, IPPROTO_TCP, TCP_KEEPINTVL, &interval, &length) < 0 ||
        getsockopt(sock, IPPROTO_TCP, TCP_KEEPCNT, &count, &length) < 0)
        die_errno("getsockopt", NULL);
    if (on)
        say("Keepalive on: first probe after %d s idle, then every %d s, give up after %d probe%s\n",
            idle, interval, count, count == 1 ? "" : "s");
    else
        say("Keepalive off (SO_KEEPALIVE is 0): no probe is ever sent\n");
}

/* Wait for data that never comes. Returns 0 when the peer closed (recv() returned 0), or
 * -1 with errno set when the connection failed: ECONNRESET (the peer's kernel reset it) or
 * ETIMEDOUT (keepalive probes went unanswered). Data that does come is shown. */
static int wait_in_recv(int sock)
{
    char data[1024], shown[REPR_SIZE(1024)];
    printf("Waiting in recv() for data that never comes\n");
    for (;;) {
        ssize_t n = recv(sock, data, sizeof data, 0);
        if (n <= 0)
            return (int)n;
        printf("Received %s\n", format_repr(data, (size_t)n, true, shown));
    }
}

#define MAX_CLIENTS 64

/* accept() failed: was it only for now? A client that gave up while it waited in the
 * backlog (ECONNABORTED) is its own business: false. Out of descriptors (EMFILE: this
 * process's limit, ENFILE: the system's), the connections we hold are fine, and the server
 * takes no new one until one of them closes (the others wait in the backlog): true, said
 * once. Any other error ends the server. */
static bool out_of_descriptors(const struct sockaddr *me, nfds_t connections)
{
    static bool said;
    if (errno == ECONNABORTED)
        return false;
    if (errno != EMFILE && errno != ENFILE)
        die_errno("accept", me);
    if (!said) {
        char where[ADDRESS_TEXT_SIZE];
        fprintf(stderr, "%s: accept %s: %s %s (new clients wait until one of the %u connections "
                "closes)\n", program_name, format_address(me, where), errno_name(errno),
                strerror(errno), (unsigned)connections);
        said = true;
    }
    return true;
}

/* The server holds many idle connections at once, so one silent client cannot keep the
 * others out: poll() waits on the listening socket and on every connection together, and
 * says which one has something (a new client, data, end of file, or an error). */
static void server(const char *interface, uint16_t port, const struct keepalive *settings)
{
    char where[ADDRESS_TEXT_SIZE], data[1024], shown[REPR_SIZE(1024)];
    int on = 1;
    struct addrinfo *address = resolve(interface, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    if (listen(sock, 8) < 0)
        die_errno("listen", NULL);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    struct pollfd fds[1 + MAX_CLIENTS] = {{.fd = sock}};     /* [0]: the listening socket */
    struct sockaddr_in peers[1 + MAX_CLIENTS];
    nfds_t count = 1, room = 1 + MAX_CLIENTS;   /* room: less when out of descriptors */
    for (;;) {
        fds[0].events = count < room ? POLLIN : 0;             /* when full, let them wait */
        if (poll(fds, count, -1) < 0)
            die_errno("poll", NULL);
        for (nfds_t i = count - 1; i >= 1; i--) {              /* the connections */
            if (fds[i].revents == 0)
                continue;
            format_address((struct sockaddr *)&peers[i], where);
            ssize_t n = recv(fds[i].fd, data, sizeof data, 0);
            if (n > 0) {
                say("Received %s from %s\n", format_repr(data, (size_t)n, true, shown), where);
                continue;
            }
            if (n == 0)
                say("The client at %s closed the connection: recv() returned 0\n", where);
            else
                warn_errno("recv", (struct sockaddr *)&peers[i]);  /* ECONNRESET, ETIMEDOUT */
            close(fds[i].fd);
            count--;                    /* the last entry takes this one's place */
            fds[i] = fds[count];
            peers[i] = peers[count];
            room = 1 + MAX_CLIENTS;     /* a descriptor is free again */
        }
        if (fds[0].revents & POLLIN) {                         /* a new client */
            length = sizeof peers[count];
            int sc = accept(sock, (struct sockaddr *)&peers[count], &length);
            if (sc < 0 && out_of_descriptors((struct sockaddr *)&me, count - 1))
                room = count;           /* take no new client until a connection closes */
            if (sc < 0)
                continue;
            say("Accepted a connection from %s\n",
                format_address((struct sockaddr *)&peers[count], where));
            if (settings->on)
                turn_keepalive_on(sc, settings);
            fds[count++] = (struct pollfd){.fd = sc, .events = POLLIN};
            say("Waiting in poll() for data that never comes, on %u connection%s\n",
                (unsigned)(count - 1), count == 2 ? "" : "s");
        }
    }
}

static void client(const char *host, uint16_t port, const struct keepalive *settings)
{
    char from[ADDRESS_TEXT_SIZE], to[ADDRESS_TEXT_SIZE];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Connected from %s to %s\n", format_address((struct sockaddr *)&me, from),
           format_address(address->ai_addr, to));
    if (settings->on)
        turn_keepalive_on(sock, settings);
    if (wait_in_recv(sock) < 0)
        die_errno("recv", address->ai_addr);        /* ETIMEDOUT: the server is gone */
    printf("The server closed the connection: recv() returned 0\n");
    freeaddrinfo(address);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const char *const roles[] = {"client", "server", NULL};
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct keepalive settings = {.on = false, .idle = 1, .count = 3};
    uint16_t port = 1060;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:ki:n:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'k': settings.on = true; break;
        /* Linux takes 1..32767 seconds and 1..127 probes. */
        case 'i': settings.idle = (int)parse_int(optarg, "-i", 1, 32767); settings.on = true; break;
        case 'n': settings.count = (int)parse_int(optarg, "-n", 1, 127); settings.on = true; break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);
    signal(SIGPIPE, SIG_IGN);               /* a server goes on when a client has gone */

    if (strcmp(role, "client") == 0)
        client(host, port, &settings);
    else
        server(host, port, &settings);
    return 0;
}
