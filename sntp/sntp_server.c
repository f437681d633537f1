/*
 * sntp_server.c - a small SNTPv4 server, so the chapter works without the internet
 * (lecture: "Get time from the internet time server"; the server side of RFC 4330).
 *
 * Try, in two terminals (port 123 needs root, so pick another):
 *     ./sntp_server -p 1230             ./sntp_time 127.0.0.1 -p 1230
 *                                       ./sntp_client 127.0.0.1 -p 1230
 * The server answers from this machine's own clock and says so: stratum 10 and reference
 * id 127.127.1.1, the conventional "local clock" (-s and -r change them). Watch it print a
 * line for each request it answers, and a line for each datagram it drops: it answers
 * only well-formed client requests, so it can never be used to reflect or amplify traffic.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

/* The 48-byte NTP packet, as offsets into it (RFC 5905 figure 8), read and written with
 * memcpy + htonl/ntohl: never a struct laid over the bytes. */
#define NTP_PACKET_SIZE 48
#define NTP_LI_VN_MODE 0            /* leap indicator (2 bits), version (3), mode (3) */
#define NTP_STRATUM 1
#define NTP_POLL 2
#define NTP_PRECISION 3
#define NTP_ROOT_DELAY 4
#define NTP_ROOT_DISPERSION 8
#define NTP_REFERENCE_ID 12
#define NTP_REFERENCE_TIME 16
#define NTP_ORIGINATE_TIME 24
#define NTP_RECEIVE_TIME 32
#define NTP_TRANSMIT_TIME 40

#define NTP_MODE_CLIENT 3
#define NTP_MODE_SERVER 4
#define NTP_UNIX_EPOCH_DIFF 2208988800UL    /* seconds from 1900-01-01 to 1970-01-01 */
#define MAX_BYTES 65535

static const char usage[] = "[-h] [-p PORT] [-s STRATUM] [-r REFID] [host]";
static const char help[] =
    "Answer SNTP requests with this machine's clock (SNTPv4, RFC 4330)\n\n"
    "positional arguments:\n"
    "  host        interface to listen at (default 127.0.0.1; \"\" for every one)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n"
    "  -p PORT     UDP port (default 123, which needs root; 0 lets the OS choose)\n"
    "  -s STRATUM  stratum to announce, 1 to 15 (default 10: a local clock)\n"
    "  -r REFID    reference id: up to 4 letters at stratum 1 (e.g. LOCL), an IPv4\n"
    "              address above it (default LOCL at stratum 1, else 127.127.1.1)\n";

/* Why a datagram is not a request we answer, or NULL when it is one. Only mode 3 (client)
 * gets an answer: a reply to a reply (mode 4), to a broadcast (5) or to the control and
 * private modes (6, 7, the amplification attacks of old ntpd) could bounce traffic at a
 * spoofed victim. The answer is never larger than the request. A pure function of its
 * arguments (no I/O), so a fuzzer can call it. */
static const char *check_request(const unsigned char *buf, size_t len)
{
    if (len < NTP_PACKET_SIZE)
        return "too short for NTP";
    unsigned version = (buf[NTP_LI_VN_MODE] >> 3) & 7, mode = buf[NTP_LI_VN_MODE] & 7;
    if (mode != NTP_MODE_CLIENT)
        return "not a client request (mode is not 3)";
    if (version < 1 || version > 4)
        return "unknown NTP version";
    return NULL;
}

static void write_u32(unsigned char *packet, size_t offset, uint32_t value)
{
    value = htonl(value);
    memcpy(packet + offset, &value, sizeof value);
}

/* The clock as an NTP timestamp: seconds since 1900 (the low 32 bits, which is exactly
 * how they wrap into era 1 in 2036) and the fraction of a second in units of 2^-32 s. */
static void write_timestamp(unsigned char *packet, size_t offset, struct timespec t)
{
    write_u32(packet, offset, (uint32_t)((uint64_t)t.tv_sec + NTP_UNIX_EPOCH_DIFF));
    write_u32(packet, offset + 4, (uint32_t)(((uint64_t)t.tv_nsec << 32) / 1000000000u));
}

static struct timespec clock_now(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        die_errno("clock_gettime", NULL);
    return now;
}

/* log2 of the clock's resolution, rounded up: what the precision field announces. */
static int clock_precision(void)
{
    struct timespec resolution;
    double seconds = 1e-9, power = 1.0;
    int exponent = 0;
    if (clock_getres(CLOCK_REALTIME, &resolution) == 0)
        seconds = (double)resolution.tv_sec + (double)resolution.tv_nsec / 1e9;
    while (power / 2 >= seconds && exponent > -32) {
        power /= 2;
        exponent--;
    }
    return exponent;
}

static void server(const char *interface, uint16_t port, unsigned stratum,
                   const unsigned char reference_id[4])
{
    static unsigned char data[MAX_BYTES];
    char where[ADDRESS_TEXT_SIZE];
    struct addrinfo *address = resolve(interface, port, AF_UNSPEC, SOCK_DGRAM);

    int sock = socket(address->ai_family, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    if (bind(sock, address->ai_addr, address->ai_addrlen) < 0)
        die_errno("bind", address->ai_addr);
    freeaddrinfo(address);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));

    int precision = clock_precision();
    for (;;) {
        struct sockaddr_storage client;
        socklen_t client_length = sizeof client;
        ssize_t n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&client,
                             &client_length);
        struct timespec received = clock_now();     /* T2: as soon as the request is in */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom", NULL);
        }
        format_address((struct sockaddr *)&client, where);
        const char *problem = check_request(data, (size_t)n);
        if (problem) {
            printf("Dropped %zd bytes from %s: %s\n", n, where, problem);
            continue;
        }

        unsigned char reply[NTP_PACKET_SIZE] = {0};
        unsigned version = (data[NTP_LI_VN_MODE] >> 3) & 7;
        /* Leap indicator 0 (no warning: the top two bits stay 0), the request's version. */
        reply[NTP_LI_VN_MODE] = (unsigned char)((version << 3) | NTP_MODE_SERVER);
        reply[NTP_STRATUM] = (unsigned char)stratum;
        reply[NTP_POLL] = data[NTP_POLL];           /* RFC 4330: copied from the request */
        reply[NTP_PRECISION] = (unsigned char)(signed char)precision;
        /* Root delay 0: this clock is its own reference. Root dispersion: how far it may
         * be off, here one clock tick (the 16.16 format's smallest step, 15 us). */
        write_u32(reply, NTP_ROOT_DELAY, 0);
        write_u32(reply, NTP_ROOT_DISPERSION, 1);
        memcpy(reply + NTP_REFERENCE_ID, reference_id, 4);
        write_timestamp(reply, NTP_REFERENCE_TIME, received);   /* the local clock is always "set" */
        /* The client's transmit time goes back as our originate time, byte for byte:
         * the client recognises its answer by it. */
        memcpy(reply + NTP_ORIGINATE_TIME, data + NTP_TRANSMIT_TIME, 8);
        write_timestamp(reply, NTP_RECEIVE_TIME, received);
        write_timestamp(reply, NTP_TRANSMIT_TIME, clock_now());  /* T3: just before it leaves */
        /* One client's trouble must not stop the server: report it and serve the next. */
        if (sendto(sock, reply, sizeof reply, 0, (struct sockaddr *)&client, client_length) < 0)
            warn_errno("sendto", (struct sockaddr *)&client);
        else
            printf("Answered a version %u request from %s\n", version, where);
    }
}

/* -s: a stratum from 1 to 15 (0 would be a Kiss-o'-Death, 16 "unsynchronised"). */
static unsigned parse_stratum(const char *text)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < 1 || value > 15)
        usage_error(usage, "argument -s: invalid stratum: '%s' (must be 1..15)", text);
    return (unsigned)value;
}

/* -r: four bytes. At stratum 1 a name of up to four printable ASCII characters,
 * zero-filled; above it an IPv4 address (the server we would follow). */
static void parse_reference_id(const char *text, unsigned stratum, unsigned char id[4])
{
    memset(id, 0, 4);
    if (stratum == 1) {
        size_t n = strlen(text);
        bool printable = n >= 1 && n <= 4;
        for (size_t i = 0; printable && i < n; i++)
            printable = text[i] > ' ' && text[i] < 0x7f;
        if (!printable)
            usage_error(usage, "argument -r: invalid reference id at stratum 1: '%s' "
                        "(1 to 4 letters, e.g. LOCL)", text);
        memcpy(id, text, n);
    } else if (inet_pton(AF_INET, text, id) != 1) {
        usage_error(usage, "argument -r: invalid reference id above stratum 1: '%s' "
                    "(an IPv4 address)", text);
    }
}

int main(int argc, char *argv[])
{
    const char *host = "127.0.0.1", *port = "123", *stratum_text = "10", *reference = NULL;
    unsigned char reference_id[4];
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"host", &host, true}, {"-p", &port, false}, {"-s", &stratum_text, false},
        {"-r", &reference, false}, {NULL, NULL, false}});
    uint16_t port_number = parse_port(port, usage);
    unsigned stratum = parse_stratum(stratum_text);
    if (reference == NULL)
        reference = stratum == 1 ? "LOCL" : "127.127.1.1";
    parse_reference_id(reference, stratum, reference_id);
    server(host, port_number, stratum, reference_id);
    return 0;
}
