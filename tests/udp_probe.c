/*
 * udp_probe.c - test helper: send one datagram of SIZE bytes ('#' repeated) to HOST PORT,
 * wait up to 2 s for one reply and print it as Python's repr of text. Exit 1 on no reply,
 * at once when the kernel says nothing listens there (ECONNREFUSED: the socket is connected).
 *     udp_probe HOST PORT SIZE
 */
#include "socket_helpers.h"

#include <sys/time.h>

int main(int argc, char *argv[])
{
    static char data[65536], shown[REPR_SIZE(sizeof data)];
    program_init(argv[0], "HOST PORT SIZE");
    if (argc != 4)
        usage_error("expected three arguments");
    uint16_t port = (uint16_t)parse_int(argv[2], "PORT", 0, 65535);
    size_t size = (size_t)parse_int(argv[3], "SIZE", 0, sizeof data);
    struct addrinfo *server = resolve(argv[1], port, AF_INET, SOCK_DGRAM);
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    struct timeval two_seconds = {.tv_sec = 2};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds) < 0)
        die_errno("setsockopt", NULL);
    if (connect(sock, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("connect", server->ai_addr);
    memset(data, '#', size);
    if (send(sock, data, size, 0) < 0)
        die_errno("send", server->ai_addr);
    ssize_t n = recv(sock, data, sizeof data, 0);
    if (n < 0)
        die_errno("recv", server->ai_addr);
    puts(format_repr(data, (size_t)n, false, shown));
    freeaddrinfo(server);
    close(sock);
    return 0;
}
