/*
 * socket_timeout.c - a socket's timeout: none at first, then 100 s, then a short one that
 * runs out (lecture: "Access network information", socket timeout; Python Network
 * Programming Cookbook, ch. 1, 1_6_socket_timeout.py).
 *
 * Try:
 *     ./socket_timeout            the notebook's two lines, then a recv() that gives up after 0.5 s
 *     ./socket_timeout -t 2       the same recv() gives up after 2 s
 * Watch for: "None" means a new socket blocks forever; the recv() ends with EAGAIN (Python
 * raises socket.timeout) after about the time asked for, never before it.
 */
#include "socket_helpers.h"

#include <sys/time.h>

#define RECIPE_TIMEOUT 100.0

static const char usage[] = "[-h] [-t SECONDS]";
static const char help[] =
    "Show a socket's timeout, set it, and let a recv() time out\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -t SECONDS  the short timeout of the recv() at the end (default 0.5)\n";

/* Python's settimeout() makes the socket non-blocking and waits with poll(); in C the
 * direct way is the POSIX option SO_RCVTIMEO: a recv() (and on Linux an accept()) that
 * waits longer fails with EAGAIN. SO_SNDTIMEO does the same for send(). */
static void set_timeout(int sock, double seconds)
{
    struct timeval timeout = timeval_of(seconds);
    /* The kernel counts in clock ticks: 1 us reads back as one tick (0.004 at 250 Hz). */
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
        die_errno("setsockopt SO_RCVTIMEO", NULL);
}

/* gettimeout(): the timeout in seconds, where 0 stands for none (Python's None). */
static double get_timeout(int sock)
{
    struct timeval timeout;
    socklen_t length = sizeof timeout;
    if (getsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, &length) < 0)
        die_errno("getsockopt SO_RCVTIMEO", NULL);
    return (double)timeout.tv_sec + (double)timeout.tv_usec / 1e6;
}

/* print("...: %s seconds" % s.gettimeout()): None, or the float as Python shows it (100.0,
 * 0.5), and the unit after a number. */
static void print_timeout(const char *label, double seconds)
{
    char text[32] = "None";
    if (seconds > 0) {
        int length = snprintf(text, sizeof text, "%.12g", seconds);
        if (strpbrk(text, ".e") == NULL)
            snprintf(text + length, sizeof text - (size_t)length, ".0");
    }
    printf("%s: %s%s\n", label, text, seconds > 0 ? " seconds" : "");
}

/* A recv() needs a connected socket: connect to a listener of our own on loopback, which
 * never sends anything, and wait for data that will not come. */
static void recv_from_silent_peer(int sock, double asked)
{
    char where[ADDRESS_TEXT_SIZE], byte;
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0)
        die_errno("socket", NULL);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (listen(listener, 1) < 0)
        die_errno("listen", (struct sockaddr *)&address);
    if (getsockname(listener, (struct sockaddr *)&address, &length) < 0)
        die_errno("getsockname", NULL);
    /* The kernel completes the handshake from the listen queue: no accept() needed. */
    if (connect(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("connect", (struct sockaddr *)&address);

    printf("\n");                   /* the notebook's lines end here; the rest is ours */
    char label[80];                 /* what -t asked for, and below what the kernel keeps */
    snprintf(label, sizeof label, "Timeout for a recv() that nobody answers (-t %g)", asked);
    print_timeout(label, get_timeout(sock));
    double start = monotonic_seconds();
    ssize_t n;
    do      /* a stop and continue (Ctrl+Z, fg) interrupts a recv() that has a timeout */
        n = recv(sock, &byte, 1, 0);
    while (n < 0 && errno == EINTR);
    double elapsed = monotonic_seconds() - start;
    if (n >= 0)
        die("recv from %s returned %zd bytes: nobody should have sent any",
            format_address((struct sockaddr *)&address, where), n);
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        die_errno("recv", (struct sockaddr *)&address);
    printf("recv() from %s timed out after %.3f s: %s %s\n",
           format_address((struct sockaddr *)&address, where), elapsed, errno_name(errno),
           strerror(errno));
    close(listener);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    double short_timeout = 0.5;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":ht:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        /* At least 1 us: SO_RCVTIMEO 0 means "never time out". At most a day. */
        case 't': short_timeout = parse_float(optarg, "-t", 1e-6, 86400); break;
        default: option_error(option, argv, options);
        }
    }
    no_more_arguments(argc, argv);

    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    print_timeout("Default socket timeout", get_timeout(sock));    /* blocks forever */
    /* EXPERIMENT: comment this out: "Current socket timeout: None", as before settimeout(). */
    set_timeout(sock, RECIPE_TIMEOUT);
    print_timeout("Current socket timeout", get_timeout(sock));
    /* EXPERIMENT: comment this out: the recv() below waits 100 s, not 0.5: a timeout stays on
     * the socket until it is changed (comment out both set_timeout lines: it waits for ever). */
    set_timeout(sock, short_timeout);
    recv_from_silent_peer(sock, short_timeout);
    close(sock);
    return 0;
}
