/*
 * hserror.c - socket errors, one stage at a time: fetch a file over HTTP/1.0 and report
 * each stage's failure in its own words (lecture: "Access network information",
 * hserror.py; Python Network Programming Cookbook, ch. 1, 1_7_socket_errors.py).
 *
 * Try (a web server on this machine, or tests/http_responder):
 *     ./hserror --host localhost --port 80 --file /          the response, headers first
 *     ./hserror --host nosuch.invalid --port 80 --file /     Address-related error ...
 *     ./hserror --host localhost --port 9 --file /           Connection error: ... refused
 * Watch for: which stage failed tells you what went wrong: the name, the connection, or
 * the exchange.
 */
#include "socket_helpers.h"

#include <signal.h>
#include <sys/time.h>

#define BUFFER_SIZE 2048

static const char usage[] = "[-h] --host HOST --port PORT --file FILE [--timeout SECONDS]";
static const char help[] =
    "Socket Error Examples\n\n"
    "options:\n"
    "  -h, --help         show this help message and exit\n"
    "  --host HOST        the web server's name or address\n"
    "  --port PORT        its TCP port\n"
    "  --file FILE        the path to ask for, e.g. /index.html\n"
    "  --timeout SECONDS  give up when the server stays silent this long (default 30)\n\n"
    "The response goes to stdout: byte for byte into a file or a pipe, with anything not\n"
    "printable shown escaped on a terminal. Errors go to stderr; exit 1.\n";

/* One stage failed: print its line as the Python script does ("Connection error:
 * [Errno 111] Connection refused", str() of the exception), on stderr so that it never
 * ends up in the file being fetched, and exit 1. */
static HELPERS_NORETURN void fail(const char *stage, int err)
{
    fflush(stdout);                 /* what came before the error, then the error */
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS)
        fprintf(stderr, "%s: timed out\n", stage);           /* Python's socket.timeout */
    else
        fprintf(stderr, "%s: [Errno %d] %s\n", stage, err, strerror(err));
    exit(1);
}

/* A terminal obeys the control sequences in what it prints (ESC [ ... moves the cursor,
 * renames the window, hides text), and the response comes from whoever answered. So on a
 * terminal it is shown as text: printable characters and valid UTF-8 as they are, line
 * ends and tabs too, everything else escaped as repr() does (\x1b, \u202e). Returns how
 * many bytes it used: an incomplete UTF-8 character at the end waits for the next recv(). */
static size_t show_on_terminal(const unsigned char *data, size_t n, bool at_end)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = data[i];
        size_t length = c < 0x80 ? 1 : utf8_sequence(data + i, n - i, &c);
        if (length == 0 && !at_end && c >= 0xc0 && n - i < 4)
            break;                                  /* maybe the rest of it comes next */
        if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f) ||
            (length > 1 && !unicode_is_invisible(c)))
            fwrite(data + i, 1, length, stdout);
        else if (length <= 1 || c <= 0xff)
            printf("\\x%02x", (unsigned)(length <= 1 ? data[i] : c));
        else
            printf(c <= 0xffff ? "\\u%04x" : "\\U%08x", (unsigned)c);
        i += length ? length : 1;
    }
    return i;
}

int main(int argc, char *argv[])
{
    const char *host = NULL, *port_text = NULL, *filename = NULL, *timeout_text = "30";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"--host", &host, false}, {"--port", &port_text, false}, {"--file", &filename, false},
        {"--timeout", &timeout_text, false}, {NULL, NULL, false}});
    if (!host || !port_text || !filename)
        usage_error(usage, "the following arguments are required: %s%s%s%s%s",
                    host ? "" : "--host", !host && (!port_text || !filename) ? ", " : "",
                    port_text ? "" : "--port", !port_text && !filename ? ", " : "",
                    filename ? "" : "--file");
    uint16_t port;
    if (!port_from_text(port_text, &port))
        usage_error(usage, "argument --port: invalid port: '%s' (must be 0..65535)", port_text);
    double timeout = parse_seconds(timeout_text, "--timeout", usage);
    /* Python ignores SIGPIPE: sending on a connection the server has closed then fails with
     * EPIPE, which the third stage reports, instead of killing the program silently. */
    signal(SIGPIPE, SIG_IGN);

    /* First stage: create the socket (fails when we are out of file descriptors). */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        fail("Error creating socket", errno);
    /* The recipe's script has no timeout: a server that never answers would hold it forever.
     * On Linux SO_SNDTIMEO also limits connect(). */
    struct timeval limit = {.tv_sec = (time_t)timeout};
    limit.tv_usec = (suseconds_t)((timeout - (double)limit.tv_sec) * 1e6);
    if (limit.tv_sec == 0 && limit.tv_usec == 0)
        limit.tv_usec = 1;                          /* {0, 0} would mean "no timeout" */
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0 ||
        setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) < 0)
        fail("Error creating socket", errno);

    /* Second stage: connect. Python looks the name up inside connect(); a failed lookup is a
     * socket.gaierror carrying the resolver's code and message (gai_strerror, not errno). */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV}, *address;
    int code = getaddrinfo(host[0] ? host : NULL, port_text, &hints, &address);
    if (code == EAI_SYSTEM)                         /* Python raises a plain OSError here */
        fail("Connection error", errno);
    if (code != 0) {
        fprintf(stderr, "Address-related error connecting to server: [Errno %d] %s\n", code,
                gai_strerror(code));
        exit(1);
    }
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        fail("Connection error", errno);
    freeaddrinfo(address);

    /* Third stage: send the request (a reset or closed connection fails here). */
    size_t request_size = strlen(filename) + 32;
    char *request = malloc(request_size);
    if (request == NULL)
        fail("Error sending data", ENOMEM);
    int request_length = snprintf(request, request_size, "GET %s HTTP/1.0\r\n\r\n", filename);
    if (sendall(sock, request, (size_t)request_length) < 0)
        fail("Error sending data", errno);
    free(request);

    /* Fourth stage: receive until the server closes the connection, which is how HTTP/1.0
     * marks the end of the response. */
    bool terminal = isatty(STDOUT_FILENO);
    unsigned char buf[BUFFER_SIZE + 4];
    size_t kept = 0;                /* the start of a UTF-8 character, on a terminal */
    for (;;) {
        ssize_t n = recv(sock, buf + kept, BUFFER_SIZE, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            show_on_terminal(buf, kept, true);
        if (n < 0)
            fail("Error receiving data", errno);
        if (n == 0)
            break;
        if (terminal) {
            size_t used = show_on_terminal(buf, kept + (size_t)n, false);
            kept = kept + (size_t)n - used;
            memmove(buf, buf + used, kept);
        } else {
            fwrite(buf, 1, (size_t)n, stdout);      /* the file itself, byte for byte */
        }
        if (ferror(stdout))
            die_errno("write to stdout", NULL);
    }
    if (fflush(stdout) == EOF)
        die_errno("write to stdout", NULL);
    close(sock);
    return 0;
}
