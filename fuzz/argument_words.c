/*
 * argument_words.c - libFuzzer target: the command-line words the common header echoes
 * in its usage errors, word_repr() and list_words() (the "unrecognized arguments: ..."
 * list), over any words a user or a script could pass. The input is split at NUL bytes
 * into words, as argv holds them. Besides the sanitizers' checks it asserts:
 *   - word_repr() is format_repr() of the word's first 256 bytes, and fits WORD_REPR_SIZE;
 *   - the list never overflows its array, and no control byte or invalid UTF-8 in a word
 *     reaches the terminal through it;
 *   - the words are listed in order, one space apart, each as it is when that is safe and
 *     escaped otherwise, and a word is left out only when it would not fit.
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
    const char *words[64];
    int count = 0;
    CHECK(text != NULL);
    memcpy(text, data, n);
    text[n] = '\0';
    for (const char *word = text; word <= text + n && count < 64; word += strlen(word) + 1) {
        char shown[WORD_REPR_SIZE], expected[WORD_REPR_SIZE];
        CHECK(word_repr(word, shown) == shown);
        CHECK(strlen(shown) < WORD_REPR_SIZE);
        CHECK(strcmp(shown, format_repr(word, strnlen(word, 256), false, expected)) == 0);
        assert_printable(shown, strlen(shown), false);
        words[count++] = word;
    }

    char list[WORD_LIST_SIZE];
    CHECK(list_words(count, words, list) == list);
    size_t length = strlen(list), used = 0;
    CHECK(length < WORD_LIST_SIZE);
    assert_printable(list, length, false);
    for (int i = 0; i < count; i++) {       /* the list is the words' forms, in order */
        char shown[WORD_REPR_SIZE];
        const char *listed = shown_as_is(words[i], word_repr(words[i], shown)) ? words[i] : shown;
        size_t gap = i > 0 ? 1 : 0;
        if (used + strlen(listed) + 2 > WORD_LIST_SIZE) {
            CHECK(used == length);          /* left out: only when it would not fit */
            break;
        }
        CHECK(!gap || list[used] == ' ');
        CHECK(strncmp(list + used + gap, listed, strlen(listed)) == 0);
        used += gap + strlen(listed);
    }
    CHECK(used == length);
    free(text);
    return 0;
}
