/*
 * argument_words.c - libFuzzer target: the command-line words the common header echoes in
 * its usage errors, word_repr() ('bad', in "invalid int value: 'bad'") and shown_word() (a
 * word in "unrecognized arguments: a b"), over any words a user or a script could pass. The
 * input is split at NUL bytes into words, as argv holds them. Besides the sanitizers' checks
 * it asserts:
 *   - word_repr() is format_repr() of the word's first 256 bytes as a command-line word (\udcNN), and fits WORD_REPR_SIZE;
 *   - shown_word() is the word itself only when its repr is the word in quotes, and is its
 *     repr otherwise, so no control byte or invalid UTF-8 reaches the terminal through it.
 * FUZZ_MAX_LEN 1500
 */
#include "socket_helpers.h"

#include "checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *text = malloc(n + 1);             /* the words, each ending in NUL, as in argv */
    CHECK(text != NULL);
    memcpy(text, data, n);
    text[n] = '\0';
    for (const char *word = text; word <= text + n; word += strlen(word) + 1) {
        char shown[WORD_REPR_SIZE], expected[WORD_REPR_SIZE], listed[WORD_REPR_SIZE];
        size_t length = strlen(word);
        CHECK(word_repr(word, shown) == shown);
        CHECK(strlen(shown) < WORD_REPR_SIZE);
        CHECK(strcmp(shown, format_repr(word, strnlen(word, 256), AS_ARGUMENT, expected)) == 0);
        assert_printable(shown, strlen(shown), false);

        const char *as_listed = shown_word(word, listed);
        bool plain = strlen(shown) == length + 2 && strncmp(shown + 1, word, length) == 0;
        CHECK(as_listed == (plain ? word : listed));
        CHECK(strcmp(listed, shown) == 0);
        assert_printable(as_listed, strlen(as_listed), false);
    }
    free(text);
    return 0;
}
