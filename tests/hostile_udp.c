/*
 * hostile_udp.c - test helper: a UDP peer that misbehaves on purpose.
 *     hostile_udp [-s SEED] HOST PORT COUNT   send COUNT random datagrams to a server: sizes
 *                                             from 0 to 65,507 bytes (UDP's largest), bytes
 *                                             of every value, each from a fresh socket that
 *                                             is closed at once, so that the server's reply
 *                                             meets a closed port (ICMP port unreachable)
 *     hostile_udp -l HOST PORT COUNT          a fake server: print "Listening at (...)" and
 *                                             answer COUNT datagrams with garbage (every byte
 *                                             value, an ANSI escape, invalid UTF-8, a NUL)
 * Random data come from rand() seeded with SEED (default: the time), printed first as
 * "seed N" so that a failing test can be replayed. Exit 0, or 1 on an error.
 */
#include "socket_helpers.h"

#define MAX_DATAGRAM 65507                  /* 65,535 - 8 (UDP header) - 20 (IPv4 header) */

static const char usage[] = "[-s SEED] [-l] HOST PORT COUNT";

/* Mostly small datagrams, some empty, some of the largest size. */
static size_t random_size(void)
{
    switch (rand() % 8) {
    case 0: return 0;
    case 1: return MAX_DATAGRAM;
    case 2: return (size_t)rand() % (MAX_DATAGRAM + 1);
    default: return (size_t)rand() % 256;
    }
}

static void send_garbage(const struct addrinfo *server, long count)
{
    static unsigned char data[MAX_DATAGRAM];
    for (long i = 0; i < count; i++) {
        size_t size = random_size();
        for (size_t k = 0; k < size; k++)
            data[k] = (unsigned char)rand();
        int sock = socket(AF_INET, SOCK_DGRAM, 0);
        if (sock < 0)
            die_errno("socket", NULL);
        if (sendto(sock, data, size, 0, server->ai_addr, server->ai_addrlen) < 0)
            die_errno("sendto", server->ai_addr);
        close(sock);
    }
}

static void answer_garbage(const struct addrinfo *me, long count)
{
    static unsigned char data[MAX_DATAGRAM];
    char where[ADDRESS_TEXT_SIZE];
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, me->ai_addr, me->ai_addrlen) < 0)
        die_errno("bind", me->ai_addr);
    struct sockaddr_in bound;
    socklen_t length = sizeof bound;
    if (getsockname(sock, (struct sockaddr *)&bound, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&bound, where));
    /* The escape would turn a raw terminal red; \xff\xfe is not UTF-8. */
    static const char prefix[] = "\x1b[31mGARBAGE\x00\r\n\xff\xfe'\"\\";
    memcpy(data, prefix, sizeof prefix - 1);
    for (int k = 0; k < 256; k++)
        data[sizeof prefix - 1 + (size_t)k] = (unsigned char)k;
    size_t size = sizeof prefix - 1 + 256;
    for (long i = 0; i < count; i++) {
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        if (recvfrom(sock, data + size, 1, MSG_TRUNC, (struct sockaddr *)&peer, &peer_length) < 0)
            die_errno("recvfrom", NULL);
        if (sendto(sock, data, size, 0, (struct sockaddr *)&peer, peer_length) < 0)
            die_errno("sendto", (struct sockaddr *)&peer);
    }
    close(sock);
}

int main(int argc, char *argv[])
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    bool listening = false;
    int first = 1;
    program_init(argv[0], usage);
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "-l") == 0)
            listening = true;
        else if (strcmp(argv[first], "-s") == 0 && first + 1 < argc)
            seed = (unsigned)parse_int(argv[++first], "-s", 0, 4294967295);
        else
            usage_error("unknown option %s", argv[first]);
    }
    if (argc - first != 3)
        usage_error("expected HOST PORT COUNT");
    uint16_t port = (uint16_t)parse_int(argv[first + 1], "PORT", 0, 65535);
    long count = (long)parse_int(argv[first + 2], "COUNT", 0, 1000000);
    struct addrinfo *address = resolve(argv[first], port, AF_INET, SOCK_DGRAM);
    printf("seed %u\n", seed);
    srand(seed);
    if (listening)
        answer_garbage(address, count);
    else
        send_garbage(address, count);
    freeaddrinfo(address);
    return 0;
}
