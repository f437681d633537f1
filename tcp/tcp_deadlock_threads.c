/*
 * tcp_deadlock_threads.c - cure 1 of tcp_deadlock: send with one thread while a second
 * thread receives (lecture: "TCP", the deadlock in tcp_deadlock.py and how to avoid it,
 * Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * The client of tcp_deadlock deadlocks because it reads nothing until it has sent
 * everything. Here a second thread reads the server's replies from the start, so the
 * server always has room to send and never stops reading what we send.
 * Try, with the unchanged server in another terminal:
 *     ./tcp_deadlock server ""        ./tcp_deadlock_threads client 127.0.0.1 1073741824
 * Compare with ./tcp_deadlock client 127.0.0.1 1073741824, which stalls. Then comment out the
 * marked shutdown(): every byte comes back, and yet the client never ends.
 * Watch it: strace -f -e trace=network ./tcp_deadlock_threads client 127.0.0.1 32 (two PIDs).
 */
#include "socket_helpers.h"

#include <pthread.h>
#include <signal.h>

#define CHUNK 65536             /* bytes per send() at most */
/* The message tcp_deadlock's client repeats, and the -b floor: see main(). */
static const char message[] = "capitalize this!";
#define MESSAGE_LENGTH (sizeof message - 1)
#define SMALLEST_BUFFER 2048

static const char usage[] = "[-h] [-p PORT] [-b BYTES]\n"
                            "                            {client} host [bytecount]";
static const char help[] =
    "Send to tcp_deadlock's server and receive at the same time, with two threads\n\n"
    "positional arguments:\n"
    "  {client}    the only role: the server is tcp_deadlock's\n"
    "  host        host the client sends to\n"
    "  bytecount   number of bytes for client to send (default 16)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     TCP port (default 1060)\n"
    "  -b BYTES    set SO_SNDBUF and SO_RCVBUF to BYTES (the kernel doubles it;\n"
    "              at least 2048)\n";

/* The stream we send is the message over and over: byte k is message[k % MESSAGE_LENGTH].
 * chunk holds it from its start, so chunk + k % MESSAGE_LENGTH goes on from byte k. */
static void fill(char chunk[CHUNK])
{
    for (size_t i = 0; i < CHUNK; i++)
        chunk[i] = message[i % MESSAGE_LENGTH];
}

/* Byte `first + i` that comes back must be the upper case of the byte sent there; anything
 * else, or more bytes than we sent, ends the program. */
static void verify(const char *data, size_t n, unsigned long long first,
                   unsigned long long bytecount)
{
    char got[REPR_SIZE(1)], want[REPR_SIZE(1)];
    for (size_t i = 0; i < n; i++) {
        unsigned long long k = first + i;
        char sent = message[k % MESSAGE_LENGTH];
        char expected = sent >= 'a' && sent <= 'z' ? (char)(sent - 'a' + 'A') : sent;
        if (k >= bytecount)
            die("the server sent back more than the %llu bytes we sent", bytecount);
        if (data[i] != expected)
            die("byte %llu came back as %s instead of %s", k, format_repr(&data[i], 1, true, got),
                format_repr(&expected, 1, true, want));
    }
}

/* -b, as in tcp_deadlock: before connect(), since TCP offers the window in the handshake. */
static void set_buffers(int sock, int buffer_size)
{
    if (buffer_size > 0 &&
        (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof(int)) < 0 ||
         setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof(int)) < 0))
        die_errno("setsockopt SO_SNDBUF/SO_RCVBUF", NULL);
}

struct receiver {
    int sock;
    const struct sockaddr *server;
    unsigned long long bytecount, received;
};

/* The second thread: read and check everything the server sends back, until it closes. */
static void *receive_all(void *argument)
{
    struct receiver *receiver = argument;
    static char data[CHUNK];
    for (;;) {
        ssize_t got = recv(receiver->sock, data, sizeof data, 0);
        /* die() ends the whole process, not just this thread: the sending thread could be
         * blocked in send() and would stay blocked if nobody read any more. */
        if (got < 0)
            die_errno("recv", receiver->server);
        if (got == 0)
            return NULL;
        verify(data, (size_t)got, receiver->received, receiver->bytecount);
        receiver->received += (unsigned long long)got;
    }
}

static void client(const char *host, uint16_t port, unsigned long long bytecount, int buffer_size)
{
    static char chunk[CHUNK];
    fill(chunk);
    /* Round up to whole messages, as tcp_deadlock does. */
    bytecount = (bytecount + MESSAGE_LENGTH - 1) / MESSAGE_LENGTH * MESSAGE_LENGTH;
    printf("Sending %llu bytes of data, in chunks of %d bytes, while a second thread receives\n",
           bytecount, CHUNK);
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    set_buffers(sock, buffer_size);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    double start = monotonic_seconds();

    struct receiver receiver = {sock, address->ai_addr, bytecount, 0};
    pthread_t thread;
    /* pthread functions return the error number instead of setting errno. */
    if ((errno = pthread_create(&thread, NULL, receive_all, &receiver)) != 0)
        die_errno("pthread_create", NULL);
    /* This thread only sends. Blocking in send() is harmless now: the other thread keeps
     * reading, so the server keeps reading too, and room comes back. */
    unsigned long long sent = 0;
    while (sent < bytecount) {
        size_t offset = (size_t)(sent % MESSAGE_LENGTH), n = CHUNK - offset;   /* see fill() */
        if (bytecount - sent < n)
            n = (size_t)(bytecount - sent);
        if (sendall(sock, chunk + offset, n) < 0)
            die_errno("send", address->ai_addr);
        sent += n;
    }
    int status = 0;
    /* The server reads end of file once it has it all, sends back the rest and closes; the
     * receiving thread then reads end of file too, and ends.
     * EXPERIMENT: comment this out: every byte comes back, and yet the program never ends:
     * the server waits for more, the receiving thread for the server to close, and
     * pthread_join() for the receiving thread. Ctrl+C ends it. */
    status = shutdown(sock, SHUT_WR);
    if (status < 0)
        die_errno("shutdown", address->ai_addr);
    printf("  %llu bytes sent\n", sent);
    if ((errno = pthread_join(thread, NULL)) != 0)
        die_errno("pthread_join", NULL);

    double elapsed = monotonic_seconds() - start;
    if (receiver.received < bytecount)
        die("the server closed the connection after sending back %llu of %llu bytes",
            receiver.received, bytecount);
    printf("  %llu bytes received, each the upper case of the byte sent\n"
           "  Elapsed %.3f seconds: %.1f MB/s each way\n", receiver.received, elapsed,
           elapsed > 0 ? (double)bytecount / 1e6 / elapsed : 0.0);
    freeaddrinfo(address);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const char *const roles[] = {"client", NULL};
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 1060;
    int option, buffer_size = 0;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:b:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'b': buffer_size = (int)parse_int(optarg, "-b", 1, 1 << 30); break;
        default: option_error(option, argv, options);
        }
    }
    next_positional(argc, argv, "role", roles);      /* "client", the only choice */
    const char *host = next_positional(argc, argv, "host", NULL);
    long long count = parse_int(optind < argc ? argv[optind++] : "16", "bytecount", 0, 1LL << 60);
    no_more_arguments(argc, argv);
    /* Below 2048 the receive buffer (twice that) holds less than a full segment and the
     * kernel's bookkeeping: the window stays almost shut, and the bytes crawl through TCP's
     * zero-window probes (the persist timer), seconds apart. */
    if (buffer_size > 0 && buffer_size < SMALLEST_BUFFER)
        usage_error("argument -b: %d is too small: below %d bytes the receive window stays "
                    "almost shut and the transfer crawls", buffer_size, SMALLEST_BUFFER);
    signal(SIGPIPE, SIG_IGN);               /* a closed connection: send() fails with EPIPE */

    client(host, port, (unsigned long long)count, buffer_size);
    return 0;
}
