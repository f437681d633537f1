/*
 * tcp_closing.c - how a TCP connection ends (lecture: "Closed connections and half-open
 * connections" and "How to close a TCP connection?"; Foundations of Python Network
 * Programming, 3rd ed., chapter 3, "Closed Connections, Half-Open Connections").
 *
 * Try, in two terminals, with the same STEP on both sides:
 *     ./tcp_closing server STEP ""            ./tcp_closing client STEP 127.0.0.1
 *   halfclose  the client sends its request, then shutdown(SHUT_WR): the server reads to end
 *              of file, and its answer still travels back the other way (TCP is duplex).
 *   reset      the client closes one connection in order (FIN) and aborts another (RST): the
 *              server's recv() returns 0 for the first and fails with ECONNRESET for the second.
 *   epipe      the client closes without reading the answer: the server's first send()
 *              succeeds, its second fails with EPIPE (or, without the marked
 *              signal(SIGPIPE, SIG_IGN), kills the server: exit status 141 = 128 + SIGPIPE).
 *   shutrd     the server shuts its reading side: recv() returns 0, yet what the client sends
 *              next is still queued (the Recv-Q of ss -tn) and read. Linux refuses nothing.
 *   shared     the server fork()s, so two processes hold each connection: one close() ends
 *              nothing; one shutdown(SHUT_RDWR) ends the connection for both.
 * Watch it: sudo tcpdump -i lo -n tcp port 1060 shows each FIN and RST; ss -tan the states.
 */
#include "socket_helpers.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* What the two sides send each other; each carries its own length (sizeof text - 1). */
static const char request[] = "Hi there, server. That is all I have to say.";
static const char goodbye[] = "Goodbye";
static const char go_on[] = "shutdown(SHUT_RD) done: go on sending\n";
static const char late_data[] = "More data, after your SHUT_RD";
static const char still_open[] = "Still open: the child holds the connection";

#define MAX_SHOWN 64                    /* bytes of a request or answer shown on screen */
#define SHOWN_SIZE (REPR_SIZE(MAX_SHOWN) + 3)   /* their repr, and "..." when cut */

static const char usage[] =
    "[-h] [-p PORT]\n"
    "                   {client,server} {halfclose,reset,epipe,shutrd,shared} host";
static const char help[] =
    "Close TCP connections in order (FIN), half-way (shutdown) or abortively (RST)\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  {halfclose,reset,epipe,shutrd,shared}\n"
    "                   which step to show (give both sides the same one)\n"
    "  host             interface the server listens at; host the client connects\n"
    "                   to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n";

static const char *const steps[] = {"halfclose", "reset", "epipe", "shutrd", "shared", NULL};
enum step { HALFCLOSE, RESET, EPIPE_STEP, SHUTRD, SHARED };

/* repr() of the first MAX_SHOWN bytes of data, and "..." when there were more. */
static char *show(const char *data, size_t length, char shown[SHOWN_SIZE])
{
    format_repr(data, length < MAX_SHOWN ? length : MAX_SHOWN, true, shown);
    if (length > MAX_SHOWN)
        memcpy(shown + strlen(shown), "...", 4);      /* SHOWN_SIZE has room */
    return shown;
}

/* Read until the peer has nothing more to say: recv() returning 0 is TCP's end of file, the
 * peer sent FIN, an orderly "I will send no more". A peer that aborts sends RST instead, and
 * recv() fails with ECONNRESET. Counts the bytes in *total and shows the first MAX_SHOWN.
 * Returns 0 at end of file, or the errno with which the connection failed. */
static int read_to_end(int sock, size_t *total, char shown[SHOWN_SIZE])
{
    char data[4096], kept[MAX_SHOWN];
    ssize_t n;
    *total = 0;
    while ((n = recv(sock, data, sizeof data, 0)) > 0) {
        if (*total < MAX_SHOWN)
            memcpy(kept + *total, data,
                   (size_t)n < MAX_SHOWN - *total ? (size_t)n : MAX_SHOWN - *total);
        *total += (size_t)n;
    }
    int err = n < 0 ? errno : 0;
    show(kept, *total, shown);          /* it reads no more than the MAX_SHOWN bytes kept */
    return err;
}

/* Send the answer and say how it went: a send() to a connection the peer has left fails
 * with EPIPE (or ECONNRESET), it does not end the server. */
static void send_answer(int sc, const char *which, const char *answer, size_t length)
{
    char shown[SHOWN_SIZE];
    show(answer, length, shown);
    if (sendall(sc, answer, length) == 0)
        say("  %ssend() of %s succeeded\n", which, shown);
    else
        say("  %ssend() of %s failed with %s (%s)\n", which, shown, errno_name(errno),
            strerror(errno));
}

/* halfclose, reset and epipe: read to the end, say how it ended, answer (but not to reset). */
static void serve_reading(int sc, enum step step)
{
    char shown[SHOWN_SIZE];
    size_t total;
    int err = read_to_end(sc, &total, shown);
    if (total > 0)
        say("  Received %zu bytes: %s\n", total, shown);
    if (err)
        say("  recv() failed with %s (%s)%s\n", errno_name(err), strerror(err),
            err == ECONNRESET ? ": the client aborted the connection (RST)" : "");
    else
        say("  recv() returned 0: end of file, the client sent FIN (it will send no more)\n");
    if (!err && step != RESET) {
        char answer[64];
        int length = snprintf(answer, sizeof answer, "You sent me %zu bytes", total);
        /* End of file closed only the client-to-server direction: ours is still open.
         * That is the half-close: the client said "that is all", and still hears us. */
        send_answer(sc, step == EPIPE_STEP ? "First " : "", answer, (size_t)length);
    }
    if (step == EPIPE_STEP) {
        /* A client that close()d has no socket left to read our answer: its kernel throws
         * the data away and answers with RST. Our first send() succeeded anyway: send()
         * only hands data to our kernel. Once the RST is in (poll() reports POLLHUP; 2 s at
         * most, for a client still reading), send() fails with EPIPE. */
        struct pollfd reset_seen = {.fd = sc, .events = 0};
        if (poll(&reset_seen, 1, 2000) < 0)
            warn_errno("poll", NULL);
        send_answer(sc, "Second ", goodbye, sizeof goodbye - 1);
    }
}

/* After SHUT_RD, recv() and poll() no longer wait for data: ask the kernel every 10 ms, 10 s
 * at most, how many bytes wait in the receive queue (ss -tn's Recv-Q). */
static int wait_for_queued_bytes(int sc)
{
    struct timespec ten_milliseconds = {.tv_nsec = 10000000};
    int queued = 0;
    for (int tries = 0; queued == 0 && tries < 1000; tries++) {
        nanosleep(&ten_milliseconds, NULL);
        if (ioctl(sc, FIONREAD, &queued) < 0)
            die_errno("ioctl FIONREAD", NULL);
    }
    return queued;
}

/* shutrd: shutdown(SHUT_RD) says "I will read no more". POSIX leaves what happens to data
 * that still arrives to the system: some discard it, some answer with RST. Linux queues and
 * acknowledges it as usual, and recv() returns it; only an EMPTY queue now reads as end of
 * file. The other direction is untouched: we can still send. */
static void serve_shutrd(int sc)
{
    char data[MAX_SHOWN], shown[SHOWN_SIZE], answer[64];
    if (shutdown(sc, SHUT_RD) < 0) {
        warn_errno("shutdown", NULL);
        return;
    }
    ssize_t n = recv(sc, data, sizeof data, 0);
    if (n == 0)
        say("  shutdown(SHUT_RD), then recv() returned 0: nothing is queued, so end of file\n");
    else if (n > 0)             /* a client that did not wait for our go_on */
        say("  shutdown(SHUT_RD), then recv() returned %zd: bytes queued before the shutdown "
            "are still read: %s\n", n, show(data, (size_t)n, shown));
    else
        say("  recv() failed with %s (%s)\n", errno_name(errno), strerror(errno));
    send_answer(sc, "", go_on, sizeof go_on - 1);
    int queued = wait_for_queued_bytes(sc);
    if (queued == 0) {
        say("  Nothing arrived in 10 s\n");
        return;
    }
    say("  %d bytes arrived after SHUT_RD: queued and acknowledged all the same (ss -tn: "
        "Recv-Q %d)\n", queued, queued);
    if ((n = recv(sc, data, sizeof data, 0)) < 0) {
        say("  recv() failed with %s (%s)\n", errno_name(errno), strerror(errno));
        return;
    }
    say("  recv() returned %zd bytes after SHUT_RD: %s\n", n, show(data, (size_t)n, shown));
    int length = snprintf(answer, sizeof answer, "You sent me %zd bytes after my SHUT_RD", n);
    send_answer(sc, "", answer, (size_t)length);
}

/* The child of serve_shared(), once the parent has had its turn. */
static void child_turn(int sc, bool by_close)
{
    char shown[SHOWN_SIZE];
    long me = (long)getpid();
    if (by_close) {
        say("  [child %ld] send() of %s %s\n", me, show(still_open, sizeof still_open - 1, shown),
            sendall(sc, still_open, sizeof still_open - 1) == 0 ? "succeeded" : "failed");
        close(sc);
        say("  [child %ld] close(): the last descriptor is gone, the kernel sends FIN\n", me);
        return;
    }
    size_t total;
    int err = read_to_end(sc, &total, shown);
    if (total > 0)              /* a client that sent before the parent's shutdown() */
        say("  [child %ld] recv() read %zu bytes the client sent before the shutdown: %s\n", me,
            total, shown);
    if (err)
        say("  [child %ld] recv() failed with %s (%s)\n", me, errno_name(err), strerror(err));
    else
        say("  [child %ld] recv() returned 0: the parent's shutdown() ended it here too\n", me);
}

/* shared: after fork() the parent and the child each hold a descriptor of the same socket.
 * close() drops only the caller's descriptor; the connection ends (FIN) when the last one
 * goes. shutdown() acts on the socket itself, so it ends the connection for every holder.
 * The first connection shows close(), the second shutdown(SHUT_RDWR), and so on. */
static void serve_shared(int sc, int listener, bool by_close)
{
    int go[2];                          /* the parent tells the child "your turn" */
    char byte;
    if (pipe(go) < 0)
        die_errno("pipe", NULL);
    pid_t child = fork();
    if (child < 0)
        die_errno("fork", NULL);
    if (child == 0) {                   /* the child: wait for the parent, then its turn */
        close(listener);
        close(go[1]);
        if (read(go[0], &byte, 1) < 0)
            warn_errno("read", NULL);
        child_turn(sc, by_close);
        exit(0);
    }
    long parent = (long)getpid();
    close(go[0]);
    say("  fork(): parent %ld and child %ld both hold the connection\n", parent, (long)child);
    if (by_close) {
        say("  [parent %ld] close(): only my descriptor is gone; the child still holds the "
            "connection, no FIN\n", parent);
    } else {
        if (shutdown(sc, SHUT_RDWR) < 0)
            warn_errno("shutdown", NULL);
        say("  [parent %ld] shutdown(SHUT_RDWR): the connection ends for every process that "
            "holds it (FIN)\n", parent);
    }
    close(sc);
    close(go[1]);                       /* end of file on the pipe: the child's turn */
    waitpid(child, NULL, 0);
}

static void server(enum step step, const char *interface, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *address = resolve(interface, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int)) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    if (listen(sock, 8) < 0)
        die_errno("listen", NULL);
    struct sockaddr_in me, peer;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    for (unsigned connections = 0;; connections++) {
        int sc = accept_connection(sock, (struct sockaddr *)&peer, sizeof peer,
                                   (struct sockaddr *)&me);
        say("Accepted a connection from %s\n", format_address((struct sockaddr *)&peer, where));
        if (step == SHARED)
            serve_shared(sc, sock, connections % 2 == 0);    /* it closes sc */
        else if (step == SHUTRD)
            serve_shutrd(sc);
        else
            serve_reading(sc, step);
        if (step != SHARED)
            close(sc);
        say("  Socket closed\n");
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

/* The rest of what the server says, up to its FIN, and why it ended; then close. */
static void print_answer(int sock, const struct addrinfo *address, const char *why)
{
    char shown[SHOWN_SIZE];
    size_t total;
    errno = read_to_end(sock, &total, shown);
    if (errno != 0)
        die_errno("recv", address->ai_addr);
    if (total > 0)
        printf("The server answered %s\n", shown);
    printf("recv() returned 0: %s\n", why);
    close(sock);
}

static void client(enum step step, const char *host, uint16_t port)
{
    char shown[SHOWN_SIZE];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = connect_to(address);
    show(request, sizeof request - 1, shown);

    if (step == HALFCLOSE) {
        int status = 0;
        if (sendall(sock, request, sizeof request - 1) < 0)
            die_errno("send", address->ai_addr);
        /* "That is all": the server reads end of file, yet we can still receive. close()
         * here would end both directions, and the answer would meet a closed socket.
         * EXPERIMENT: comment this out: the server never reads end of file, so it waits in
         * recv() for more and never answers, while we wait for its answer. Ctrl+C ends it. */
        status = shutdown(sock, SHUT_WR);
        if (status < 0)
            die_errno("shutdown", address->ai_addr);
        printf("Sent %s, then shutdown(SHUT_WR): I will send no more\n", shown);
        print_answer(sock, address, "the server has closed the connection too");
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
    } else if (step == EPIPE_STEP) {
        if (sendall(sock, request, sizeof request - 1) < 0)
            die_errno("send", address->ai_addr);
        close(sock);
        printf("Sent %s, then close() without reading the answer\n", shown);
    } else if (step == SHUTRD) {
        char note[sizeof go_on];        /* MSG_WAITALL: wait for all of it, not a part */
        ssize_t n = recv(sock, note, sizeof note - 1, MSG_WAITALL);
        if (n < 0)
            die_errno("recv", address->ai_addr);
        printf("The server said %s\n", show(note, (size_t)n, shown));
        if (sendall(sock, late_data, sizeof late_data - 1) < 0)
            die_errno("send", address->ai_addr);
        printf("Sent %s after the server's SHUT_RD\n",
               show(late_data, sizeof late_data - 1, shown));
        print_answer(sock, address, "the server has closed the connection");
    } else {
        /* The server's parent close()s its descriptor: we see nothing, its child answers. */
        print_answer(sock, address, "the child, the last holder, closed it (FIN)");
        /* Now the parent calls shutdown(SHUT_RDWR): the end, though the child holds it. */
        print_answer(connect_to(address), address,
                     "the server's shutdown(SHUT_RDWR) ended it, though its child still holds it");
    }
    freeaddrinfo(address);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    static const char *const roles[] = {"client", "server", NULL};
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
    const char *step_name = next_positional(argc, argv, "step", steps);
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);
    enum step step = HALFCLOSE;
    while (strcmp(steps[step], step_name) != 0)
        step++;
    /* Python ignores SIGPIPE for you; C does not. A send() to a connection the peer has
     * reset first raises SIGPIPE, whose default action kills the process without a word:
     * one impatient client would take the server down. (Per call: send(..., MSG_NOSIGNAL).)
     * EXPERIMENT: comment this out and run the epipe step: the server dies of SIGPIPE (141) */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") == 0)
        client(step, host, port);
    else
        server(step, host, port);
    return 0;
}
