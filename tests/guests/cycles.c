/* Load and leaks: many sequential connect / accept / exchange / close cycles in one program.
 *
 *   cycles <n>
 *
 * Each cycle takes turns between IPv4, IPv6 and an IPv4 client of a dual-stack listener on [::]
 * (its IPv4 host socket), and alternates which end closes first: the client connects to the
 * program's own listener, the listener accepts, a byte goes each way, both ends close; every
 * third cycle also dup()s the client socket and every fifth dup2()s it onto a high number,
 * closing the copies before the original (the socket closes with its last descriptor). Every
 * other cycle then a dual-stack UDP socket sends to an IPv4 one (making its own IPv4 host
 * socket) and two UDP sockets share a port through SO_REUSEADDR (one host socket), all closed
 * again. Checked:
 *   - every call succeeds and the bytes arrive;
 *   - descriptor numbers are reused: each cycle gets the same two numbers as the first (the
 *     lowest free ones), so nothing holds a descriptor after close;
 *   - linear memory is flat: the size after the warm-up equals the size at the end (a leak of
 *     more than a few bytes per cycle would grow it by a page);
 * and, run under a low `wasmtime -S max-resources=N`, that no host handle is leaked (a leak
 * reaches the limit and traps). Prints "CYCLES OK ..." or "CYCLES FAIL ..." (exit 1). */
#include "../c/t.h"

static unsigned long pages(void) {
#ifdef __wasi__
    return (unsigned long)__builtin_wasm_memory_size(0);
#else
    return 0;
#endif
}

#define FAIL(...)                                  \
    do {                                           \
        printf("CYCLES FAIL cycle %ld: ", cycle);  \
        printf(__VA_ARGS__);                       \
        printf(" (%s)\n", errname(errno));         \
        exit(1);                                   \
    } while (0)

int main(int argc, char **argv) {
    test_setup();
    long n = argc > 1 ? atol(argv[1]) : 10000;
    long warmup = n / 10;
    addr_t a[3];
    socklen_t alen[3];
    int l[3] = {listener(AF_INET, &a[0], &alen[0]), listener(AF_INET6, &a[1], &alen[1]), -1};
    /* A dual-stack listener on [::], reached over IPv4. */
    l[2] = socket(AF_INET6, SOCK_STREAM, 0);
    alen[2] = loopback(&a[2], AF_INET6, 0);
    a[2].in6.sin6_addr = in6addr_any;
    MUST(bind(l[2], &a[2].sa, alen[2]));
    MUST(listen(l[2], 16));
    MUST(getsockname(l[2], &a[2].sa, &alen[2]));
    alen[2] = loopback(&a[2], AF_INET, port_of(&a[2]));
    /* A UDP receiver for the dual-stack sender, and the same address as ::ffff:127.0.0.1. */
    addr_t r4, r6;
    socklen_t r4len = loopback(&r4, AF_INET, 0);
    int r = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(bind(r, &r4.sa, r4len));
    MUST(getsockname(r, &r4.sa, &r4len));
    socklen_t r6len = loopback(&r6, AF_INET6, port_of(&r4));
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &r6.in6.sin6_addr);
    int first_c = -1, first_s = -1, first_d = -1;
    unsigned long before = pages(), after_warmup = 0;
    long cycle;
    for (cycle = 0; cycle < n; cycle++) {
        int v = cycle % 3;
        if (cycle == warmup) after_warmup = pages();
        int c = socket(v == 1 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        if (c < 0) FAIL("socket");
        if (connect(c, &a[v].sa, alen[v]) < 0) FAIL("connect");
        addr_t peer;
        socklen_t plen = sizeof peer;
        int s = accept(l[v], &peer.sa, &plen);
        if (s < 0) FAIL("accept");
        if (cycle == 0) {
            first_c = c;
            first_s = s;
        } else if (c != first_c || s != first_s) {
            FAIL("descriptors not reused: got %d/%d, first cycle had %d/%d", c, s, first_c, first_s);
        }
        int d = cycle % 3 == 0 ? dup(c) : -1;
        if (cycle == 0) first_d = d;
        else if (d >= 0 && d != first_d) FAIL("dup gave %d, the first cycle's gave %d", d, first_d);
        if (cycle % 5 == 0 && dup2(c, 500) != 500) FAIL("dup2");
        char ch = (char)cycle, got = 0;
        if (d >= 0 && send(d, &ch, 1, 0) != 1) FAIL("send through the dup");
        if (d >= 0 && (recv(s, &got, 1, 0) != 1 || got != ch)) FAIL("recv what the dup sent");
        if (d >= 0 && close(d) < 0) FAIL("close the dup");
        if (cycle % 5 == 0 && close(500) < 0) FAIL("close the dup2 copy");
        if (send(c, &ch, 1, 0) != 1) FAIL("send c->s");
        if (recv(s, &got, 1, 0) != 1 || got != ch) FAIL("recv on s");
        if (send(s, &ch, 1, 0) != 1) FAIL("send s->c");
        if (recv(c, &got, 1, 0) != 1 || got != ch) FAIL("recv on c");
        int first = cycle & 2 ? c : s, second = cycle & 2 ? s : c;
        if (close(first) < 0) FAIL("close first");
        /* The other end sees the end of the stream before it closes too. */
        if (recv(second, &got, 1, 0) != 0) FAIL("no end of stream after the peer closed");
        if (close(second) < 0) FAIL("close second");
        if (cycle & 1) continue;
        int u = socket(AF_INET6, SOCK_DGRAM, 0);
        if (u < 0) FAIL("udp socket");
        if (sendto(u, &ch, 1, 0, &r6.sa, r6len) != 1) FAIL("sendto ::ffff:127.0.0.1");
        if (recv(r, &got, 1, 0) != 1 || got != ch) FAIL("recv from the dual-stack sender");
        if (close(u) < 0) FAIL("close udp");
        int one = 1, p1 = socket(AF_INET, SOCK_DGRAM, 0), p2 = socket(AF_INET, SOCK_DGRAM, 0);
        addr_t pa;
        socklen_t palen = loopback(&pa, AF_INET, 0);
        if (setsockopt(p1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            setsockopt(p2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
            FAIL("SO_REUSEADDR");
        if (bind(p1, &pa.sa, palen) < 0 || getsockname(p1, &pa.sa, &palen) < 0) FAIL("bind p1");
        if (bind(p2, &pa.sa, palen) < 0) FAIL("bind p2 to p1's port");
        if (sendto(r, &ch, 1, 0, &pa.sa, palen) != 1) FAIL("sendto the shared port");
        if (recv(p2, &got, 1, 0) != 1 || got != ch) FAIL("recv on the shared port");
        if (close(p1) < 0 || close(p2) < 0) FAIL("close the shared port");
    }
    unsigned long end = pages();
    close(l[0]);
    close(l[1]);
    close(l[2]);
    close(r);
    /* All closed: the next socket gets the lowest number again. */
    int again = socket(AF_INET, SOCK_STREAM, 0);
    if (again != l[0]) FAIL("after closing everything, socket() returned %d, not %d", again, l[0]);
    close(again);
#ifdef __wasi__
    if (end != after_warmup) {
        printf("CYCLES FAIL memory grew: %lu pages after %ld warm-up cycles, %lu after %ld\n",
               after_warmup, warmup, end, n);
        return 1;
    }
#endif
    printf("CYCLES OK %ld cycles, descriptors reused, memory pages %lu at start, %lu after warm-up, "
           "%lu at end\n",
           n, before, after_warmup, end);
    return 0;
}
