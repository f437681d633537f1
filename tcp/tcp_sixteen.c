/*
 * tcp_sixteen.c - TCP client and server that send and receive 16 octets (lecture: "TCP",
 * tcp_sixteen.py, Foundations of Python Network Programming, 3rd ed., chapter 3).
 *
 * Try, in two terminals:
 *     ./tcp_sixteen server ""             ./tcp_sixteen client 127.0.0.1
 * Then the lecture's experiments:
 *   - run the client with no server: connect() fails with Connection refused;
 *   - comment out the marked SO_REUSEADDR line, rebuild, run one exchange and restart the
 *     server at once: bind() fails with Address already in use for a minute;
 *   - comment out the marked line in recvall(): one recv() takes whatever part of the 16
 *     bytes has arrived, and the server shows half a message;
 *   - change "Farewell, client" to "Goodbye": the client's recvall() gets 7 bytes of 16;
 *   - hold the server with a silent connection (bash: exec 3<>/dev/tcp/127.0.0.1/1060): the
 *     next client waits until you close it (exec 3>&-);
 *   - start the server on 127.0.0.1 and connect to 127.0.0.2 (also this machine): refused;
 *     start it on "" and both addresses work.
 * Watch it: strace -f -e trace=network ./tcp_sixteen client 127.0.0.1, or ss -tanp.
 */
#include "socket_helpers.h"

#include <signal.h>

/* The protocol: each side sends one message of exactly 16 bytes, and the reader knows it. */
#define MESSAGE_LENGTH 16
static const char hello[] = "Hi there, server";
static const char farewell[] = "Farewell, client";

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
 * Returns how many bytes it put in data (`length`), or 0 after saying why on stderr. */
static size_t recvall(int sock, char *data, size_t length, const struct sockaddr *peer)
{
    size_t received = 0;
    for (;;) {
        ssize_t more = recv(sock, data + received, length - received, 0);
        if (more < 0) {
            warn_errno("recv", peer);           /* e.g. ECONNRESET: the peer aborted */
            return 0;
        }
        if (more == 0) {
            char where[ADDRESS_TEXT_SIZE];
            fprintf(stderr, "%s: recvall %s: was expecting %zu bytes but only received %zu "
                    "bytes before the socket closed\n", program_name,
                    format_address(peer, where), length, received);
            return 0;
        }
        received += (size_t)more;
        /* EXPERIMENT: comment this out: recvall() returns after ONE recv(), with whatever
         * part of the message has arrived (a plain sock.recv(16)); a client that sends in
         * two pieces has only its first piece shown as its "sixteen-octet message". */
        if (received < length) continue;
        return received;
    }
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
     * socket bind it anyway. (&(int){1}: the address of an int that holds 1, "on".) */
    status = setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int));
    if (status < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    /* A backlog of 1: connections the kernel has completed but we have not accepted yet. */
    if (listen(sock, 1) < 0)
        die_errno("listen", NULL);
    struct sockaddr_in me, peer;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    /* One connection at a time, as the original: a client that connects and says nothing
     * holds the server in recvall() for as long as it likes, and the next one waits.
     * (Cures: a timeout on recv(), keepalive, or serving clients concurrently.) */
    for (;;) {
        say("Waiting to accept a new connection\n");
        /* accept() hands us a NEW socket for this one conversation; sock goes on listening. */
        int sc = accept_connection(sock, (struct sockaddr *)&peer, sizeof peer,
                                   (struct sockaddr *)&me);
        say("We have accepted a connection from %s\n",
            format_address((struct sockaddr *)&peer, where));
        struct sockaddr_in name;
        length = sizeof name;
        if (getsockname(sc, (struct sockaddr *)&name, &length) < 0)
            die_errno("getsockname", NULL);
        say("  Socket name: %s\n", format_address((struct sockaddr *)&name, where));
        /* accept() already told us the peer; getpeername() asks the socket, as Python does.
         * A client that reset the connection has none any more (ENOTCONN): drop it. */
        length = sizeof peer;
        if (getpeername(sc, (struct sockaddr *)&peer, &length) < 0) {
            warn_errno("getpeername", (struct sockaddr *)&peer);
            close(sc);
            continue;
        }
        say("  Socket peer: %s\n", format_address((struct sockaddr *)&peer, where));
        /* A client that sends too few bytes, or resets, is reported and dropped. */
        size_t received = recvall(sc, message, sizeof message, (struct sockaddr *)&peer);
        if (received == 0) {
            close(sc);
            continue;
        }
        say("  Incoming sixteen-octet message: %s\n",
            format_repr(message, received, true, shown));
        if (sendall(sc, farewell, sizeof farewell - 1) < 0)
            warn_errno("send", (struct sockaddr *)&peer);
        close(sc);
        say("  Reply sent, socket closed\n");
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
    if (sendall(sock, hello, sizeof hello - 1) < 0)
        die_errno("send", address->ai_addr);
    size_t received = recvall(sock, reply, sizeof reply, address->ai_addr);
    if (received == 0)
        exit(1);
    printf("The server said %s\n", format_repr(reply, received, true, shown));
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
