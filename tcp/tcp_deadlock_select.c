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
 * Compare with ./tcp_deadlock client 127.0.0.1 1073741824, which stalls.
 */
#include "socket_helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/select.h>

#define CHUNK 65536             /* at most 4096 copies of the 16-byte message per send() */

static const char usage[] = "[-h] [-p PORT] {client} host [bytecount]";
static const char help[] =
    "Send to tcp_deadlock's server and receive at the same time, with select()\n\n"
    "positional arguments:\n"
    "  {client}         the only role: the server is tcp_deadlock's\n"
    "  host             host the client sends to\n"
    "  bytecount        number of bytes for client to send (default 16)\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n";

static const char message[] = "capitalize this!";      /* 16 bytes, repeated */

/* Byte k of the stream we send is message[k % 16], so byte k of what comes back must be its
 * upper case. Anything else (or more bytes than we sent) ends the program. */
static void verify(const char *data, size_t n, unsigned long long offset,
                   unsigned long long bytecount)
{
    static const char expected[] = "CAPITALIZE THIS!";
    if (offset + n > bytecount)
        die("the server sent back more than the %llu bytes we sent", bytecount);
    for (size_t i = 0; i < n; i++) {
        const char *want = &expected[(offset + i) % 16];
        if (data[i] != *want) {
            char got_text[REPR_SIZE(1)], want_text[REPR_SIZE(1)];
            die("byte %llu came back as %s instead of %s", offset + i,
                format_repr(&data[i], 1, true, got_text), format_repr(want, 1, true, want_text));
        }
    }
}

static void client(const char *host, uint16_t port, unsigned long long bytecount)
{
    static char chunk[CHUNK], data[CHUNK];
    for (size_t i = 0; i < CHUNK; i += 16)
        memcpy(chunk + i, message, 16);
    bytecount = (bytecount + 15) / 16 * 16;              /* round up to a multiple of 16 */
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (sock >= FD_SETSIZE)             /* FD_SET() would write past the end of the set */
        die("select() cannot watch descriptor %d: FD_SETSIZE is %d", sock, FD_SETSIZE);

    printf("Sending %llu bytes of data, in chunks of up to %d bytes, receiving whenever "
           "select() says so\n", bytecount, CHUNK);
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    double start = monotonic_seconds();
    /* Non-blocking: send() takes only what fits in the socket's buffer now and returns at
     * once (EAGAIN if nothing fits); recv() returns EAGAIN instead of waiting for data.
     * select() alone is not enough: "writable" means some room is free, not room for a
     * whole chunk, and a blocking send() of more would wait there, deadlocked. */
    int flags = fcntl(sock, F_GETFL);
    if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0)
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
            /* Byte k of the stream is chunk[k % CHUNK]: after a partial send, go on from there. */
            size_t offset = (size_t)(sent % CHUNK), n = CHUNK - offset;
            if (bytecount - sent < n)
                n = (size_t)(bytecount - sent);
            ssize_t put = send(sock, chunk + offset, n, 0);
            /* EAGAIN (POSIX also allows EWOULDBLOCK): no room after all; try again later. */
            if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                die_errno("send", address->ai_addr);
            if (put > 0)
                sent += (unsigned long long)put;
        }
        if (FD_ISSET(sock, &readable)) {
            ssize_t got = recv(sock, data, sizeof data, 0);
            if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
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
    printf("  %llu bytes received, each the upper case of the byte sent\n", received);
    printf("  Elapsed %.3f seconds: %.1f MB/s each way\n", elapsed,
           elapsed > 0 ? (double)bytecount / 1e6 / elapsed : 0.0);
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
    signal(SIGPIPE, SIG_IGN);           /* a closed connection: send() fails with EPIPE */

    if (strcmp(role, "client") != 0)
        usage_error(usage, "argument role: invalid choice: '%s' (choose from 'client'; the "
                    "server is tcp_deadlock's)", role);
    client(host, parse_port(port, usage), parse_count(bytecount, "bytecount", usage));
    return 0;
}
