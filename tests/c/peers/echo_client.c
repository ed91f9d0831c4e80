/* Echo client for the end-to-end tests.
 *   echo_client <4|6> <port> <echo|bulk> <bytes> <seed>
 * Sends <bytes> of the seeded stream to the loopback server and reads the echo.
 *   echo: 64 KiB at a time, each echoed back before the next.
 *   bulk: everything in one send() call, shutdown(SHUT_WR), then read until end of stream.
 * Prints "sent=<n> sent_sum=<fnv> recv=<n> recv_sum=<fnv>"; exits 2 with "<call>: <ERRNO>" when
 * socket or connect fails. */
#include "common.h"

int main(int argc, char **argv) {
    test_setup();
    if (argc != 6) { fprintf(stderr, "usage: echo_client 4|6 port echo|bulk bytes seed\n"); return 64; }
    int fam = fam_arg(argv[1]), port = atoi(argv[2]), bulk = strcmp(argv[3], "bulk") == 0;
    size_t bytes = strtoull(argv[4], NULL, 10);
    stream_t st = {(uint32_t)strtoul(argv[5], NULL, 10)};
    int c = socket(fam, SOCK_STREAM, 0);
    if (c < 0) { printf("socket: %s\n", errname(errno)); return 2; }
    addr_t a;
    socklen_t len = loopback(&a, fam, port);
    if (connect(c, &a.sa, len) < 0) { printf("connect: %s\n", errname(errno)); return 2; }

    uint64_t ssum = FNV_INIT, rsum = FNV_INIT;
    size_t sent = 0, got = 0;
    if (bulk) {
        unsigned char *out = malloc(bytes), *in = malloc(bytes + 1);
        stream_fill(&st, out, bytes);
        ssize_t w = send(c, out, bytes, 0);
        if (w != (ssize_t)bytes) { printf("send: %zd %s\n", w, errname(errno)); return 3; }
        sent = bytes;
        ssum = fnv1a(ssum, out, bytes);
        MUST(shutdown(c, SHUT_WR));
        for (;;) {
            ssize_t n = recv(c, in + got, bytes + 1 - got, 0);
            if (n < 0) { printf("recv: %s\n", errname(errno)); return 3; }
            if (n == 0) break;
            got += n;
            if (got > bytes) break;
        }
        rsum = fnv1a(rsum, in, got);
    } else {
        static unsigned char out[65536], in[65536];
        while (sent < bytes) {
            size_t n = bytes - sent < sizeof out ? bytes - sent : sizeof out;
            stream_fill(&st, out, n);
            ssize_t w = send(c, out, n, 0);
            if (w != (ssize_t)n) { printf("send: %zd %s\n", w, errname(errno)); return 3; }
            ssum = fnv1a(ssum, out, n);
            sent += n;
            size_t r = 0;
            while (r < n) {
                ssize_t k = recv(c, in + r, n - r, 0);
                if (k <= 0) { printf("recv: %zd %s\n", k, k < 0 ? errname(errno) : "EOF"); return 3; }
                r += k;
            }
            rsum = fnv1a(rsum, in, n);
            got += n;
        }
        MUST(shutdown(c, SHUT_WR));
        char tail;
        ssize_t k = recv(c, &tail, 1, 0);
        if (k != 0) { printf("expected EOF, got %zd\n", k); return 3; }
    }
    MUST(close(c));
    printf("sent=%zu sent_sum=%016llx recv=%zu recv_sum=%016llx\n", sent, (unsigned long long)ssum,
           got, (unsigned long long)rsum);
    return 0;
}
