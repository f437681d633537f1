/*
 * sntp_time.c - the lecture's raw SNTP query: "Get time from the internet time server"
 * (sntp_client.py, Python Network Programming Cookbook, chapter 1).
 *
 * Try, with this chapter's own server (no internet needed):
 *     ./sntp_server -p 1230             ./sntp_time 127.0.0.1 -p 1230
 * and, where the internet is reachable, ./sntp_time (pool.ntp.org, port 123).
 * The whole protocol is one 48-byte datagram each way: the request's first byte says
 * "version 3, client", and the time is the 11th 32-bit word of the reply. Unlike the
 * notebook, it gives up after 5 seconds (-t SECONDS) instead of waiting forever.
 * Watch it: sudo tcpdump -i lo -n -X udp port 1230. The experiment (a marked line: the epoch)
 * is in README.md, this folder's guide.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <sys/time.h>

#define NTP_PACKET_SIZE 48
#define NTP_REQUEST_FIRST_BYTE 0x1b     /* leap 0, version 3, mode 3 (client) */
#define NTP_TRANSMIT_TIME 40            /* the server's clock as the reply left it */
#define TIME1970 2208988800UL           /* seconds from 1900 (NTP's epoch) to 1970 */
#define NTP_ERA_SECONDS 4294967296LL    /* 2^32 */
#define MAX_BYTES 1024

static const char usage[] = "[-h] [-p PORT] [-t SECONDS] [host]";
static const char help[] =
    "Print the time an NTP server sends (one SNTP query)\n\n"
    "positional arguments:\n"
    "  host        NTP server (default pool.ntp.org)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123)\n"
    "  -t SECONDS  how long to wait for the answer (default 5)\n";

static void sntp_client(const char *host, uint16_t port, double wait)
{
    static unsigned char data[MAX_BYTES];
    char where[ADDRESS_TEXT_SIZE], text[64];
    struct addrinfo *server = resolve(host, port, AF_INET, SOCK_DGRAM);

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    unsigned char request[NTP_PACKET_SIZE] = {NTP_REQUEST_FIRST_BYTE};    /* then 47 zeros */
    if (sendto(sock, request, sizeof request, 0, server->ai_addr, server->ai_addrlen) < 0)
        die_errno("sendto", server->ai_addr);
    /* The notebook's recvfrom() waits forever for a server that never answers. */
    struct timeval timeout = timeval_of(wait);
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
        die_errno("setsockopt SO_RCVTIMEO", NULL);
    struct sockaddr_storage sender;
    socklen_t sender_length = sizeof sender;
    ssize_t n;
    do
        n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&sender, &sender_length);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        die("no answer from %s in %g seconds", format_address(server->ai_addr, where), wait);
    if (n < 0)
        die_errno("recvfrom", server->ai_addr);
    printf("Response received from: %s\n", format_address((struct sockaddr *)&sender, where));
    if (n < NTP_PACKET_SIZE)
        die("the reply is %zd bytes, too short for NTP (%d)", n, NTP_PACKET_SIZE);

    uint32_t seconds;                   /* struct.unpack('!12I', data)[10] */
    memcpy(&seconds, data + NTP_TRANSMIT_TIME, sizeof seconds);
    seconds = ntohl(seconds);
    /* The seconds wrap to 0 on 2036-02-07 (NTP era 1). RFC 4330's rule: with the top bit
     * set the time is from 1968-2036 (era 0), without it from 2036-2104 (era 1). */
    int64_t t = seconds & 0x80000000u ? seconds : seconds + NTP_ERA_SECONDS;
    /* EXPERIMENT: comment this out: the date is 70 years ahead, NTP's seconds since 1900
     * read as Unix's since 1970 */
    t -= TIME1970;
    time_t shown = (time_t)t;           /* a 32-bit time_t ends in 2038 */
    if ((int64_t)shown != t)
        die("the time %lld is out of range for this system's time_t", (long long)t);
    struct tm local;
    if (localtime_r(&shown, &local) == NULL)
        die("localtime: the time %lld is out of range", (long long)t);
    strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", &local);   /* time.ctime()'s format */
    printf("\tTime=%s\n", text);
    freeaddrinfo(server);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 123;
    double wait = 5;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:t:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 't': wait = parse_float(optarg, "-t", 0.001, 86400); break;
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "pool.ntp.org";
    no_more_arguments(argc, argv);
    sntp_client(host, port, wait);
    return 0;
}
