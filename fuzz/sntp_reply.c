/*
 * sntp_reply.c - libFuzzer target: what sntp_client does with a datagram from the server,
 * all of it pure: check_reply() (the sender and the echo of T1, as client() computes them,
 * RFC 4330's checks, RFC 5905's header and sample checks), the
 * header's decode(), and for a reply that passes, print_reply() with its era
 * arithmetic, offset, delay and dates. Asserts that check_reply() accepts exactly the
 * replies RFC 4330 allows (less those whose sample makes no sense), and that everything
 * printed is whole lines of printable UTF-8 (the reference id is the peer's bytes).
 * Input: 1 byte of choices (bit 0: echo T1; bit 1: from another address), 5 bytes of our
 * clock (T4, 1970 to 2500), then the datagram.
 * sntp_client.c is included whole, its main() renamed: nothing is copied out of it.
 * FUZZ_MAX_LEN 1100
 */
#define main sntp_client_main
#include "../sntp/sntp_client.c"
#undef main

#include "checks.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    capture_stdout();
    return 0;
}

/* RFC 4330 section 5, written again from the RFC as the oracle (RFC 5905's checks, the
 * precision, root distance, zero T2, T3 before T2 and the delay, are checked apart below). */
static bool acceptable(const unsigned char *p, size_t n, const unsigned char sent[8])
{
    static const unsigned char zero[8];
    if (n < 48)
        return false;
    unsigned leap = p[0] >> 6, version = (p[0] >> 3) & 7, mode = p[0] & 7, stratum = p[1];
    return mode == 4 && memcmp(p + 24, sent, 8) == 0 && version >= 1 &&
           version <= 4 && leap != 3 && stratum >= 1 && stratum <= 15 &&
           memcmp(p + 40, zero, 8) != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    if (size < 6 || size - 6 > MAX_BYTES)
        return 0;
    const unsigned char *packet = input + 6;
    size_t n = size - 6;
    unsigned char *buf = malloc(n ? n : 1);     /* exactly n bytes: ASan sees overreads */
    CHECK(buf != NULL);
    memcpy(buf, packet, n);

    /* An odd first byte echoes our T1 as a genuine answer does: past that check. */
    unsigned char sent[8] = {0};
    if ((input[0] & 1) && n >= 48)
        memcpy(sent, packet + NTP_ORIGINATE_TIME, 8);
    else
        memcpy(sent, input + 1, 5);
    bool from_server = !(input[0] & 2);
    uint64_t clock = ((uint64_t)input[1] << 32 | (uint64_t)input[2] << 24 |
                      (uint64_t)input[3] << 16 | (uint64_t)input[4] << 8 | input[5]);
    struct unix_time t4 = {(int64_t)(clock % 16725225600u),   /* 1970..2500 */
                           (uint32_t)clock * 2654435761u};

    char why[256];
    bool echoes_t1 = n >= NTP_ORIGINATE_TIME + 8 && memcmp(buf + NTP_ORIGINATE_TIME, sent, 8) == 0;
    enum verdict verdict = check_reply(buf, n, from_server, echoes_t1, t4, why);
    CHECK(verdict == ANSWER || verdict == NOT_AN_ANSWER || verdict == REFUSED);
    CHECK(strlen(why) > 0 && strlen(why) < sizeof why - 1);
    assert_printable(why, strlen(why), false);
    CHECK(!from_server == (verdict == NOT_AN_ANSWER && strcmp(why, "not the server") == 0));
    CHECK(!from_server || (strstr(why, "too short") != NULL) == (n < NTP_PACKET_SIZE));
    /* Refused though RFC 4330 allows it: only for RFC 5905's header and sample checks. */
    static const char *const sample_checks[] = {"makes the round-trip", "has a root distance",
                                                "has precision", "has a zero receive time",
                                                "has a transmit time (T3)"};
    bool sample_refused = false;
    for (size_t i = 0; i < sizeof sample_checks / sizeof sample_checks[0]; i++)
        sample_refused |= verdict == REFUSED &&
                          strncmp(why, sample_checks[i], strlen(sample_checks[i])) == 0;
    if (from_server)
        CHECK((verdict == ANSWER || sample_refused) == acceptable(buf, n, sent));
    if (n >= NTP_PACKET_SIZE) {
        unsigned char copy[NTP_PACKET_SIZE];
        memcpy(copy, buf, NTP_PACKET_SIZE);
        struct header h = decode(buf);
        CHECK(h.leap <= 3 && h.version <= 7 && h.mode <= 7 && h.stratum <= 255);
        CHECK(h.poll >= -128 && h.poll <= 127 && h.precision >= -128 && h.precision <= 127);
        struct sample s = measure(buf, t4);
        if (verdict == ANSWER) {
            static char printed[8192];
            CHECK(s.delay >= -(ldexp(1, h.precision) + OUR_PRECISION) && s.delay <= MAX_DELAY);
            CHECK(seconds_between(s.t3, s.t2) >= 0 && ldexp(1, h.precision) <= MAX_ROOT_DISTANCE);
            CHECK(h.root_delay / 2 + h.root_dispersion <= MAX_ROOT_DISTANCE);
            print_reply(buf, t4, "('127.0.0.1', 123)");
            size_t length = captured(printed, sizeof printed);
            CHECK(length > 0 && length < sizeof printed - 1 && printed[length - 1] == '\n');
            assert_printable(printed, length, true);
            CHECK(strstr(printed, "(out of range)") == NULL);   /* every date is a date */
        }
        CHECK(memcmp(copy, buf, NTP_PACKET_SIZE) == 0);         /* read only */
    }
    free(buf);
    return 0;
}
