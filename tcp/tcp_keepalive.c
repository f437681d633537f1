/*
 * tcp_keepalive.c - how a dead peer is found (lecture: "Closed connections and half-open
 * connections": the half-open connection, and TCP keepalive).
 *
 * A connection on which nobody sends is silent: if the peer's machine dies or the cable is
 * pulled, no FIN and no RST ever come, and recv() waits forever. That is a half-open
 * connection. Keepalive makes the kernel probe an idle connection; unanswered probes end
 * it, and recv() fails with ETIMEDOUT.
 *
 * Try, in two terminals:
 *     ./tcp_keepalive server ""               ./tcp_keepalive client 127.0.0.1 -k
 * Both wait. Stop the server with Ctrl+C: its kernel closes the socket (FIN) and the client
 * says the server closed. Probes need a peer that is gone without a word, which loopback
 * cannot show (the kernel answers them even for a stopped process): across two machines,
 * pull the cable (or, in the network lab, take the link down). With -k the client gives up
 * after about 1 + 3 x 1 = 4 seconds with ETIMEDOUT; without -k it waits forever.
 */
#include "socket_helpers.h"

#include <netinet/tcp.h>

static const char usage[] =
    "[-h] [-p PORT] [-k] [-i IDLE] [-n COUNT] {client,server} host";
static const char help[] =
    "Wait on an idle TCP connection, optionally with keepalive probes\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client connects to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n"
    "  -k               turn keepalive on (first probe after 1 s idle, then every 1 s,\n"
    "                   give up after 3 probes)\n"
    "  -i IDLE          seconds idle before the first probe and between probes (default 1;\n"
    "                   implies -k)\n"
    "  -n COUNT         unanswered probes before giving up (default 3; implies -k)\n";

/* How keepalive is set up: on or off, and its three timers. */
struct keepalive {
    bool on;
    int idle, count;
};

/* Turn keepalive on for one connection and print what the kernel took (read back with
 * getsockopt, so the line shows the truth, not our wish). SO_KEEPALIVE is POSIX; the three
 * knobs are Linux's names (the system-wide defaults are 7200 s idle, every 75 s, 9 probes:
 * over two hours to notice, see /proc/sys/net/ipv4/tcp_keepalive_*).
 *
 * Another Linux knob, TCP_USER_TIMEOUT (milliseconds), bounds how long data we SENT may stay
 * unacknowledged before the kernel gives up with ETIMEDOUT. Keepalive guards an idle
 * connection; the user timeout guards one that is sending into the void, which otherwise
 * retransmits for about 15 minutes (tcp_retries2). When both are set, the user timeout also
 * replaces TCP_KEEPCNT as the time limit for unanswered probes. */
static void turn_keepalive_on(int sock, const struct keepalive *settings)
{
    int on = 1, idle = 0, interval = 0, count = 0;
    socklen_t length = sizeof idle;
    if (setsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0)
        die_errno("setsockopt SO_KEEPALIVE", NULL);
    if (setsockopt(sock, IPPROTO_TCP, TCP_KEEPIDLE, &settings->idle, sizeof settings->idle) < 0)
        die_errno("setsockopt TCP_KEEPIDLE", NULL);
    if (setsockopt(sock, IPPROTO_TCP, TCP_KEEPINTVL, &settings->idle, sizeof settings->idle) < 0)
        die_errno("setsockopt TCP_KEEPINTVL", NULL);
    if (setsockopt(sock, IPPROTO_TCP, TCP_KEEPCNT, &settings->count, sizeof settings->count) < 0)
        die_errno("setsockopt TCP_KEEPCNT", NULL);
    if (getsockopt(sock, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &length) < 0 ||
        getsockopt(sock, IPPROTO_TCP, TCP_KEEPINTVL, &interval, &length) < 0 ||
        getsockopt(sock, IPPROTO_TCP, TCP_KEEPCNT, &count, &length) < 0)
        die_errno("getsockopt", NULL);
    printf("Keepalive on: first probe after %d s idle, then every %d s, give up after %d probes\n",
           idle, interval, count);
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
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (int)n;
        printf("Received %s\n", format_repr(data, (size_t)n, true, shown));
    }
}

static void server(const char *interface, uint16_t port, const struct keepalive *settings)
{
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *address = resolve(interface, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0), on = 1;
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
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    for (;;) {                          /* one connection at a time */
        struct sockaddr_in peer;
        length = sizeof peer;
        int sc = accept(sock, (struct sockaddr *)&peer, &length);
        if (sc < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            die_errno("accept", (struct sockaddr *)&me);
        }
        printf("Accepted a connection from %s\n", format_address((struct sockaddr *)&peer, where));
        if (settings->on)
            turn_keepalive_on(sc, settings);
        if (wait_in_recv(sc) == 0)
            printf("The client closed the connection: recv() returned 0\n");
        else
            warn_errno("recv", (struct sockaddr *)&peer);   /* and serve the next client */
        close(sc);
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

/* A whole number in [low, high] for option NAME, or a usage error. */
static int parse_int(const char *name, const char *text, int low, int high)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < low || value > high)
        usage_error(usage, "argument %s: invalid value: '%s' (must be %d..%d)", name, text, low,
                    high);
    return (int)value;
}

int main(int argc, char *argv[])
{
    const char *role = NULL, *host = NULL, *port = "1060", *idle = NULL, *count = NULL;
    const char *keepalive = NULL;
    struct keepalive settings = {.on = false, .idle = 1, .count = 3};
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"role", &role, false}, {"host", &host, false}, {"-p", &port, false},
        {"-k", &keepalive, ARGUMENT_FLAG}, {"-i", &idle, false}, {"-n", &count, false},
        {NULL, NULL, false}});
    settings.on = keepalive != NULL;
    /* Linux takes 1..32767 seconds and 1..127 probes. */
    if (idle) {
        settings.idle = parse_int("-i", idle, 1, 32767);
        settings.on = true;
    }
    if (count) {
        settings.count = parse_int("-n", count, 1, 127);
        settings.on = true;
    }

    if (strcmp(role, "client") == 0)
        client(host, parse_port(port, usage), &settings);
    else if (strcmp(role, "server") == 0)
        server(host, parse_port(port, usage), &settings);
    else
        usage_error(usage, "argument role: invalid choice: '%s' (choose from 'client', 'server')",
                    role);
    return 0;
}
