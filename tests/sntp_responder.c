/*
 * sntp_responder.c - a hostile NTP server for tests/sntp_client.bats: it answers every
 * request with one kind of bad reply, to prove that sntp_client rejects or ignores it.
 *
 *     tests/sntp_responder KIND...     prints "Listening at ('127.0.0.1', PORT)", then a
 *                                      line "Sent KIND to (...)" for each reply it sends:
 *                                      each request gets one reply of each KIND, in order
 * KIND is one of:
 *   good            a correct reply (stratum 2, reference id 192.0.2.1)
 *   short           the first 47 bytes of a correct reply
 *   tiny            5 bytes
 *   request         a request (mode 3) with originate 0, as a reflected request would be
 *   mode            mode 3 (client) instead of 4 (server)
 *   origin          an originate time that is not the request's transmit time (spoofed)
 *   kod-CODE        a Kiss-o'-Death: stratum 0, reference id CODE (e.g. kod-RATE)
 *   leap3           leap indicator 3 (unsynchronised)
 *   zero-transmit   a transmit time of zero
 *   stratum16       stratum 16 (unsynchronised)
 *   version0, version5
 *   other-port      a correct reply, but sent from another port (another socket)
 *   era1            a reply from a server whose clock is in 2036: receive and transmit
 *                   times are NTP second 1000 of era 1, 2036-02-07 06:44:56 UTC
 *   era1-t3         the same with only the transmit time in 2036 (an inconsistent reply:
 *                   its round-trip delay comes out hugely negative)
 *   held            a receive time 5 s before the transmit time: the server claims it held
 *                   the request 5 s, so the round-trip delay is about -5 s
 *   far             a root dispersion of 100 s (a root distance far over 1.5 s)
 *   silent          no reply at all (requests are read and ignored)
 *   set:CHANGE,...  a correct reply with the bytes changed: OFFSET=HEX writes the bytes at
 *                   OFFSET (set:4=80000000,8=3fff0000: root delay 0x80000000, root
 *                   dispersion 16383 s); OFFSET=+N or -N adds N seconds to the timestamp at
 *                   OFFSET (set:40=-3600: T3 an hour before T2)
 * KIND+good (e.g. origin+good) is the same as KIND good: the bad datagram, then a correct
 * reply.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <ctype.h>

#define NTP_PACKET_SIZE 48
#define NTP_LI_VN_MODE 0
#define NTP_STRATUM 1
#define NTP_ROOT_DISPERSION 8
#define NTP_REFERENCE_ID 12
#define NTP_REFERENCE_TIME 16
#define NTP_ORIGINATE_TIME 24
#define NTP_RECEIVE_TIME 32
#define NTP_TRANSMIT_TIME 40
#define NTP_UNIX_EPOCH_DIFF 2208988800UL

static void write_now(unsigned char *packet, size_t offset)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint32_t seconds = htonl((uint32_t)((uint64_t)now.tv_sec + NTP_UNIX_EPOCH_DIFF));
    uint32_t fraction = htonl((uint32_t)(((uint64_t)now.tv_nsec << 32) / 1000000000u));
    memcpy(packet + offset, &seconds, 4);
    memcpy(packet + offset + 4, &fraction, 4);
}

/* set:OFFSET=HEX,OFFSET=+N,...: change the reply's bytes, or move a timestamp by N s. */
static void set_bytes(const char *changes, unsigned char *reply)
{
    const char *p = changes;
    while (*p) {
        char *end;
        unsigned long offset = strtoul(p, &end, 10);
        if (end == p || *end != '=' || offset >= NTP_PACKET_SIZE)
            die("bad change in set:%s", changes);
        p = end + 1;
        if (*p == '+' || *p == '-') {
            long seconds = strtol(p, &end, 10);
            uint32_t word;
            if (offset + 4 > NTP_PACKET_SIZE)
                die("bad offset in set:%s", changes);
            memcpy(&word, reply + offset, 4);
            word = htonl(ntohl(word) + (uint32_t)seconds);
            memcpy(reply + offset, &word, 4);
        } else {
            end = (char *)p;
            for (; isxdigit((unsigned char)end[0]) && isxdigit((unsigned char)end[1]); end += 2) {
                unsigned value;
                if (offset >= NTP_PACKET_SIZE || sscanf(end, "%2x", &value) != 1)
                    die("bad bytes in set:%s", changes);
                reply[offset++] = (unsigned char)value;
            }
        }
        if (*end != ',' && *end != '\0')
            die("bad change in set:%s", changes);
        p = *end ? end + 1 : end;
    }
}

/* A correct reply to request, then spoiled as kind says. Returns its length. */
static size_t make_reply(const char *kind, const unsigned char *request, unsigned char *reply)
{
    memset(reply, 0, NTP_PACKET_SIZE);
    reply[NTP_LI_VN_MODE] = (4 << 3) | 4;            /* leap 0, version 4, mode 4 */
    reply[NTP_STRATUM] = 2;
    reply[2] = 6;                                   /* poll: 64 s */
    reply[3] = (unsigned char)-20;                  /* precision: about a microsecond */
    const unsigned char upstream[4] = {192, 0, 2, 1};   /* only a number in a field */
    memcpy(reply + NTP_REFERENCE_ID, upstream, 4);
    write_now(reply, NTP_REFERENCE_TIME);
    memcpy(reply + NTP_ORIGINATE_TIME, request + NTP_TRANSMIT_TIME, 8);
    write_now(reply, NTP_RECEIVE_TIME);
    write_now(reply, NTP_TRANSMIT_TIME);

    if (strcmp(kind, "short") == 0)
        return NTP_PACKET_SIZE - 1;
    if (strcmp(kind, "tiny") == 0)
        return 5;
    if (strcmp(kind, "request") == 0) {         /* our own request, reflected */
        memset(reply, 0, NTP_PACKET_SIZE);
        reply[NTP_LI_VN_MODE] = (4 << 3) | 3;
        write_now(reply, NTP_TRANSMIT_TIME);
    }
    if (strcmp(kind, "mode") == 0)
        reply[NTP_LI_VN_MODE] = (4 << 3) | 3;
    else if (strcmp(kind, "origin") == 0)
        reply[NTP_ORIGINATE_TIME + 7] ^= 1;         /* one bit off: still not ours */
    else if (strncmp(kind, "kod-", 4) == 0) {
        reply[NTP_LI_VN_MODE] = (3 << 6) | (4 << 3) | 4;    /* kisses come unsynchronised */
        reply[NTP_STRATUM] = 0;
        memset(reply + NTP_REFERENCE_ID, 0, 4);
        memcpy(reply + NTP_REFERENCE_ID, kind + 4, strnlen(kind + 4, 4));
    } else if (strcmp(kind, "leap3") == 0)
        reply[NTP_LI_VN_MODE] = (3 << 6) | (4 << 3) | 4;
    else if (strcmp(kind, "zero-transmit") == 0)
        memset(reply + NTP_TRANSMIT_TIME, 0, 8);
    else if (strcmp(kind, "era1") == 0 || strcmp(kind, "era1-t3") == 0) {
        if (strcmp(kind, "era1") == 0)
            memcpy(reply + NTP_RECEIVE_TIME, "\0\0\x03\xe8\0\0\0\0", 8);  /* 1000 s */
        memcpy(reply + NTP_TRANSMIT_TIME, "\0\0\x03\xe8\0\0\0\0", 8);
    } else if (strcmp(kind, "held") == 0) {
        uint32_t seconds;
        memcpy(&seconds, reply + NTP_RECEIVE_TIME, 4);
        seconds = htonl(ntohl(seconds) - 5);
        memcpy(reply + NTP_RECEIVE_TIME, &seconds, 4);
    } else if (strcmp(kind, "far") == 0)
        memcpy(reply + NTP_ROOT_DISPERSION, "\0\x64\0\0", 4);              /* 100 s */
    else if (strncmp(kind, "set:", 4) == 0)
        set_bytes(kind + 4, reply);
    else if (strcmp(kind, "stratum16") == 0)
        reply[NTP_STRATUM] = 16;
    else if (strcmp(kind, "version0") == 0)
        reply[NTP_LI_VN_MODE] = 4;                     /* version 0 */
    else if (strcmp(kind, "version5") == 0)
        reply[NTP_LI_VN_MODE] = (5 << 3) | 4;
    else if (strcmp(kind, "good") != 0 && strcmp(kind, "other-port") != 0 &&
             strcmp(kind, "silent") != 0 && strcmp(kind, "request") != 0)
        die("unknown kind '%s'", kind);
    return NTP_PACKET_SIZE;
}

static int udp_socket(struct sockaddr_in *address)
{
    socklen_t length = sizeof *address;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, (struct sockaddr *)address, sizeof *address) < 0)
        die_errno("bind", (struct sockaddr *)address);
    if (getsockname(sock, (struct sockaddr *)address, &length) < 0)
        die_errno("getsockname", NULL);
    return sock;
}

int main(int argc, char *argv[])
{
    static unsigned char request[65535];
    char kinds[16][64], where[ADDRESS_TEXT_SIZE];
    int count = 0;
    program_init(argv[0], "");
    if (argc < 2 || argc > 15)
        die("usage: sntp_responder KIND...");
    for (int i = 1; i < argc; i++) {
        snprintf(kinds[count++], sizeof kinds[0], "%s", argv[i]);
        char *plus = strstr(kinds[count - 1], "+good");
        if (plus && plus[5] == '\0') {
            *plus = '\0';
            snprintf(kinds[count++], sizeof kinds[0], "good");
        }
    }
    unsigned char check[NTP_PACKET_SIZE] = {0}, reply[NTP_PACKET_SIZE];
    for (int i = 0; i < count; i++)
        make_reply(kinds[i], check, reply);         /* an unknown kind ends here */

    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int sock = udp_socket(&address);
    struct sockaddr_in other_address = address;
    other_address.sin_port = 0;
    int other = udp_socket(&other_address);         /* for other-port */
    printf("Listening at %s\n", format_address((struct sockaddr *)&address, where));

    for (;;) {
        struct sockaddr_storage client;
        socklen_t client_length = sizeof client;
        ssize_t n = recvfrom(sock, request, sizeof request, 0, (struct sockaddr *)&client,
                             &client_length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom", NULL);
        }
        if (n < NTP_PACKET_SIZE)
            continue;
        format_address((struct sockaddr *)&client, where);
        for (int i = 0; i < count; i++) {
            if (strcmp(kinds[i], "silent") == 0)
                continue;
            size_t length = make_reply(kinds[i], request, reply);
            int from = strcmp(kinds[i], "other-port") == 0 ? other : sock;
            if (sendto(from, reply, length, 0, (struct sockaddr *)&client, client_length) < 0)
                die_errno("sendto", (struct sockaddr *)&client);
            printf("Sent %s to %s\n", kinds[i], where);
        }
    }
}
