/*
 * tcp_deadlock.c - TCP client and server that leave too much data waiting (lecture: "TCP",
 * tcp_deadlock.py, Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * Try, in two terminals:
 *     ./tcp_deadlock server ""               ./tcp_deadlock client 127.0.0.1 32
 * then make the client send more and more:
 *     ./tcp_deadlock client 127.0.0.1 1073741824
 * Watch both progress lines stop: the client sends everything before it reads anything,
 * so the server's replies pile up until every buffer between them is full and each side
 * waits in send() for the other to read. Stop it with Ctrl+C. The cures are clients of
 * this same server: tcp_deadlock_threads, tcp_deadlock_poll and tcp_deadlock_select.
 */
#include "socket_helpers.h"

#include <signal.h>

static const char usage[] = "[-h] [-p PORT] {client,server} host [bytecount]";
static const char help[] =
    "Get deadlocked over TCP\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client sends to\n"
    "  bytecount        number of bytes for client to send (default 16)\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n";

static void server(const char *host, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE], data[1024];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    int on = 1;
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    if (listen(sock, 1) < 0)
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
            if (errno != EINTR && errno != ECONNABORTED)
                die_errno("accept", (struct sockaddr *)&me);
            continue;
        }
        printf("Processing up to 1024 bytes at a time from %s\n",
               format_address((struct sockaddr *)&peer, where));
        unsigned long long n = 0;
        const char *failed = NULL;      /* the call that failed, reported below the progress */
        for (;;) {
            ssize_t got = recv(sc, data, sizeof data, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                failed = "recv";        /* e.g. ECONNRESET: the client went away */
                break;
            }
            if (got == 0)
                break;                  /* the client shut down its sending side: all read */
            /* Python's .decode('ascii').upper() would stop the server with an exception on
             * the first non-ASCII byte; here such bytes just go back unchanged. */
            for (ssize_t i = 0; i < got; i++)
                if (data[i] >= 'a' && data[i] <= 'z')
                    data[i] = (char)(data[i] - 'a' + 'A');
            /* The trap: while this waits for room to send, nobody reads what the client keeps
             * sending us. If the client is not reading our replies, it never gets room. */
            if (sendall(sc, data, (size_t)got) < 0) {
                failed = "send";
                break;
            }
            n += (unsigned long long)got;
            printf("\r  %llu bytes processed so far ", n);
            fflush(stdout);             /* line buffering flushes at \n, and this has none */
        }
        int error = errno;
        printf("\n");
        if (failed) {                   /* one client's trouble does not stop the server */
            errno = error;
            warn_errno(failed, (struct sockaddr *)&peer);
        }
        close(sc);
        printf("  Socket closed\n");
    }
}

static void client(const char *host, uint16_t port, unsigned long long bytecount)
{
    char data[42], shown[REPR_SIZE(42)];
    static const char message[] = "capitalize this!";   /* 16 bytes to repeat over and over */
    bytecount = (bytecount + 15) / 16 * 16;              /* round up to a multiple of 16 */
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);

    printf("Sending %llu bytes of data, in chunks of 16 bytes\n", bytecount);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);

    /* The mistake: send everything first and read the replies only afterwards. */
    unsigned long long sent = 0;
    while (sent < bytecount) {
        if (sendall(sock, message, 16) < 0)
            die_errno("send", address->ai_addr);
        sent += 16;
        printf("\r  %llu bytes sent ", sent);
        fflush(stdout);
    }
    printf("\n");
    /* Half-close: the server's recv() returns 0 once it has read all we sent, while our
     * direction back from the server stays open. */
    if (shutdown(sock, SHUT_WR) < 0)
        die_errno("shutdown", address->ai_addr);

    printf("Receiving all the data the server sends back\n");
    unsigned long long received = 0;
    for (;;) {
        ssize_t got = recv(sock, data, sizeof data, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            die_errno("recv", address->ai_addr);
        if (received == 0)
            printf("  The first data received says %s\n",
                   format_repr(data, (size_t)got, true, shown));
        if (got == 0)
            break;
        received += (unsigned long long)got;
        printf("\r  %llu bytes received ", received);
        fflush(stdout);
    }
    printf("\n");
    /* The Python original stops quietly here; a short answer is worth saying out loud. */
    if (received < bytecount)
        die("the server closed the connection after sending back %llu of %llu bytes",
            received, bytecount);
    freeaddrinfo(address);
    close(sock);
}

int main(int argc, char *argv[])
{
    const char *role = NULL, *host = NULL, *bytecount = "16", *port = "1060";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"role", &role, false}, {"host", &host, false}, {"bytecount", &bytecount, true},
        {"-p", &port, false}, {NULL, NULL, false}});
    /* Python ignores SIGPIPE; C must say so itself, or a send() to a client that has gone
     * away kills the whole server with a signal instead of failing with EPIPE. */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") != 0 && strcmp(role, "server") != 0)
        usage_error(usage, "argument role: invalid choice: '%s' (choose from 'client', 'server')",
                    role);
    unsigned long long count = parse_count(bytecount, "bytecount", usage);
    if (strcmp(role, "client") == 0)
        client(host, parse_port(port, usage), count);
    else
        server(host, parse_port(port, usage));
    return 0;
}
