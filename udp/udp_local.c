/*
 * udp_local.c - UDP client and server on localhost (lecture: "UDP", udp_local.py,
 * Foundations of Python Network Programming, 3rd ed., chapter 2).
 *
 * Try, in two terminals:
 *     ./udp_local server            ./udp_local client
 * Then the lecture's spoofing experiment: stop the server with Ctrl+Z, run the client
 * (it waits), and from a third terminal send the client a datagram of your own:
 *     printf 'FAKE' > /dev/udp/127.0.0.1/PORT     (PORT from "The OS assigned me ...")
 * The client prints your datagram as if the server had replied.
 */
#include "socket_helpers.h"

#include <signal.h>
#include <sys/time.h>

#define MAX_BYTES 65535

static const char usage[] = "[-h] [-p PORT] {client,server}";
static const char help[] =
    "Send and receive UDP locally\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          UDP port (default 1060)\n";

static void server(uint16_t port)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE];
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(port)};
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);            /* 127.0.0.1 */
    signal(SIGPIPE, SIG_IGN);               /* if our log's reader goes away, serve on */

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, (struct sockaddr *)&me, sizeof me) < 0)
        die_errno("bind", (struct sockaddr *)&me);
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    check_log();

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
        /* Never answer a datagram "from" ourselves (a forged source: we would answer
         * ourselves for ever), nor from port 0 (no reply can go there). */
        bool myself = address.sin_port == me.sin_port &&
                      address.sin_addr.s_addr == me.sin_addr.s_addr;
        if (myself || address.sin_port == 0) {
            printf("Ignoring a datagram from %s: %s\n", where,
                   myself ? "the server's own address and port" : "port 0");
            check_log();
            continue;
        }
        printf("The client at %s says %s\n", where, format_repr(data, (size_t)n, false, shown));
        check_log();                        /* a log that fails is reported, once */
        char reply[64];
        int reply_length = snprintf(reply, sizeof reply, "Your data was %zd bytes long", n);
        /* One client's trouble must not stop the server: report it and serve the next. */
        if (sendto(sock, reply, (size_t)reply_length, 0, (struct sockaddr *)&address,
                   address_length) < 0)
            warn_errno("sendto", (struct sockaddr *)&address);
    }
}

/* Python's str(datetime.now()): "2026-11-24 10:00:00.123456" (no fraction when it is 0). */
static void format_now(char *buf, size_t size)
{
    struct timeval now;
    struct tm local;
    gettimeofday(&now, NULL);
    localtime_r(&now.tv_sec, &local);
    size_t n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &local);
    if (now.tv_usec != 0)
        snprintf(buf + n, size - n, ".%06ld", (long)now.tv_usec);
}

static void client(uint16_t port)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE], now[64], text[128];
    struct sockaddr_in server_address = {.sin_family = AF_INET, .sin_port = htons(port)};
    server_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    format_now(now, sizeof now);
    int text_length = snprintf(text, sizeof text, "The time is %s", now);
    /* The first sendto() on an unbound socket makes the OS pick a port for it. */
    if (sendto(sock, text, (size_t)text_length, 0, (struct sockaddr *)&server_address,
               sizeof server_address) < 0)
        die_errno("sendto", (struct sockaddr *)&server_address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("The OS assigned me the address %s\n", format_address((struct sockaddr *)&me, where));

    /* Danger! recvfrom() takes the first datagram that arrives at our port, from anyone:
     * nothing checks that it comes from the server. That is the lecture's spoofing lesson
     * (udp_remote's client fixes it with connect()). If the server is down, this waits
     * forever: udp_remote's client adds a timeout. */
    struct sockaddr_storage sender;
    socklen_t sender_length = sizeof sender;
    ssize_t n;
    do
        n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&sender, &sender_length);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        die_errno("recvfrom", NULL);
    printf("The server %s replied %s\n", format_address((struct sockaddr *)&sender, where),
           format_repr(data, (size_t)n, false, shown));
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
    no_more_arguments(argc, argv);

    if (strcmp(role, "client") == 0)
        client(port);
    else
        server(port);
    return 0;
}
