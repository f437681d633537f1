/*
 * integer_conversion.c - host and network byte order (lecture: "Access network
 * information", byte order; Python Network Programming Cookbook, ch. 1,
 * integer_conversion.py, convert_integer()).
 *
 * Try:
 *     ./integer_conversion            0x12345678 through htonl/ntohl, 0xabcd through htons/ntohs
 *     ./integer_conversion 1234       the book's number, both ways
 * Watch for: on a little-endian PC (x86, most ARM) the bytes in memory come least
 * significant first, and htonl swaps them into the order the network uses (big-endian,
 * most significant first). On a big-endian host htonl does nothing and the numbers stay
 * the same. ntohl is the same swap backwards, so both columns always agree.
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

static const char usage[] = "[-h] [number]";
static const char help[] =
    "Show integers in host and network byte order (htonl/ntohl, htons/ntohs)\n\n"
    "positional arguments:\n"
    "  number      0..4294967295, decimal or 0x hex (default: 0x12345678 as a long and\n"
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

/* 32 bits: Python's socket.ntohl/htonl, the "Long" of the book (C's long was 32 bits). */
static void convert_long(uint32_t data)
{
    uint32_t network = htonl(data);
    char in_memory[12], network_in_memory[12];
    printf("Original: %lu => Long  host byte order: %lu, Network byte order: %lu\n",
           (unsigned long)data, (unsigned long)ntohl(data), (unsigned long)network);
    printf("  0x%08lx in memory: %s; htonl gives 0x%08lx, in memory: %s\n", (unsigned long)data,
           memory_bytes(&data, sizeof data, in_memory), (unsigned long)network,
           memory_bytes(&network, sizeof network, network_in_memory));
}

/* 16 bits: a port number's size; socket.ntohs/htons. */
static void convert_short(uint32_t data)
{
    if (data > 0xffff) {                /* Python's htons raises OverflowError here */
        printf("Original: %lu => Short: too big for htons/ntohs, which take 16 bits "
               "(0..65535)\n", (unsigned long)data);
        return;
    }
    uint16_t value = (uint16_t)data, network = htons(value);
    char in_memory[6], network_in_memory[6];
    printf("Original: %u => Short  host byte order: %u, Network byte order: %u\n",
           (unsigned)value, (unsigned)ntohs(value), (unsigned)network);
    printf("  0x%04x in memory: %s; htons gives 0x%04x, in memory: %s\n", (unsigned)value,
           memory_bytes(&value, sizeof value, in_memory), (unsigned)network,
           memory_bytes(&network, sizeof network, network_in_memory));
}

/* Python's int(text, 0) for what this program takes: decimal, or hex with 0x. Returns
 * false for anything else, including signs, spaces and values above 32 bits. */
static bool parse_number(const char *text, uint32_t *number)
{
    bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const char *digits = hex ? text + 2 : text;
    unsigned long long value = 0;
    if (*digits == '\0')
        return false;
    for (const char *p = digits; *p; p++) {
        int digit;
        if (*p >= '0' && *p <= '9')
            digit = *p - '0';
        else if (hex && *p >= 'a' && *p <= 'f')
            digit = *p - 'a' + 10;
        else if (hex && *p >= 'A' && *p <= 'F')
            digit = *p - 'A' + 10;
        else
            return false;
        value = value * (hex ? 16 : 10) + (unsigned long long)digit;
        if (value > 0xffffffffULL)
            return false;
    }
    *number = (uint32_t)value;
    return true;
}

int main(int argc, char *argv[])
{
    const char *text = NULL;
    uint32_t number = 0;
    program_init(argv[0]);
    parse_arguments(argc, argv, usage, help, (const struct argument[]){
        {"number", &text, true}, {NULL, NULL, false}});
    if (text && !parse_number(text, &number))
        usage_error(usage, "argument number: invalid number: '%s' (0..4294967295, decimal "
                    "or 0x hex)", text);

    printf("This host is %s\n", host_is_little_endian()
           ? "little-endian: least significant byte first in memory; htonl/htons swap bytes"
           : "big-endian: the network's own order; htonl/htons change nothing");
    convert_long(text ? number : 0x12345678);
    convert_short(text ? number : 0xabcd);
    return 0;
}
