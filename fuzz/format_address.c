/*
 * format_address.c - libFuzzer target: format_address() of the common header over any
 * socket address (family, port, address bytes, flow label and scope id all from the
 * input). The text must fit ADDRESS_TEXT_SIZE, and for IPv4 and IPv6 read as Python's
 * tuple: ('127.0.0.1', 1060) and ('::1', 1060, 0, 0), with the host as inet_ntop writes it.
 * FUZZ_MAX_LEN 130
 */
#include "socket_helpers.h"

#include <arpa/inet.h>

#include "checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct sockaddr_storage address;
    char shown[ADDRESS_TEXT_SIZE + 1], expected[ADDRESS_TEXT_SIZE], host[INET6_ADDRSTRLEN];
    if (n < 1)
        return 0;
    memset(&address, 0, sizeof address);
    memcpy(&address, data + 1, n - 1 < sizeof address ? n - 1 : sizeof address);
    /* The first byte picks the family, mostly the two a socket really gives. */
    address.ss_family = data[0] % 4 == 0 ? AF_INET : data[0] % 4 == 1 ? AF_INET6 : data[0];

    shown[ADDRESS_TEXT_SIZE] = '#';         /* must stay untouched */
    CHECK(format_address((struct sockaddr *)&address, shown) == shown);
    CHECK(shown[ADDRESS_TEXT_SIZE] == '#' && strlen(shown) < ADDRESS_TEXT_SIZE);
    CHECK(shown[0] == '(' && shown[strlen(shown) - 1] == ')');

    if (address.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&address;
        CHECK(inet_ntop(AF_INET, &in->sin_addr, host, sizeof host) != NULL);
        snprintf(expected, sizeof expected, "('%s', %u)", host, (unsigned)ntohs(in->sin_port));
        CHECK(strcmp(shown, expected) == 0);
    } else if (address.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&address;
        /* getnameinfo adds %SCOPE to link-local addresses: compare up to it. */
        CHECK(inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host) != NULL);
        size_t length = strlen(host);
        CHECK(strncmp(shown, "('", 2) == 0 && strncmp(shown + 2, host, length) == 0);
        CHECK(shown[2 + length] == '\'' || shown[2 + length] == '%');
        snprintf(expected, sizeof expected, "', %u, %lu, %lu)", (unsigned)ntohs(in6->sin6_port),
                 (unsigned long)ntohl(in6->sin6_flowinfo), (unsigned long)in6->sin6_scope_id);
        CHECK(strcmp(strrchr(shown, '\''), expected) == 0);
    }
    return 0;
}
