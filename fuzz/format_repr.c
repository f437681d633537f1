/*
 * format_repr.c - libFuzzer target: format_repr() of the common header, in both modes,
 * over any bytes a peer could send. Besides the sanitizers' checks it asserts what the
 * programs rely on when they print network data:
 *   - the text fits in REPR_SIZE(n) (the buffer is exactly that size: ASan catches one
 *     byte more);
 *   - no control byte (< 0x20 or 0x7f) reaches the terminal, and the text is valid UTF-8
 *     (pure ASCII for bytes);
 *   - it says what came: read back as Python would read the literal, it gives the input.
 * FUZZ_MAX_LEN 4096
 */
#include "socket_helpers.h"

#include "checks.h"

/* The UTF-8 bytes of code point c; returns how many. */
static size_t encode_utf8(uint32_t c, unsigned char out[4])
{
    if (c < 0x80) { out[0] = (unsigned char)c; return 1; }
    if (c < 0x800) {
        out[0] = (unsigned char)(0xc0 | c >> 6); out[1] = (unsigned char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (unsigned char)(0xe0 | c >> 12);
        out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (unsigned char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | c >> 18); out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f)); out[3] = (unsigned char)(0x80 | (c & 0x3f));
    return 4;
}

static uint32_t hex_value(const char *s, size_t digits)
{
    uint32_t value = 0;
    for (size_t k = 0; k < digits; k++) {
        char d = s[k];
        CHECK((d >= '0' && d <= '9') || (d >= 'a' && d <= 'f'));
        value = value * 16 + (uint32_t)(d <= '9' ? d - '0' : d - 'a' + 10);
    }
    return value;
}

/* Read the literal back, escape by escape, against the input. In text mode \xNN stands
 * either for a byte that is not UTF-8 or for the character U+00NN (as Python writes it). */
static void check_reads_back(const unsigned char *data, size_t n, bool as_bytes, const char *shown)
{
    size_t length = strlen(shown), start = as_bytes ? 1 : 0;
    bool has_single = memchr(data, '\'', n) != NULL, has_double = memchr(data, '"', n) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    CHECK(!as_bytes || shown[0] == 'b');
    CHECK(length >= start + 2 && shown[start] == quote && shown[length - 1] == quote);
    const char *p = shown + start + 1, *end = shown + length - 1;
    size_t i = 0;
    unsigned char utf8[4];
    while (p < end) {
        CHECK(*p != quote);                /* an unescaped quote would end the literal */
        if (*p != '\\') {                   /* a printable character, as its UTF-8 bytes */
            size_t k = 1;
            while (p + k < end && ((unsigned char)p[k] & 0xc0) == 0x80)
                k++;
            CHECK(i + k <= n && memcmp(data + i, p, k) == 0);
            i += k;
            p += k;
            continue;
        }
        char kind = p[1];
        CHECK(p + 1 < end);
        if (kind == '\\' || kind == '\'' || kind == '"') {
            CHECK(kind == '\\' || kind == quote);  /* only the chosen quote is escaped */
            CHECK(i < n && data[i] == (unsigned char)kind);
            i++;
            p += 2;
        } else if (kind == 'n' || kind == 'r' || kind == 't') {
            CHECK(i < n && data[i] == (kind == 'n' ? '\n' : kind == 'r' ? '\r' : '\t'));
            i++;
            p += 2;
        } else if (kind == 'x') {
            uint32_t value = hex_value(p + 2, 2);
            CHECK(i < n);
            if (data[i] == value) {
                i++;
            } else {
                size_t k = encode_utf8(value, utf8);
                CHECK(!as_bytes && value >= 0x80 && i + k <= n && memcmp(data + i, utf8, k) == 0);
                i += k;
            }
            p += 4;
        } else {
            size_t digits = kind == 'u' ? 4 : 8;
            CHECK(!as_bytes && (kind == 'u' || kind == 'U'));
            uint32_t value = hex_value(p + 2, digits);
            CHECK(value <= 0x10ffff);
            size_t k = encode_utf8(value, utf8);
            CHECK(i + k <= n && memcmp(data + i, utf8, k) == 0);
            i += k;
            p += 2 + digits;
        }
    }
    CHECK(i == n);                         /* every input byte is accounted for */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *shown = malloc(REPR_SIZE(n));
    CHECK(shown != NULL);
    for (int as_bytes = 0; as_bytes <= 1; as_bytes++) {
        CHECK(format_repr(data, n, as_bytes, shown) == shown);
        size_t length = strlen(shown);
        CHECK(length < REPR_SIZE(n));
        assert_printable(shown, length, false);
        for (size_t k = 0; as_bytes && k < length; k++)
            CHECK((unsigned char)shown[k] < 0x80);
        check_reads_back(data, n, as_bytes, shown);
    }
    free(shown);
    return 0;
}
