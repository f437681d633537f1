/*
 * tcp_sixteen.c - TCP client and server that send and receive 16 octets (lecture: "TCP",
 * tcp_sixteen.py, Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * Try, in two terminals:
 *     ./tcp_sixteen server ""             ./tcp_sixteen client 127.0.0.1
 * Then the lecture's experiments:
 *   - run the client with no server: connect() fails with Connection refused;
 *   - comment out the SO_REUSEADDR line (the marked experiment), rebuild, run one exchange and
 *     restart the server at once: bind() fails with Address already in use for a minute;
 *   - hold the server with a silent connection (bash: exec 3<>/dev/tcp/127.0.0.1/1060): the
 *     next client waits until you close it (exec 3>&-);
 *   - start the server on 127.0.0.1 and connect to 127.0.0.2 (also this machine): refused;
 *     start it on "" and both addresses work.
 */
#include "socket_helpers.h"

#include <signal.h>

#define MESSAGE_LENGTH 16

static const char usage[] = "[-h] [-p PORT] {client,server} host";
static const char help[] =
    "Send and receive over TCP\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to play\n"
    "  host             interface the server listens at; host the client sends to\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p PORT          TCP port (default 1060)\n";

/* The lesson of this chapter: TCP carries a stream of bytes, not messages. The peer's one
 * send() of 16 bytes may arrive as 16 recv()s of one byte, and recv() returns whatever has
 * arrived so far, so we loop until we have `length` bytes. recv() returning 0 means the peer
 * closed its side: the rest will never come (Python's recvall raises EOFError there).
 * Returns true with all `length` bytes in data; else reports why on stderr and returns
 * false. peer is only for the error line. */
static bool recvall(int sock, char *data, size_t length, const struct sockaddr *peer)
{
    size_t received = 0;
    while (received < length) {
        ssize_t more = recv(sock, data + received, length - received, 0);
        if (more < 0) {
            warn_errno("recv", peer);           /* e.g. ECONNRESET: the peer aborted */
            return false;
        }
        if (more == 0) {
            char where[ADDRESS_TEXT_SIZE];
            fprintf(stderr, "%s: recvall %s: was expecting %zu bytes but only received %zu "
                    "bytes before the socket closed\n", program_name,
                    format_address(peer, where), length, received);
            return false;
        }
        received += (size_t)more;
    }
    return true;
}

static void server(const char *interface, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE], message[MESSAGE_LENGTH], shown[REPR_SIZE(MESSAGE_LENGTH)];
    struct addrinfo *address = resolve(interface, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    int status = 0;
    /* EXPERIMENT: comment this out, run one exchange and restart the server at once: bind()
     * fails with EADDRINUSE Address already in use. The end that closes first waits in
     * TIME_WAIT (a minute on Linux), and here that is always the server (the client waits
     * for its FIN): its old connection holds the port. SO_REUSEADDR lets a new listening
     * socket bind it anyway. */
    status = setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    /* A backlog of 1: connections the kernel has completed but we have not accepted yet. */
    if (listen(sock, 1) < 0)
        die_errno("listen", NULL);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    /* One connection at a time, as the original: a client that connects and says nothing
     * holds the server in recvall() for as long as it likes, and the next one waits.
     * (Cures: a timeout on recv(), keepalive, or serving clients concurrently.) */
    for (;;) {
        printf("Waiting to accept a new connection\n");
        check_log();
        struct sockaddr_in peer;
        length = sizeof peer;
        int sc;
        /* accept() hands us a NEW socket for this one conversation; sock goes on listening. */
        while ((sc = accept(sock, (struct sockaddr *)&peer, &length)) < 0) {
            if (errno != ECONNABORTED)          /* that one: a client gave up; take the next */
                die_errno("accept", (struct sockaddr *)&me);
            length = sizeof peer;
        }
        printf("We have accepted a connection from %s\n",
               format_address((struct sockaddr *)&peer, where));
        length = sizeof me;
        if (getsockname(sc, (struct sockaddr *)&me, &length) < 0)
            die_errno("getsockname", NULL);
        printf("  Socket name: %s\n", format_address((struct sockaddr *)&me, where));
        /* accept() already told us the peer; getpeername() asks the socket, as Python does.
         * A client that reset the connection has none any more (ENOTCONN). */
        length = sizeof peer;
        if (getpeername(sc, (struct sockaddr *)&peer, &length) < 0) {
            warn_errno("getpeername", (struct sockaddr *)&peer);
            close(sc);
            continue;
        }
        printf("  Socket peer: %s\n", format_address((struct sockaddr *)&peer, where));
        check_log();
        /* One misbehaving client (too few bytes, a reset) is reported and dropped; the server
         * goes on to the next. */
        if (!recvall(sc, message, sizeof message, (struct sockaddr *)&peer)) {
            close(sc);
            continue;
        }
        printf("  Incoming sixteen-octet message: %s\n",
               format_repr(message, sizeof message, true, shown));
        if (sendall(sc, "Farewell, client", MESSAGE_LENGTH) < 0)
            warn_errno("send", (struct sockaddr *)&peer);
        close(sc);
        printf("  Reply sent, socket closed\n");
        check_log();
    }
}

static void client(const char *host, uint16_t port)
{
    char where[ADDRESS_TEXT_SIZE], reply[MESSAGE_LENGTH], shown[REPR_SIZE(MESSAGE_LENGTH)];
    struct addrinfo *address = resolve(host, port, AF_INET, SOCK_STREAM);
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* connect() does TCP's three-way handshake: with no server listening, the host answers
     * with a reset and connect() fails at once with ECONNREFUSED. */
    if (connect(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("connect", address->ai_addr);
    struct sockaddr_in me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Client has been assigned socket name %s\n",
           format_address((struct sockaddr *)&me, where));
    if (sendall(sock, "Hi there, server", MESSAGE_LENGTH) < 0)
        die_errno("send", address->ai_addr);
    if (!recvall(sock, reply, sizeof reply, address->ai_addr))
        exit(1);
    printf("The server said %s\n", format_repr(reply, sizeof reply, true, shown));
    /* Close only once the server has closed (recv() returns 0): then the server is always
     * the end that closes first, the one left in TIME_WAIT (the SO_REUSEADDR experiment). */
    ssize_t more;
    while ((more = recv(sock, reply, sizeof reply, 0)) > 0)
        ;                                   /* anything after the 16 bytes is not ours */
    if (more < 0)
        die_errno("recv", address->ai_addr);
    freeaddrinfo(address);
    close(sock);
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
    /* Python ignores SIGPIPE; C must say so itself, or a send() to a peer that has gone away
     * kills the whole server with a signal instead of failing with EPIPE. */
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(role, "client") == 0)
        client(host, port);
    else
        server(host, port);
    return 0;
}
