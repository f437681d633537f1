/*
 * helpers_test.c - drives the common header's parsers and formatters from the command
 * line, so tests/socket_helpers.bats can check them against what Python prints.
 *     helpers_test repr-text HEX | repr-bytes HEX   format_repr of the bytes HEX spells
 *     helpers_test repr-unicode FILE                every assigned code point FILE lists
 *                                                   (tests/python_escapes.txt) against repr()
 *     helpers_test address HOST PORT                resolve + format_address
 *     helpers_test errno NUMBER                     errno_name
 *     helpers_test errno-all                        errno_name against glibc's strerrorname_np
 *     helpers_test args [ARGUMENT...]               a command line parsed the header's way,
 *                                                   as argparse would parse it with
 *                                                   role {client,server}, host, -p int, -t
 *                                                   float and --name text
 * _GNU_SOURCE is for strerrorname_np alone; the header itself needs no more than
 * _DEFAULT_SOURCE, and builds with musl, which has no strerrorname_np.
 */
#define _GNU_SOURCE 1
#include "socket_helpers.h"

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/wait.h>

#define ARGS_USAGE "[-h] [-p P] [-t T] [--name NAME] {client,server} host"

static size_t from_hex(const char *hex, unsigned char *out, size_t size)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < size; hex += 2) {
        unsigned value;
        if (sscanf(hex, "%2x", &value) != 1)
            die("not hex: %s", hex);
        out[n++] = (unsigned char)value;
    }
    return n;
}

/* Every errno glibc names, against our table. Exit 0 when they agree. */
static int compare_errno_names(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    int named = 0, differ = 0;
    for (int err = 1; err <= 4095; err++) {
        const char *glibc = strerrorname_np(err);
        if (!glibc)
            continue;
        named++;
        if (strcmp(glibc, errno_name(err)) != 0) {
            printf("errno %d: glibc %s, errno_name %s\n", err, glibc, errno_name(err));
            differ++;
        }
    }
    printf("%d errno values named by glibc, %d named differently\n", named, differ);
    return differ == 0 && named > 0 ? 0 : 1;
#else
    puts("no strerrorname_np in this C library (glibc 2.32 has it)");
    return 3;
#endif
}

/* The UTF-8 bytes of code point c; returns how many. */
static size_t encode_utf8(uint32_t c, unsigned char out[4])
{
    if (c < 0x80) {
        out[0] = (unsigned char)c;
        return 1;
    }
    size_t n = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (size_t k = n - 1; k > 0; k--, c >>= 6)
        out[k] = (unsigned char)(0x80 | (c & 0x3f));
    out[0] = (unsigned char)((n == 2 ? 0xc0 : n == 3 ? 0xe0 : 0xf0) | c);
    return n;
}

/* What Python 3.11's repr() prints for the one-character string chr(c). */
static void python_repr(uint32_t c, bool escaped, char *out, size_t size)
{
    unsigned char utf8[5] = {0};
    if (c == '\'')
        snprintf(out, size, "\"'\"");
    else if (c == '\\' || c == '\t' || c == '\n' || c == '\r')
        snprintf(out, size, "'\\%c'", c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
    else if (escaped)
        snprintf(out, size, c <= 0xff ? "'\\x%02x'" : c <= 0xffff ? "'\\u%04x'" : "'\\U%08x'",
                 (unsigned)c);
    else
        utf8[encode_utf8(c, utf8)] = '\0', snprintf(out, size, "'%s'", (char *)utf8);
}

/* Walk every code point FILE's "assigned FIRST LAST" lines cover; "escaped FIRST LAST"
 * lines say which of them Python escapes. */
static int compare_unicode(const char *path)
{
    static unsigned char escaped[0x110000 / 8];
    static uint32_t assigned[1024][2];
    size_t ranges = 0;
    unsigned long checked = 0, differ = 0;
    char line[256], kind[16];
    unsigned first, last;
    FILE *file = fopen(path, "r");
    if (!file)
        die_errno(path, NULL);
    while (fgets(line, sizeof line, file)) {
        if (sscanf(line, "%15s %x %x", kind, &first, &last) != 3 || first > last ||
            last > 0x10ffff)
            continue;                       /* a comment */
        if (strcmp(kind, "escaped") == 0)
            for (uint32_t c = first; c <= last; c++)
                escaped[c / 8] |= (unsigned char)(1u << (c % 8));
        else if (strcmp(kind, "assigned") == 0 && ranges < sizeof assigned / sizeof assigned[0])
            assigned[ranges][0] = first, assigned[ranges++][1] = last;
    }
    fclose(file);
    for (size_t r = 0; r < ranges; r++) {
        for (uint32_t c = assigned[r][0]; c <= assigned[r][1]; c++) {
            unsigned char utf8[4];
            char ours[REPR_SIZE(4)], python[32];
            size_t length = encode_utf8(c, utf8);
            format_repr(utf8, length, false, ours);
            python_repr(c, escaped[c / 8] & (1u << (c % 8)), python, sizeof python);
            checked++;
            if (strcmp(ours, python) != 0 && differ++ < 40)
                printf("U+%04X: format_repr %s, Python %s\n", (unsigned)c, ours, python);
        }
    }
    printf("%lu assigned code points, %lu shown otherwise than Python shows them\n", checked,
           differ);
    return differ == 0 && checked > 0 ? 0 : 1;
}

/* sendall() while a signal handler (installed without SA_RESTART) interrupts it every
 * millisecond: send() fails with EINTR, or sends part, and sendall goes on. A reader that
 * drains slowly keeps the sender blocked in send(), where the signals land. Prints how many
 * bytes arrived and how many signals came. */
static volatile sig_atomic_t signals;
static void count_signal(int number)
{
    (void)number;
    signals++;
}

static int sendall_under_signals(void)
{
    static char data[4 << 20];
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0)
        die_errno("socketpair", NULL);
    pid_t reader = fork();
    if (reader < 0)
        die_errno("fork", NULL);
    if (reader == 0) {
        static char got[4096];
        size_t total = 0;
        ssize_t n;
        close(pair[0]);
        while ((n = recv(pair[1], got, sizeof got, 0)) > 0) {
            total += (size_t)n;
            if (total % (256 << 10) < 4096)
                usleep(2000);               /* slow: the sender's buffer fills */
        }
        printf("%zu bytes arrived\n", total);
        _exit(0);
    }
    close(pair[1]);
    struct sigaction action = {.sa_handler = count_signal};   /* no SA_RESTART */
    struct itimerval every = {{0, 1000}, {0, 1000}};
    if (sigaction(SIGALRM, &action, NULL) < 0 || setitimer(ITIMER_REAL, &every, NULL) < 0)
        die_errno("setitimer", NULL);
    int status = sendall(pair[0], data, sizeof data);
    int err = errno;
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    close(pair[0]);
    waitpid(reader, NULL, 0);
    errno = err;
    if (status < 0)
        die_errno("sendall", NULL);
    printf("sent %zu bytes, %s\n", sizeof data, signals > 10 ? "interrupted many times" : "hardly interrupted");
    return 0;
}

/* Two threads die at once: the first keeps stderr locked until the process is gone, so the
 * second's line never appears. To make the race certain, the first one's exit() runs an
 * atexit handler that lets the second thread go and gives it 200 ms to print. */
static sem_t second_may_die;
static void let_the_second_die(void)
{
    sem_post(&second_may_die);
    usleep(200000);
}

static void *die_second(void *unused)
{
    (void)unused;
    int status;
    do
        status = sem_wait(&second_may_die);
    while (status < 0 && errno == EINTR);
    errno = ENOTCONN;
    die_errno("second", NULL);
}

static int die_twice(void)
{
    pthread_t thread;
    if (sem_init(&second_may_die, 0, 0) < 0 || pthread_create(&thread, NULL, die_second, NULL))
        die("cannot start the second thread");
    atexit(let_the_second_die);
    die("first");
}

/* A main() as the lecture's programs write theirs, for the argparse comparisons. */
static int parse_like_a_program(int argc, char *argv[])
{
    static const char *const roles[] = {"client", "server", NULL};
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'}, {"name", required_argument, NULL, 'N'},
        {NULL, 0, NULL, 0}};
    long long port = 1060;
    double timeout = 1.0;
    const char *name = "None";
    int option;

    opterr = 0;
    while ((option = getopt_long(argc, argv, ":hp:t:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help("(a test of the header's command-line helpers)\n");
        case 'p': port = parse_int(optarg, "-p", 0, 65535); break;
        case 't': timeout = parse_float(optarg, "-t", 0, 1e6); break;
        case 'N': check_option_value(optarg, "--name"); name = optarg; break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *host = next_positional(argc, argv, "host", NULL);
    no_more_arguments(argc, argv);
    printf("role=%s host=%s p=%lld t=%g name=%s\n", role, host, port, timeout, name);
    return 0;
}

int main(int argc, char *argv[])
{
    char where[ADDRESS_TEXT_SIZE];
    program_init(argv[0], ARGS_USAGE);
    if (argc >= 2 && strcmp(argv[1], "args") == 0) {
        argv[1] = argv[0];                  /* getopt starts after argv[0]: the program */
        return parse_like_a_program(argc - 1, argv + 1);
    } else if (argc == 3 && strncmp(argv[1], "repr-", 5) == 0 && strcmp(argv[1], "repr-unicode")) {
        static unsigned char data[4096];
        static char shown[REPR_SIZE(sizeof data)];
        size_t n = from_hex(argv[2], data, sizeof data);
        puts(format_repr(data, n, strcmp(argv[1], "repr-bytes") == 0, shown));
    } else if (argc == 3 && strcmp(argv[1], "repr-unicode") == 0) {
        return compare_unicode(argv[2]);
    } else if (argc == 4 && strcmp(argv[1], "address") == 0) {
        struct addrinfo *list = resolve(argv[2], (uint16_t)parse_int(argv[3], "PORT", 0, 65535),
                                        AF_UNSPEC, SOCK_STREAM);
        puts(format_address(list->ai_addr, where));
        freeaddrinfo(list);
    } else if (argc == 3 && strcmp(argv[1], "errno") == 0) {
        puts(errno_name((int)parse_int(argv[2], "NUMBER", 0, 100000)));
    } else if (argc == 2 && (strcmp(argv[1], "floats") == 0 || strcmp(argv[1], "datetimes") == 0)) {
        char line[64], shown[DATETIME_TEXT_SIZE];  /* a number a line ("u" first: UTC) */
        bool floats = strcmp(argv[1], "floats") == 0;
        while (fgets(line, sizeof line, stdin))
            puts(floats ? format_float(strtod(line, NULL), shown)
                        : format_datetime(strtod(line + (line[0] == 'u'), NULL),
                                          line[0] == 'u' ? AWARE_UTC_DATETIME : LOCAL_DATETIME,
                                          shown));
    } else if (argc == 2 && strcmp(argv[1], "die-twice") == 0) {
        return die_twice();
    } else if (argc == 2 && strcmp(argv[1], "sendall-signals") == 0) {
        return sendall_under_signals();
    } else if (argc == 3 && strcmp(argv[1], "timeval") == 0) {
        struct timeval t = timeval_of(parse_float(argv[2], "SECONDS", 0, 1e9));
        printf("%ld %ld\n", (long)t.tv_sec, (long)t.tv_usec);
    } else if (argc == 2 && strcmp(argv[1], "errno-all") == 0) {
        return compare_errno_names();
    } else {
        usage_error("the first word is one of repr-text, repr-bytes, repr-unicode, address, "
                    "errno, errno-all, floats, datetimes, die-twice, sendall-signals, timeval, args");
    }
    return 0;
}
