/*
 * integer_conversion.c - host and network byte order (lecture: "Access network
 * information", byte order; Python Network Programming Cookbook, ch. 1,
 * integer_conversion.py, convert_integer()).
 *
 * Try:
 *     ./integer_conversion            the notebook's 0x12345678 (htonl) and 0xabcd (htons)
 *     ./integer_conversion 1234       the book's number, both ways, in hex: 4d2 => d2040000
 * Watch for: the first two lines are the notebook cell's. On a little-endian PC (x86, most
 * ARM) the bytes in memory come least significant first, and htonl swaps them into the
 * order the network uses (big-endian, most significant first): in hex, the same byte pairs
 * read backwards. On a big-endian host htonl does nothing and the numbers stay the same.
 * ntohl is the same swap backwards, so both columns always agree.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

static const char usage[] = "[-h] [number]";
static const char help[] =
    "Show integers in host and network byte order (htonl/ntohl, htons/ntohs)\n\n"
    "positional arguments:\n"
    "  number      0..4294967295, in decimal (default: 0x12345678 as a long and\n"
    "              0xabcd as a short)\n\n"
    "options:\n"
    "  -h, --help  show this help message and exit\n";

/* The bytes of an object as they lie in memory, lowest address first: "78 56 34 12".
 * buf holds 3 characters a byte ("78 ", and the last one's NUL). */
static char *memory_bytes(const void *object, size_t size, char *buf)
{
    const unsigned char *bytes = object;
    for (size_t i = 0; i < size; i++)
        snprintf(buf + 3 * i, 4, i + 1 < size ? "%02x " : "%02x", bytes[i]);
    return buf;
}

/* Probe the order at run time, the way a student would: store 1 in a 2-byte integer and
 * see which byte holds it. (htons(1) == 1 would tell the same.) */
static bool host_is_little_endian(void)
{
    uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* The notebook's two lines, in its hex (Python's "%x": no 0x, no leading zeros).
 * 32 bits: socket.ntohl/htonl, the "Long" of the book (C's long was 32 bits then);
 * 16 bits, a port number's size: socket.ntohs/htons. */
static void convert_integer(uint32_t long_data, uint32_t long_network, uint32_t short_data)
{
    printf("Long integer: %lx => host byte order: %lx, Network byte order: %lx\n",
           (unsigned long)long_data, (unsigned long)ntohl(long_data),
           (unsigned long)long_network);
    if (short_data > 0xffff)            /* Python's htons raises OverflowError here */
        printf("short integer: %lx => too big for htons/ntohs, which take 16 bits (0..ffff)\n",
               (unsigned long)short_data);
    else
        printf("short integer: %x => host byte order: %x, Network byte order: %x\n",
               (unsigned)short_data, (unsigned)ntohs((uint16_t)short_data),
               (unsigned)htons((uint16_t)short_data));
}

/* Beyond the notebook: which order this host uses, and the bytes as they lie in memory. */
static void show_memory(uint32_t long_data, uint32_t long_network, uint32_t short_data)
{
    char in_memory[12], network_in_memory[12];
    printf("\nThis host is %s\n", host_is_little_endian()
           ? "little-endian: least significant byte first in memory; htonl/htons swap bytes"
           : "big-endian: the network's own order; htonl/htons change nothing");
    printf("  0x%08lx in memory: %s; htonl gives 0x%08lx, in memory: %s\n",
           (unsigned long)long_data, memory_bytes(&long_data, sizeof long_data, in_memory),
           (unsigned long)long_network,
           memory_bytes(&long_network, sizeof long_network, network_in_memory));
    if (short_data > 0xffff)
        return;
    uint16_t value = (uint16_t)short_data;
    uint16_t short_network = htons(value);
    printf("  0x%04x in memory: %s; htons gives 0x%04x, in memory: %s\n", (unsigned)value,
           memory_bytes(&value, sizeof value, in_memory), (unsigned)short_network,
           memory_bytes(&short_network, sizeof short_network, network_in_memory));
}

int main(int argc, char *argv[])
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    uint32_t long_data = 0x12345678;        /* the notebook's numbers */
    uint32_t short_data = 0xabcd;
    int option;

    program_init(argv[0], usage);
    opterr = 0;                             /* we report errors as argparse words them */
    while ((option = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (option) {
        case 'h': show_help(help);
        default: option_error(option, argv, options);
        }
    }
    if (optind < argc)                      /* nargs='?': one number, for both */
        long_data = short_data = (uint32_t)parse_int(argv[optind++], "number", 0, 0xffffffff);
    no_more_arguments(argc, argv);

    uint32_t long_network = long_data;      /* its bytes as this host lays them out */
    /* EXPERIMENT: comment this out: "Network byte order" stays the host's order: on a PC the
     * bytes would go out least significant first, and the peer would read another number. */
    long_network = htonl(long_network);
    convert_integer(long_data, long_network, short_data);
    show_memory(long_data, long_network, short_data);
    return 0;
}
