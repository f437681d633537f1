/*
 * tcp_peer.c - test helper: a TCP peer that does exactly what a test scripts, good or bad.
 *     tcp_peer [-n COUNT] [-l] HOST PORT STEP...
 * Connects to HOST PORT (with -l: listens there instead, prints "Listening at (...)" and
 * accepts one connection), does the STEPs in order, and closes; COUNT times (default 1).
 *     send TEXT    sendall TEXT
 *     shut         shutdown(SHUT_WR): we send no more, the peer reads end of file
 *     drain        read until the peer closes, then print repr(bytes) of what came
 *     echo         send back every byte received, unchanged, until the peer closes
 *     await PATH   wait (at most 10 s) until the file PATH exists: lets a test order events
 *     mark TEXT    print TEXT on a line of its own: tells a test the steps before it are done
 *     reset        close at once with SO_LINGER 0, so the peer gets a RST, not a FIN (last)
 * Exit 0 when every step worked, 1 on any error (one line on stderr), 2 on a usage error.
 */
#include "socket_helpers.h"

#include <signal.h>
#include <sys/stat.h>

static const char usage[] = "[-n COUNT] [-l] HOST PORT STEP...";
#define DRAIN_SHOWN 4096

static void run_steps(int sock, const struct sockaddr *peer, int count, char **steps)
{
    static char data[65536], kept[DRAIN_SHOWN], shown[REPR_SIZE(DRAIN_SHOWN)];
    for (int i = 0; i < count; i++) {
        const char *step = steps[i];
        if (strcmp(step, "send") == 0) {
            const char *text = steps[++i];
            if (sendall(sock, text, strlen(text)) < 0)
                die_errno("send", peer);
        } else if (strcmp(step, "shut") == 0) {
            if (shutdown(sock, SHUT_WR) < 0)
                die_errno("shutdown", peer);
        } else if (strcmp(step, "drain") == 0 || strcmp(step, "echo") == 0) {
            size_t total = 0;
            for (;;) {
                ssize_t n = recv(sock, data, sizeof data, 0);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0)
                    die_errno("recv", peer);
                if (n == 0)
                    break;
                if (step[0] == 'e' && sendall(sock, data, (size_t)n) < 0)
                    die_errno("send", peer);
                if (total < DRAIN_SHOWN)
                    memcpy(kept + total, data,
                           (size_t)n < DRAIN_SHOWN - total ? (size_t)n : DRAIN_SHOWN - total);
                total += (size_t)n;
            }
            if (step[0] == 'd')
                printf("%s\n", format_repr(kept, total < DRAIN_SHOWN ? total : DRAIN_SHOWN,
                                           true, shown));
        } else if (strcmp(step, "await") == 0) {
            const char *path = steps[++i];
            struct stat info;
            int tries = 1000;
            while (stat(path, &info) < 0) {
                if (tries-- == 0)
                    die("await: %s did not appear within 10 s", path);
                nanosleep(&(struct timespec){0, 10000000}, NULL);
            }
        } else if (strcmp(step, "mark") == 0) {
            printf("%s\n", steps[++i]);
        } else if (strcmp(step, "reset") == 0) {
            struct linger linger = {.l_onoff = 1, .l_linger = 0};
            if (setsockopt(sock, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
                die_errno("setsockopt SO_LINGER", NULL);
        } else {
            usage_error("unknown step '%s'", step);
        }
    }
}

int main(int argc, char *argv[])
{
    int connections = 1, first = 1;
    bool listening = false;
    program_init(argv[0], usage);
    signal(SIGPIPE, SIG_IGN);
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "-l") == 0)
            listening = true;
        else if (strcmp(argv[first], "-n") == 0 && first + 1 < argc)
            connections = (int)parse_int(argv[++first], "COUNT", 1, 1000000);
        else
            usage_error("unknown option %s", argv[first]);
    }
    if (argc - first < 2)
        usage_error("expected HOST PORT STEP...");
    char **steps = argv + first + 2;
    int count = argc - first - 2;
    for (int i = 0; i < count; i++)     /* check the steps before any traffic */
        if ((strcmp(steps[i], "send") == 0 || strcmp(steps[i], "await") == 0 ||
             strcmp(steps[i], "mark") == 0) &&
            ++i == count)
            usage_error("step %s needs an argument", steps[i - 1]);

    uint16_t port = (uint16_t)parse_int(argv[first + 1], "PORT", 0, 65535);
    struct addrinfo *address = resolve(argv[first], port, AF_INET, SOCK_STREAM);
    int listener = -1;
    if (listening) {
        char where[ADDRESS_TEXT_SIZE];
        struct sockaddr_in me;
        socklen_t length = sizeof me;
        listener = socket(AF_INET, SOCK_STREAM, 0);
        if (listener < 0)
            die_errno("socket", NULL);
        if (bind(listener, address->ai_addr, address->ai_addrlen) < 0)
            die_errno("bind", address->ai_addr);
        if (listen(listener, 1) < 0 ||
            getsockname(listener, (struct sockaddr *)&me, &length) < 0)
            die_errno("listen", address->ai_addr);
        printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    }
    for (int c = 0; c < connections; c++) {
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        int sock = listening ? accept(listener, (struct sockaddr *)&peer, &length)
                             : socket(AF_INET, SOCK_STREAM, 0);
        if (sock < 0)
            die_errno(listening ? "accept" : "socket", NULL);
        if (!listening && connect(sock, address->ai_addr, address->ai_addrlen) < 0)
            die_errno("connect", address->ai_addr);
        run_steps(sock, listening ? (struct sockaddr *)&peer : address->ai_addr, count, steps);
        close(sock);
    }
    if (listener >= 0)
        close(listener);
    freeaddrinfo(address);
    return 0;
}
