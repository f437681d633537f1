/*
 * sntp_reply.c - libFuzzer target: what sntp_client does with a datagram from the server,
 * all of it pure: check_reply() (RFC 4330's checks), decode_reply(), and for a reply that
 * passes, print_reply() with its era arithmetic, offset, delay and dates. Asserts that
 * check_reply() accepts exactly the replies RFC 4330 allows, and that everything printed
 * is whole lines of printable UTF-8 (the reference id is the peer's bytes).
 * Input: 1 byte of choices, 5 bytes of our clock (T4, 1970 to 2500), then the datagram.
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

/* RFC 4330 section 5, written again from the RFC as the oracle. */
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
    uint64_t clock = ((uint64_t)input[1] << 32 | (uint64_t)input[2] << 24 |
                      (uint64_t)input[3] << 16 | (uint64_t)input[4] << 8 | input[5]);
    struct unix_time destination = {(int64_t)(clock % 16725225600u),   /* 1970..2500 */
                                    (uint32_t)clock * 2654435761u};

    enum reply_verdict verdict = check_reply(buf, n, sent);
    CHECK(verdict >= REPLY_OK && verdict <= REPLY_NO_TRANSMIT_TIME);
    CHECK((verdict == REPLY_OK) == acceptable(buf, n, sent));
    CHECK((verdict == REPLY_TOO_SHORT) == (n < NTP_PACKET_SIZE));
    if (n >= NTP_PACKET_SIZE) {
        unsigned char copy[NTP_PACKET_SIZE];
        memcpy(copy, buf, NTP_PACKET_SIZE);
        struct ntp_reply r = decode_reply(buf);
        CHECK(r.leap <= 3 && r.version <= 7 && r.mode <= 7 && r.stratum <= 255);
        CHECK(r.poll >= -128 && r.poll <= 127 && r.precision >= -128 && r.precision <= 127);
        char id[INET_ADDRSTRLEN + 32];
        format_reference_id(&r, id);
        assert_printable(id, strlen(id), false);
        if (verdict == REPLY_OK) {
            static char printed[8192];
            print_reply(&r, destination);
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
