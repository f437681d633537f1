/*
 * tcp_copy.c - make bench's ceiling: copy BYTECOUNT bytes one way over TCP on loopback as
 * fast as plain blocking send() and recv() go, with nothing else to do.
 *     tcp_copy BYTECOUNT
 * Listens on 127.0.0.1 (a port the OS picks); a child process connects and sends, the
 * parent reads until end of file and prints the time and throughput in MB/s (10^6 bytes).
 * Built by bench/tcp.sh itself; not one of the lecture's programs.
 */
#include "socket_helpers.h"

#include <sys/wait.h>

#define CHUNK 65536

int main(int argc, char *argv[])
{
    static char data[CHUNK];
    program_init(argv[0], "");
    if (argc != 2)
        usage_error("expected one argument");
    unsigned long long bytecount = (unsigned long long)parse_int(argv[1], "BYTECOUNT", 0, 1LL << 60);

    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0)
        die_errno("socket", NULL);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0 ||
        listen(listener, 1) < 0 ||
        getsockname(listener, (struct sockaddr *)&address, &length) < 0)
        die_errno("bind", (struct sockaddr *)&address);

    double start = monotonic_seconds();
    pid_t child = fork();
    if (child < 0)
        die_errno("fork", NULL);
    if (child == 0) {                   /* the sender */
        close(listener);
        int sock = socket(AF_INET, SOCK_STREAM, 0);
        if (sock < 0)
            die_errno("socket", NULL);
        if (connect(sock, (struct sockaddr *)&address, sizeof address) < 0)
            die_errno("connect", (struct sockaddr *)&address);
        for (unsigned long long sent = 0; sent < bytecount;) {
            size_t n = bytecount - sent < CHUNK ? (size_t)(bytecount - sent) : CHUNK;
            if (sendall(sock, data, n) < 0)
                die_errno("send", (struct sockaddr *)&address);
            sent += n;
        }
        close(sock);
        _exit(0);
    }

    int sock;                           /* the receiver */
    while ((sock = accept(listener, NULL, NULL)) < 0)
        if (errno != EINTR)
            die_errno("accept", (struct sockaddr *)&address);
    unsigned long long received = 0;
    for (;;) {
        ssize_t got = recv(sock, data, sizeof data, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            die_errno("recv", (struct sockaddr *)&address);
        if (got == 0)
            break;
        received += (unsigned long long)got;
    }
    double elapsed = monotonic_seconds() - start;
    int status = 0;
    if (waitpid(child, &status, 0) < 0)
        die_errno("waitpid", NULL);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || received != bytecount)
        die("the copy failed: %llu of %llu bytes arrived", received, bytecount);
    printf("%llu bytes in %.3f seconds: %.1f MB/s\n", received, elapsed,
           elapsed > 0 ? (double)received / 1e6 / elapsed : 0.0);
    close(sock);
    close(listener);
    return 0;
}
