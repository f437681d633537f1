/*
 * checks.h - shared by the fuzz targets: CHECK (an assert that stays), what they assert about
 * text that reaches a terminal (written independently of the common header, so as not to
 * check it against itself), and a way to catch what a program prints. Include it after
 * socket_helpers.h or the program, which define _DEFAULT_SOURCE for mkstemp and pread.
 */
#ifndef FUZZ_CHECKS_H
#define FUZZ_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* assert() that NDEBUG cannot turn off: the checks ARE the fuzz target. */
#define CHECK(condition) \
    ((condition) ? (void)0 : check_failed(#condition, __FILE__, __LINE__))

static inline void check_failed(const char *condition, const char *file, int line)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, condition);
    abort();
}

/* UTF-8 per RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
static inline bool is_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t length = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                      : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (length == 0 || i + length > n)
            return false;
        for (size_t k = 1; k < length; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0) ||
            (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))
            return false;
        i += length;
    }
    return true;
}

/* Safe to print: valid UTF-8 with no control character but the line ends (if allowed). */
static inline void assert_printable(const char *text, size_t n, bool newlines_allowed)
{
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)text[k];
        CHECK((c >= 0x20 && c != 0x7f) || (c == '\n' && newlines_allowed));
    }
    CHECK(is_utf8((const unsigned char *)text, n));
}

/* What a program prints, caught for checking: capture_stdout() once sends stdout to a
 * scratch file; captured() then returns what was printed since the last call. */
static inline void capture_stdout(void)
{
    char path[] = "/tmp/fuzz_stdout_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    unlink(path);
    CHECK(dup2(fd, STDOUT_FILENO) == STDOUT_FILENO);
    close(fd);
}

static inline size_t captured(char *buf, size_t size)
{
    fflush(stdout);
    ssize_t n = pread(STDOUT_FILENO, buf, size - 1, 0);
    CHECK(n >= 0);
    buf[n] = '\0';
    CHECK(ftruncate(STDOUT_FILENO, 0) == 0);
    CHECK(lseek(STDOUT_FILENO, 0, SEEK_SET) == 0);
    return (size_t)n;
}

#endif /* FUZZ_CHECKS_H */
