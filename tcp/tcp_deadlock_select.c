/*
 * tcp_deadlock_select.c - cure 3 of tcp_deadlock: one thread, a non-blocking socket and
 * select() (lecture: "TCP", the deadlock in tcp_deadlock.py and how to avoid it,
 * Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * The same cure as tcp_deadlock_poll, with select(), the older call that Python's select
 * module and most textbooks show first. select() takes sets of descriptor numbers, and
 * cannot watch a descriptor numbered FD_SETSIZE (1024) or above: poll() has no such limit.
 * Try, with the unchanged server in another terminal:
 *     ./tcp_deadlock server ""        ./tcp_deadlock_select client 127.0.0.1 1073741824
 * Compare with ./tcp_deadlock client 127.0.0.1 1073741824, which stalls. With -b 4096 on
 * both sides, the buffers are small and this still never stalls; comment out the marked
 * O_NONBLOCK line and it does.
 * Watch it: strace -e trace=network,pselect6 ./tcp_deadlock_select client 127.0.0.1 32
 */
#include "socket_helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/select.h>

#define CHUNK 65536             /* bytes per send() at most */
/* The message tcp_deadlock's client repeats, and the -b floor: see main(). */
static const char message[] = "capitalize this!";
#define MESSAGE_LENGTH (sizeof message - 1)
#define SMALLEST_BUFFER 2048

static const char usage[] = "[-h] [-p PORT] [-b BYTES] {client} host [bytecount]";
static const char help[] =
    "Send to tcp_deadlock's server and receive at the same time, with select()\n\n"
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

static void client(const char *host, uint16_t port, unsigned long long bytecount, int buffer_size)
{
    static char chunk[CHUNK], data[CHUNK];
    fill(chunk);
    /* Round up to whole messages, as tcp_deadlock does. */
    bytecount = (bytecount + MESSAGE_LENGTH - 1) / MESSAGE_LENGTH * MESSAGE_LENGTH;
    printf("Sending %llu bytes of data, in chunks of up to %d bytes, receiving whenever "
           "select() says so\n", bytecount, CHUNK);
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0), status = 0;
    if (sock < 0)
        die_errno("socket", NULL);
    if (sock >= FD_SETSIZE)             /* FD_SET() would write past the end of the set */
        die("select() cannot watch descriptor %d: FD_SETSIZE is %d", sock, FD_SETSIZE);
    set_buffers(sock, buffer_size);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    double start = monotonic_seconds();

    /* Non-blocking: send() takes only what fits in the socket's buffer now and returns at
     * once (EAGAIN if nothing fits); recv() returns EAGAIN instead of waiting for data. So
     * we never wait inside send() or recv(), only in select(), which wakes us when EITHER is
     * possible. (A new socket has no other file status flag to keep: O_NONBLOCK alone.) */
    /* EXPERIMENT: comment this out, make, and run both sides with -b 4096: "writable" means
     * some room, not room for 65536 bytes, so send() blocks for the rest of the chunk
     * while the replies pile up unread, and both sides wait in send(), deadlocked. */
    status = fcntl(sock, F_SETFL, O_NONBLOCK);
    if (status < 0)
        die_errno("fcntl O_NONBLOCK", NULL);

    unsigned long long sent = 0, received = 0;
    bool shut = false;
    for (;;) {
        if (sent == bytecount && !shut) {
            if (shutdown(sock, SHUT_WR) < 0)    /* the server reads end of file after the rest */
                die_errno("shutdown", address->ai_addr);
            shut = true;
        }
        /* Always wait for replies too; for room to send only while there is more to send. */
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(sock, &readable);
        if (!shut)
            FD_SET(sock, &writable);
        if (select(sock + 1, &readable, &writable, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            die_errno("select", NULL);
        }
        if (FD_ISSET(sock, &writable)) {
            /* After a partial send, go on from byte `sent` of the stream (see fill()). */
            size_t offset = (size_t)(sent % MESSAGE_LENGTH), n = CHUNK - offset;
            if (bytecount - sent < n)
                n = (size_t)(bytecount - sent);
            ssize_t put = send(sock, chunk + offset, n, 0);
            /* EAGAIN (POSIX also allows EWOULDBLOCK): no room after all; try again later. */
            if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                die_errno("send", address->ai_addr);
            if (put > 0)
                sent += (unsigned long long)put;
        }
        if (FD_ISSET(sock, &readable)) {
            ssize_t got = recv(sock, data, sizeof data, 0);
            if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                die_errno("recv", address->ai_addr);
            if (got == 0)
                break;                  /* the server closed: it has sent back all it will */
            if (got > 0) {
                verify(data, (size_t)got, received, bytecount);
                received += (unsigned long long)got;
            }
        }
    }

    double elapsed = monotonic_seconds() - start;
    printf("  %llu bytes sent\n", sent);
    if (received < bytecount)
        die("the server closed the connection after sending back %llu of %llu bytes",
            received, bytecount);
    printf("  %llu bytes received, each the upper case of the byte sent\n"
           "  Elapsed %.3f seconds: %.1f MB/s each way\n", received, elapsed,
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
