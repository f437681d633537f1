/*
 * reuseaddr.c - SO_REUSEADDR, and a restarted server binding its port again at once
 * (lecture: reuseaddr.py; Cookbook ch. 1, 1_10_reuse_socket_address.py, one socket here).
 * Try: ./reuseaddr   and in a second terminal: telnet localhost 8282; then Ctrl+C and
 *      ./reuseaddr again at once. Experiment: comment out the marked setsockopt(), make,
 *      repeat: the restart fails with bind EADDRINUSE (the server closed first: TIME_WAIT).
 */
#include "socket_helpers.h"
#include <arpa/inet.h>
#include <signal.h>

static const char usage[] = "[-h] [-p PORT]";
static const char help[] =
    "Set SO_REUSEADDR and accept connections until Ctrl+C\n\noptions:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     TCP port (default 8282; 0 lets the OS choose)\n";

static volatile sig_atomic_t interrupted = 0;
static void on_interrupt(int signal_number) { (void)signal_number; interrupted = 1; }

static void reuse_socket_addr(uint16_t port)
{
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_ANY)};   /* '' in Python */
    int status = 0, old_state, new_state, connection = -1;
    char host[INET_ADDRSTRLEN];
    /* Python's KeyboardInterrupt: without SA_RESTART, Ctrl+C makes accept() fail with EINTR
     * and the loop ends (a Ctrl+C just before accept() counts at the next connection or Ctrl+C). */
    struct sigaction action = {.sa_handler = on_interrupt};
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) < 0)
        die_errno("sigaction", NULL);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (getsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &old_state, &(socklen_t){sizeof(int)}) < 0)
        die_errno("getsockopt SO_REUSEADDR", NULL);
    printf("Old sock state: %d\n", old_state);
    /* EXPERIMENT: comment this out: "New sock state: 0", and a restart right after a
     * connection fails with bind EADDRINUSE while the old connection is in TIME_WAIT. */
    status = setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (getsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &new_state, &(socklen_t){sizeof(int)}) < 0)
        die_errno("getsockopt SO_REUSEADDR", NULL);
    printf("New sock state: %d\n", new_state);
    if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (listen(sock, 1) < 0)
        die_errno("listen", (struct sockaddr *)&address);
    if (getsockname(sock, (struct sockaddr *)&address, &(socklen_t){sizeof address}) < 0)
        die_errno("getsockname", NULL);                     /* the port that -p 0 got */
    printf("Listening on port: %u \n", (unsigned)ntohs(address.sin_port)); /* the script's space */
    check_log();
    while (!interrupted) {
        struct sockaddr_in peer;
        int next = accept(sock, (struct sockaddr *)&peer, &(socklen_t){sizeof peer});
        if (next < 0 && errno != EINTR)
            warn_errno("accept", NULL);             /* as the recipe does: say so, go on */
        if (next < 0)
            continue;
        /* As Python's rebinding of `connection`: a client stays until the next one comes. */
        if (connection >= 0)
            close(connection);
        connection = next;
        printf("Connected by %s:%u\n", inet_ntop(AF_INET, &peer.sin_addr, host, sizeof host)
               ? host : "?", (unsigned)ntohs(peer.sin_port));
        check_log();
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
    reuse_socket_addr(port);
    return 0;
}
