/*
 * sntp_raw_test.c - unit tests of sntp_raw's two checksums against known packets: the
 * IPv4 header of RFC 1071's usual worked example (checksum 0xb861), and UDP datagrams
 * whose checksums were computed apart (an NTP request, an odd-length payload, and one
 * whose sum comes out 0, which UDP sends as 0xffff); and the range check of its conversion
 * of seconds to time_t. It includes sntp_raw.c with its main() renamed. Run by
 * tests/sntp_raw.bats; prints "N passed, N failed".
 */
#define main sntp_raw_main
#include "../sntp/sntp_raw.c"
#undef main

#include <math.h>     /* NAN */

static int passed, failed;

static void check(bool ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAILED: %s\n", what);
    }
}

/* An IPv4 header from src to dst, then a UDP header from sport to dport, then data. */
static size_t datagram(unsigned char *p, const char *src, const char *dst, unsigned sport,
                       unsigned dport, const void *data, size_t n)
{
    memset(p, 0, IP_HEADER_SIZE + UDP_HEADER_SIZE);
    p[0] = 0x45;
    p[9] = IPPROTO_UDP;
    inet_pton(AF_INET, src, p + 12);
    inet_pton(AF_INET, dst, p + 16);
    put16(p + IP_HEADER_SIZE, sport);
    put16(p + IP_HEADER_SIZE + 2, dport);
    put16(p + IP_HEADER_SIZE + 4, (unsigned)(UDP_HEADER_SIZE + n));
    memcpy(p + IP_HEADER_SIZE + UDP_HEADER_SIZE, data, n);
    return UDP_HEADER_SIZE + n;
}

int main(void)
{
    static const unsigned char header[IP_HEADER_SIZE] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    check(ip_checksum(header) == 0xb861, "IPv4 header 192.168.0.1 -> 192.168.0.199: 0xb861");
    unsigned char copy[IP_HEADER_SIZE];
    memcpy(copy, header, sizeof copy);
    copy[8] = 0x3f;                                 /* TTL 63, one hop later */
    check(ip_checksum(copy) == 0xb961, "the TTL one less: the checksum 0x0100 more");

    unsigned char p[256], request[NTP_PACKET_SIZE] = {0x23};
    size_t n = datagram(p, "192.0.2.1", "192.0.2.2", 12345, 123, request, sizeof request);
    check(udp_checksum(p, p + IP_HEADER_SIZE, n) == 0x27c6, "an NTP request: 0x27c6");
    n = datagram(p, "192.0.2.1", "192.0.2.2", 12345, 123, "hello", 5);
    check(udp_checksum(p, p + IP_HEADER_SIZE, n) == 0x074a, "5 bytes (an odd length): 0x074a");
    n = datagram(p, "10.0.0.1", "10.0.0.2", 1000, 2000, "\xe0\x1f", 2);
    check(udp_checksum(p, p + IP_HEADER_SIZE, n) == 0xffff, "a sum of 0 is sent as 0xffff");
    put16(p + IP_HEADER_SIZE + 6, 0xbeef);          /* its own field does not count */
    check(udp_checksum(p, p + IP_HEADER_SIZE, n) == 0xffff, "the checksum field is taken as 0");
    time_t t = 0;
    check(time_of(2085979496.75, &t) && t == 2085979496, "2036-02-07 06:44:56 (era 1) as time_t");
    check(time_of(-1.5, &t) && t == -1, "a second before 1970 (toward zero, as C converts)");
    t = 7;
    check(!time_of(1e19, &t) && t == 7, "1e19 s does not fit any time_t: refused, t untouched");
    check(!time_of(NAN, &t) && t == 7, "NaN: refused");
    check(time_of(2147483647.0, &t) == true && (sizeof(time_t) < 8 || time_of(2147483648.0, &t)),
          "2038-01-19 03:14:08 fits only a 64-bit time_t");
    check(sizeof(time_t) >= 8 || !time_of(2147483648.0, &t),
          "past 2038 is refused by a 32-bit time_t");
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0;
}
