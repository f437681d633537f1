/*
 * remote_machine_info.c - the addresses of a remote host (lecture: "Access network
 * information", remote machine's address; Python Network Programming Cookbook, ch. 1,
 * remote_machine_info.py).
 *
 * Try:
 *     ./remote_machine_info                   google.com, as in the lecture (needs DNS)
 *     ./remote_machine_info localhost         answered from /etc/hosts, no network needed
 *     ./remote_machine_info nosuch.invalid    the resolver's error, as the cell prints it (exit 0)
 * Watch for: a big site has several addresses, IPv4 and IPv6; Python's gethostbyname()
 * shows only the first IPv4 one. Run it twice: DNS may rotate the order.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

static const char usage[] = "[-h] [host]";
static const char help[] =
    "Print every IP address (IPv4 and IPv6) of a host\n\n"
    "positional arguments:\n"
    "  host        the name to resolve (default google.com)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n";

/* The text form of an address without the port: inet_ntop wants the bare in_addr. */
static const char *address_text(const struct addrinfo *ai, char *buf, socklen_t size)
{
    const void *bare = ai->ai_family == AF_INET6
        ? (const void *)&((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr
        : (const void *)&((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
    return inet_ntop(ai->ai_family, bare, buf, size);
}

/* Whether an entry before ai in the list has the same address (text) for the same socket
 * type: /etc/hosts and DNS may give an address twice (two lines for localhost). */
static bool listed_before(const struct addrinfo *list, const struct addrinfo *ai, const char *text)
{
    char earlier_text[INET6_ADDRSTRLEN];
    for (const struct addrinfo *earlier = list; earlier != ai; earlier = earlier->ai_next)
        if (earlier->ai_socktype == ai->ai_socktype &&
            address_text(earlier, earlier_text, sizeof earlier_text) != NULL &&
            strcmp(text, earlier_text) == 0)
            return true;
    return false;
}

static void get_remote_machine_info(const char *remote_host)
{
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;            /* IPv4 and IPv6 both */
    /* getaddrinfo lists an entry per (address, socket type): asking for one type gives one
     * entry per address.
     * EXPERIMENT: comment this out: each address is printed three times, once for each type
     * (stream, datagram, raw), since it is not the same entry. */
    hints.ai_socktype = SOCK_STREAM;

    /* The resolver does not use errno: its code (-2 is EAI_NONAME, "Name or service not
     * known") and gai_strerror's text are what Python puts in socket.gaierror. Only
     * EAI_SYSTEM means "look at errno". The cell prints the error, as its lines, and ends. */
    int code = getaddrinfo(remote_host, NULL, &hints, &list);
    char shown[WORD_REPR_SIZE];         /* the name as typed, escaped if it holds controls */
    const char *name = shown_word(remote_host, shown);
    if (code != 0) {
        printf("%s: [Errno %d] %s\n", name, code == EAI_SYSTEM ? errno : code,
               code == EAI_SYSTEM ? strerror(errno) : gai_strerror(code));
        return;
    }

    for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        char text[INET6_ADDRSTRLEN];
        if (address_text(ai, text, sizeof text) == NULL)
            continue;                       /* a family we do not know: never from AF_UNSPEC */
        if (!listed_before(list, ai, text))
            printf("remote host %s has ip address %s\n", name, text);
    }
    freeaddrinfo(list);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        default: option_error(option, argv, options);
        }
    }
    const char *host = optind < argc ? argv[optind++] : "google.com";   /* nargs='?' */
    no_more_arguments(argc, argv);
    if (host[0] == '\0')         /* getaddrinfo would take "" for "no host" */
        usage_error("argument host: the host name is empty");
    get_remote_machine_info(host);
    return 0;
}
