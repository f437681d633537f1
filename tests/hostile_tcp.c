/*
 * hostile_tcp.c - test helper: TCP clients that misbehave, one connection per MODE, in order.
 *     hostile_tcp [-s SEED] HOST PORT MODE...
 *   garbage   send 1 to 8192 random bytes (NULs, line ends, escapes, invalid UTF-8), shut
 *             down our side, read what comes back until the server closes (at most 0.5 s)
 *   partial   send 1 to 15 random bytes, no line end, and close: gone mid-message
 *   reset     send some random bytes and close with SO_LINGER {1, 0}: an RST, not a FIN
 *   hangup    connect and close at once, without a byte
 *   silent    connect and say nothing for 0.1 s, then close
 * Prints "seed N" first (replay with -s N) and a line per connection. Exit 0, 1 on error.
 */
#include "socket_helpers.h"

#include <limits.h>
#include <signal.h>
#include <sys/time.h>

static const char usage[] = "[-s SEED] HOST PORT {garbage,partial,reset,hangup,silent}...";

static size_t random_bytes(unsigned char *data, size_t most)
{
    size_t size = 1 + (size_t)rand() % most;
    for (size_t k = 0; k < size; k++)
        data[k] = (unsigned char)rand();
    return size;
}

static void misbehave(const struct addrinfo *server, const char *mode)
{
    static unsigned char data[8192];
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (connect(sock, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("connect", server->ai_addr);
    size_t size = 0, back = 0;
    if (strcmp(mode, "garbage") == 0) {
        size = random_bytes(data, sizeof data);
        /* A server that closes without reading it all makes our send fail: that is fine. */
        if (sendall(sock, data, size) == 0 && shutdown(sock, SHUT_WR) == 0) {
            struct timeval half_a_second = {.tv_usec = 500000};    /* a silent server */
            setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &half_a_second, sizeof half_a_second);
            ssize_t n;
            while ((n = recv(sock, data, sizeof data, 0)) > 0 || (n < 0 && errno == EINTR))
                back += n > 0 ? (size_t)n : 0;
        }
    } else if (strcmp(mode, "partial") == 0) {
        size = random_bytes(data, 15);
        for (size_t k = 0; k < size; k++)
            if (data[k] == '\n')
                data[k] = '#';
        sendall(sock, data, size);
    } else if (strcmp(mode, "reset") == 0) {
        size = random_bytes(data, 64);
        sendall(sock, data, size);
        struct linger linger = {.l_onoff = 1, .l_linger = 0};
        if (setsockopt(sock, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
            die_errno("setsockopt SO_LINGER", NULL);
    } else if (strcmp(mode, "silent") == 0) {
        struct timespec tenth = {.tv_nsec = 100000000};
        nanosleep(&tenth, NULL);
    } else if (strcmp(mode, "hangup") != 0) {
        usage_error("unknown mode '%s'", mode);
    }
    close(sock);
    printf("%s: sent %zu bytes, got %zu back\n", mode, size, back);
}

int main(int argc, char *argv[])
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    int first = 1;
    program_init(argv[0], usage);
    signal(SIGPIPE, SIG_IGN);
    if (argc > 2 && strcmp(argv[1], "-s") == 0) {
        seed = (unsigned)parse_int(argv[2], "SEED", 0, UINT_MAX);
        first = 3;
    }
    if (argc - first < 3)
        usage_error("expected HOST PORT MODE...");
    uint16_t port = (uint16_t)parse_int(argv[first + 1], "PORT", 0, 65535);
    struct addrinfo *server = resolve(argv[first], port, AF_INET, SOCK_STREAM);
    printf("seed %u\n", seed);
    srand(seed);
    for (int i = first + 2; i < argc; i++)
        misbehave(server, argv[i]);
    freeaddrinfo(server);
    return 0;
}
