/*
 * udp_local.c - UDP client and server on localhost (lecture: "UDP", udp_local.py,
 * Foundations of Python Network Programming, 3rd ed., chapter 2).
 *
 * Try, in two terminals:
 *     ./udp_local server            ./udp_local client
 * Watch the system calls: strace -f -e trace=network ./udp_local client
 * Then the lecture's spoofing experiment: stop the server with Ctrl+Z, run the client
 * (it waits), and from a third terminal send the client a datagram of your own:
 *     printf 'FAKE' > /dev/udp/127.0.0.1/PORT     (PORT from "The OS assigned me ...")
 * The client prints your datagram as if the server had replied. More in README.md here.
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

/* Python's str(datetime.now()), e.g. "2026-12-06 04:10:31.546912". */
static const char *datetime_now(char buf[DATETIME_TEXT_SIZE])
{
    struct timeval now;
    gettimeofday(&now, NULL);
    return format_datetime((double)now.tv_sec + (double)now.tv_usec / 1e6, LOCAL_DATETIME, buf);
}

static void server(uint16_t port)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE];
    int status = 0;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Python's ('127.0.0.1', port): an IPv4 address and a port, both in network byte order. */
    struct sockaddr_in localhost = {.sin_family = AF_INET, .sin_port = htons(port)};
    localhost.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* EXPERIMENT: comment this out: the socket never gets a port ("Listening at ('0.0.0.0',
     * 0)"), so the client's datagram to PORT finds nobody there and the client waits for ever. */
    status = bind(sock, (struct sockaddr *)&localhost, sizeof localhost);
    if (status < 0)
        die_errno("bind", (struct sockaddr *)&localhost);
    struct sockaddr_storage me;             /* room for an address of any family */
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    for (;;) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom_uninterrupted(sock, data, sizeof data, &address, &address_length);
        if (ignore_reflection((struct sockaddr *)&address, (struct sockaddr *)&me))
            continue;
        say("The client at %s says %s\n", format_address((struct sockaddr *)&address, where),
            format_repr(data, (size_t)n, false, shown));
        int reply_length = snprintf(data, sizeof data, "Your data was %zd bytes long", n);
        /* One client's trouble must not stop the server: report it and serve the next. */
        if (sendto(sock, data, (size_t)reply_length, 0, (struct sockaddr *)&address,
                   address_length) < 0)
            warn_errno("sendto", (struct sockaddr *)&address);
    }
}

static void client(uint16_t port)
{
    static char data[MAX_BYTES], shown[REPR_SIZE(MAX_BYTES)];
    char where[ADDRESS_TEXT_SIZE], now[DATETIME_TEXT_SIZE];
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    int text_length = snprintf(data, sizeof data, "The time is %s", datetime_now(now));
    struct sockaddr_in server_address = {.sin_family = AF_INET, .sin_port = htons(port)};
    server_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* The first sendto() from a socket that has no port makes the OS pick one for it. */
    if (sendto(sock, data, (size_t)text_length, 0, (struct sockaddr *)&server_address,
               sizeof server_address) < 0)
        die_errno("sendto", (struct sockaddr *)&server_address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("The OS assigned me the address %s\n", format_address((struct sockaddr *)&me, where));

    /* Danger! recvfrom() takes the first datagram that arrives at our port, from anyone:
     * nothing checks that it comes from the server. That is the lecture's spoofing lesson
     * (udp_remote's client uses connect()). If the server is down, this waits for ever:
     * udp_remote's client adds a timeout. */
    struct sockaddr_storage sender;
    socklen_t sender_length = sizeof sender;
    ssize_t n = recvfrom_uninterrupted(sock, data, sizeof data, &sender, &sender_length);
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

    if (strcmp(role, "client") == 0) {
        client(port);
    } else {
        signal(SIGPIPE, SIG_IGN);           /* a server whose log's reader is gone serves on */
        server(port);
    }
    return 0;
}
