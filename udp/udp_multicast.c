/*
 * udp_multicast.c - one datagram to every host that asked for it (lecture: "UDP",
 * broadcast versus multicast). The lecture has no script for this one; it mirrors
 * udp_broadcast.py. A broadcast reaches every host on the subnet, wanted or not; a
 * multicast datagram goes to a group address (224.0.0.0 to 239.255.255.255) and only the
 * hosts whose programs joined the group keep it. IPv4 multicast here, so AF_INET.
 *
 * Try, on two hosts (or two network namespaces, see lab/README.md):
 *     ./udp_multicast server 239.255.0.1          (join the group, wait)
 *     ./udp_multicast client 239.255.0.1          (send one datagram to the group)
 * On one machine, name the loopback interface at both ends, or the group's route (the
 * default route) takes the datagram, and the server's IGMP report, out to your network:
 *     ./udp_multicast server 239.255.0.1 -i 127.0.0.1
 *     ./udp_multicast client 239.255.0.1 -i 127.0.0.1
 * Watch the membership: ip maddr show dev lo (239.255.0.1 is there while the server runs).
 * More in README.md here.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>
#include <signal.h>

#define BUFSIZE 65535

static const char usage[] = "[-h] [-p port] [-i interface] {client,server} group";
static const char help[] =
    "Send, receive UDP multicast\n\n"
    "positional arguments:\n"
    "  {client,server}  which role to take\n"
    "  group            multicast group (IPv4, 224.0.0.0 to 239.255.255.255)\n\n"
    "options:\n"
    "  -h, --help       show this help message and exit\n"
    "  -p port          UDP port (default 1060)\n"
    "  -i interface     address of the interface to use (default: the route to the\n"
    "                   group decides), e.g. 127.0.0.1 to stay on this machine\n";

/* The group as an IPv4 address, checked as argparse checks a type=: a unicast address
 * here is a usage error. */
static struct in_addr group_address(const char *group)
{
    struct in_addr address;
    if (inet_pton(AF_INET, group, &address) != 1 || !IN_MULTICAST(ntohl(address.s_addr))) {
        char shown[WORD_REPR_SIZE];
        usage_error("argument group: %s is not an IPv4 multicast group "
                    "(224.0.0.0 to 239.255.255.255)", word_repr(group, shown));
    }
    return address;
}

/* The -i address ("" = INADDR_ANY, let the routing table choose). */
static struct in_addr interface_address(const char *interface)
{
    struct addrinfo *found = resolve(interface, 0, AF_INET, SOCK_DGRAM);
    struct in_addr address = ((struct sockaddr_in *)(void *)found->ai_addr)->sin_addr;
    freeaddrinfo(found);
    return address;
}

/* die_errno() for IP_ADD_MEMBERSHIP, naming the group and the interface (e.g. -i names an
 * address that is no interface of this host: ENODEV). */
static void die_joining(const struct ip_mreq *membership)
{
    int err = errno;
    char group[INET_ADDRSTRLEN], interface[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &membership->imr_multiaddr, group, sizeof group);
    inet_ntop(AF_INET, &membership->imr_interface, interface, sizeof interface);
    die("setsockopt IP_ADD_MEMBERSHIP %s on %s: %s %s", group, interface, errno_name(err),
        strerror(err));
}

static void server(struct in_addr group, const char *interface, uint16_t port)
{
    static char data[BUFSIZE], shown[REPR_SIZE(BUFSIZE)];
    char where[ADDRESS_TEXT_SIZE];
    const int yes = 1;
    int status = 0;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Several members on one host may listen to the same group and port. */
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
#ifdef IP_MULTICAST_ALL
    /* Linux only: by default a socket bound to 0.0.0.0 also gets every group that ANY
     * socket on this host joined. Ask for the groups this socket joined, and no others. */
    const int no = 0;
    if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_ALL, &no, sizeof no) < 0)
        die_errno("setsockopt IP_MULTICAST_ALL", NULL);
#endif
    struct sockaddr_in any_address = {.sin_family = AF_INET, .sin_port = htons(port)};
    any_address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(sock, (struct sockaddr *)&any_address, sizeof any_address) < 0)
        die_errno("bind", (struct sockaddr *)&any_address);
    /* Joining tells the kernel (and, with an IGMP report, the switches and routers) that
     * this host wants the group's datagrams on that interface. Binding the port is not
     * enough: datagrams sent to a group nobody here joined are dropped on arrival. */
    struct ip_mreq membership = {.imr_multiaddr = group,
                                 .imr_interface = interface_address(interface)};
    /* EXPERIMENT: comment this out: the server hears nothing of the group. */
    status = setsockopt(sock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership);
    if (status < 0)
        die_joining(&membership);
    struct sockaddr_storage me;
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    say("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    for (;;) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom_uninterrupted(sock, data, sizeof data, &address, &address_length);
        say("The client at %s says: %s\n", format_address((struct sockaddr *)&address, where),
            format_repr(data, (size_t)n, false, shown));
    }
}

static void client(struct in_addr group, const char *interface, uint16_t port)
{
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Unlike broadcast, no permission is needed: only members receive. The TTL is how many
     * routers the datagram may cross (each one subtracts 1): 1, the default, keeps it on
     * the local network; 0 would keep it on this host. */
    const unsigned char ttl = 1, loop = 1;
    if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0)
        die_errno("setsockopt IP_MULTICAST_TTL", NULL);
    /* Loop: members on the sending host itself get a copy too (the default; 0 turns that
     * off, and a server on this machine hears nothing while the others still do). */
    if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) < 0)
        die_errno("setsockopt IP_MULTICAST_LOOP", NULL);
    /* A group is not on any one network, so which interface? The routing table's answer
     * for the group, unless we name one. */
    struct in_addr outgoing = interface_address(interface);
    if (outgoing.s_addr != htonl(INADDR_ANY) &&
        setsockopt(sock, IPPROTO_IP, IP_MULTICAST_IF, &outgoing, sizeof outgoing) < 0)
        die_errno("setsockopt IP_MULTICAST_IF", NULL);
    static const char text[] = "Multicast datagram!";
    struct sockaddr_in destination = {.sin_family = AF_INET, .sin_port = htons(port),
                                      .sin_addr = group};
    if (sendto(sock, text, sizeof text - 1, 0, (struct sockaddr *)&destination,
               sizeof destination) < 0)
        die_errno("sendto", (struct sockaddr *)&destination);
    close(sock);
}

int main(int argc, char *argv[])
{
    static const char *const roles[] = {"client", "server", NULL};
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint16_t port = 1060;
    const char *interface = "";
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":hp:i:", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        case 'p': port = (uint16_t)parse_int(optarg, "-p", 0, 65535); break;
        case 'i': check_option_value(optarg, "-i"); interface = optarg; break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *group_text = next_positional(argc, argv, "group", NULL);
    struct in_addr group = {0};
    if (group_text)
        group = group_address(group_text);
    no_more_arguments(argc, argv);

    if (strcmp(role, "client") == 0) {
        client(group, interface, port);
    } else {
        signal(SIGPIPE, SIG_IGN);           /* a server whose log's reader is gone serves on */
        server(group, interface, port);
    }
    return 0;
}
