/*
 * command_line.h - forced into every program's source (-include) when fuzz/run.sh builds the
 * command_line target: each program's main() runs as it is, with its own option table and
 * getopt_long loop, up to the end of its command line, and no further.
 *   - exit() (in usage_error, die, show_help) jumps back to the fuzz target instead;
 *   - program_init() resets what a parse leaves behind (getopt's optind and the header's
 *     lists of missing and unrecognized words), each program's copy of them;
 *   - no_more_arguments(), the last step of every parse, ends the run with status 0 where
 *     the program would go on to open sockets.
 */
#ifndef FUZZ_COMMAND_LINE_H
#define FUZZ_COMMAND_LINE_H

/* Forced in before the program's own first line: the widest feature set, spelled as
 * sntp_server spells it, so that no program's own definition differs. */
#define _GNU_SOURCE
#include <stdlib.h>

_Noreturn void fuzz_exit(int status);
#define exit(status) fuzz_exit(status)

#include "socket_helpers.h"

#define program_init(argv0, text)                                                            \
    do {                                                                                     \
        program_name = (argv0);                                                              \
        program_usage = (text);                                                              \
        missing_arguments[0] = '\0';                                                         \
        unrecognized_count = 0;                                                              \
        optind = 0;                 /* glibc: start afresh, even inside a word ("-xyz") */   \
    } while (0)
#define no_more_arguments(argc, argv)                                                        \
    do {                                                                                     \
        no_more_arguments(argc, argv);                                                       \
        fuzz_exit(0);                                                                        \
    } while (0)

#endif
