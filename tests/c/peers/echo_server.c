/* Echo server for the end-to-end tests.
 *   echo_server <4|6> <echo|bulk> <connections>
 * Prints "PORT <n>" once listening on loopback, then serves <connections> clients one after the
 * other and prints "conn <i> bytes=<n> sum=<fnv1a>" for each.
 *   echo: send back whatever arrives, as it arrives, until end of stream.
 *   bulk: read everything until end of stream, then send it all back in a single send() call. */
#include "common.h"

int main(int argc, char **argv) {
    test_setup();
    if (argc != 4) { fprintf(stderr, "usage: echo_server 4|6 echo|bulk conns\n"); return 64; }
    int fam = fam_arg(argv[1]), bulk = strcmp(argv[2], "bulk") == 0, conns = atoi(argv[3]);
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    printf("PORT %d\n", port_of(&a));
    for (int i = 0; i < conns; i++) {
        int s = accept(l, NULL, NULL);
        MUST(s);
        size_t total = 0, cap = 1 << 20;
        uint64_t sum = FNV_INIT;
        unsigned char *buf = malloc(bulk ? cap : 65536);
        for (;;) {
            ssize_t n = recv(s, bulk ? buf + total : buf, bulk ? cap - total : 65536, 0);
            if (n < 0) { printf("recv: %s\n", errname(errno)); return 3; }
            if (n == 0) break;
            sum = fnv1a(sum, bulk ? buf + total : buf, n);
            if (!bulk) {
                ssize_t w = send(s, buf, n, 0);
                if (w != n) { printf("send: %zd %s\n", w, errname(errno)); return 3; }
            }
            total += n;
            if (bulk && total == cap) { cap *= 2; buf = realloc(buf, cap); }
        }
        if (bulk) {
            ssize_t w = send(s, buf, total, 0);
            if (w != (ssize_t)total) { printf("send: %zd %s\n", w, errname(errno)); return 3; }
        }
        printf("conn %d bytes=%zu sum=%016llx\n", i, total, (unsigned long long)sum);
        free(buf);
        MUST(close(s));
    }
    MUST(close(l));
    return 0;
}
