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
 * waits in send() for the other to read. Stop it with Ctrl+C. Add -w on both sides to see
 * where the bytes wait, and -b 4096 on both to make the buffers small. The cures are clients
 * of this same server: tcp_deadlock_threads, tcp_deadlock_poll and tcp_deadlock_select.
 * Then comment out the client's marked shutdown(): 32 bytes come back, yet neither side ends.
 * Watch it: ss -tn (Send-Q and Recv-Q), strace -f -e trace=network ./tcp_deadlock client ...
 */
#include "socket_helpers.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/time.h>

/* The message the client repeats over and over (the script's 16 bytes). */
static const char message[] = "capitalize this!";
#define MESSAGE_LENGTH (sizeof message - 1)
/* -b below this: see main(). */
#define SMALLEST_BUFFER 2048

static const char usage[] = "[-h] [-p PORT] [-b BYTES] [-w]\n"
                            "                    {client,server} host [bytecount]";
static const char help[] =
    "Get deadlocked over TCP\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client sends to\n"
    "  bytecount        number of bytes for client to send (default 16)\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n"
    "  -b BYTES         set SO_SNDBUF and SO_RCVBUF to BYTES (the kernel doubles\n"
    "                   it; at least 2048)\n"
    "  -w, --watch      after each second without progress, show our socket's\n"
    "                   queues\n";

static int buffer_size;                 /* -b: 0 leaves the kernel's own (autotuned) sizes */
static bool watch;                      /* -w */

/* -b: before connect() or listen(), because TCP offers the peer its window (and the scale
 * of the window) in the handshake. Accepted sockets inherit the listening socket's sizes. */
static void set_buffers(int sock)
{
    if (buffer_size > 0 &&
        (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof(int)) < 0 ||
         setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof(int)) < 0))
        die_errno("setsockopt SO_SNDBUF/SO_RCVBUF", NULL);
}

/* -w watches beside the naive code, with no thread and no signal: a one-second SO_SNDTIMEO
 * and SO_RCVTIMEO make a send() or recv() that has moved nothing for a second return
 * EAGAIN, so the loops below can print the queues and call again. (A SIGALRM handler may
 * not call printf, and its EINTR would interrupt every other call, printf's too.) */
static void watch_socket(int sock)
{
    struct timeval second = {.tv_sec = 1};
    if (watch && (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &second, sizeof second) < 0 ||
                  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second) < 0))
        die_errno("setsockopt SO_SNDTIMEO/SO_RCVTIMEO", NULL);
}

/* After send() or recv() failed: call it again? Yes after EINTR. With -w, EAGAIN means a
 * second went by with nothing moved: show where the bytes wait, then yes. Our send queue
 * (not yet sent, or not yet acknowledged) and receive queue (arrived, not yet read by us)
 * are ss -tn's Send-Q and Recv-Q; where these ioctls are missing or fail (not Linux),
 * nothing is printed. A stall's first line starts below the progress line. */
static bool try_again(int sock, bool *stalled)
{
    if (errno == EINTR)
        return true;
    if (!watch || (errno != EAGAIN && errno != EWOULDBLOCK))
        return false;
#if defined(TIOCOUTQ) && defined(FIONREAD)
    int send_queue, receive_queue;
    if (ioctl(sock, TIOCOUTQ, &send_queue) == 0 && ioctl(sock, FIONREAD, &receive_queue) == 0)
        say("%s  stalled: %d bytes in our send queue, %d in our receive queue\n",
            *stalled ? "" : "\n", send_queue, receive_queue);
#else
    (void)sock;
#endif
    *stalled = true;
    return true;
}

/* The header's sendall() and plain recv(), watched: they call try_again() when they fail. */
static int sendall_watched(int sock, const char *data, size_t n)
{
    bool stalled = false;
    while (n > 0) {
        ssize_t sent = send(sock, data, n, 0);
        if (sent < 0 && !try_again(sock, &stalled))
            return -1;
        if (sent > 0) {
            data += sent;
            n -= (size_t)sent;
        }
    }
    return 0;
}

static ssize_t recv_watched(int sock, char *data, size_t size)
{
    bool stalled = false;
    for (;;) {
        ssize_t got = recv(sock, data, size, 0);
        if (got >= 0 || !try_again(sock, &stalled))
            return got;
    }
}

/* Python's .decode('ascii').upper() would stop the server with an exception on the first
 * non-ASCII byte; here such bytes just go back unchanged. */
static void upper_case(char *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (data[i] >= 'a' && data[i] <= 'z')
            data[i] = (char)(data[i] - 'a' + 'A');
}

/* End a \r progress line; then, if a call failed (one client's trouble, which does not stop
 * the server), say which, below the progress line. */
static void end_progress(const char *failed, const struct sockaddr *peer)
{
    int error = errno;
    say("\n");
    errno = error;
    if (failed)
        warn_errno(failed, peer);
}

static void server(const char *host, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE], data[1024];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int)) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    set_buffers(sock);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    if (listen(sock, 1) < 0)
        die_errno("listen", NULL);
    struct sockaddr_in me, peer;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    for (;;) {
        int sc = accept_connection(sock, (struct sockaddr *)&peer, sizeof peer,
                                   (struct sockaddr *)&me);
        watch_socket(sc);
        say("Processing up to %zu bytes at a time from %s\n", sizeof data,
            format_address((struct sockaddr *)&peer, where));
        unsigned long long n = 0;
        const char *failed = NULL;      /* the call that failed, reported below the progress */
        for (;;) {
            ssize_t got = recv_watched(sc, data, sizeof data);
            if (got < 0)
                failed = "recv";        /* e.g. ECONNRESET: the client went away */
            if (got <= 0)
                break;                  /* 0: the client shut down its sending side: all read */
            upper_case(data, (size_t)got);
            /* The trap: while this waits for room to send, nobody reads what the client keeps
             * sending us. If the client is not reading our replies, it never gets room. */
            if (sendall_watched(sc, data, (size_t)got) < 0) {
                failed = "send";
                break;
            }
            n += (unsigned long long)got;
            say("\r  %llu bytes processed so far ", n);
            fflush(stdout);             /* line buffering flushes at \n, and this has none */
        }
        end_progress(failed, (struct sockaddr *)&peer);
        close(sc);
        say("  Socket closed\n");
    }
}

static void client(const char *host, uint16_t port, unsigned long long bytecount)
{
    char data[42], shown[REPR_SIZE(sizeof data)];
    /* Round up to whole messages, as the script's (bytecount + 15) // 16 * 16 does. */
    bytecount = (bytecount + MESSAGE_LENGTH - 1) / MESSAGE_LENGTH * MESSAGE_LENGTH;

    /* As in the script: this line comes first, before the host name is even looked up. */
    printf("Sending %llu bytes of data, in chunks of %zu bytes\n", bytecount, MESSAGE_LENGTH);
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    set_buffers(sock);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    watch_socket(sock);

    /* The mistake: send everything first and read the replies only afterwards. */
    unsigned long long sent = 0;
    while (sent < bytecount) {
        if (sendall_watched(sock, message, MESSAGE_LENGTH) < 0)
            die_errno("send", address->ai_addr);
        sent += MESSAGE_LENGTH;
        printf("\r  %llu bytes sent ", sent);
        fflush(stdout);
    }
    printf("\n");
    int status = 0;
    /* Half-close: the server's recv() returns 0 once it has read all we sent, while our
     * direction back from the server stays open.
     * EXPERIMENT: comment this out and run the client with 32 bytes: all 32 come back, and
     * then nothing ends: the server waits in recv() for more (no end of file), so it never
     * closes, and the client waits in recv() for the server to close. Ctrl+C ends it. */
    status = shutdown(sock, SHUT_WR);
    if (status < 0)
        die_errno("shutdown", address->ai_addr);

    printf("Receiving all the data the server sends back\n");
    unsigned long long received = 0;
    for (;;) {
        ssize_t got = recv_watched(sock, data, sizeof data);
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
    static const char *const roles[] = {"client", "server", NULL};
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'}, {"watch", no_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    uint16_t port = 1060;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:b:w", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'b': buffer_size = (int)parse_int(optarg, "-b", 1, 1 << 30); break;
        case 'w': watch = true; break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *host = next_positional(argc, argv, "host", NULL);
    const char *bytecount = optind < argc ? argv[optind++] : "16";
    long long count = parse_int(bytecount, "bytecount", 0, 1LL << 60);
    no_more_arguments(argc, argv);
    /* Below 2048 the receive buffer (twice that) holds less than a full segment and the
     * kernel's bookkeeping: the window stays almost shut, and the bytes crawl through TCP's
     * zero-window probes (the persist timer), seconds apart. */
    if (buffer_size > 0 && buffer_size < SMALLEST_BUFFER)
        usage_error("argument -b: %d is too small: below %d bytes the receive window stays "
                    "almost shut and the transfer crawls", buffer_size, SMALLEST_BUFFER);
    /* Python ignores SIGPIPE; C must say so itself, or a send() to a client that has gone
     * away kills the whole server with a signal instead of failing with EPIPE. */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") == 0)
        client(host, port, (unsigned long long)count);
    else
        server(host, port);
    return 0;
}
