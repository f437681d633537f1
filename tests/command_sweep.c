/*
 * command_sweep.c - the command-line grammar test: run a program with every sequence of up
 * to three words drawn from an alphabet (or a sample of them), and check how each run ends.
 *
 *     tests/command_sweep [-n SAMPLE] [-s SEED] [-j JOBS] [-t MS] PROGRAM WORD...
 *
 * Every sequence of no word or one word runs; then SAMPLE sequences of two or three words
 * drawn at random with SEED (default 1), or, with -n 0, every sequence of two and of three
 * words. Each run has /dev/null for stdin and its own folder's cwd, and must:
 *   - end with exit status 0, 1 or 2, never by a signal of its own;
 *   - print no sanitizer report (AddressSanitizer, UBSan's "runtime error:", LeakSanitizer);
 *   - on exit 2 (a usage error), print on stderr one usage line (argparse wraps it: the
 *     lines after it start with spaces) and one "PROG: error: " line, and nothing else.
 * A run that prints a line starting "Listening" (a server that started) is ended with
 * SIGTERM there; one still running after MS milliseconds (default 300: a client waiting
 * for an answer) is ended with SIGKILL. Both count as good runs. JOBS runs at a time
 * (default 16): most runs end in a millisecond, some wait for their time limit.
 * Prints each failure with its words escaped, then "N runs, N failed", and exits 1 on any.
 */
#include "socket_helpers.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#define MAX_WORDS 3
#define MAX_JOBS 64
#define KEPT 65536                          /* what is kept of a run's stdout and stderr */

struct run {
    pid_t pid;
    int out, err;                           /* pipes from its stdout and stderr, or -1 */
    double deadline;
    bool ended_by_us;
    size_t words[MAX_WORDS], count;
    char output[KEPT], errors[KEPT];
    size_t output_length, errors_length;
};

static const char *program, *program_base;
static char **alphabet;
static size_t alphabet_size;
static long failures, runs;
static double time_limit = 0.3;

static void describe(const struct run *r, const char *why)
{
    char shown[WORD_REPR_SIZE];
    printf("FAIL %s", program_base);
    for (size_t i = 0; i < r->count; i++)
        printf(" %s", word_repr(alphabet[r->words[i]], shown));
    printf(": %s\n", why);
    if (r->errors_length > 0) {
        static char errors_shown[REPR_SIZE(400)];
        size_t length = r->errors_length < 400 ? r->errors_length : 400;
        printf("    stderr: %s\n", format_repr(r->errors, length, false, errors_shown));
    }
    failures++;
}

/* A usage error's stderr: "usage: ..." and its continuation lines, then one error line. */
static bool is_usage_error(const char *text, size_t n)
{
    char expected_error[256];
    snprintf(expected_error, sizeof expected_error, "%s: error: ", program_base);
    if (n == 0 || text[n - 1] != '\n' || strncmp(text, "usage: ", 7) != 0)
        return false;
    const char *line = text, *end = text + n;
    int errors = 0;
    while (line < end) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        if (line == text)
            ;                               /* the usage line */
        else if (*line == ' ' && errors == 0)
            ;                               /* the usage line, wrapped */
        else if (strncmp(line, expected_error, strlen(expected_error)) == 0)
            errors++;
        else
            return false;
        line = newline + 1;
    }
    return errors == 1;
}

static void judge(struct run *r, int status)
{
    char why[128];
    runs++;
    if (r->ended_by_us)
        ;
    else if (WIFSIGNALED(status)) {
        snprintf(why, sizeof why, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        describe(r, why);
        return;
    } else if (WEXITSTATUS(status) > 2) {
        snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
        describe(r, why);
        return;
    }
    r->errors[r->errors_length] = '\0';
    if (strstr(r->errors, "Sanitizer") || strstr(r->errors, "runtime error:"))
        describe(r, "a sanitizer report");
    else if (!r->ended_by_us && WEXITSTATUS(status) == 2 &&
             !is_usage_error(r->errors, r->errors_length))
        describe(r, "exit 2 without exactly one usage line and one error line");
}

static void start(struct run *r)
{
    int out[2], err[2];
    if (pipe(out) < 0 || pipe(err) < 0)
        die_errno("pipe", NULL);
    r->pid = fork();
    if (r->pid < 0)
        die_errno("fork", NULL);
    if (r->pid == 0) {
        char *argv[MAX_WORDS + 2] = {(char *)program};
        for (size_t i = 0; i < r->count; i++)
            argv[i + 1] = alphabet[r->words[i]];
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
            _exit(120);
        int unused[] = {out[0], err[0], out[1], err[1], null};
        for (size_t i = 0; i < sizeof unused / sizeof unused[0]; i++)
            close(unused[i]);
        setpgid(0, 0);                      /* its own group: what it forks ends with it */
        signal(SIGPIPE, SIG_DFL);
        execv(program, argv);
        fprintf(stderr, "command_sweep: cannot start %s: %s\n", program, strerror(errno));
        _exit(121);                         /* judged as a failure: nothing was tried */
    }
    close(out[1]);
    close(err[1]);
    r->out = out[0];
    r->err = err[0];
    r->output_length = r->errors_length = 0;
    r->ended_by_us = false;
    r->deadline = monotonic_seconds() + time_limit;
}

static void end_by_us(struct run *r, int signal_number)
{
    if (!r->ended_by_us)
        kill(-r->pid, signal_number);
    r->ended_by_us = true;
}

/* Read what is there; a server's "Listening" line ends it. */
static void drain(struct run *r, int fd)
{
    bool is_out = fd == r->out;
    char *kept = is_out ? r->output : r->errors, scratch[4096];
    size_t *length = is_out ? &r->output_length : &r->errors_length;
    size_t room = KEPT - 1 - *length;
    ssize_t n = read(fd, room > 0 ? kept + *length : scratch, room > 0 ? room : sizeof scratch);
    if (n <= 0) {
        close(fd);
        *(is_out ? &r->out : &r->err) = -1;
        return;
    }
    if (room > 0)
        *length += (size_t)n;
    kept[*length] = '\0';
    if (is_out && (strncmp(kept, "Listening", 9) == 0 || strstr(kept, "\nListening")))
        end_by_us(r, SIGTERM);
}

/* Wait for output or an end among the running runs; judge those that ended. */
static void step(struct run *jobs, size_t n)
{
    struct pollfd fds[2 * MAX_JOBS];
    struct run *owner[2 * MAX_JOBS];
    size_t count = 0;
    double now = monotonic_seconds();
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].pid == 0)
            continue;
        if (now > jobs[i].deadline)
            end_by_us(&jobs[i], SIGKILL);
        for (int k = 0; k < 2; k++) {
            int fd = k == 0 ? jobs[i].out : jobs[i].err;
            if (fd >= 0) {
                fds[count] = (struct pollfd){.fd = fd, .events = POLLIN};
                owner[count++] = &jobs[i];
            }
        }
    }
    if (count > 0 && poll(fds, (nfds_t)count, 20) < 0 && errno != EINTR)
        die_errno("poll", NULL);
    for (size_t i = 0; i < count; i++)
        if (fds[i].revents)
            drain(owner[i], fds[i].fd);
    for (size_t i = 0; i < n; i++) {
        int status;
        struct run *r = &jobs[i];
        if (r->pid == 0 || r->out >= 0 || r->err >= 0)
            continue;                       /* still running, or still writing */
        pid_t ended = waitpid(r->pid, &status, WNOHANG);
        if (ended < 0)
            die_errno("waitpid", NULL);
        if (ended == 0)
            continue;                       /* closed its output, runs on: the deadline */
        if (r->ended_by_us)
            kill(-r->pid, SIGKILL);         /* anything it left behind */
        judge(r, status);
        r->pid = 0;
    }
}

/* A free slot for the next run (waiting for one if all are busy). */
static struct run *slot(struct run *jobs, size_t n)
{
    for (;;) {
        for (size_t i = 0; i < n; i++)
            if (jobs[i].pid == 0)
                return &jobs[i];
        step(jobs, n);
    }
}

static void sweep(struct run *jobs, size_t n, size_t length, unsigned long long index)
{
    struct run *r = slot(jobs, n);
    r->count = length;
    for (size_t i = 0; i < length; i++, index /= alphabet_size)
        r->words[i] = (size_t)(index % alphabet_size);
    start(r);
}

int main(int argc, char *argv[])
{
    static struct run jobs[MAX_JOBS];
    long sample = 300, seed = 1, job_count = 16;
    int option;
    program_init(argv[0], "[-n SAMPLE] [-s SEED] [-j JOBS] [-t MS] PROGRAM WORD...");
    opterr = 0;
    while ((option = getopt(argc, argv, "+:hn:s:j:t:")) != -1) {
        switch (option) {
        case 'h': show_help("Run PROGRAM with sequences of up to three WORDs (see the source)\n");
        case 'n': sample = (long)parse_int(optarg, "-n", 0, 100000000); break;
        case 's': seed = (long)parse_int(optarg, "-s", 0, 1L << 30); break;
        case 'j': job_count = (long)parse_int(optarg, "-j", 1, MAX_JOBS); break;
        case 't': time_limit = (double)parse_int(optarg, "-t", 1, 60000) / 1000; break;
        default: option_error(option, argv, (const struct option[]){{NULL, 0, NULL, 0}});
        }
    }
    program = next_positional(argc, argv, "PROGRAM", NULL);
    if (optind >= argc) {
        next_positional(argc, argv, "WORD", NULL);
        no_more_arguments(argc, argv);      /* names what is missing */
    }
    alphabet = argv + optind;
    alphabet_size = (size_t)(argc - optind);
    program_base = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
    signal(SIGPIPE, SIG_IGN);

    size_t n = (size_t)job_count;
    sweep(jobs, n, 0, 0);
    for (size_t w = 0; w < alphabet_size; w++)
        sweep(jobs, n, 1, w);
    if (sample == 0) {                      /* the whole space of two and three words */
        unsigned long long squares = (unsigned long long)alphabet_size * alphabet_size;
        for (unsigned long long i = 0; i < squares; i++)
            sweep(jobs, n, 2, i);
        for (unsigned long long i = 0; i < squares * alphabet_size; i++)
            sweep(jobs, n, 3, i);
    } else {
        srand((unsigned)seed);
        for (long i = 0; i < sample; i++) {
            unsigned long long index = (unsigned long long)rand() * RAND_MAX + (unsigned)rand();
            sweep(jobs, n, 2 + (size_t)(rand() % 2), index);
        }
    }
    for (size_t i = 0; i < n; i++)
        while (jobs[i].pid != 0)
            step(jobs, n);
    printf("%s: %ld runs, %ld failed\n", program_base, runs, failures);
    return failures == 0 ? 0 : 1;
}
