/*
 * sntp_convert_test.c - unit tests of sntp_client's pure functions: the NTP -> Unix time
 * conversion across the 2036 era rollover, the time formats, the offset and delay
 * arithmetic, the header's decode() and the reply checks with their reasons. It includes
 * sntp_client.c itself with its main() renamed (no test hook in the student's file), so
 * the functions tested are the ones the program runs. Run by tests/sntp_client.bats; prints one line per failure,
 * then "N passed, N failed", and exits 1 if any failed.
 */
#define main sntp_client_main
#include "../sntp/sntp_client.c"
#undef main

#define ERA1_START 2085978496LL     /* 2036-02-07 06:28:16 UTC: NTP seconds wrap to 0 */

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

/* A packet holding NTP timestamp (seconds, fraction) at offset. */
static void put(unsigned char *packet, size_t offset, uint32_t seconds, uint32_t fraction)
{
    uint32_t words[2] = {htonl(seconds), htonl(fraction)};
    memcpy(packet + offset, words, 8);
}

static void check_era(uint32_t ntp_seconds, int64_t pivot, int64_t expected, const char *what)
{
    unsigned char packet[NTP_PACKET_SIZE] = {0};
    put(packet, NTP_TRANSMIT_TIME, ntp_seconds, 7);
    struct unix_time got = time_at(packet, NTP_TRANSMIT_TIME, pivot);
    if (got.seconds != expected)
        printf("  got %lld, expected %lld\n", (long long)got.seconds, (long long)expected);
    check(got.seconds == expected && got.fraction == 7, what);
}

static void check_time(struct unix_time t, bool as_ctime, const char *expected, const char *what)
{
    char text[64];
    if (as_ctime)
        ctime_of(t, text);
    else
        utc_datetime(t, text);
    if (strcmp(text, expected) != 0)
        printf("  got %s, expected %s\n", text, expected);
    check(strcmp(text, expected) == 0, what);
}

static void test_eras(void)
{
    int64_t now_2026 = 1795000000LL;
    check_era(3900000000u, now_2026, 1691011200LL, "2023 in era 0 with a 2026 clock");
    check_era(0, ERA1_START, ERA1_START, "NTP second 0 at the rollover is 2036, not 1900");
    check_era(0xffffffffu, ERA1_START, ERA1_START - 1, "the last second of era 0");
    check_era(0, now_2026, ERA1_START, "second 0 seen from 2026 is the 2036 rollover");
    check_era(1000, 4102444800LL, ERA1_START + 1000, "era 1 seen from 2100");
    check_era(3900000000u, ERA1_START + 1000, 1691011200LL, "2023 still era 0 seen from 2036");
    check_era(2208988800u, 4294967296LL, 4294967296LL, "2106 (past 32-bit unsigned Unix time)");
    check_era(2208988800u, 0, 0, "the Unix epoch seen from 1970");

    bool round_trips = true;            /* every 97 days from 1970 to 2200, pivots +-30 years */
    for (int64_t u = 0; u < 7258118400LL; u += 97 * 86400LL + 12345) {
        unsigned char packet[NTP_PACKET_SIZE];
        put(packet, NTP_RECEIVE_TIME, (uint32_t)((uint64_t)u + NTP_UNIX_EPOCH_DIFF), 0x12345678u);
        for (int64_t skew = -30 * 31557600LL; skew <= 30 * 31557600LL; skew += 15 * 31557600LL) {
            struct unix_time back = time_at(packet, NTP_RECEIVE_TIME, u + skew);
            round_trips = round_trips && back.seconds == u && back.fraction == 0x12345678u;
        }
    }
    check(round_trips, "Unix -> NTP -> Unix round trips from 1970 to 2200");
}

static void test_formatting(void)
{
    check_time((struct unix_time){ERA1_START, 0}, false, "2036-02-07 06:28:16", "rollover, "
               "as str(datetime): no fraction when it is 0");
    check_time((struct unix_time){ERA1_START - 1, 0xffffffffu}, false, "2036-02-07 06:28:16",
               "2^-32 s before the rollover is the rollover, as a Python float reads it");
    check_time((struct unix_time){1693081582, fraction_of((struct timespec){0, 123456000})}, false,
               "2023-08-26 20:26:22.123456", "a fraction rounded up, shown as the clock said");
    check_time((struct unix_time){1693081582, 0xffffffffu}, true, "Sat Aug 26 20:26:22 2023",
               "ctime's format, seconds truncated (TZ=UTC)");
    check_time((struct unix_time){ERA1_START + 1000, 0}, true, "Thu Feb  7 06:44:56 2036",
               "ctime pads the day with a space");
}

static void test_arithmetic(void)
{
    struct unix_time a = {ERA1_START - 1, 0xc0000000u}, b = {ERA1_START, 0x40000000u};
    check(seconds_between(b, a) == 0.5, "difference across the rollover");
    check(seconds_between(a, b) == -0.5, "negative difference");
    /* T1 = 10 s, T2 = 10.5, T3 = 10.75, T4 = 11.0 (from 1970): delay 0.75, offset 0.125 */
    unsigned char p[NTP_PACKET_SIZE] = {0};
    put(p, NTP_ORIGINATE_TIME, 2208988810u, 0);
    put(p, NTP_RECEIVE_TIME, 2208988810u, 0x80000000u);
    put(p, NTP_TRANSMIT_TIME, 2208988810u, 0xc0000000u);
    struct sample s = measure(p, (struct unix_time){11, 0});
    check(s.delay == 0.75 && s.offset == 0.125, "offset and delay from T1..T4");
}

static void test_fields(void)
{
    unsigned char p[NTP_PACKET_SIZE] = {(2 << 6) | (3 << 3) | 4, 16, 0xfa, 0xec,
                                        0xff, 0xff, 0x80, 0x00, 0x00, 0x01, 0x80, 0x00};
    struct header h = decode(p);
    check(h.leap == 2 && h.version == 3 && h.mode == 4 && h.stratum == 16, "the first bytes");
    check(h.poll == -6 && h.precision == -20, "signed poll and precision");
    check(h.root_delay == 65535.5 && h.root_dispersion == 1.5,
          "root delay unsigned, as RFC 5905 reads it, in seconds");
}

static void test_checks(void)
{
    unsigned char sent[8] = {0xe8, 2, 3, 4, 5, 6, 7, 8}, good[NTP_PACKET_SIZE] = {0}, p[64];
    struct unix_time t4 = {1691011200LL, 0};            /* 2023: T1 = T2 = T3 = T4 */
    char why[256];
    good[0] = (4 << 3) | 4;
    good[1] = 2;
    good[3] = 0xec;                                     /* precision 2^-20 s */
    memcpy(good + NTP_ORIGINATE_TIME, sent, 8);
    memcpy(good + NTP_RECEIVE_TIME, sent, 8);
    memcpy(good + NTP_TRANSMIT_TIME, sent, 8);
    t4 = time_at(good, NTP_TRANSMIT_TIME, t4.seconds);
    /* JUDGED(packet, n, from_server, verdict, why): the verdict, and the reason it gives */
#define JUDGED(packet, n, from_server, verdict, expected)                                  \
    check(check_reply(packet, n, from_server, memcmp(packet + NTP_ORIGINATE_TIME, sent, 8) == 0, \
                      t4, why) == (verdict) &&                                             \
          strncmp(why, expected, strlen(expected)) == 0, expected)
    JUDGED(good, sizeof good, true, ANSWER, "is the answer");
    JUDGED(good, sizeof good, false, NOT_AN_ANSWER, "not the server");
    JUDGED(good, 47, true, NOT_AN_ANSWER, "47 bytes, too short for NTP (48)");
    JUDGED(good, 0, true, NOT_AN_ANSWER, "0 bytes, too short");
#define MUTATED(offset, value, verdict, expected)                               \
    do {                                                                        \
        memcpy(p, good, sizeof good);                                           \
        p[offset] = (value);                                                    \
        JUDGED(p, sizeof good, true, verdict, expected);                        \
    } while (0)
    MUTATED(0, (4 << 3) | 3, REFUSED, "has mode 3, not 4");
    MUTATED(0, (4 << 3) | 5, REFUSED, "has mode 5, not 4");
    MUTATED(NTP_ORIGINATE_TIME + 7, 9, NOT_AN_ANSWER, "its originate time is not our T1");
    MUTATED(0, 4, REFUSED, "has version 0");
    MUTATED(0, (5 << 3) | 4, REFUSED, "has version 5");
    MUTATED(0, (1 << 3) | 4, ANSWER, "is the answer");                      /* version 1 */
    MUTATED(1, 0, REFUSED, "is a Kiss-o'-Death '\\x00\\x00\\x00\\x00'");
    MUTATED(0, (3 << 6) | (4 << 3) | 4, REFUSED, "has leap indicator 3");
    MUTATED(1, 16, REFUSED, "has stratum 16");
    MUTATED(8, 0x02, REFUSED, "has a root distance (root delay / 2 + root dispersion) of 512.0");
    MUTATED(10, 0x80, ANSWER, "is the answer");                             /* dispersion 0.5 s */
    MUTATED(NTP_RECEIVE_TIME + 3, 0x03, REFUSED, "makes the round-trip delay -1.000000 s");
    memcpy(p, good, sizeof good);
    p[NTP_RECEIVE_TIME + 3] = 0x03;
    p[3] = 0;                                           /* precision 2^0 = 1 s */
    JUDGED(p, sizeof good, true, ANSWER, "is the answer");      /* -1 s is within 1 s */
    memcpy(p, good, sizeof good);
    memset(p + NTP_TRANSMIT_TIME, 0, 8);
    JUDGED(p, sizeof good, true, REFUSED, "has a zero transmit time");
    memcpy(p, good, sizeof good);
    memset(p + NTP_RECEIVE_TIME, 0, 8);
    JUDGED(p, sizeof good, true, REFUSED, "has a zero receive time");
    MUTATED(3, 0x7f, REFUSED, "has precision 127 (2^127 s): a clock that coarse cannot be "
            "within 1.5 s of the time");
    MUTATED(3, 0x01, REFUSED, "has precision 1 (2^1 s)");
    MUTATED(NTP_TRANSMIT_TIME + 3, 0x03, REFUSED, "has a transmit time (T3) 1.000000 s before "
            "its receive time (T2)");
    memcpy(p, good, sizeof good);                       /* root delay 2^15 s, "negative" */
    memcpy(p + 4, "\x80\0\0\0\x3f\xff\0\0", 8);       /* and root dispersion 16383 s */
    JUDGED(p, sizeof good, true, REFUSED, "has a root distance (root delay / 2 + root "
           "dispersion) of 32767.000000 s");
    struct unix_time late = {t4.seconds + 3, t4.fraction + 0x20000000u};   /* 3.125 s */
    check(check_reply(good, sizeof good, true, true, late, why) == REFUSED &&
          strcmp(why, "makes the round-trip delay 3.125000 s, over 3 s (chrony's maxdelay): "
                 "the offset could be wrong by half that") == 0, "a round trip over 3 s");
    late.seconds = t4.seconds + 2;
    check(check_reply(good, sizeof good, true, true, late, why) == ANSWER, "a round trip of 2.1 s");
    memcpy(p, good, sizeof good);
    p[0] = (3 << 6) | (4 << 3) | 4;
    p[1] = 0;
    JUDGED(p, sizeof good, true, REFUSED, "is a Kiss-o'-Death");    /* though unsynchronised */
    memcpy(p, good, sizeof good);
    p[1] = 0;
    p[NTP_ORIGINATE_TIME] = 0;
    JUDGED(p, sizeof good, true, NOT_AN_ANSWER, "its originate time");  /* a kiss, not ours */
}

int main(void)
{
    setenv("TZ", "UTC", 1);             /* ctime()'s local time, here UTC */
    tzset();
    test_eras();
    test_formatting();
    test_arithmetic();
    test_fields();
    test_checks();
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0;
}
