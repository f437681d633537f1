/*
 * socket_modes.c - blocking and non-blocking sockets: the same accept() with nobody
 * connecting, once on a non-blocking listening socket and once on a blocking one with a
 * 0.5 s timeout (lecture: "Access network information", socket modes; Python Network
 * Programming Cookbook, ch. 1, 1_9_socket_modes.py).
 *
 * Try:
 *     ./socket_modes
 * Watch for: both accept() calls fail with EAGAIN, the non-blocking one at once, the
 * blocking one only after waiting out its timeout.
 * Experiments: comment out set_blocking(sock, false); change TIMEOUT_SECONDS to 2 (make).
 */
#include "socket_helpers.h"

#include <fcntl.h>
#include <sys/time.h>

/* EXPERIMENT (change this value): 2 makes the blocking accept() below wait 2 seconds. */
#define TIMEOUT_SECONDS 0.5

static const char usage[] = "[-h]";
static const char help[] =
    "Compare accept() on a non-blocking and on a blocking listening socket\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n";

/* s.setblocking(flag): O_NONBLOCK makes every call that would have to wait fail at once
 * with EAGAIN (EWOULDBLOCK) instead. Python's setblocking(0) is settimeout(0.0). */
static void set_blocking(int sock, bool blocking)
{
    int flags = fcntl(sock, F_GETFL);
    if (flags < 0)
        die_errno("fcntl F_GETFL", NULL);
    flags = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
    if (fcntl(sock, F_SETFL, flags) < 0)
        die_errno("fcntl F_SETFL", NULL);
}

/* accept() with nobody knocking: print how it failed and how long it took. */
static void try_accept(int sock, const char *mode)
{
    double start = monotonic_seconds();
    int connection;
    do      /* a stop and continue (Ctrl+Z, fg) interrupts an accept() that has a timeout */
        connection = accept(sock, NULL, NULL);
    while (connection < 0 && errno == EINTR);
    double elapsed = monotonic_seconds() - start;
    if (connection >= 0)
        die("accept() on %s: somebody connected; try again", mode);
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        die_errno("accept", NULL);
    printf("accept() on %s: %s %s after %.3f s\n", mode, errno_name(errno),
           strerror(errno), elapsed);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    char where[ADDRESS_TEXT_SIZE];
    int option;
    program_init(argv[0], usage);
    opterr = 0;
    while ((option = getopt_long(argc, argv, ":h", options, NULL)) != -1)
        switch (option) {
        case 'h': show_help(help);
        default: option_error(option, argv, options);
        }
    no_more_arguments(argc, argv);

    /* Port 0 on loopback, as in the recipe: the OS picks a free port, so nothing else on
     * the machine connects to it by accident. */
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (listen(sock, 1) < 0)
        die_errno("listen", (struct sockaddr *)&address);
    if (getsockname(sock, (struct sockaddr *)&address, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Trivial Server launched on socket: %s\n",
           format_address((struct sockaddr *)&address, where));

    /* EXPERIMENT: comment this out: the socket stays blocking, with no timeout yet, so this
     * accept() waits for ever for a client that never comes. */
    set_blocking(sock, false);
    try_accept(sock, "a non-blocking socket");

    /* s.setblocking(1); s.settimeout(0.5): blocking again, but on Linux SO_RCVTIMEO also
     * limits how long accept() waits (POSIX leaves that open; recv() it covers everywhere). */
    set_blocking(sock, true);
    double seconds = TIMEOUT_SECONDS;               /* a double, whatever was typed */
    struct timeval timeout = timeval_of(seconds);
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
        die_errno("setsockopt SO_RCVTIMEO", NULL);
    char mode[64];
    snprintf(mode, sizeof mode, "a blocking socket with a %g s timeout", seconds);
    try_accept(sock, mode);
    close(sock);
    return 0;
}
