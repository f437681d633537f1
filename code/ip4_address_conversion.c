/*
 * ip4_address_conversion.c - an IP address between its text and its 4 (or 16) bytes
 * (lecture: "Access network information", IPv4 address conversion; Python Network
 * Programming Cookbook, ch. 1, ip4_address_conversion.py, convert_ip4_address()).
 *
 * Try:
 *     ./ip4_address_conversion                      127.0.0.1 and 192.168.0.1, as the book
 *     ./ip4_address_conversion 10.0.0.255 ::1 2001:db8:0:0::1
 *     ./ip4_address_conversion 127.1 0x7f.1 010.0.0.1
 * Watch for: the packed form is the address as it travels in an IP header, most
 * significant byte first (127 = 0x7f). The last line's addresses are not dotted quads:
 * inet_pton refuses them, but the old inet_aton (which Python's socket.inet_aton calls)
 * reads "127.1" as 127.0.0.1, hex and octal too: 010.0.0.1 is 8.0.0.1, a classic trap.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

static const char usage[] = "[-h] [address ...]";
static const char help[] =
    "Convert IP addresses to packed bytes and back (inet_pton/inet_ntop)\n\n"
    "positional arguments:\n"
    "  address     IPv4 or IPv6 addresses (default 127.0.0.1 192.168.0.1)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n\n"
    "An address that is not one (neither inet_pton nor inet_aton accepts it) is a\n"
    "bad argument: usage error, exit 2, before anything is printed.\n";

/* An address in its binary form, as the socket calls take it (in_addr, in6_addr). */
struct packed_address {
    int family;
    unsigned char bytes[16];
    size_t length;
    bool aton_only;             /* accepted by inet_aton only, not by inet_pton */
};

/* glibc's inet_aton stops at the first space and ignores the rest ("1.2.3.4 junk"): too
 * lenient even for this lesson, and the rest would reach the terminal raw. */
static bool printable_without_spaces(const char *text)
{
    for (const char *p = text; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return false;
    return true;
}

/* Text -> bytes. inet_pton is the modern, strict call: IPv4 only as four decimal numbers
 * a.b.c.d, each 0..255, no leading zero. The older inet_aton also takes "127.1" (a.d),
 * "0x7f.1" (hex) and "0177.0.0.1" (octal): lenient, so we try it second and say so. */
static bool pack(const char *text, struct packed_address *packed)
{
    memset(packed, 0, sizeof *packed);
    if (!printable_without_spaces(text))
        return false;
    if (strchr(text, ':')) {            /* only IPv6 has colons; inet_aton knows no IPv6 */
        packed->family = AF_INET6;
        packed->length = sizeof(struct in6_addr);
        return inet_pton(AF_INET6, text, packed->bytes) == 1;
    }
    packed->family = AF_INET;
    packed->length = sizeof(struct in_addr);
    if (inet_pton(AF_INET, text, packed->bytes) == 1)
        return true;
    struct in_addr lenient = {0};
    int accepted = 0;
    /* EXPERIMENT: comment this out: only inet_pton is left, so 127.1 and 0x7f.1, which
     * Python's socket.inet_aton accepts, are refused: invalid IP address, exit 2. */
    accepted = inet_aton(text, &lenient);
    if (!accepted)
        return false;
    memcpy(packed->bytes, &lenient, sizeof lenient);
    packed->aton_only = true;
    return true;
}

static void convert_ip_address(const char *ip_address, const struct packed_address *packed)
{
    char hex[2 * 16 + 1], unpacked[INET6_ADDRSTRLEN];
    /* binascii.hexlify(): two hex digits a byte; Python 3 shows its result as bytes. */
    for (size_t i = 0; i < packed->length; i++)
        snprintf(hex + 2 * i, 3, "%02x", packed->bytes[i]);
    /* Bytes -> text: always the canonical form (dotted quad; IPv6 shortest, lower case). */
    if (inet_ntop(packed->family, packed->bytes, unpacked, sizeof unpacked) == NULL)
        die_errno("inet_ntop", NULL);       /* only with a too small buffer: never here */
    printf("IP Address: %s => Packed: b'%s', Unpacked: %s\n", ip_address, hex, unpacked);
    if (packed->aton_only)
        printf("  inet_aton reads '%s' as %s; inet_pton rejects it (it takes a.b.c.d only, "
               "each 0-255 in decimal, no leading zeros)\n", ip_address, unpacked);
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    static char *defaults[] = {"127.0.0.1", "192.168.0.1"};
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        default: option_error(option, argv, options);
        }
    }
    /* argparse's nargs='*': every word left is an address (none: the book's two). Check
     * them all before printing any, as argparse checks its arguments' types. */
    char **addresses = argv + optind;
    int count = argc - optind;
    if (count == 0) {
        addresses = defaults;
        count = (int)(sizeof defaults / sizeof defaults[0]);
    }
    struct packed_address packed;
    for (int i = 0; i < count; i++) {
        if (!pack(addresses[i], &packed)) {
            char shown[WORD_REPR_SIZE];
            usage_error("argument address: invalid IP address: %s",
                        word_repr(addresses[i], shown));
        }
    }
    optind = argc;                          /* every word taken: only a bad option is left */
    no_more_arguments(argc, argv);
    for (int i = 0; i < count; i++) {
        pack(addresses[i], &packed);
        convert_ip_address(addresses[i], &packed);
    }
    return 0;
}
