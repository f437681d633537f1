/*
 * finding_service_name.c - service names and port numbers (lecture: "Access network
 * information", finding service names; Python Network Programming Cookbook, ch. 1,
 * finding_service_name.py, find_service_name()).
 *
 * Try:
 *     ./finding_service_name                 http, then ports 80, 25 and 53, as the notebook
 *     ./finding_service_name ssh 22 1060 50000
 *     ./finding_service_name -a              the notebook's loop over ports 0-1024
 * Watch for: the names come from a plain text file, /etc/services (`grep -w 80
 * /etc/services`), not from the network: a port may have a name for TCP and none for UDP.
 * Each line names the port's range: well-known 0-1023 (standard services; binding one
 * needs root on Linux), registered 1024-49151 (assigned by IANA on request), dynamic or
 * private 49152-65535 (free for anyone; the OS picks client ports near there).
 */
#include "socket_helpers.h"

#define SERVICES_FILE "/etc/services"

static const char usage[] = "[-h] [-a] [service_or_port ...]";
static const char help[] =
    "Look up services by port and ports by service (getservbyport, getservbyname)\n\n"
    "positional arguments:\n"
    "  service_or_port  a port number (0..65535) or a service name such as http\n"
    "                   (default: http 80 25 53)\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -a, --all        the notebook's loop: the TCP and UDP name of ports 0..1024\n\n"
    "Exit status 1 when an argument has no entry in the services database at all.\n";

static const char *const protocols[] = {"tcp", "udp"}, *const protocol_names[] = {"TCP", "UDP"};

/* The lecture's three port ranges (IANA, RFC 6335). */
static const char *port_range(unsigned port)
{
    if (port <= 1023)
        return "well-known port: 0-1023";
    if (port <= 49151)
        return "registered port: 1024-49151";
    return "dynamic/private port: 49152-65535";
}

/* Every lookup below reads SERVICES_FILE (nsswitch.conf's "services:" line). A minimal
 * container may not have it: then nothing is found, and saying only "no entry" would
 * mislead. Called after a lookup found nothing. */
static void check_services_database(void)
{
    if (access(SERVICES_FILE, F_OK) != 0)
        die("the services database %s is missing, so every lookup fails (Debian/Ubuntu: "
            "apt install netbase)", SERVICES_FILE);
}

/* socket.getservbyport(port, protocol): the line for a port that has a name. Ports travel
 * in network byte order, and so do the ports in struct servent. */
static bool print_service_name(unsigned port, size_t protocol)
{
    int network_port = (int)port;
    /* EXPERIMENT: comment this out: the port is looked up in host byte order: on a PC, 80
     * finds no name, and 20480 (0x5000, 80's bytes swapped) is "http". */
    network_port = htons((uint16_t)network_port);
    const struct servent *service = getservbyport(network_port, protocols[protocol]);
    if (service)
        printf("%s port: %u => service name: %s (%s)\n", protocol_names[protocol], port,
               service->s_name, port_range(port));
    return service != NULL;
}

/* Python's getservbyport and getservbyname raise OSError('port/proto not found') for one
 * protocol; here a lookup fails (stderr, exit 1 at the end) only if neither protocol knows. */
static bool find_service_name(unsigned port)
{
    bool found = false;
    for (size_t i = 0; i < 2; i++) {
        if (print_service_name(port, i)) {
            found = true;
        } else {
            check_services_database();
            printf("%s port: %u => no service name in the services database (%s)\n",
                   protocol_names[i], port, port_range(port));
        }
    }
    if (!found)
        fprintf(stderr, "%s: port %u: not in the services database, for tcp or udp\n",
                program_name, port);
    return found;
}

/* A protocol name as Python shows the argument: 'tcp', or None. */
static const char *python_str(const char *protocol, char buf[8])
{
    snprintf(buf, 8, protocol ? "'%.5s'" : "None", protocol);
    return buf;
}

/* socket.getservbyname(name, 'tcp') and 'udp', then the same name through getaddrinfo,
 * which reads the same database when it is given a service name instead of a number. */
static bool find_service_port(const char *name)
{
    char shown[WORD_REPR_SIZE];                 /* the name as Python's repr shows it: 'http' */
    bool found = false;
    word_repr(name, shown);
    for (size_t i = 0; i < 2; i++) {
        const char *protocol = NULL;            /* None: any protocol matches */
        char protocol_shown[8];
        /* EXPERIMENT: comment this out: getservbyname(name, None) takes the name's first line
         * whatever its protocol: tftp, a UDP service, gets a port on both lines. */
        protocol = protocols[i];
        const struct servent *service = getservbyname(name, protocol);
        python_str(protocol, protocol_shown);
        if (service) {
            unsigned port = ntohs((uint16_t)service->s_port);
            printf("getservbyname(%s, %s) => %u (%s)\n", shown, protocol_shown, port,
                   port_range(port));
            found = true;
        } else {
            check_services_database();
            printf("getservbyname(%s, %s) => no such service in the services database\n",
                   shown, protocol_shown);
        }
    }

    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;        /* the service's TCP port */
    int code = getaddrinfo(NULL, name, &hints, &list);
    if (code == 0) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)list->ai_addr;
        printf("getaddrinfo(None, %s, type=SOCK_STREAM) => port %u\n", shown,
               (unsigned)ntohs(in->sin_port));  /* sin6_port lies at the same offset */
        freeaddrinfo(list);
    } else {
        printf("getaddrinfo(None, %s, type=SOCK_STREAM) => [Errno %d] %s\n", shown, code,
               code == EAI_SYSTEM ? strerror(errno) : gai_strerror(code));
    }
    if (!found)
        fprintf(stderr, "%s: service %s: not in the services database, for tcp or udp\n",
                program_name, shown);
    return found;
}

/* The notebook's loop (for port in range(1025)): the TCP name, then the UDP name. A lookup
 * that fails raises OSError in Python: the cell prints it and goes on with the next port,
 * leaving out that port's UDP line when its TCP lookup failed. */
static void list_well_known_ports(void)
{
    bool any = false;
    for (unsigned port = 0; port <= 1024; port++) {
        const struct servent *service = getservbyport(htons((uint16_t)port), "tcp");
        if (service) {
            printf("TCP port: %u => service name: %s\n", port, service->s_name);
            any = true;
            service = getservbyport(htons((uint16_t)port), "udp");
        }
        if (service)
            printf("UDP port: %u => service name: %s\n", port, service->s_name);
        else
            printf("port %u: port/proto not found\n", port);
    }
    if (!any) {
        check_services_database();
        die("no well-known port has a name in the services database (%s is empty?)",
            SERVICES_FILE);
    }
}

/* A word of digits only is a port; anything else is a service name. */
static bool is_port_number(const char *word)
{
    return strspn(word, "0123456789") == strlen(word);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'}, {"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
    static char *defaults[] = {"http", "80", "25", "53"};
    bool all = false;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":ha", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'a': all = true; break;
        default: option_error(option, argv, options);
        }
    }
    /* argparse's nargs='*': every word left (none, and no -a: the notebook's four). Digits
     * are a port, anything else a service name; check them all first, as argparse would. */
    char **words = argv + optind;
    int count = argc - optind;
    if (count == 0 && !all) {
        words = defaults;
        count = (int)(sizeof defaults / sizeof defaults[0]);
    }
    for (int i = 0; i < count; i++) {
        if (words[i][0] == '\0')
            usage_error("argument service_or_port: empty (give a port or a name)");
        if (is_port_number(words[i]))
            parse_int(words[i], "service_or_port", 0, 65535);
    }
    optind = argc;                          /* every word taken: only a bad option is left */
    no_more_arguments(argc, argv);

    int status = 0;
    for (int i = 0; i < count; i++) {
        bool found = is_port_number(words[i])
            ? find_service_name((unsigned)parse_int(words[i], "service_or_port", 0, 65535))
            : find_service_port(words[i]);
        if (!found)
            status = 1;
    }
    if (all)
        list_well_known_ports();
    return status;
}
