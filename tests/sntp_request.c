/*
 * sntp_request.c - sends datagrams of our choosing to an NTP server, for
 * tests/sntp_server.bats.
 *
 *     tests/sntp_request [ADDRESS] PORT [HEX...]
 * sends each HEX string (e.g. 1b000000..., "" for an empty datagram) as one datagram to
 * 127.0.0.1:PORT (or ADDRESS:PORT, an IPv4 address in 127.0.0.0/8, broadcast allowed:
 * 127.255.255.255) from one socket, then a well-formed "marker" request (version 4, mode 3,
 * transmit time "MARKER!!"), and prints every datagram that comes back as one line of hex
 * (with an ADDRESS, followed by " from" and the address it came from).
 * It exits 0 once the marker's reply is in, 1 when nothing more comes for 2 seconds. A
 * server answers in order, so if the only line is the marker's reply, the server was
 * silent about everything before it: no sleeping and hoping needed.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <sys/time.h>

#define MAX_BYTES 65535
#define MARKER "MARKER!!"

static size_t from_hex(const char *text, unsigned char *out)
{
    size_t n = 0;
    for (; text[0] && text[1] && n < MAX_BYTES; text += 2) {
        unsigned value;
        if (sscanf(text, "%2x", &value) != 1)
            die("bad hex: %s", text);
        out[n++] = (unsigned char)value;
    }
    return n;
}

int main(int argc, char *argv[])
{
    static unsigned char data[MAX_BYTES];
    program_init(argv[0], "");
    struct sockaddr_in server = {.sin_family = AF_INET};
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool show_sender = argc > 1 && strchr(argv[1], '.') != NULL;
    if (show_sender && (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1 ||
                        ntohl(server.sin_addr.s_addr) >> 24 != 127))
        die("not an IPv4 address in 127.0.0.0/8: %s", argv[1]);
    int first = show_sender ? 2 : 1, on = 1;
    if (argc <= first)
        die("usage: sntp_request [ADDRESS] PORT [HEX...]");
    server.sin_port = htons((uint16_t)atoi(argv[first]));
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (setsockopt(sock, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0)
        die_errno("setsockopt", NULL);
    for (int i = first + 1; i <= argc; i++) {
        size_t n;
        if (i < argc) {
            n = from_hex(argv[i], data);
        } else {
            memset(data, 0, 48);
            data[0] = (4 << 3) | 3;
            memcpy(data + 40, MARKER, 8);
            n = 48;
        }
        if (sendto(sock, data, n, 0, (struct sockaddr *)&server, sizeof server) < 0)
            die_errno("sendto", (struct sockaddr *)&server);
    }
    struct timeval timeout = {.tv_sec = 2};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
        die_errno("setsockopt", NULL);
    for (;;) {
        struct sockaddr_storage sender;
        socklen_t length = sizeof sender;
        ssize_t n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&sender, &length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("recv", (struct sockaddr *)&server);
        for (ssize_t i = 0; i < n; i++)
            printf("%02x", data[i]);
        if (show_sender) {
            char where[ADDRESS_TEXT_SIZE];
            printf(" from %s", format_address((struct sockaddr *)&sender, where));
        }
        printf("\n");
        if (n >= 48 && memcmp(data + 24, MARKER, 8) == 0)
            break;
    }
    close(sock);
    return 0;
}
