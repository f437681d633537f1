/*
 * ip4_address_conversion.c - libFuzzer target: ip4_address_conversion's pack() (inet_pton,
 * then the lenient inet_aton) and convert_ip_address() on any text a user could type.
 * Asserts that an accepted address is printable ASCII (it is echoed raw), that the strict
 * and lenient paths agree with libc's own calls, that a strict IPv4 address reads back
 * unchanged and an IPv6 one to the same bytes, and that the lines printed are printable.
 * The program is included whole, its main() renamed.
 * FUZZ_MAX_LEN 64
 */
#define main ip4_address_conversion_main
#include "../code/ip4_address_conversion.c"
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

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t n)
{
    char *text = malloc(n + 1);             /* as argv holds it */
    CHECK(text != NULL);
    memcpy(text, input, n);
    text[n] = '\0';
    struct packed_address packed;
    unsigned char bytes[16];
    struct in_addr lenient;

    if (pack(text, &packed)) {
        for (const char *p = text; *p; p++)
            CHECK(*p > ' ' && *p < 0x7f);
        if (packed.family == AF_INET6) {
            CHECK(packed.length == 16 && !packed.aton_only);
            CHECK(inet_pton(AF_INET6, text, bytes) == 1 && memcmp(bytes, packed.bytes, 16) == 0);
        } else {
            CHECK(packed.family == AF_INET && packed.length == 4);
            CHECK(packed.aton_only == (inet_pton(AF_INET, text, bytes) != 1));
            CHECK(inet_aton(text, &lenient) != 0 && memcmp(&lenient, packed.bytes, 4) == 0);
        }
        static char printed[1024];
        convert_ip_address(text, &packed);
        size_t length = captured(printed, sizeof printed);
        CHECK(length > 0 && length < sizeof printed - 1 && printed[length - 1] == '\n');
        assert_printable(printed, length, true);
        char unpacked[INET6_ADDRSTRLEN];
        CHECK(inet_ntop(packed.family, packed.bytes, unpacked, sizeof unpacked) != NULL);
        if (packed.family == AF_INET && !packed.aton_only)
            CHECK(strcmp(unpacked, text) == 0);     /* a dotted quad is its own canonical form */
        if (packed.family == AF_INET6)
            CHECK(inet_pton(AF_INET6, unpacked, bytes) == 1 && memcmp(bytes, packed.bytes, 16) == 0);
    } else {                                /* refused: libc would refuse it too */
        bool colon = strchr(text, ':') != NULL, spaces = false;
        for (const char *p = text; *p; p++)
            spaces = spaces || *p <= ' ' || *p >= 0x7f;
        CHECK(inet_pton(colon ? AF_INET6 : AF_INET, text, bytes) != 1);
        CHECK(colon || spaces || inet_aton(text, &lenient) == 0);
    }
    free(text);
    return 0;
}
