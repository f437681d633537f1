/*
 * reuseaddr.c - SO_REUSEADDR, and a restarted server binding its port again at once
 * (lecture: reuseaddr.py; Cookbook ch. 1, 1_10_reuse_socket_address.py, one socket here).
 * Try: ./reuseaddr   and in a second terminal: telnet localhost 8282; then Ctrl+C and
 *      ./reuseaddr again at once. Experiment: comment out the marked setsockopt(), make,
 *      repeat: the restart fails with bind EADDRINUSE (the server closed first: TIME-WAIT).
 */
#include "socket_helpers.h"
#include <arpa/inet.h>
#include <signal.h>

static const char usage[] = "[-h] [-p PORT]";
static const char help[] =
    "Set SO_REUSEADDR and accept connections until Ctrl+C\n\noptions:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     TCP port (default 8282; 0 lets the OS choose)\n";

/* accept() failed: say so and go on, as the recipe does. Out of descriptors (EMFILE), say
 * it once, not once a try: the connection kept from last time goes now (it would go at this
 * accept() anyway), and the next accept() takes its number; with none to give up, wait
 * 0.1 s rather than fail again at once, at full speed. */
static void survive_accept_error(int *connection)
{
    static bool said_out_of_descriptors;
    static const struct timespec pause = {.tv_nsec = 100000000};
    if (errno != EMFILE && errno != ENFILE) {
        warn_errno("accept", NULL);
        return;
    }
    if (!said_out_of_descriptors)
        warn_errno("accept", NULL);
    said_out_of_descriptors = true;
    if (*connection >= 0) {
        close(*connection);
        *connection = -1;
    } else {
        nanosleep(&pause, NULL);
    }
}

static void reuse_socket_addr(uint16_t port)
{
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_ANY)};   /* '' in Python */
    int status = 0, old_state, new_state, connection = -1;
    socklen_t length = sizeof old_state;
    char host[INET_ADDRSTRLEN];
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (getsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &old_state, &length) < 0)
        die_errno("getsockopt SO_REUSEADDR", NULL);
    say("Old sock state: %d\n", old_state);
    /* EXPERIMENT: comment this out: "New sock state: 0", and a restart right after a
     * connection fails with bind EADDRINUSE while the old connection is in TIME-WAIT.
     * (&(int){1} is the address of an int that holds 1: Python's setsockopt(..., 1).) */
    status = setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    length = sizeof new_state;
    if (getsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &new_state, &length) < 0)
        die_errno("getsockopt SO_REUSEADDR", NULL);
    say("New sock state: %d\n", new_state);
    if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (listen(sock, 1) < 0)
        die_errno("listen", (struct sockaddr *)&address);
    length = sizeof address;                            /* in: room; out: what was written */
    if (getsockname(sock, (struct sockaddr *)&address, &length) < 0)
        die_errno("getsockname", NULL);                 /* the port that -p 0 got */
    say("Listening on port: %u \n", (unsigned)ntohs(address.sin_port)); /* the script's space */
    /* Ctrl+C: SIGINT's default action ends the process at once, wherever it is, and the
     * kernel closes its sockets (Python raises KeyboardInterrupt, and the script breaks). */
    for (;;) {
        struct sockaddr_in peer;
        length = sizeof peer;
        int next = accept(sock, (struct sockaddr *)&peer, &length);
        if (next < 0) {
            survive_accept_error(&connection);
            continue;
        }
        /* As Python's rebinding of `connection`: a client stays until the next one comes. */
        if (connection >= 0)
            close(connection);
        connection = next;
        say("Connected by %s:%u\n", inet_ntop(AF_INET, &peer.sin_addr, host, sizeof host)
            ? host : "?", (unsigned)ntohs(peer.sin_port));
    }
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 8282;
    int option;
    program_init(argv[0], usage);
    opterr = 0;
    while ((option = getopt_long(argc, argv, ":hp:", options, NULL)) != -1)
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        default: option_error(option, argv, options);
        }
    no_more_arguments(argc, argv);
    signal(SIGPIPE, SIG_IGN);       /* a log reader that goes away must not end the server */
    signal(SIGINT, SIG_DFL);        /* Ctrl+C ends it, even if started with & (which ignores it) */
    reuse_socket_addr(port);
    return 0;
}
