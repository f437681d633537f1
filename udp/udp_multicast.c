/*
 * udp_multicast.c - one datagram to every host that asked for it (lecture: "UDP",
 * broadcast versus multicast). The lecture has no script for this one; it mirrors
 * udp_broadcast.py. A broadcast reaches every host on the subnet, wanted or not; a
 * multicast datagram goes to a group address (224.0.0.0 to 239.255.255.255) and only the
 * hosts whose programs joined the group keep it. IPv4 multicast here, so AF_INET.
 *
 * Try, on two hosts (or two network namespaces, see the lab in README):
 *     ./udp_multicast server 239.255.0.1          (join the group, wait)
 *     ./udp_multicast client 239.255.0.1          (send one datagram to the group)
 * On one machine, name the loopback interface at both ends, or the group's route (the
 * default route) takes the datagram, and the server's IGMP report, out to your network:
 *     ./udp_multicast server 239.255.0.1 -i 127.0.0.1
 *     ./udp_multicast client 239.255.0.1 -i 127.0.0.1
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

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
    "  -i interface     address of the interface to use (default: the route to the group\n"
    "                   decides), e.g. 127.0.0.1 to stay on this machine\n";

/* The group as an IPv4 address, checked: a unicast address here is a usage error. */
static struct in_addr group_address(const char *group)
{
    struct in_addr address;
    if (inet_pton(AF_INET, group, &address) != 1 || !IN_MULTICAST(ntohl(address.s_addr)))
        usage_error(usage, "argument group: '%s' is not an IPv4 multicast group "
                           "(224.0.0.0 to 239.255.255.255)", group);
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

static void server(const char *group, const char *interface, uint16_t port)
{
    static char data[BUFSIZE], shown[REPR_SIZE(BUFSIZE)];
    char where[ADDRESS_TEXT_SIZE];
    struct ip_mreq membership;
    membership.imr_multiaddr = group_address(group);        /* checked first, as in client() */
    membership.imr_interface = interface_address(interface);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(port)};
    me.sin_addr.s_addr = htonl(INADDR_ANY);

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Several members on one host may listen to the same group and port. */
    const int yes = 1;
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
#ifdef IP_MULTICAST_ALL
    /* Linux only: by default a socket bound to 0.0.0.0 also gets every group that ANY
     * socket on this host joined. Ask for the groups this socket joined, and no others. */
    const int no = 0;
    if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_ALL, &no, sizeof no) < 0)
        die_errno("setsockopt IP_MULTICAST_ALL", NULL);
#endif
    if (bind(sock, (struct sockaddr *)&me, sizeof me) < 0)
        die_errno("bind", (struct sockaddr *)&me);
    /* Joining tells the kernel (and, with an IGMP report, the switches and routers) that
     * this host wants the group's datagrams on that interface. Binding the port is not
     * enough: datagrams sent to a group nobody here joined are dropped on arrival.
     * EXPERIMENT: comment out the next statement: the server hears nothing. */
    if (setsockopt(sock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership) < 0)
        die_errno("setsockopt IP_ADD_MEMBERSHIP", NULL);
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    for (;;) {
        struct sockaddr_storage address;
        socklen_t address_length = sizeof address;
        ssize_t n = recvfrom(sock, data, sizeof data, 0, (struct sockaddr *)&address,
                             &address_length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("recvfrom", NULL);
        }
        printf("The client at %s says: %s\n", format_address((struct sockaddr *)&address, where),
               format_repr(data, (size_t)n, false, shown));
    }
}

static void client(const char *group, const char *interface, uint16_t port)
{
    struct sockaddr_in destination = {.sin_family = AF_INET, .sin_port = htons(port),
                                      .sin_addr = group_address(group)};
    struct in_addr outgoing = interface_address(interface);
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
    if (outgoing.s_addr != htonl(INADDR_ANY) &&
        setsockopt(sock, IPPROTO_IP, IP_MULTICAST_IF, &outgoing, sizeof outgoing) < 0)
        die_errno("setsockopt IP_MULTICAST_IF", NULL);
    const char text[] = "Multicast datagram!";
    if (sendto(sock, text, strlen(text), 0, (struct sockaddr *)&destination,
               sizeof destination) < 0)
        die_errno("sendto", (struct sockaddr *)&destination);
    close(sock);
}

int main(int argc, char *argv[])
{
    const char *role = NULL, *group = NULL, *port = "1060", *interface = "";
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"role", &role, false}, {"group", &group, false}, {"-p", &port, false},
        {"-i", &interface, false}, {NULL, NULL, false}});

    if (strcmp(role, "client") == 0)
        client(group, interface, parse_port(port, usage));
    else if (strcmp(role, "server") == 0)
        server(group, interface, parse_port(port, usage));
    else
        usage_error(usage, "argument role: invalid choice: '%s' (choose from 'client', 'server')",
                    role);
    return 0;
}
