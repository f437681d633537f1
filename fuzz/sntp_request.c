/*
 * sntp_request.c - libFuzzer target: sntp_server's check_request() on any datagram. It must
 * pass exactly the well-formed requests (48 bytes exactly, mode 3 or 1, version 1 to 4)
 * and give a reason for all else; the server never answers anything else, so it cannot be
 * used to reflect traffic. sntp_server.c is included whole, its main() renamed.
 * FUZZ_MAX_LEN 200
 */
#define main sntp_server_main
#include "../sntp/sntp_server.c"
#undef main

#include "checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t n)
{
    unsigned char *buf = malloc(n ? n : 1);     /* exactly n bytes: ASan sees overreads */
    CHECK(buf != NULL);
    memcpy(buf, input, n);
    const char *problem = check_request(buf, n);
    bool request = n == 48 && ((buf[0] & 7) == 3 || (buf[0] & 7) == 1) &&
                   ((buf[0] >> 3) & 7) >= 1 && ((buf[0] >> 3) & 7) <= 4;
    CHECK((problem == NULL) == request);
    if (problem)
        assert_printable(problem, strlen(problem), false);
    free(buf);
    return 0;
}
