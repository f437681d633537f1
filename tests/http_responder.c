/*
 * http_responder.c - test helper: a tiny HTTP server that answers every request the same
 * way, good or bad, for the tests of code/hserror.
 *     http_responder [-p PORT] MODE [ARG]
 * Listens on 127.0.0.1 (port 0: the OS chooses), prints "Listening at ('127.0.0.1', PORT)",
 * and serves one connection after another until killed. For each: reads the request up to
 * its empty line, prints "Request: b'...'" (its repr), then by MODE:
 *     reply TEXT   sends TEXT, shuts down its side, prints "After the reply: b'...'"
 *                  with whatever else the client sent until it closed, then closes; in
 *                  TEXT, \r \n \t \\ and \xNN stand for those bytes (bash's $'...' too)
 *     trickle TEXT sends TEXT one byte every 0.2 s, then closes
 *     file PATH    sends the bytes of the file PATH and closes
 *     reset TEXT   sends TEXT, waits until the client has it, then closes with SO_LINGER
 *                  {1, 0}: the client reads TEXT and then gets a reset (ECONNRESET)
 *     silent       sends nothing; closes when the client does
 * Exit 1 on an error before serving (one line on stderr), 2 on a usage error.
 */
#include "socket_helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>          /* TIOCOUTQ: on a TCP socket, the bytes not yet acknowledged */
#include <sys/time.h>

static const char usage[] = "[-p PORT] {reply TEXT,trickle TEXT,file PATH,reset TEXT,silent}";
#define REQUEST_MAX 65536

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Turn the escapes \r \n \t \\ and \xNN in text into the bytes they stand for, in place
 * (the result is never longer). Returns the new length: \x00 may be among them. */
static size_t unescape(char *text)
{
    static const char names[] = "rnt\\", bytes[] = "\r\n\t\\";
    size_t out = 0;
    for (size_t i = 0; text[i]; i++) {
        const char *name = text[i] == '\\' && text[i + 1] ? strchr(names, text[i + 1]) : NULL;
        if (name) {
            text[out++] = bytes[name - names];
            i++;
        } else if (text[i] == '\\' && text[i + 1] == 'x' && hex_digit(text[i + 2]) >= 0 &&
                   hex_digit(text[i + 3]) >= 0) {
            text[out++] = (char)(hex_digit(text[i + 2]) * 16 + hex_digit(text[i + 3]));
            i += 3;
        } else {
            text[out++] = text[i];
        }
    }
    return out;
}

/* Read the request up to its empty line (or, with whole, everything up to the client's
 * close; or 2 s of silence), and print it after label. */
static void read_request(int sock, const char *label, bool whole)
{
    static char request[REQUEST_MAX], shown[REPR_SIZE(REQUEST_MAX)];
    size_t total = 0;
    struct timeval limit = {.tv_sec = 2};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0)
        warn_errno("setsockopt SO_RCVTIMEO", NULL);
    while (total < sizeof request) {
        ssize_t n = recv(sock, request + total, sizeof request - total, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            warn_errno("recv", NULL);
        if (n <= 0)
            break;
        total += (size_t)n;
        if (!whole && total >= 4 && memcmp(request + total - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    printf("%s: %s\n", label, format_repr(request, total, true, shown));
}

static void send_file(int sock, const char *path)
{
    char data[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "%s: open %s: %s\n", program_name, path, strerror(errno));
        return;
    }
    for (;;) {
        ssize_t n = read(fd, data, sizeof data);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            warn_errno("read", NULL);
        if (n <= 0 || sendall(sock, data, (size_t)n) < 0)
            break;
    }
    close(fd);
}

/* Close with a reset, but only once the client has everything sent: SO_LINGER {1, 0}
 * throws away whatever is still queued. SIOCOUTQ counts the bytes not yet acknowledged. */
static void reset_after_delivery(int sock)
{
    int queued = 1;
    for (int tries = 0; tries < 200 && queued > 0; tries++) {
        if (ioctl(sock, TIOCOUTQ, &queued) < 0)
            break;
        if (queued > 0)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(sock, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
        warn_errno("setsockopt SO_LINGER", NULL);
}

static void wait_for_close(int sock)
{
    char data[4096];
    ssize_t n;
    struct timeval forever = {0, 0};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever) < 0)
        warn_errno("setsockopt SO_RCVTIMEO", NULL);
    do
        n = recv(sock, data, sizeof data, 0);
    while (n > 0 || (n < 0 && errno == EINTR));
}

int main(int argc, char *argv[])
{
    static const char *const modes[] = {"reply", "trickle", "file", "reset", "silent", NULL};
    uint16_t port = 0;
    char where[ADDRESS_TEXT_SIZE];
    int option;
    program_init(argv[0], usage);
    signal(SIGPIPE, SIG_IGN);
    opterr = 0;
    while ((option = getopt(argc, argv, ":p:")) != -1) {
        if (option == 'p')
            port = (uint16_t)parse_int(optarg, "-p", 0, 65535);
        else
            option_error(option, argv, (const struct option[]){{NULL, 0, NULL, 0}});
    }
    const char *mode = next_positional(argc, argv, "mode", modes);
    const char *argument = optind < argc ? argv[optind++] : NULL;
    no_more_arguments(argc, argv);
    bool silent = strcmp(mode, "silent") == 0;
    if (silent != (argument == NULL))
        usage_error("mode %s takes %s", mode, silent ? "no argument" : "an argument");
    if (silent)
        argument = "";

    char *text = strdup(argument);
    if (text == NULL)
        die_errno("strdup", NULL);
    size_t text_length = unescape(text);

    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0)
        die_errno("socket", NULL);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0)
        die_errno("bind", (struct sockaddr *)&address);
    if (listen(listener, 8) < 0)
        die_errno("listen", (struct sockaddr *)&address);
    if (getsockname(listener, (struct sockaddr *)&bound, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&bound, where));

    for (;;) {
        int sock = accept(listener, NULL, NULL);
        if (sock < 0) {
            if (errno != EINTR)
                warn_errno("accept", NULL);
            continue;
        }
        read_request(sock, "Request", false);
        if (strcmp(mode, "file") == 0) {
            send_file(sock, argument);
        } else if (silent) {
            wait_for_close(sock);
        } else if (strcmp(mode, "trickle") == 0) {    /* until done or the client goes */
            for (size_t i = 0; i < text_length && send(sock, text + i, 1, 0) == 1; i++)
                nanosleep(&(struct timespec){0, 200000000}, NULL);
        } else if (sendall(sock, text, text_length) < 0) {
            warn_errno("send", NULL);
        } else if (strcmp(mode, "reset") == 0) {
            reset_after_delivery(sock);
        } else if (shutdown(sock, SHUT_WR) == 0) {      /* reply */
            read_request(sock, "After the reply", true);
        }
        close(sock);
    }
}
