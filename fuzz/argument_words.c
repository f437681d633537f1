/*
 * argument_words.c - libFuzzer target: the command-line words the common header echoes
 * in its usage errors, word_repr() and note_argument() (which collects "unrecognized
 * arguments: ..."), over any words a user or a script could pass. The input is split at
 * NUL bytes into words, as argv holds them. Besides the sanitizers' checks it asserts:
 *   - word_repr() is format_repr() of the word's first 256 bytes, and fits WORD_REPR_SIZE;
 *   - the list never overflows its array, and no control byte or invalid UTF-8 in a word
 *     reaches the terminal through it;
 *   - each word is listed as it is when that is safe, escaped otherwise, after one
 *     space, or left out only when the list is full.
 * FUZZ_MAX_LEN 1500
 */
#include "socket_helpers.h"

#include "checks.h"

/* A word is listed as it is when its repr is just the word in quotes. */
static bool shown_as_is(const char *word, const char *shown)
{
    size_t length = strlen(word);
    return strlen(shown) == length + 2 && strncmp(shown + 1, word, length) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *text = malloc(n + 1);             /* the words, each ending in NUL, as in argv */
    CHECK(text != NULL);
    memcpy(text, data, n);
    text[n] = '\0';
    unrecognized_arguments[0] = '\0';       /* a fresh command line */

    for (const char *word = text; word <= text + n; word += strlen(word) + 1) {
        char shown[WORD_REPR_SIZE], expected[WORD_REPR_SIZE];
        size_t length = strnlen(word, 256);
        CHECK(word_repr(word, shown) == shown);
        CHECK(strlen(shown) < WORD_REPR_SIZE);
        CHECK(strcmp(shown, format_repr(word, length, false, expected)) == 0);
        assert_printable(shown, strlen(shown), false);

        size_t used = strlen(unrecognized_arguments);
        note_argument(unrecognized_arguments, sizeof unrecognized_arguments, " ", word);
        size_t now = strlen(unrecognized_arguments);
        CHECK(now < sizeof unrecognized_arguments);
        assert_printable(unrecognized_arguments, now, false);
        const char *listed = shown_as_is(word, shown) ? word : shown;
        size_t gap = used ? 1 : 0;
        if (used + gap + strlen(listed) >= sizeof unrecognized_arguments) {
            CHECK(now == used);             /* left out: only when it would not fit */
        } else {
            CHECK(now == used + gap + strlen(listed));
            CHECK(!gap || unrecognized_arguments[used] == ' ');
            CHECK(strcmp(unrecognized_arguments + used + gap, listed) == 0);
        }
    }
    free(text);
    return 0;
}
