/*
 * local_machine_info.c - this machine's name and addresses (lecture: "Access network
 * information", local machine info; Python Network Programming Cookbook, ch. 1,
 * local_machine_info.py, print_machine_info()).
 *
 * Try:
 *     ./local_machine_info
 * Watch for: the "ipv4 address" of the host name is what /etc/hosts says (often 127.0.0.1
 * or 127.0.1.1 on Debian), not the address other machines reach you at: those are on the
 * interface lines (getifaddrs), one per address, IPv4 and IPv6. "/8" after an address is
 * the length of its netmask: 127.0.0.1/8 means 127.x.y.z is all on loopback. An IPv6
 * address starting fe80:: is link-local; its "%eth0" says which link.
 */
#include "socket_helpers.h"

#include <ifaddrs.h>

static const char usage[] = "[-h]";
static const char help[] =
    "Print the host name, its IPv4 address, and every interface's IPv4 and IPv6\n"
    "addresses\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n";

/* Python's socket.gethostbyname(host_name): the first IPv4 address of a name. Returns the
 * resolver's error code (0 when the address is in buf). */
static int gethostbyname_ipv4(const char *name, char buf[NI_MAXHOST])
{
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    /* EXPERIMENT: comment this out: a name that also has a global IPv6 address gives that one
     * first (getaddrinfo sorts by RFC 6724); gethostbyname() never does: it knows only IPv4. */
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int code = getaddrinfo(name, NULL, &hints, &list);
    if (code != 0)
        return code;
    code = getnameinfo(list->ai_addr, list->ai_addrlen, buf, NI_MAXHOST, NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(list);
    return code;
}

/* The number of 1 bits in a netmask (255.0.0.0 -> 8): the "/8" people write. */
static unsigned prefix_length(const struct sockaddr *netmask)
{
    const unsigned char *bytes;
    size_t size;
    unsigned bits = 0;
    if (netmask == NULL)
        return 0;
    if (netmask->sa_family == AF_INET6) {
        bytes = ((const struct sockaddr_in6 *)(const void *)netmask)->sin6_addr.s6_addr;
        size = 16;
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)netmask;
        bytes = (const unsigned char *)&in->sin_addr;
        size = 4;
    }
    for (size_t i = 0; i < size; i++)
        for (unsigned bit = 0x80; bit; bit >>= 1)
            bits += (bytes[i] & bit) != 0;
    return bits;
}

/* An entry of getifaddrs' list that carries an IPv4 or IPv6 address. */
static bool has_ip_address(const struct ifaddrs *entry)
{
    return entry->ifa_addr != NULL &&
           (entry->ifa_addr->sa_family == AF_INET || entry->ifa_addr->sa_family == AF_INET6);
}

/* Whether an entry before this one, with an IP address, names the same interface. */
static bool shown_before(const struct ifaddrs *list, const struct ifaddrs *entry)
{
    for (const struct ifaddrs *i = list; i != entry; i = i->ifa_next)
        if (has_ip_address(i) && strcmp(i->ifa_name, entry->ifa_name) == 0)
            return true;
    return false;
}

static void print_interface_address(const struct ifaddrs *entry)
{
    bool ipv6 = entry->ifa_addr->sa_family == AF_INET6;
    char address[NI_MAXHOST];
    /* getnameinfo, unlike inet_ntop, adds the "%eth0" a link-local IPv6 address needs. */
    if (getnameinfo(entry->ifa_addr,
                    ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
                    address, sizeof address, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(address, sizeof address, "?");
    printf("interface %s: %s address %s/%u\n", entry->ifa_name, ipv6 ? "ipv6" : "ipv4", address,
           prefix_length(entry->ifa_netmask));
}

static void print_machine_info(void)
{
    /* The name this machine calls itself (hostname(1)): a name, not an address. Linux
     * limits it to 64 bytes; HOST_NAME_MAX is not visible under -std=c11, so leave room. */
    char host_name[256], ip_address[NI_MAXHOST];
    if (gethostname(host_name, sizeof host_name) < 0)
        die_errno("gethostname", NULL);
    host_name[sizeof host_name - 1] = '\0';     /* POSIX does not promise the NUL */

    /* Turning that name into an address asks /etc/hosts, then DNS: it can fail on a
     * machine whose name nobody knows. Python raises there; here the interfaces below
     * are still worth printing, so say why on stderr, carry on, and exit 1 at the end. */
    int code = gethostbyname_ipv4(host_name, ip_address);
    if (code == 0)
        printf("hostname: %s; ipv4 address: %s\n", host_name, ip_address);
    else {
        printf("hostname: %s; ipv4 address: none\n", host_name);
        fprintf(stderr, "%s: %s: [Errno %d] %s\n", program_name, host_name,
                code == EAI_SYSTEM ? errno : code,
                code == EAI_SYSTEM ? strerror(errno) : gai_strerror(code));
    }

    /* getifaddrs lists one entry per (interface, address): an interface with an IPv4 and
     * two IPv6 addresses appears three times, plus once for its link layer (AF_PACKET,
     * the MAC address), which is not an IP address and is skipped here. The list comes
     * grouped by family; we print it grouped by interface, in the order they first appear. */
    struct ifaddrs *interfaces = NULL;
    if (getifaddrs(&interfaces) < 0)
        die_errno("getifaddrs", NULL);
    bool any = false;
    for (const struct ifaddrs *first = interfaces; first; first = first->ifa_next) {
        if (!has_ip_address(first) || shown_before(interfaces, first))
            continue;
        for (const struct ifaddrs *i = first; i; i = i->ifa_next)
            if (has_ip_address(i) && strcmp(i->ifa_name, first->ifa_name) == 0)
                print_interface_address(i);
        any = true;
    }
    if (!any)
        printf("no interface has an IP address (is even lo down?)\n");
    freeifaddrs(interfaces);
    if (code != 0)
        exit(1);
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
    no_more_arguments(argc, argv);
    print_machine_info();
    return 0;
}
