/* Dual-stack binds to [::]:0 when much of the IPv4 port range is taken (by another process):
 * every bind must succeed with a port that is free in both families, as Linux picks one.
 *
 *   dualstack_ports <n>
 *
 * Each of n binds (TCP listeners and UDP sockets in turn) gets its port; an IPv4 socket's bind
 * to 127.0.0.1 on that port must then be EADDRINUSE (the dual-stack socket holds it in IPv4
 * too). Prints "PORTS <binds> failed <f> held <h>". */
#include "../c/t.h"

int main(int argc, char **argv) {
    test_setup();
    int n = argc > 1 ? atoi(argv[1]) : 400, failed = 0, held = 0;
    for (int i = 0; i < n; i++) {
        int type = i & 1 ? SOCK_DGRAM : SOCK_STREAM;
        addr_t a;
        socklen_t l = loopback(&a, AF_INET6, 0);
        a.in6.sin6_addr = in6addr_any;
        int d = socket(AF_INET6, type, 0);
        if (bind(d, &a.sa, l) < 0 || (type == SOCK_STREAM && listen(d, 1) < 0)) {
            printf("bind %d failed: %s\n", i, errname(errno));
            failed++;
            close(d);
            continue;
        }
        MUST(getsockname(d, &a.sa, &l));
        addr_t b;
        socklen_t bl = loopback(&b, AF_INET, port_of(&a));
        int x = socket(AF_INET, type, 0);
        if (bind(x, &b.sa, bl) < 0 && errno == EADDRINUSE) held++;
        close(x);
        close(d);
    }
    printf("PORTS %d failed %d held %d\n", n, failed, held);
    return 0;
}
