/*
 * free_port.c - test helper: print a port number that nothing is bound to right now on
 * 127.0.0.1, by binding port 0 and reading back what the OS chose.
 *     free_port udp|tcp
 */
#include "socket_helpers.h"

int main(int argc, char *argv[])
{
    program_init(argv[0], "");
    if (argc != 2 || (strcmp(argv[1], "udp") != 0 && strcmp(argv[1], "tcp") != 0))
        usage_error("expected udp or tcp");
    int type = strcmp(argv[1], "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int sock = socket(AF_INET, type, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (getsockname(sock, (struct sockaddr *)&address, &length) < 0)
        die_errno("getsockname", NULL);
    printf("%u\n", (unsigned)ntohs(address.sin_port));
    close(sock);
    return 0;
}
