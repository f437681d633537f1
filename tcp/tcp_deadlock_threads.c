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
 * Compare with ./tcp_deadlock client 127.0.0.1 1073741824, which stalls.
 */
#include "socket_helpers.h"

#include <pthread.h>
#include <signal.h>

#define CHUNK 65536             /* 4096 copies of the 16-byte message per send() */

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
    "  -b BYTES    set SO_SNDBUF and SO_RCVBUF to BYTES (the kernel doubles it)\n";

/* Byte k that comes back must be the upper case of byte k sent; anything else, or more
 * bytes than we sent, ends the program. */
static void verify(const char *data, size_t n, unsigned long long k, unsigned long long bytecount)
{
    static const char expected[] = "CAPITALIZE THIS!";
    char got[REPR_SIZE(1)], want[REPR_SIZE(1)];
    for (size_t i = 0; i < n; i++, k++)
        if (k >= bytecount)
            die("the server sent back more than the %llu bytes we sent", bytecount);
        else if (data[i] != expected[k % 16])
            die("byte %llu came back as %s instead of %s", k, format_repr(&data[i], 1, true, got),
                format_repr(&expected[k % 16], 1, true, want));
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
    for (size_t i = 0; i < CHUNK; i += 16)
        memcpy(chunk + i, "capitalize this!", 16);
    bytecount = (bytecount + 15) / 16 * 16;              /* round up to a multiple of 16 */
    printf("Sending %llu bytes of data, in chunks of %d bytes, while a second thread receives\n",
           bytecount, CHUNK);
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (buffer_size > 0 &&              /* -b, as in tcp_deadlock: set before connect() */
        (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof(int)) < 0 ||
         setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof(int)) < 0))
        die_errno("setsockopt SO_SNDBUF/SO_RCVBUF", NULL);
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
        size_t n = bytecount - sent < CHUNK ? (size_t)(bytecount - sent) : CHUNK;
        if (sendall(sock, chunk, n) < 0)
            die_errno("send", address->ai_addr);
        sent += n;
    }
    if (shutdown(sock, SHUT_WR) < 0)    /* the server reads end of file once it has it all */
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
    signal(SIGPIPE, SIG_IGN);               /* a closed connection: send() fails with EPIPE */

    client(host, port, (unsigned long long)count, buffer_size);
    return 0;
}
