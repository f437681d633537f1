/*
 * tcp_closing.c - how a TCP connection ends (lecture: "Closed connections and half-open
 * connections", the TCP chapter's section after tcp_deadlock; Foundations of Python Network
 * Programming, 3rd ed., chapter 3, "Closed Connections, Half-Open Connections").
 *
 * Run both sides with the same STEP, in two terminals:
 *     ./tcp_closing server halfclose ""       ./tcp_closing client halfclose 127.0.0.1
 *     ./tcp_closing server reset ""           ./tcp_closing client reset 127.0.0.1
 *     ./tcp_closing server epipe ""           ./tcp_closing client epipe 127.0.0.1
 *   halfclose  the client sends its request, then shutdown(SHUT_WR): the server reads to end
 *              of file, and its answer still travels back the other way.
 *   reset      the client closes one connection in order (FIN) and aborts another (RST): the
 *              server's recv() returns 0 for the first and fails with ECONNRESET for the second.
 *   epipe      the client closes without reading the answer: the server's first send()
 *              succeeds, its second fails with EPIPE. Then comment out the marked
 *              signal(SIGPIPE, SIG_IGN), rebuild and run it again: the server dies without a
 *              word at its second send (a shell shows exit status 141 = 128 + SIGPIPE).
 */
#include "socket_helpers.h"

#include <poll.h>
#include <signal.h>

#define REQUEST "Hi there, server. That is all I have to say."
#define MAX_SHOWN 64                    /* bytes of a request or answer shown on screen */

static const char usage[] = "[-h] [-p PORT] {client,server} {halfclose,reset,epipe} host";
static const char help[] =
    "Close TCP connections in order (FIN), half-way (shutdown) or abortively (RST)\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  {halfclose,reset,epipe}\n"
    "                   which step to show (give both sides the same one)\n"
    "  host             interface the server listens at; host the client connects to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n";

enum step { HALFCLOSE, RESET, EPIPE_STEP };

/* Read until the client has nothing more to say, show what came and how the stream ended.
 * recv() returning 0 is TCP's end of file: the peer sent FIN, an orderly "I will send no
 * more". A peer that aborts sends RST instead, and recv() fails with ECONNRESET. Returns
 * true at end of file (with the byte count in *total), false if the connection failed. */
static bool read_to_end(int sc, size_t *total)
{
    char data[4096], kept[MAX_SHOWN];
    ssize_t n;
    *total = 0;
    while ((n = recv(sc, data, sizeof data, 0)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (*total < MAX_SHOWN)
            memcpy(kept + *total, data,
                   (size_t)n < MAX_SHOWN - *total ? (size_t)n : MAX_SHOWN - *total);
        *total += (size_t)n;
    }
    int err = errno;
    if (*total > 0) {
        char shown[REPR_SIZE(MAX_SHOWN)];
        printf("  Received %zu bytes: %s%s\n", *total,
               format_repr(kept, *total < MAX_SHOWN ? *total : MAX_SHOWN, true, shown),
               *total > MAX_SHOWN ? "..." : "");
    }
    if (n == 0) {
        printf("  recv() returned 0: end of file, the client sent FIN (it will send no more)\n");
        return true;
    }
    printf("  recv() failed with %s (%s)%s\n", errno_name(err), strerror(err),
           err == ECONNRESET ? ": the client aborted the connection (RST)" : "");
    return false;
}

/* Send the answer and say how it went: a send() to a connection the peer has left fails
 * with EPIPE (or ECONNRESET), it does not end the server. */
static void send_answer(int sc, const char *which, const char *answer)
{
    char shown[REPR_SIZE(MAX_SHOWN)];
    format_repr(answer, strlen(answer), true, shown);
    if (sendall(sc, answer, strlen(answer)) == 0)
        printf("  %ssend() of %s succeeded\n", which, shown);
    else
        printf("  %ssend() of %s failed with %s (%s)\n", which, shown, errno_name(errno),
               strerror(errno));
}

static void server(enum step step, const char *interface, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE], answer[64];
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
        size_t total;
        if (read_to_end(sc, &total) && step != RESET) {
            snprintf(answer, sizeof answer, "You sent me %zu bytes", total);
            /* End of file closed only the client-to-server direction: ours is still open.
             * That is the half-close: the client said "that is all", and still hears us. */
            send_answer(sc, step == EPIPE_STEP ? "First " : "", answer);
        }
        if (step == EPIPE_STEP) {
            /* A client that close()d, rather than shutdown(), has no socket left to read our
             * answer: its kernel throws the data away and answers with RST. Our first send()
             * succeeded anyway, because send() only hands data to our kernel. Wait for that
             * RST (poll() reports POLLHUP once it has come; 2 s at most, for a client that
             * is still reading), and send again: now the kernel knows, and send() fails
             * with EPIPE. */
            if (poll(&(struct pollfd){.fd = sc, .events = 0}, 1, 2000) < 0)
                warn_errno("poll", (struct sockaddr *)&peer);
            send_answer(sc, "Second ", "Goodbye");
        }
        close(sc);
        printf("  Socket closed\n");
    }
}

/* Connect and say from where to where. */
static int connect_to(const struct addrinfo *address)
{
    char from[ADDRESS_TEXT_SIZE], to[ADDRESS_TEXT_SIZE];
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
    return sock;
}

static void client(enum step step, const char *host, uint16_t port)
{
    char shown[REPR_SIZE(MAX_SHOWN)];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = connect_to(address);
    format_repr(REQUEST, strlen(REQUEST), true, shown);

    if (step == HALFCLOSE) {
        if (sendall(sock, REQUEST, strlen(REQUEST)) < 0)
            die_errno("send", address->ai_addr);
        /* "That is all": the server reads end of file, yet we can still receive. close()
         * here would end both directions, and the answer would meet a closed socket. */
        if (shutdown(sock, SHUT_WR) < 0)
            die_errno("shutdown", address->ai_addr);
        printf("Sent %s, then shutdown(SHUT_WR): I will send no more\n", shown);
        char data[4096], kept[MAX_SHOWN];
        size_t total = 0;
        ssize_t n;
        while ((n = recv(sock, data, sizeof data, 0)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                die_errno("recv", address->ai_addr);
            if (total < MAX_SHOWN)
                memcpy(kept + total, data,
                       (size_t)n < MAX_SHOWN - total ? (size_t)n : MAX_SHOWN - total);
            total += (size_t)n;
        }
        printf("The server answered %s%s\n",
               format_repr(kept, total < MAX_SHOWN ? total : MAX_SHOWN, true, shown),
               total > MAX_SHOWN ? "..." : "");
        printf("recv() returned 0: the server has closed the connection too\n");
    } else if (step == RESET) {
        close(sock);
        printf("close(): an orderly close, the kernel sends FIN\n");
        sock = connect_to(address);
        /* Linger on, for 0 seconds: close() throws away whatever is unsent and ends the
         * connection at once with RST instead of FIN. */
        struct linger linger = {.l_onoff = 1, .l_linger = 0};
        if (setsockopt(sock, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
            die_errno("setsockopt SO_LINGER", NULL);
        close(sock);
        printf("SO_LINGER {on, 0 s}, close(): an abortive close, the kernel sends RST\n");
    } else {
        if (sendall(sock, REQUEST, strlen(REQUEST)) < 0)
            die_errno("send", address->ai_addr);
        close(sock);
        printf("Sent %s, then close() without reading the answer\n", shown);
    }
    freeaddrinfo(address);
}

int main(int argc, char *argv[])
{
    const char *role = NULL, *step_name = NULL, *host = NULL, *port = "1060";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"role", &role, false}, {"step", &step_name, false}, {"host", &host, false},
        {"-p", &port, false}, {NULL, NULL, false}});
    /* Python ignores SIGPIPE for you; C does not. By default a send() to a connection the
     * peer has reset does not fail with EPIPE: the kernel first sends SIGPIPE, whose
     * default action kills the process, without a message. For a server that is one
     * impatient client taking it down. (Per call, send(..., MSG_NOSIGNAL) does the same.) */
    /* EXPERIMENT: comment this out and run the epipe step: the server dies of SIGPIPE at
     * its second send (exit status 141 in a shell) instead of reporting EPIPE. */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") != 0 && strcmp(role, "server") != 0)
        usage_error(usage, "argument role: invalid choice: '%s' (choose from 'client', 'server')",
                    role);
    enum step step;
    if (strcmp(step_name, "halfclose") == 0)
        step = HALFCLOSE;
    else if (strcmp(step_name, "reset") == 0)
        step = RESET;
    else if (strcmp(step_name, "epipe") == 0)
        step = EPIPE_STEP;
    else
        usage_error(usage, "argument step: invalid choice: '%s' (choose from 'halfclose', "
                    "'reset', 'epipe')", step_name);
    if (strcmp(role, "client") == 0)
        client(step, host, parse_port(port, usage));
    else
        server(step, host, parse_port(port, usage));
    return 0;
}
