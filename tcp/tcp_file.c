/*
 * tcp_file.c - a TCP socket used like a file (lecture: "Using TCP streams like files",
 * Python's sock.makefile(); Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * fdopen() wraps the socket in stdio streams, so the protocol is plain lines: read_line()
 * (getc() up to '\n', at most 1 MiB) reads one, fwrite() and fflush() send one. The server answers each line upper-cased.
 * Try, in two terminals:
 *     ./tcp_file server ""                    ./tcp_file client 127.0.0.1
 * and type lines into the client (Ctrl+D ends), or pipe them in:
 *     printf 'one\ntwo\n' | ./tcp_file client 127.0.0.1
 * Then the experiment: comment out the marked fflush() in serve_client(), rebuild, and
 * type a line: the answer waits in the server's stdio buffer and the client waits forever.
 * Both sides print the socket's descriptor and each stream's fileno(): look them up in
 * ls -l /proc/PID/fd (or lsof -a -i4 -itcp -p PID) while a client is connected; the
 * server's PID is pgrep -f 'tcp_file server' (pgrep tcp_file lists the client's too).
 */
#include "socket_helpers.h"

#include <ctype.h>
#include <signal.h>

#define MAX_SHOWN 60                    /* bytes of a line the server shows on screen */
#define MAX_LINE (1024 * 1024)          /* the longest line either side takes: 1 MiB */

static const char usage[] = "[-h] [-p PORT] {client,server} host";
static const char help[] =
    "Exchange lines over TCP through stdio streams (fdopen)\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client connects\n"
    "                   to\n\n"
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

/* Read one line, up to and including '\n', into *line (grown as needed, like getline()),
 * but no longer than MAX_LINE: a peer must not make us take all its bytes into memory.
 * Returns the line's length, 0 at end of file, or -1 with errno set: EMSGSIZE for a line
 * over the limit, ENOMEM, or the read's own error (ECONNRESET: the peer aborted). */
static ssize_t read_line(FILE *in, char **line, size_t *capacity)
{
    size_t n = 0;
    int c = 0;
    while (c != '\n' && (c = getc(in)) != EOF) {
        if (n == MAX_LINE) {
            errno = EMSGSIZE;
            return -1;
        }
        if (n == *capacity) {
            size_t bigger = n ? 2 * n : 128;
            char *grown = realloc(*line, bigger);
            if (grown == NULL)
                return -1;              /* errno is ENOMEM */
            *line = grown;
            *capacity = bigger;
        }
        (*line)[n++] = (char)c;
    }
    return c == EOF && ferror(in) ? -1 : (ssize_t)n;
}

/* What went wrong, said as it is: a line over the limit, or the errno of the call.
 * who is "the client" or "the server" (at peer), or NULL for our standard input. */
static void warn_line_error(const char *who, const struct sockaddr *peer)
{
    if (errno == EMSGSIZE && who && peer) {
        char where[ADDRESS_TEXT_SIZE];
        fprintf(stderr, "%s: %s %s sent a line longer than %d bytes (the limit)\n",
                program_name, who, format_address(peer, where), MAX_LINE);
    } else if (errno == EMSGSIZE)
        fprintf(stderr, "%s: the standard input has a line longer than %d bytes (the limit)\n",
                program_name, MAX_LINE);
    else
        warn_errno(errno == ENOMEM ? "realloc" : "read", peer);
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
    /* A stream is a buffer over a descriptor: fileno() tells which. */
    say("  Socket descriptor %d; fileno(in) = %d, fileno(out) = %d (its dup())\n", sc,
        fileno(in), fileno(out));
    char *line = NULL;
    size_t capacity = 0, count = 0;
    ssize_t n = 0;
    /* read_line() reads up to and including '\n', however long the line (to MAX_LINE). */
    while ((n = read_line(in, &line, &capacity)) > 0) {
        count++;
        say("  Line %zu, %zd bytes: %s%s\n", count, n,
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
            say("  The client closed the connection in the middle of a line\n");
            break;
        }
    }
    if (n < 0)
        warn_line_error("the client", peer);  /* too long, ENOMEM, ECONNRESET */
    else if (n == 0)
        say("  The client closed the connection after %zu line%s\n", count,
            count == 1 ? "" : "s");
    free(line);
    /* Each fclose() closes its own descriptor; the FIN goes out with the last. */
    if (fclose(out) == EOF)
        warn_errno("write", peer);
    fclose(in);
    say("  Socket closed\n");
}

/* accept() failed with ECONNABORTED: a client gave up (its RST came) while it waited in
 * the backlog, before we took it. That is its business, not the server's error. */
static bool client_gave_up_waiting(int err)
{
    return err == ECONNABORTED;
}

static void server(const char *interface, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE];
    int on = 1;
    struct addrinfo *address = resolve(interface, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
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
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    for (;;) {
        struct sockaddr_in peer;
        length = sizeof peer;
        int sc = accept(sock, (struct sockaddr *)&peer, &length);
        if (sc < 0 && client_gave_up_waiting(errno))
            continue;
        if (sc < 0)
            die_errno("accept", (struct sockaddr *)&me);
        say("Accepted a connection from %s\n", format_address((struct sockaddr *)&peer, where));
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
    printf("Socket descriptor %d; fileno(in) = %d, fileno(out) = %d (its dup())\n", sock,
           fileno(in), fileno(out));

    char *line = NULL, *answer = NULL;
    size_t line_capacity = 0, answer_capacity = 0;
    ssize_t n;
    while ((n = read_line(stdin, &line, &line_capacity)) > 0) {
        /* The server answers whole lines: a last line without '\n' gets one, or both
         * sides would wait, each for the other. */
        bool add_newline = line[n - 1] != '\n';
        if (fwrite(line, 1, (size_t)n, out) != (size_t)n ||
            (add_newline && fputc('\n', out) == EOF) || fflush(out) == EOF)
            die_errno("write", address->ai_addr);
        ssize_t m = read_line(in, &answer, &answer_capacity);
        if (m < 0) {
            warn_line_error("the server", address->ai_addr);
            exit(1);
        }
        if (m == 0)
            die("the server closed the connection without answering");
        char *shown = malloc(REPR_SIZE(m));
        if (shown == NULL)
            die("out of memory for a line of %zd bytes", m);
        printf("The server answered %s\n", format_repr(answer, (size_t)m, false, shown));
        free(shown);
        if (answer[m - 1] != '\n')
            die("the server closed the connection in the middle of a line");
    }
    if (n < 0) {
        warn_line_error(NULL, NULL);
        exit(1);
    }
    free(line);
    free(answer);
    freeaddrinfo(address);
    if (fclose(out) == EOF)
        die_errno("close", NULL);
    fclose(in);
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
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);
    /* Writing to a client that has gone must fail with EPIPE, not kill the server
     * (see tcp_closing.c). */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") == 0)
        client(host, port);
    else
        server(host, port);
    return 0;
}
