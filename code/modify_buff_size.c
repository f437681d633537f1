/*
 * modify_buff_size.c - a TCP socket's send and receive buffer sizes, before and after
 * asking for 4096 bytes each (lecture: "Access network information", buffer size; Python
 * Network Programming Cookbook, ch. 1, 1_8_modify_buff_size.py).
 *
 * Try:
 *     ./modify_buff_size                 asks for 4096 and reads back 8192
 *     ./modify_buff_size -s 1            the smallest buffers Linux allows
 *     ./modify_buff_size -s 100000000    capped by net.core.wmem_max and rmem_max
 * Watch for: Linux reports twice the size asked for (see set_buffer_sizes below).
 */
#include "socket_helpers.h"

#include <limits.h>
#include <netinet/tcp.h>

#define SEND_BUF_SIZE "4096"

static const char usage[] = "[-h] [-s SIZE]";
static const char help[] =
    "Show a TCP socket's buffer sizes before and after changing them\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -s SIZE     the size to ask for, in bytes (default " SEND_BUF_SIZE ")\n";

static int get_buffer_size(int sock, int option, const char *name)
{
    int size;
    socklen_t length = sizeof size;
    if (getsockopt(sock, SOL_SOCKET, option, &size, &length) < 0)
        die_errno(name, NULL);
    return size;
}

/* man 7 socket: the kernel doubles the size given to SO_SNDBUF and SO_RCVBUF, to leave
 * room for its own bookkeeping (each packet in a buffer carries a struct sk_buff of a few
 * hundred bytes besides its data), and getsockopt() returns the doubled value: ask for
 * 4096, read back 8192. Before doubling, it caps the request at net.core.wmem_max and
 * rmem_max (see /proc/sys/net/core/); after, it raises a tiny one to a minimum of its own
 * (the man page says 2048 and 256; today's kernels use about 4608 and 2304). Setting a
 * size also turns off TCP's autotuning, which would otherwise grow the buffers as needed
 * up to the third number of net.ipv4.tcp_wmem and tcp_rmem. */
static void set_buffer_sizes(int sock, int size)
{
    if (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) < 0)
        die_errno("setsockopt SO_SNDBUF", NULL);
    if (setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0)
        die_errno("setsockopt SO_RCVBUF", NULL);
}

int main(int argc, char *argv[])
{
    const char *size_text = SEND_BUF_SIZE;
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"-s", &size_text, false}, {NULL, NULL, false}});
    char *end;
    errno = 0;
    long size = strtol(size_text, &end, 10);
    if (end == size_text || *end != '\0' || errno != 0 || size < 0 || size > INT_MAX)
        usage_error(usage, "argument -s: invalid size: '%s' (must be 0..%d bytes)", size_text,
                    INT_MAX);

    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* The defaults of a TCP socket come from the middle numbers of net.ipv4.tcp_wmem and
     * tcp_rmem (net.core.wmem_default is for the other kinds of socket). */
    printf("Buffer size [Before]:%d\n", get_buffer_size(sock, SO_SNDBUF, "getsockopt SO_SNDBUF"));
    printf("Receive buffer size [Before]:%d\n",
           get_buffer_size(sock, SO_RCVBUF, "getsockopt SO_RCVBUF"));

    /* The recipe also turns off Nagle's algorithm (which holds back small segments until
     * the previous one is acknowledged); it does not change the buffer sizes. */
    int on = 1;
    if (setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) < 0)
        die_errno("setsockopt TCP_NODELAY", NULL);
    set_buffer_sizes(sock, (int)size);
    printf("Buffer size [After]:%d\n", get_buffer_size(sock, SO_SNDBUF, "getsockopt SO_SNDBUF"));
    printf("Receive buffer size [After]:%d\n",
           get_buffer_size(sock, SO_RCVBUF, "getsockopt SO_RCVBUF"));
    close(sock);
    return 0;
}
