/*
 * hserror.c - socket errors, stage by stage: fetch a file over HTTP/1.0; the stage that fails
 * says what went wrong (lecture: hserror.py; Cookbook ch. 1, 1_7_socket_errors.py). Try, with
 * a web server or tests/http_responder on port 80:
 *     ./hserror --host localhost --port 80 --file /          the response, headers first
 *     ./hserror --host nosuch.invalid --port 80 --file /     Address-related error ...
 *     ./hserror --host localhost --port 9 --file /           Connection error: ... refused
 */
#include "socket_helpers.h"
#include <signal.h>
#include <sys/time.h>

#define BUFFER_SIZE 2048

static const char usage[] = "[-h] --host HOST --port PORT --file FILE [--timeout SECONDS]";
static const char help[] =
    "Socket Error Examples\n\noptions:\n"
    "  -h, --help         show this help message and exit\n"
    "  --host HOST        the web server's name or address\n"
    "  --port PORT        its TCP port\n"
    "  --file FILE        the path to ask for, e.g. /index.html\n"
    "  --timeout SECONDS  limit for the whole exchange: connect, send, receive (default 30)\n";

/* A stage failed: its line as the script prints it (str() of the exception), on stderr so
 * that it never ends up in the file being fetched, and exit 1. */
static _Noreturn void fail(const char *stage, int err)
{
    fflush(stdout);                 /* what came before the error, then the error */
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS)
        fprintf(stderr, "%s: timed out\n", stage);           /* Python's socket.timeout */
    else
        fprintf(stderr, "%s: [Errno %d] %s\n", stage, err, strerror(err));
    exit(1);
}

/* The script has no timeout: a silent server, or one sending a byte a second, holds it
 * forever. Before each call that may wait, the socket's timeouts get what is left of
 * --timeout (on Linux SO_SNDTIMEO limits connect() too). */
static void set_time_left(int sock, double deadline, const char *stage)
{
    long long micro = (long long)((deadline - monotonic_seconds()) * 1e6);
    struct timeval left = {(time_t)(micro / 1000000), (suseconds_t)(micro % 1000000)};
    if (micro <= 0)
        fail(stage, EAGAIN);                    /* and {0, 0} would mean no limit at all */
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &left, sizeof left) < 0 ||
        setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &left, sizeof left) < 0)
        fail(stage, errno);
}

/* A terminal obeys the escape sequences in what it prints, and the response comes from
 * whoever answered: there, each line is shown as repr() shows it (\x1b, \xff, \u202e),
 * without quotes, then its line end. A character cut in two by recv() shows as \xNN. */
static void show_on_terminal(const char *data, size_t n)
{
    static char shown[REPR_SIZE(BUFFER_SIZE)];
    for (size_t line; n > 0; data += line, n -= line) {
        const char *newline = memchr(data, '\n', n);
        line = newline ? (size_t)(newline - data) + 1 : n;
        size_t text = !newline ? line : line >= 2 && data[line - 2] == '\r' ? line - 2 : line - 1;
        int length = (int)strlen(format_repr(data, text, false, shown));
        printf("%.*s%.*s", length - 2, shown + 1, (int)(line - text), data + text);
    }
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'},
        {"host", required_argument, NULL, 'H'}, {"port", required_argument, NULL, 'P'},
        {"file", required_argument, NULL, 'F'}, {"timeout", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
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
    /* argparse's required=True: what is missing is listed before any unrecognized word */
    if (!host) note_argument(missing_arguments, sizeof missing_arguments, ", ", "--host");
    if (!port[0]) note_argument(missing_arguments, sizeof missing_arguments, ", ", "--port");
    if (!filename) note_argument(missing_arguments, sizeof missing_arguments, ", ", "--file");
    no_more_arguments(argc, argv);
    double deadline = monotonic_seconds() + timeout;
    signal(SIGPIPE, SIG_IGN);   /* as in Python: a send to a closed peer fails with EPIPE */

    /* First stage: create the socket (fails when we are out of file descriptors). */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        fail("Error creating socket", errno);

    /* Second stage: connect. Python looks the name up inside connect(); a failed lookup is a
     * socket.gaierror carrying the resolver's code and message (gai_strerror, not errno). */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *address;
    int code = getaddrinfo(host[0] ? host : NULL, port, &hints, &address);
    if (code != 0) {
        fprintf(stderr, "Address-related error connecting to server: [Errno %d] %s\n", code,
                gai_strerror(code));
        exit(1);
    }
    set_time_left(sock, deadline, "Connection error");
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        fail("Connection error", errno);
    freeaddrinfo(address);

    /* Third stage: send the request (a reset or closed connection fails here). */
    size_t size = strlen(filename) + 32;
    char *request = malloc(size);
    if (request == NULL)
        fail("Error sending data", ENOMEM);
    snprintf(request, size, "GET %s HTTP/1.0\r\n\r\n", filename);
    set_time_left(sock, deadline, "Error sending data");
    if (sendall(sock, request, strlen(request)) < 0)
        fail("Error sending data", errno);
    free(request);

    /* Fourth stage: receive until the server closes: HTTP/1.0's end of the response. */
    char buf[BUFFER_SIZE];
    for (;;) {
        set_time_left(sock, deadline, "Error receiving data");
        ssize_t n = recv(sock, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("Error receiving data", errno);
        if (n == 0)
            return 0;
        if (isatty(STDOUT_FILENO))
            show_on_terminal(buf, (size_t)n);
        else
            fwrite(buf, 1, (size_t)n, stdout);      /* the file itself, byte for byte */
        if (ferror(stdout))
            exit(1);                /* program_init's check at exit says why */
    }
}
