/* UDP client for the end-to-end tests.
 *   udp_client <4|6> <port> <count> <seed> <pingpong|window> <connected|unconnected>
 * Sends <count> datagrams of 1 byte to 8 KiB (sizes and contents from the seed) to the echo server
 * on loopback and checks every echo byte for byte.
 *   pingpong: one datagram at a time; a missing echo (1 s) counts as lost.
 *   window:   up to 32 datagrams in flight; at the end, 2 s for stragglers.
 * connected: connect() + send()/recv(); unconnected: sendto()/recvfrom() (checking the source).
 * Prints "sent=<n> echoed=<n> lost=<n> corrupt=<n> reordered=<n>". Exits 3 on a socket error. */
#include "udp_common.h"
#include <poll.h>

int main(int argc, char **argv) {
    test_setup();
    if (argc != 7) { fprintf(stderr, "usage: udp_client 4|6 port count seed pingpong|window connected|unconnected\n"); return 64; }
    int fam = fam_arg(argv[1]), port = atoi(argv[2]);
    uint32_t count = (uint32_t)strtoul(argv[3], NULL, 10), seed = (uint32_t)strtoul(argv[4], NULL, 10);
    int window = strcmp(argv[5], "window") == 0 ? 32 : 1;
    int connected = strcmp(argv[6], "connected") == 0;
    int s = socket(fam, SOCK_DGRAM, 0);
    MUST(s);
    int big = 4 << 20;
    MUST(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big));
    addr_t srv;
    socklen_t slen = loopback(&srv, fam, port);
    if (connected) MUST(connect(s, &srv.sa, slen));

    static unsigned char out[8192], in[65536];
    static unsigned char *seen;
    seen = calloc(count, 1);
    uint32_t next = 0, echoed = 0, corrupt = 0, reordered = 0, expect = 0;
    uint32_t inflight = 0;
    while (next < count || inflight > 0) {
        while (next < count && inflight < (uint32_t)window) {
            size_t n = dgram_size(seed, next);
            dgram_fill(out, n, seed, next);
            ssize_t w = connected ? send(s, out, n, 0) : sendto(s, out, n, 0, &srv.sa, slen);
            if (w != (ssize_t)n) { printf("send: %zd %s\n", w, errname(errno)); return 3; }
            next++;
            inflight++;
        }
        struct pollfd p = {s, POLLIN, 0};
        int r = poll(&p, 1, next < count ? 1000 : 2000);
        if (r < 0) { printf("poll: %s\n", errname(errno)); return 3; }
        if (r == 0) {
            /* Whatever is still in flight is lost. */
            inflight = 0;
            continue;
        }
        addr_t from;
        socklen_t flen = sizeof from;
        ssize_t n = connected ? recv(s, in, sizeof in, 0) : recvfrom(s, in, sizeof in, 0, &from.sa, &flen);
        if (n < 0) { printf("recv: %s\n", errname(errno)); return 3; }
        if (!connected && port_of(&from) != port) { printf("datagram from an unexpected port\n"); return 3; }
        /* Identify the datagram: by its header when it has one, else it is the expected one. */
        uint32_t seq = n >= UDP_HDR ? get32(in) : expect;
        if (seq >= count || seen[seq] || !dgram_ok(in, n, dgram_size(seed, seq), seed, seq)) {
            corrupt++;
        } else {
            seen[seq] = 1;
            echoed++;
            if (seq != expect) reordered++;
            expect = seq + 1;
        }
        if (inflight > 0) inflight--;
    }
    uint32_t lost = count - echoed;
    /* Tell the server to stop. */
    if (connected) MUST(send(s, "END!", 4, 0));
    else MUST(sendto(s, "END!", 4, 0, &srv.sa, slen));
    printf("sent=%u echoed=%u lost=%u corrupt=%u reordered=%u\n", count, echoed, lost, corrupt, reordered);
    MUST(close(s));
    return 0;
}
