/*
 * sntp_convert_test.c - unit tests of sntp_client's pure functions: the NTP <-> Unix time
 * conversion across the 2036 era rollover, the UTC formatting, the offset arithmetic and
 * the reply checks. It includes sntp_client.c itself with SNTP_NO_MAIN defined, which
 * leaves out the client's main() and its I/O, so the functions tested are the ones the
 * program runs. Run by tests/sntp_client.bats; prints one line per failure, then
 * "N passed, N failed", and exits 1 if any failed.
 */
#define SNTP_NO_MAIN
#include "../sntp/sntp_client.c"

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

static void check_utc(struct unix_time t, const char *expected, const char *what)
{
    char text[64];
    format_utc(t, text);
    if (strcmp(text, expected) != 0)
        printf("  got %s, expected %s\n", text, expected);
    check(strcmp(text, expected) == 0, what);
}

static void check_era(uint32_t ntp_seconds, int64_t pivot, int64_t expected, const char *what)
{
    int64_t got = unix_seconds_from_ntp(ntp_seconds, pivot);
    if (got != expected)
        printf("  got %lld, expected %lld\n", (long long)got, (long long)expected);
    check(got == expected, what);
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
        struct unix_time t = {u, 0x12345678u};
        struct ntp_timestamp n = ntp_from_unix(t);
        for (int64_t skew = -30 * 31557600LL; skew <= 30 * 31557600LL; skew += 15 * 31557600LL) {
            struct unix_time back = unix_from_ntp(n, u + skew);
            round_trips = round_trips && back.seconds == u && back.fraction == t.fraction;
        }
    }
    check(round_trips, "Unix -> NTP -> Unix round trips from 1970 to 2200");
}

static void test_formatting(void)
{
    check_utc((struct unix_time){ERA1_START, 0}, "2036-02-07 06:28:16.000000 UTC", "rollover");
    check_utc((struct unix_time){ERA1_START - 1, 0xffffffffu}, "2036-02-07 06:28:15.999999 UTC",
              "just before the rollover");
    check_utc(unix_from_ntp((struct ntp_timestamp){1, 0x80000000u}, ERA1_START),
              "2036-02-07 06:28:17.500000 UTC", "1.5 s into era 1");
    check_utc(unix_from_timespec((struct timespec){1693081582, 123456000}),
              "2023-08-26 20:26:22.123456 UTC", "a timespec");
}

static void test_arithmetic(void)
{
    struct unix_time a = {ERA1_START - 1, 0xc0000000u}, b = {ERA1_START, 0x40000000u};
    check(seconds_between(b, a) == 0.5, "difference across the rollover");
    check(seconds_between(a, b) == -0.5, "negative difference");
    struct unix_time c = add_seconds((struct unix_time){10, 0}, -0.25);
    check(c.seconds == 9 && c.fraction == 0xc0000000u, "adding a negative offset");
    c = add_seconds((struct unix_time){10, 0xc0000000u}, 0.5);
    check(c.seconds == 11 && c.fraction == 0x40000000u, "adding carries into the seconds");
}

static void test_checks(void)
{
    unsigned char sent[8] = {1, 2, 3, 4, 5, 6, 7, 8}, good[NTP_PACKET_SIZE] = {0}, p[64];
    good[NTP_LI_VN_MODE] = (4 << 3) | 4;
    good[NTP_STRATUM] = 2;
    memcpy(good + NTP_ORIGINATE_TIME, sent, 8);
    good[NTP_TRANSMIT_TIME] = 0xe8;
    check(check_reply(good, sizeof good, sent) == REPLY_OK, "a good reply");
    check(check_reply(good, 47, sent) == REPLY_TOO_SHORT, "47 bytes");
    check(check_reply(good, 0, sent) == REPLY_TOO_SHORT, "0 bytes");
#define MUTATED(offset, value, verdict, what)                                   \
    do {                                                                        \
        memcpy(p, good, sizeof good);                                           \
        p[offset] = (value);                                                    \
        check(check_reply(p, sizeof good, sent) == (verdict), what);            \
    } while (0)
    MUTATED(NTP_LI_VN_MODE, (4 << 3) | 3, REPLY_NOT_SERVER_MODE, "mode 3");
    MUTATED(NTP_LI_VN_MODE, (4 << 3) | 5, REPLY_NOT_SERVER_MODE, "mode 5");
    MUTATED(NTP_ORIGINATE_TIME + 7, 9, REPLY_NOT_OURS, "another originate time");
    MUTATED(NTP_LI_VN_MODE, 4, REPLY_BAD_VERSION, "version 0");
    MUTATED(NTP_LI_VN_MODE, (5 << 3) | 4, REPLY_BAD_VERSION, "version 5");
    MUTATED(NTP_LI_VN_MODE, (1 << 3) | 4, REPLY_OK, "version 1");
    MUTATED(NTP_STRATUM, 0, REPLY_KISS_OF_DEATH, "stratum 0");
    MUTATED(NTP_LI_VN_MODE, (3 << 6) | (4 << 3) | 4, REPLY_UNSYNCHRONISED, "leap 3");
    MUTATED(NTP_STRATUM, 16, REPLY_BAD_STRATUM, "stratum 16");
    MUTATED(NTP_TRANSMIT_TIME, 0, REPLY_NO_TRANSMIT_TIME, "zero transmit time");
    memcpy(p, good, sizeof good);
    p[NTP_LI_VN_MODE] = (3 << 6) | (4 << 3) | 4;
    p[NTP_STRATUM] = 0;
    check(check_reply(p, sizeof good, sent) == REPLY_KISS_OF_DEATH,
          "an unsynchronised kiss is still a kiss");
    memcpy(p, good, sizeof good);
    p[NTP_STRATUM] = 0;
    p[NTP_ORIGINATE_TIME] = 0;
    check(check_reply(p, sizeof good, sent) == REPLY_NOT_OURS, "a kiss for another request");
    struct ntp_reply r = decode_reply(good);
    check(r.version == 4 && r.mode == 4 && r.stratum == 2 && r.originate.seconds == 0x01020304u,
          "decode_reply");
    char id[INET_ADDRSTRLEN + 32];
    check(strcmp(format_reference_id(&r, id), "0.0.0.0") == 0, "reference id above stratum 1");
    r.stratum = 1;
    memcpy(r.reference_id, "GPS", 4);
    check(strcmp(format_reference_id(&r, id), "'GPS'") == 0, "a zero-filled source name");
    memcpy(r.reference_id, "\x1b[2J", 4);
    check(strcmp(format_reference_id(&r, id), "'\\x1b[2J'") == 0, "a hostile source name");
}

int main(void)
{
    test_eras();
    test_formatting();
    test_arithmetic();
    test_checks();
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0;
}
