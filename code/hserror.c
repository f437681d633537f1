/*
 * hserror.c - socket errors stage by stage: fetch a file with HTTP/1.0; the stage that fails
 * says what went wrong (lecture: hserror.py; Cookbook ch. 1, 1_7_socket_errors.py). Try:
 *     ./hserror --host localhost --port 80 --file /          the response, headers first
 *     ./hserror --host nosuch.invalid --port 80 --file /     Address-related error ...
 *     ./hserror --host localhost --port 9 --file /           Connection error: ... refused
 */
#include "socket_helpers.h"
#include <signal.h>

#define BUFFER_SIZE 2048
/* The request: a student may add a header line ("User-Agent: hserror\r\n") before the end. */
static const char request_format[] = "GET %s HTTP/1.0\r\n\r\n";
static const char usage[] = "[-h] --host HOST --port PORT --file FILE [--timeout SECONDS]";
static const char help[] =
    "Socket Error Examples\n\n"
    "options:\n"
    "  -h, --help         show this help message and exit\n"
    "  --host HOST        the web server's name or address\n"
    "  --port PORT        its TCP port\n"
    "  --file FILE        the path to ask for, e.g. /index.html\n"
    "  --timeout SECONDS  limit for the whole exchange: connect, send, receive\n"
    "                     (default 30)\n";

/* A stage failed: the script's line, printed as the script prints it (on stdout, after
 * what came before it), and sys.exit(1). */
static _Noreturn void fail(const char *stage, int number, const char *text)
{
    if (number == EAGAIN || number == EWOULDBLOCK || number == EINPROGRESS)
        printf("%s: timed out\n", stage);                   /* Python's socket.timeout */
    else
        printf("%s: [Errno %d] %s\n", stage, number, text);  /* str(exception) */
    exit(1);
}

/* The script waits forever on a server that is silent or sends a byte a second: here each
 * call that may wait gets what is left of --timeout, as SO_SNDTIMEO (send(), and connect() on
 * Linux) or SO_RCVTIMEO (recv()). */
static void set_time_left(int sock, int option, double deadline, const char *stage)
{
    double seconds = deadline - monotonic_seconds();
    struct timeval left = timeval_of(seconds);
    if (seconds <= 0)
        fail(stage, EAGAIN, "timed out");
    if (setsockopt(sock, SOL_SOCKET, option, &left, sizeof left) < 0)
        fail(stage, errno, strerror(errno));
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'},
        {"host", required_argument, NULL, 'H'}, {"port", required_argument, NULL, 'P'},
        {"file", required_argument, NULL, 'F'}, {"timeout", required_argument, NULL, 'T'}, {0}};
    const char *host = NULL, *filename = NULL;
    char port[8] = "";                      /* as text for getaddrinfo(), like a service */
    double timeout = 30;
    int option;
    program_init(argv[0], usage);
    opterr = 0;
    while ((option = getopt_long(argc, argv, ":h", options, NULL)) != -1)
        switch (option) {
        case 'h': show_help(help);
        case 'H': host = optarg; check_option_value(host, "--host"); break;
        case 'P': snprintf(port, sizeof port, "%lld", parse_int(optarg, "--port", 0, 65535)); break;
        case 'F': filename = optarg; check_option_value(filename, "--file"); break;
        case 'T': timeout = parse_float(optarg, "--timeout", 0.001, 86400); break;
        default: option_error(option, argv, options);
        }
    char missing[32];                       /* argparse's required=True, for all three */
    snprintf(missing, sizeof missing, "%s%s%s", host ? "" : ", --host",
             port[0] ? "" : ", --port", filename ? "" : ", --file");
    if (!host || !port[0] || !filename)
        usage_error("the following arguments are required: %s", missing + 2);
    no_more_arguments(argc, argv);
    double deadline = monotonic_seconds() + timeout;
    signal(SIGPIPE, SIG_IGN);   /* as in Python: a send to a closed peer fails with EPIPE */

    /* First stage: create the socket (fails when we are out of file descriptors). */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        fail("Error creating socket", errno, strerror(errno));

    /* Second stage: connect. Python looks the name up inside connect(); a failed lookup is a
     * socket.gaierror carrying the resolver's code and message (gai_strerror, not errno). */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *address;
    int code = getaddrinfo(host[0] ? host : NULL, port, &hints, &address);
    if (code != 0)
        fail("Address-related error connecting to server", code, gai_strerror(code));
    set_time_left(sock, SO_SNDTIMEO, deadline, "Connection error");
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        fail("Connection error", errno, strerror(errno));
    freeaddrinfo(address);

    /* Third stage: send the request (a reset or closed connection fails here). FILE may be
     * any length: measure the request first (snprintf into nothing), then make it. */
    size_t length = (size_t)snprintf(NULL, 0, request_format, filename);
    char *request = malloc(length + 1);
    if (request == NULL)
        fail("Error sending data", ENOMEM, strerror(ENOMEM));
    snprintf(request, length + 1, request_format, filename);
    set_time_left(sock, SO_SNDTIMEO, deadline, "Error sending data");
    if (sendall(sock, request, length) < 0)
        fail("Error sending data", errno, strerror(errno));
    free(request);

    /* Fourth stage: receive until the server closes: HTTP/1.0's end of the response. */
    static char buf[BUFFER_SIZE], shown[REPR_SIZE(BUFFER_SIZE)];
    for (;;) {
        /* EXPERIMENT: comment this out: a silent server holds it for ever, as it holds the
         * script, which has no timeout: recv() waits until data or the end comes. */
        set_time_left(sock, SO_RCVTIMEO, deadline, "Error receiving data");
        ssize_t n = recv(sock, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("Error receiving data", errno, strerror(errno));
        if (n == 0)
            return 0;
        if (!isatty(STDOUT_FILENO))
            fwrite(buf, 1, (size_t)n, stdout);      /* the file itself, byte for byte */
        else        /* a terminal would obey escape sequences in it: shown as repr() shows */
            printf("%s\n", format_repr(buf, (size_t)n, false, shown));    /* 'Hi\r\n\x1b' */
        if (ferror(stdout))
            exit(1);                /* program_init's check at exit says why */
    }
}
