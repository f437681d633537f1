/*
 * helpers_test.c - drives the common header's parsers and formatters from the command
 * line, so tests/socket_helpers.bats can check them against what Python prints.
 *     helpers_test repr-text HEX | repr-bytes HEX   format_repr of the bytes HEX spells
 *     helpers_test port TEXT                        parse_port (exit 2 when rejected)
 *     helpers_test address HOST PORT                resolve + format_address
 *     helpers_test errno NUMBER                     errno_name
 */
#include "socket_helpers.h"

static size_t from_hex(const char *hex, unsigned char *out, size_t size)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < size; hex += 2) {
        unsigned value;
        if (sscanf(hex, "%2x", &value) != 1)
            die("not hex: %s", hex);
        out[n++] = (unsigned char)value;
    }
    return n;
}

int main(int argc, char *argv[])
{
    char where[ADDRESS_TEXT_SIZE];
    program_init(argv[0], "");
    if (argc == 3 && strncmp(argv[1], "repr-", 5) == 0) {
        static unsigned char data[4096];
        static char shown[REPR_SIZE(sizeof data)];
        size_t n = from_hex(argv[2], data, sizeof data);
        puts(format_repr(data, n, strcmp(argv[1], "repr-bytes") == 0, shown));
    } else if (argc == 3 && strcmp(argv[1], "port") == 0) {
        printf("%u\n", (unsigned)(uint16_t)parse_int(argv[2], "PORT", 0, 65535));
    } else if (argc == 4 && strcmp(argv[1], "address") == 0) {
        struct addrinfo *list = resolve(argv[2], (uint16_t)parse_int(argv[3], "PORT", 0, 65535),
                                        AF_UNSPEC, SOCK_STREAM);
        puts(format_address(list->ai_addr, where));
        freeaddrinfo(list);
    } else if (argc == 3 && strcmp(argv[1], "errno") == 0) {
        puts(errno_name(atoi(argv[2])));
    } else {
        usage_error("bad arguments");
    }
    return 0;
}
