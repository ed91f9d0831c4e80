/* The classic client loop: resolve a host and service with getaddrinfo, try each address in
 * order until a connection succeeds, then send a line and print the reply.
 *   gai_client <host> <service>
 * Prints "try <family> <address> -> ok|<ERRNO>" per attempt, then "reply: <line>".
 * Exits 2 when resolution fails ("getaddrinfo: <message>"), 3 when no address connects. */
#include "common.h"
#include <netdb.h>

int main(int argc, char **argv) {
    test_setup();
    if (argc != 3) { fprintf(stderr, "usage: gai_client host service\n"); return 64; }
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int r = getaddrinfo(argv[1], argv[2], &hints, &res);
    if (r != 0) { printf("getaddrinfo: %s\n", gai_strerror(r)); return 2; }
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        char host[NI_MAXHOST];
        r = getnameinfo(a->ai_addr, a->ai_addrlen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
        if (r != 0) { printf("getnameinfo: %s\n", gai_strerror(r)); return 2; }
        int s = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (s < 0) { printf("try %s %s -> socket %s\n", famname(a->ai_family), host, errname(errno)); continue; }
        if (connect(s, a->ai_addr, a->ai_addrlen) < 0) {
            printf("try %s %s -> %s\n", famname(a->ai_family), host, errname(errno));
            close(s);
            continue;
        }
        printf("try %s %s -> ok\n", famname(a->ai_family), host);
        fd = s;
    }
    freeaddrinfo(res);
    if (fd < 0) return 3;
    static const char line[] = "hello over getaddrinfo\n";
    if (send(fd, line, sizeof line - 1, 0) != (ssize_t)(sizeof line - 1)) { printf("send: %s\n", errname(errno)); return 3; }
    char buf[128];
    size_t got = 0;
    while (got < sizeof line - 1) {
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) { printf("recv: %s\n", n ? errname(errno) : "EOF"); return 3; }
        got += n;
    }
    buf[got] = 0;
    printf("reply: %s", buf);
    close(fd);
    return 0;
}
