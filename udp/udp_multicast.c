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
    "  -i interface     address of the interface to use (default: the route to the group\n"
    "                   decides), e.g. 127.0.0.1 to stay on this machine\n";

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

static void server(struct in_addr group, const char *interface, uint16_t port)
{
    static char data[BUFSIZE], shown[REPR_SIZE(BUFSIZE)];
    char where[ADDRESS_TEXT_SIZE], group_text[INET_ADDRSTRLEN], local_text[INET_ADDRSTRLEN];
    struct in_addr local = interface_address(interface);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(port)};
    me.sin_addr.s_addr = htonl(INADDR_ANY);
    signal(SIGPIPE, SIG_IGN);               /* if our log's reader goes away, serve on */

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0)
        die_errno("socket", NULL);
    /* Several members on one host may listen to the same group and port. */
    if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &(int){1}, sizeof(int)) < 0)
        die_errno("setsockopt SO_REUSEADDR", NULL);
#ifdef IP_MULTICAST_ALL
    /* Linux only: by default a socket bound to 0.0.0.0 also gets every group that ANY
     * socket on this host joined. Ask for the groups this socket joined, and no others. */
    if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_ALL, &(int){0}, sizeof(int)) < 0)
        die_errno("setsockopt IP_MULTICAST_ALL", NULL);
#endif
    if (bind(sock, (struct sockaddr *)&me, sizeof me) < 0)
        die_errno("bind", (struct sockaddr *)&me);
    int status = 0;
    /* Joining tells the kernel (and, with an IGMP report, the switches and routers) that
     * this host wants the group's datagrams on that interface. Binding the port is not
     * enough: datagrams sent to a group nobody here joined are dropped on arrival.
     * EXPERIMENT: comment out the next line: the server hears nothing. */
    status = setsockopt(sock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &(struct ip_mreq){group, local}, sizeof(struct ip_mreq));
    if (status < 0) {                       /* e.g. -i names no interface of this host */
        int err = errno;
        inet_ntop(AF_INET, &group, group_text, sizeof group_text);
        inet_ntop(AF_INET, &local, local_text, sizeof local_text);
        die("setsockopt IP_ADD_MEMBERSHIP %s on %s: %s %s", group_text, local_text,
            errno_name(err), strerror(err));
    }
    socklen_t length = sizeof me;
    if (getsockname(sock, (struct sockaddr *)&me, &length) < 0)
        die_errno("getsockname", NULL);
    printf("Listening at %s\n", format_address((struct sockaddr *)&me, where));
    check_log();
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
        check_log();                        /* a log that fails is reported, once */
    }
}

static void client(struct in_addr group, const char *interface, uint16_t port)
{
    struct sockaddr_in destination = {.sin_family = AF_INET, .sin_port = htons(port),
                                      .sin_addr = group};
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
        case 'i': check_option_value(optarg, "-i"), interface = optarg; break;
        default: option_error(option, argv, options);
        }
    }
    const char *role = next_positional(argc, argv, "role", roles);
    const char *group_text = next_positional(argc, argv, "group", NULL);
    struct in_addr group = group_text ? group_address(group_text) : (struct in_addr){0};
    no_more_arguments(argc, argv);

    if (strcmp(role, "client") == 0)
        client(group, interface, port);
    else
        server(group, interface, port);
    return 0;
}
