/*
 * reuseaddr.c - SO_REUSEADDR: read it, set it, and serve on a port that a restarted server
 * can bind again at once (lecture: "Access network information", reuseaddr.py; Python
 * Network Programming Cookbook, ch. 1, 1_10_reuse_socket_address.py).
 *
 * Try:
 *     ./reuseaddr                   and in a second terminal: telnet localhost 8282
 *     then Ctrl+C and ./reuseaddr again at once: it binds port 8282 again
 * Experiment: comment out the setsockopt() marked as the experiment, make, and repeat.
 * "New sock state" stays 0, and the restart fails with bind EADDRINUSE: the connection
 * you just made waits in TIME_WAIT for a minute, and only SO_REUSEADDR lets a new socket
 * bind its port meanwhile.
 * (The recipe prints the option of one socket and listens on a second one; here one socket
 * does both, so the experiment shows both effects.)
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/select.h>

static const char usage[] = "[-h] [-p PORT]";
static const char help[] =
    "Set SO_REUSEADDR and accept connections until Ctrl+C\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     TCP port (default 8282; 0 lets the OS choose)\n";

static volatile sig_atomic_t interrupted = 0;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    interrupted = 1;
}

static int get_reuseaddr(int sock)
{
    int state;
    socklen_t length = sizeof state;
    if (getsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &state, &length) < 0)
        die_errno("getsockopt SO_REUSEADDR", NULL);
    return state;
}

/* Python's KeyboardInterrupt, in C: Ctrl+C sets a flag that the accept loop checks.
 * SIGINT stays blocked except inside pselect(), which unblocks it only while it waits:
 * a Ctrl+C that comes between the check and the wait is then delivered in pselect() and
 * ends it with EINTR, instead of being lost while a plain accept() waits forever.
 * Done first thing, so that a Ctrl+C is never lost once "Listening" is printed.
 * Returns the signal mask to wait with. */
static sigset_t catch_interrupt(void)
{
    sigset_t interrupt, unblocked;
    struct sigaction action = {.sa_handler = on_interrupt};    /* no SA_RESTART */
    sigemptyset(&action.sa_mask);
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    if (sigaction(SIGINT, &action, NULL) < 0 ||
        sigprocmask(SIG_BLOCK, &interrupt, &unblocked) < 0)
        die_errno("sigaction", NULL);
    return unblocked;
}

static void serve_until_interrupted(int sock, const sigset_t *unblocked)
{
    char host[INET_ADDRSTRLEN];
    /* Non-blocking, so that an accept() after pselect() never waits (with SIGINT blocked)
     * for a client that gave up in between: it fails with EAGAIN instead. */
    int flags = fcntl(sock, F_GETFL);
    if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0)
        die_errno("fcntl", NULL);

    while (!interrupted) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(sock, &readable);
        if (pselect(sock + 1, &readable, NULL, NULL, NULL, unblocked) < 0) {
            if (errno != EINTR)
                die_errno("pselect", NULL);
            continue;
        }
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        int connection = accept(sock, (struct sockaddr *)&peer, &length);
        if (connection < 0) {
            /* As the recipe does: report the error and keep serving. */
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                warn_errno("accept", NULL);
            continue;
        }
        if (inet_ntop(AF_INET, &peer.sin_addr, host, sizeof host) == NULL)
            snprintf(host, sizeof host, "?");
        printf("Connected by %s:%u\n", host, (unsigned)ntohs(peer.sin_port));
        close(connection);
    }
}

static void reuse_socket_addr(uint16_t port)
{
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_ANY);               /* '' in Python */
    socklen_t length = sizeof address;
    sigset_t unblocked = catch_interrupt();

    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    printf("Old sock state: %d\n", get_reuseaddr(sock));
    /* EXPERIMENT: comment this out: "New sock state: 0", and a restart right after a
     * connection fails with bind EADDRINUSE while that connection is in TIME_WAIT.
     * (&(int){1} points to an int holding 1: "on".) */
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int)) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    printf("New sock state: %d\n", get_reuseaddr(sock));

    if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (listen(sock, 1) < 0)
        die_errno("listen", (struct sockaddr *)&address);
    if (getsockname(sock, (struct sockaddr *)&address, &length) < 0)   /* for -p 0 */
        die_errno("getsockname", NULL);
    printf("Listening on port: %u\n", (unsigned)ntohs(address.sin_port));
    serve_until_interrupted(sock, &unblocked);
    close(sock);
}

int main(int argc, char *argv[])
{
    const char *port = "8282";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"-p", &port, false}, {NULL, NULL, false}});
    reuse_socket_addr(parse_port(port, usage));
    return 0;
}
