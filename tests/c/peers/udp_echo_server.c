/* UDP echo server for the end-to-end tests.
 *   udp_echo_server <4|6>
 * Binds an ephemeral port on loopback, prints "PORT <n>", then sends every datagram back to its
 * sender, unchanged, until a datagram of exactly 4 bytes "END!" arrives (echoed too). Prints
 * "echoed <count> bytes=<total>". */
#include "udp_common.h"

int main(int argc, char **argv) {
    test_setup();
    if (argc != 2) { fprintf(stderr, "usage: udp_echo_server 4|6\n"); return 64; }
    int fam = fam_arg(argv[1]);
    int s = socket(fam, SOCK_DGRAM, 0);
    MUST(s);
    int big = 4 << 20;
    MUST(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big));
    MUST(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big));
    addr_t a;
    socklen_t len = loopback(&a, fam, 0);
    MUST(bind(s, &a.sa, len));
    MUST(getsockname(s, &a.sa, &len));
    printf("PORT %d\n", port_of(&a));
    static unsigned char buf[65536];
    unsigned long count = 0, total = 0;
    for (;;) {
        addr_t from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(s, buf, sizeof buf, 0, &from.sa, &flen);
        if (n < 0) { printf("recvfrom: %s\n", errname(errno)); return 3; }
        ssize_t w = sendto(s, buf, n, 0, &from.sa, flen);
        if (w != n) { printf("sendto: %zd %s\n", w, errname(errno)); return 3; }
        if (n == 4 && memcmp(buf, "END!", 4) == 0) break;
        count++;
        total += n;
    }
    printf("echoed %lu bytes=%lu\n", count, total);
    MUST(close(s));
    return 0;
}
