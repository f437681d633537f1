/*
 * sntp_raw_test.c - unit tests of sntp_raw: its two checksums against known packets (the
 * IPv4 header of RFC 1071's usual worked example, checksum 0xb861, and UDP datagrams whose
 * checksums were computed apart: an NTP request, an odd-length payload, and one whose sum
 * comes out 0, which UDP sends as 0xffff); scapy's number form (FixedPointField as str()
 * shows it); and the request it builds, byte for byte scapy's. It includes sntp_raw.c with
 * its main() renamed. Run by tests/sntp_raw.bats: it prints "N passed, N failed", or with
 * "show", show() of two packets, which the bats file compares with scapy's show().
 */
#define main sntp_raw_main
#include "../sntp/sntp_raw.c"
#undef main

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

/* raw(IP(src='192.0.2.1', dst='192.0.2.2')/UDP(sport=40000, dport=123)/NTP(version=4,
 * mode=3, orig=T, sent=T)), T = 4005513392.25 (Unix 1796524592.25), as scapy 2.5 builds it;
 * and a reply, from raw(IP(src='192.0.2.2', dst='192.0.2.1', id=50211, flags='DF', ttl=63)
 * /UDP(sport=123, dport=40000)/NTP(leap=3, version=3, mode=4, stratum=1, poll=6,
 * precision=231, delay=1.5, dispersion=0.00001526, ref_id=b'GPS', ref=4005513392,
 * orig=T, recv=0, sent=2085978496.5)). */
static const unsigned char scapy_request[PACKET_SIZE] = {
    0x45, 0x00, 0x00, 0x4c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0xf6, 0x9c, 0xc0, 0x00, 0x02, 0x01,
    0xc0, 0x00, 0x02, 0x02, 0x9c, 0x40, 0x00, 0x7b, 0x00, 0x38, 0x43, 0xda, 0x23, 0x02, 0x0a, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xee, 0xbf, 0x48, 0xb0, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xee, 0xbf, 0x48, 0xb0, 0x40, 0x00, 0x00, 0x00};
static const unsigned char scapy_reply[PACKET_SIZE] = {
    0x45, 0x00, 0x00, 0x4c, 0xc4, 0x23, 0x40, 0x00, 0x3f, 0x11, 0xf3, 0x79, 0xc0, 0x00, 0x02, 0x02,
    0xc0, 0x00, 0x02, 0x01, 0x00, 0x7b, 0x9c, 0x40, 0x00, 0x38, 0xb4, 0xcb, 0xdc, 0x01, 0x06, 0xe7,
    0x00, 0x01, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x47, 0x50, 0x53, 0x00, 0xee, 0xbf, 0x48, 0xb0,
    0x00, 0x00, 0x00, 0x00, 0xee, 0xbf, 0x48, 0xb0, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x7c, 0x55, 0x81, 0x80, 0x80, 0x00, 0x00, 0x00};

/* build_request() from 192.0.2.1 port 40000 to 192.0.2.2 port 123, at T. */
static void build_scapy_example(unsigned char *packet)
{
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(40000)};
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(123)};
    inet_pton(AF_INET, "192.0.2.1", &me.sin_addr);
    inet_pton(AF_INET, "192.0.2.2", &to.sin_addr);
    build_request(packet, &me, &to, 1796524592.25);
}

/* With "show": show() of the request built, then of the reply, for sntp_raw.bats to
 * compare with scapy's show() of the same bytes. */
int main(int argc, char *argv[])
{
    if (argc > 1 && strcmp(argv[1], "show") == 0) {
        unsigned char packet[PACKET_SIZE];
        build_scapy_example(packet);
        show(packet);
        show(scapy_reply);
        return 0;
    }
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
    char text[FIXED_POINT_SIZE];
    static const struct { uint32_t whole, fraction; int bits, digits; const char *shown; }
        numbers[] = {               /* str() of scapy's FixedPointField, by Python's Decimal */
            {0, 0, 16, 4, "0"}, {0, 1, 16, 4, "0.00001526"}, {1, 32768, 16, 4, "1.5"},
            {100, 0, 16, 4, "100"}, {0, 6554, 16, 4, "0.1"}, {0, 3277, 16, 4, "0.05"},
            {0, 512, 16, 4, "0.007812"}, {0, 3072, 16, 4, "0.04688"},   /* ties: to even */
            {0, 65535, 16, 4, "1"}, {65535, 65535, 16, 4, "65536"},
            {3, 2147483648u, 32, 9, "3.5"}, {0, 4295, 32, 9, "0.00000100000761"},
            {0, 1, 32, 9, "2.32830644E-10"}, {0, 4294967295u, 32, 9, "1"},
        };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char what[96];
        format_fixed_point(numbers[i].whole, numbers[i].fraction, numbers[i].bits,
                           numbers[i].digits, text);
        snprintf(what, sizeof what, "%u + %u/2^%d shown as %s (got %s)", numbers[i].whole,
                 numbers[i].fraction, numbers[i].bits, numbers[i].shown, text);
        check(strcmp(text, numbers[i].shown) == 0, what);
    }

    unsigned char packet[PACKET_SIZE];
    build_scapy_example(packet);
    check(memcmp(packet, scapy_request, sizeof packet) == 0,
          "IP(src='192.0.2.1', dst='192.0.2.2')/UDP(sport=40000, dport=123)/NTP(version=4, "
          "mode=3) at 1796524592.25: scapy's bytes");
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0;
}
