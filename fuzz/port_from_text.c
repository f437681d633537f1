/*
 * port_from_text.c - libFuzzer target: port_from_text() of the common header against a
 * reference built from strtoul: the text is accepted exactly when it is one or more
 * decimal digits worth at most 65535, the port is that value, and a rejected text leaves
 * the port alone.
 * FUZZ_MAX_LEN 64
 */
#include "socket_helpers.h"

#include "checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *text = malloc(n + 1);             /* the text as argv would hold it */
    CHECK(text != NULL);
    memcpy(text, data, n);
    text[n] = '\0';

    /* strtoul alone would take " 12", "+12" and "-1": check the digits first. */
    bool all_digits = text[0] != '\0' && strspn(text, "0123456789") == strlen(text);
    errno = 0;
    unsigned long value = all_digits ? strtoul(text, NULL, 10) : 0;
    bool expected = all_digits && errno == 0 && value <= 65535;

    uint16_t port = 4242;
    bool accepted = port_from_text(text, &port);
    CHECK(accepted == expected);
    CHECK(accepted ? port == value : port == 4242);
    free(text);
    return 0;
}
