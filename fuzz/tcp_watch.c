/*
 * tcp_watch.c - libFuzzer target: what tcp_watch does with each packet the interface
 * hands it, which may be anything: parse_segment() on its own, checked against the header
 * rules written again here from RFC 791, RFC 9293 and RFC 7323 (window scale), then
 * print_segment(), which remembers each connection's initial sequence numbers and window
 * scales across segments. One input is a mode byte (odd: --ladder) and several packets,
 * each preceded by its length (2 bytes, big-endian), so that the fuzzer can play whole
 * conversations. Every segment printed must be one line of printable text (with --ladder,
 * a connection's first arrow comes after the line naming its two ends).
 * tcp_watch.c is included with TCP_WATCH_NO_MAIN, which leaves out its socket loop.
 * FUZZ_MAX_LEN 4096
 */
#define TCP_WATCH_NO_MAIN
#include "../tcp/tcp_watch.c"

#include "checks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    capture_stdout();
    return 0;
}

static unsigned bits16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* The window scale option, read another way: walk the option list by kind. */
static int expected_window_scale(const unsigned char *options, size_t size)
{
    int scale = -1;
    size_t at = 0;
    while (at < size) {
        unsigned kind = options[at];
        if (kind == 0)
            break;
        if (kind == 1) {
            at += 1;
            continue;
        }
        if (at + 1 >= size)
            break;
        unsigned length = options[at + 1];
        if (length < 2 || at + length > size)
            break;
        if (kind == 3 && length == 3)
            scale = options[at + 2] < 14 ? options[at + 2] : 14;
        at += length;
    }
    return scale;
}

static void check_one(const unsigned char *packet, size_t length)
{
    static char printed[1024];
    struct segment s;
    bool parsed = parse_segment(packet, length, &s);

    size_t ip = length > 0 ? (size_t)(packet[0] & 15) * 4 : 0;
    size_t total = length >= 4 ? bits16(packet + 2) : 0;
    bool whole_ip = length >= 20 && packet[0] >> 4 == 4 && packet[9] == 6 && ip >= 20 &&
                    total <= length && (bits16(packet + 6) & 0x1fff) == 0;
    size_t tcp = whole_ip && total >= ip + 20 ? (size_t)(packet[ip + 12] >> 4) * 4 : 0;
    bool expected = whole_ip && total >= ip + 20 && tcp >= 20 && ip + tcp <= total;
    CHECK(parsed == expected);
    if (!parsed)
        return;
    CHECK(s.payload_length == total - ip - tcp);
    CHECK(s.source_port == bits16(packet + ip) && s.destination_port == bits16(packet + ip + 2));
    CHECK(s.flags == packet[ip + 13] && s.window == bits16(packet + ip + 14));
    CHECK(memcmp(&s.source, packet + 12, 4) == 0 && memcmp(&s.destination, packet + 16, 4) == 0);
    CHECK(s.window_scale == expected_window_scale(packet + ip + 20, tcp - 20));

    print_segment(&s);
    size_t n = captured(printed, sizeof printed);
    CHECK(n > 0 && n < sizeof printed - 1 && printed[n - 1] == '\n');
    const char *first_end = memchr(printed, '\n', n);
    if (ladder && first_end != printed + n - 1)           /* a new connection's names */
        first_end = memchr(first_end + 1, '\n', n - (size_t)(first_end + 1 - printed));
    CHECK(first_end == printed + n - 1);                  /* then one line per segment */
    assert_printable(printed, n, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    memset(connections, 0, sizeof connections);       /* each input is a fresh capture */
    next_slot = 0;
    connections_seen = 0;
    ladder = size > 0 && (input[0] & 1);
    if (size > 0) {
        input++;
        size--;
    }
    while (size >= 2) {
        size_t length = bits16(input);
        input += 2;
        size -= 2;
        if (length > size)
            length = size;
        unsigned char *packet = malloc(length ? length : 1);   /* exact size: ASan */
        CHECK(packet != NULL);
        memcpy(packet, input, length);
        check_one(packet, length);
        free(packet);
        input += length;
        size -= length;
    }
    return 0;
}
