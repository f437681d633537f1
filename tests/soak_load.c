/*
 * soak_load.c - test helper: many good clients in a row, from one process, for the soak
 * tests (tests/soak.sh): thousands of exchanges in a second, where spawning a client
 * program for each would take minutes.
 *     soak_load udp HOST PORT COUNT HEX      COUNT datagrams holding the bytes HEX spells,
 *                                            each waiting (1 s at most) for one reply
 *     soak_load udp-quiet HOST PORT COUNT HEX  the same, to a server that never replies
 *     soak_load tcp HOST PORT COUNT HEX      COUNT connections: send the bytes, shut down
 *                                            our side, read until the server closes
 *     soak_load tcp-quiet HOST PORT COUNT HEX  the same without waiting for the close (1 ms
 *                                            apart): for a server that keeps a connection
 *                                            until it accepts the next one (reuseaddr)
 * Prints "COUNT exchanges, N failed" and exits 1 when any failed.
 */
#include "socket_helpers.h"

#include <signal.h>
#include <sys/time.h>

static const char usage[] = "{udp,udp-quiet,tcp,tcp-quiet} HOST PORT COUNT HEX";

static size_t from_hex(const char *hex, unsigned char *out, size_t size)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < size; hex += 2) {
        unsigned value;
        if (sscanf(hex, "%2x", &value) != 1)
            usage_error("not hex: %s", hex);
        out[n++] = (unsigned char)value;
    }
    return n;
}

/* One TCP exchange; false (after a line on stderr) when it went wrong. */
static bool tcp_exchange(const struct addrinfo *server, const unsigned char *data, size_t n,
                         bool wait_for_close)
{
    static char reply[65536];
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    struct timeval five_seconds = {.tv_sec = 5};
    bool ok = setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds) == 0 &&
              connect(sock, server->ai_addr, server->ai_addrlen) == 0 &&
              sendall(sock, data, n) == 0 && shutdown(sock, SHUT_WR) == 0;
    ssize_t got = 1;
    while (ok && wait_for_close && got > 0) {
        got = recv(sock, reply, sizeof reply, 0);
        if (got < 0 && errno == EINTR)
            got = 1;
    }
    if (!ok || got < 0)
        warn_errno("exchange", server->ai_addr);
    close(sock);
    return ok && (got == 0 || !wait_for_close);
}

int main(int argc, char *argv[])
{
    static unsigned char data[65507], reply[65536];
    program_init(argv[0], usage);
    signal(SIGPIPE, SIG_IGN);
    if (argc != 6)
        usage_error("expected five arguments");
    const char *mode = argv[1];
    long count = (long)parse_int(argv[4], "COUNT", 0, 100000000);
    size_t n = from_hex(argv[5], data, sizeof data);
    bool tcp = strcmp(mode, "tcp") == 0 || strcmp(mode, "tcp-quiet") == 0;
    bool quiet = strcmp(mode, "udp-quiet") == 0 || strcmp(mode, "tcp-quiet") == 0;
    if (!tcp && !quiet && strcmp(mode, "udp") != 0)
        usage_error("unknown mode '%s'", mode);
    uint16_t port = (uint16_t)parse_int(argv[3], "PORT", 0, 65535);
    struct addrinfo *server = resolve(argv[2], port, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM);
    long failed = 0;
    int sock = -1;
    if (!tcp) {
        sock = socket(AF_INET, SOCK_DGRAM, 0);
        struct timeval one_second = {.tv_sec = 1};
        if (sock < 0 || setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &one_second,
                                   sizeof one_second) < 0)
            die_errno("socket", NULL);
    }
    for (long i = 0; i < count; i++) {
        if (tcp) {
            failed += !tcp_exchange(server, data, n, !quiet);
            if (quiet)                  /* no close to pace us: let the server keep up */
                nanosleep(&(struct timespec){0, 1000000}, NULL);
            continue;
        }
        if (sendto(sock, data, n, 0, server->ai_addr, server->ai_addrlen) < 0) {
            warn_errno("sendto", server->ai_addr);
            failed++;
        } else if (quiet) {
            if (i % 32 == 31)           /* no reply to pace us: let the server keep up */
                nanosleep(&(struct timespec){0, 1000000}, NULL);
        } else if (recv(sock, reply, sizeof reply, 0) < 0) {
            warn_errno("recv", server->ai_addr);
            failed++;
        }
    }
    if (sock >= 0)
        close(sock);
    freeaddrinfo(server);
    printf("%ld exchanges, %ld failed\n", count, failed);
    return failed == 0 ? 0 : 1;
}
