/*
 * hserror_terminal.c - libFuzzer target: hserror's show_on_terminal(), which prints an HTTP
 * response from whoever answered on a terminal, a recv() at a time. Asserts that what
 * reaches the terminal is valid UTF-8 with no control character but line ends and tabs
 * (no escape sequence gets through), and that cutting the response into pieces anywhere,
 * even inside a UTF-8 character, prints exactly what it prints in one piece.
 * Input: 1 byte that chooses the piece sizes, then the response.
 * hserror.c is included whole, its main() renamed: nothing is copied out of it.
 * FUZZ_MAX_LEN 4096
 */
#define main hserror_main
#include "../code/hserror.c"
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

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    static char whole[4 * 4096 + 64], pieces[sizeof whole];
    static unsigned char buf[BUFFER_SIZE + 4];
    if (size < 1 || size - 1 > 4096)
        return 0;
    const unsigned char *response = input + 1;
    size_t n = size - 1;

    /* In one piece, as a response that fits one recv(). */
    CHECK(show_on_terminal(response, n, true) == n);
    size_t whole_length = captured(whole, sizeof whole);
    CHECK(whole_length < sizeof whole - 1);
    for (size_t k = 0; k < whole_length; k++) {
        unsigned char c = (unsigned char)whole[k];
        CHECK(c >= 0x20 || c == '\n' || c == '\r' || c == '\t');
        CHECK(c != 0x7f);
    }
    CHECK(is_utf8((const unsigned char *)whole, whole_length));

    /* In pieces of 1 to 8 bytes, the way main() loops over recv(): the unused tail of a
     * piece (an unfinished character) goes in front of the next one. */
    unsigned step = (input[0] & 7) + 1;
    size_t kept = 0;
    for (size_t offset = 0; offset < n;) {
        size_t piece = n - offset < step ? n - offset : step;
        memcpy(buf + kept, response + offset, piece);
        offset += piece;
        size_t used = show_on_terminal(buf, kept + piece, false);
        CHECK(used <= kept + piece);
        kept = kept + piece - used;
        CHECK(kept <= 3);                   /* the room main() leaves for it */
        memmove(buf, buf + used, kept);
    }
    show_on_terminal(buf, kept, true);      /* end of file: the rest, whatever it is */
    size_t pieces_length = captured(pieces, sizeof pieces);
    CHECK(pieces_length == whole_length && memcmp(pieces, whole, whole_length) == 0);
    return 0;
}
