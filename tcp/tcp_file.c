/*
 * tcp_file.c - a TCP socket used like a file (lecture: "Using TCP streams like files",
 * Python's sock.makefile(); Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * fdopen() wraps the socket in stdio streams, so the protocol is plain lines: getline()
 * reads one, fwrite() and fflush() send one. The server answers each line upper-cased.
 * Try, in two terminals:
 *     ./tcp_file server ""                    ./tcp_file client 127.0.0.1
 * and type lines into the client (Ctrl+D ends). Or: printf 'one\ntwo\n' | ./tcp_file client 127.0.0.1
 * Then the experiment: comment out the marked fflush() in serve_client(), rebuild, and
 * type a line: the answer waits in the server's stdio buffer and the client waits forever.
 */
#include "socket_helpers.h"

#include <ctype.h>
#include <signal.h>

#define MAX_SHOWN 60                    /* bytes of a line the server shows on screen */

static const char usage[] = "[-h] [-p PORT] {client,server} host";
static const char help[] =
    "Exchange lines over TCP through stdio streams (fdopen)\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client connects to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n";

/* Python's sock.makefile('r') and sock.makefile('w'): one stream for each direction.
 * Why not one fdopen(sock, "r+")? C lets an update stream go from reading to writing only
 * through fseek() (or a read that hit end of file), and fseek() on a socket fails with
 * ESPIPE: a socket has no position. Mixing the two anyway is undefined behaviour, and stdio
 * may mix up its buffers. Each stream closes its own descriptor when fclose()d, hence the
 * dup(): the socket itself closes (FIN) when the last of the two is closed.
 * Returns false (errno set) if a stream could not be made; the socket is then closed. */
static bool open_streams(int sock, FILE **in, FILE **out)
{
    int sock2 = dup(sock);
    *in = sock2 < 0 ? NULL : fdopen(sock, "r");
    *out = *in == NULL ? NULL : fdopen(sock2, "w");
    if (*out != NULL)
        return true;
    int err = errno;
    if (*in != NULL)
        fclose(*in);                    /* closes sock */
    else
        close(sock);
    if (sock2 >= 0)
        close(sock2);
    errno = err;
    return false;
}

/* Upper-case the ASCII letters of data (UTF-8 bytes above 127 stay as they are). */
static void capitalize(char *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        data[i] = (char)toupper((unsigned char)data[i]);
}

static void serve_client(int sc, const struct sockaddr *peer)
{
    char shown[REPR_SIZE(MAX_SHOWN)];
    FILE *in, *out;
    if (!open_streams(sc, &in, &out)) {
        warn_errno("fdopen", peer);
        return;
    }
    char *line = NULL;
    size_t capacity = 0, count = 0;
    ssize_t n = 0;
    /* getline() reads up to and including '\n', however long the line: it grows the buffer.
     * (fgets() stops at its buffer's end and returns a long line in pieces.) */
    while ((n = getline(&line, &capacity, in)) > 0) {
        count++;
        printf("  Line %zu, %zd bytes: %s%s\n", count, n,
               format_repr(line, n < MAX_SHOWN ? (size_t)n : MAX_SHOWN, false, shown),
               n > MAX_SHOWN ? "..." : "");
        capitalize(line, (size_t)n);
        if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
            warn_errno("write", peer);
            break;
        }
        /* EXPERIMENT: comment this out: the answer stays in the stream's buffer (4 KiB and
         * more) and is never sent, so the client waits forever for it. */
        fflush(out);
        if (ferror(out)) {              /* the write in fflush() failed: EPIPE, ECONNRESET */
            warn_errno("write", peer);
            break;
        }
        if (line[n - 1] != '\n') {      /* end of file came before the end of the line */
            printf("  The client closed the connection in the middle of a line\n");
            break;
        }
    }
    if (n < 0 && ferror(in))
        warn_errno("read", peer);       /* e.g. ECONNRESET: the client aborted */
    else if (n < 0)
        printf("  The client closed the connection after %zu line%s\n", count,
               count == 1 ? "" : "s");
    free(line);
    /* Each fclose() closes its own descriptor; the FIN goes out with the last. */
    if (fclose(out) == EOF)
        warn_errno("write", peer);
    fclose(in);
    printf("  Socket closed\n");
}

static void server(const char *interface, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *address = resolve(interface, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    if (sock < 0)
        die_errno("socket", NULL);
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    if (listen(sock, 8) < 0)
        die_errno("listen", NULL);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    for (;;) {
        struct sockaddr_in peer;
        length = sizeof peer;
        int sc = accept(sock, (struct sockaddr *)&peer, &length);
        if (sc < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            die_errno("accept", (struct sockaddr *)&me);
        }
        printf("Accepted a connection from %s\n", format_address((struct sockaddr *)&peer, where));
        serve_client(sc, (struct sockaddr *)&peer);
    }
}

static void client(const char *host, uint16_t port)
{
    char from[ADDRESS_TEXT_SIZE], to[ADDRESS_TEXT_SIZE];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Connected from %s to %s\n", format_address((struct sockaddr *)&me, from),
           format_address(address->ai_addr, to));
    FILE *in, *out;
    if (!open_streams(sock, &in, &out))
        die_errno("fdopen", address->ai_addr);

    char *line = NULL, *answer = NULL;
    size_t line_capacity = 0, answer_capacity = 0;
    ssize_t n;
    while ((n = getline(&line, &line_capacity, stdin)) > 0) {
        /* The server answers whole lines: a last line without '\n' gets one, or both
         * sides would wait, each for the other. */
        bool add_newline = line[n - 1] != '\n';
        if (fwrite(line, 1, (size_t)n, out) != (size_t)n ||
            (add_newline && fputc('\n', out) == EOF) || fflush(out) == EOF)
            die_errno("write", address->ai_addr);
        ssize_t m = getline(&answer, &answer_capacity, in);
        if (m < 0 && ferror(in))
            die_errno("read", address->ai_addr);
        if (m < 0)
            die("the server closed the connection without answering");
        char *shown = malloc(REPR_SIZE(m));
        if (shown == NULL)
            die("out of memory for a line of %zd bytes", m);
        printf("The server answered %s\n", format_repr(answer, (size_t)m, false, shown));
        free(shown);
        if (answer[m - 1] != '\n')
            die("the server closed the connection in the middle of a line");
    }
    if (ferror(stdin))
        die_errno("read", NULL);
    free(line);
    free(answer);
    freeaddrinfo(address);
    if (fclose(out) == EOF)
        die_errno("close", NULL);
    fclose(in);
}

int main(int argc, char *argv[])
{
    const char *role = NULL, *host = NULL, *port = "1060";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"role", &role, false}, {"host", &host, false}, {"-p", &port, false},
        {NULL, NULL, false}});
    /* Writing to a client that has gone must fail with EPIPE, not kill the server
     * (see tcp_closing.c). */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") == 0)
        client(host, parse_port(port, usage));
    else if (strcmp(role, "server") == 0)
        server(host, parse_port(port, usage));
    else
        usage_error(usage, "argument role: invalid choice: '%s' (choose from 'client', 'server')",
                    role);
    return 0;
}
