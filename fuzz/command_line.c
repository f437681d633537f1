/*
 * command_line.c - libFuzzer target: every program's real command-line parse (its main(),
 * its option table, its getopt_long loop, the header's argparse words) with any argv.
 * fuzz/run.sh compiles each program with fuzz/command_line.h forced in and main renamed
 * fuzz_main_NAME, and lists them in PROGRAMS. The input's first byte picks the program; the
 * rest, split at NUL bytes, is argv[1..] (at most 16 words). Besides the sanitizers' checks it
 * asserts that every parse ends by exit 0, 1 or 2, that a usage error (2) prints one usage
 * line (wrapped lines start with spaces) and one "NAME: error: " line, and that what it
 * prints on stderr is printable UTF-8: no control byte of a word reaches the terminal.
 * FUZZ_MAX_LEN 600
 */
#define _DEFAULT_SOURCE 1
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

#define X(name) int fuzz_main_##name(int argc, char *argv[]);
PROGRAMS
#undef X
static const struct {
    const char *name;
    int (*main)(int argc, char *argv[]);
} programs[] = {
#define X(name) {#name, fuzz_main_##name},
    PROGRAMS
#undef X
};

static jmp_buf back;

_Noreturn void fuzz_exit(int status)
{
    longjmp(back, status + 1);              /* setjmp's 0 is taken: status + 1 */
}

/* One usage line, maybe wrapped, then one error line that names the program. */
static void check_usage_error(const char *name, const char *text, size_t n)
{
    char expected[128];
    int errors = 0;
    snprintf(expected, sizeof expected, "%s: error: ", name);
    CHECK(n > 0 && text[n - 1] == '\n' && strncmp(text, "usage: ", 7) == 0);
    for (const char *line = strchr(text, '\n') + 1; line < text + n;
         line = strchr(line, '\n') + 1) {
        if (line[0] == ' ' && errors == 0)
            continue;
        CHECK(strncmp(line, expected, strlen(expected)) == 0);
        errors++;
    }
    CHECK(errors == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    static FILE *nowhere;
    char *words[18], *text, *errors = NULL;
    size_t errors_length = 0, count = sizeof programs / sizeof programs[0];
    int argc = 1;
    if (n == 0)
        return 0;
    if (!nowhere)
        CHECK((nowhere = fopen("/dev/null", "w")) != NULL);
    text = malloc(n);                       /* the words, each ending in NUL, as in argv */
    CHECK(text != NULL);
    memcpy(text, data + 1, n - 1);
    text[n - 1] = '\0';
    const char *name = programs[data[0] % count].name;
    words[0] = (char *)name;
    for (char *word = text; word < text + n && argc < 17; word += strlen(word) + 1)
        words[argc++] = word;
    words[argc] = NULL;

    FILE *saved_stdout = stdout, *saved_stderr = stderr, *capture = open_memstream(&errors,
                                                                                   &errors_length);
    CHECK(capture != NULL);
    stdout = nowhere;
    stderr = capture;
    volatile int status = setjmp(back);
    if (status == 0)
        status = programs[data[0] % count].main(argc, words) + 1;
    fflush(capture);
    stdout = saved_stdout;
    stderr = saved_stderr;

    CHECK(status >= 1 && status <= 3);      /* exit 0, 1 or 2 */
    if (status == 3)
        check_usage_error(name, errors, errors_length);
    assert_printable(errors, errors_length, true);
    fclose(capture);
    free(errors);
    free(text);
    return 0;
}
