//! wasmtime: -S inherit-network --dir .
/* Many sockets: numbers stay contiguous and lowest-free past the preview 1 adapter's 128-entry
 * table, freed numbers are reused lowest first, and every socket works. */
#include "t.h"

#define N 300

int main(void) {
    test_setup();
    static int fd[N];
    int contiguous = 1;
    for (int i = 0; i < N; i++) {
        fd[i] = socket(i % 2 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        if (fd[i] < 0) { printf("socket %d: %s\n", i, errname(errno)); return 1; }
        if (i && fd[i] != fd[i - 1] + 1) contiguous = 0;
    }
    printf("%d sockets, contiguous numbers: %s\n", N, contiguous ? "yes" : "no");
    int f = open("fd_many.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("a file with %d sockets open: %s\n", N, f >= 0 ? "opened" : errname(errno));
    if (f >= 0) close(f);
    /* free three numbers, one low, two high; they come back lowest first */
    SHOW(close(fd[250]));
    SHOW(close(fd[10]));
    SHOW(close(fd[200]));
    int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0),
        c = socket(AF_INET, SOCK_STREAM, 0), d = socket(AF_INET, SOCK_STREAM, 0);
    printf("reused: %s %s %s, then next: %s\n", a == fd[10] ? "low" : "?", b == fd[200] ? "mid" : "?",
           c == fd[250] ? "high" : "?", d == fd[N - 1] + 1 ? "top+1" : "?");
    fd[10] = a, fd[200] = b, fd[250] = c;
    /* every socket still works: listen on all of them */
    int listening = 0;
    for (int i = 0; i < N; i++) {
        addr_t ad;
        socklen_t len = loopback(&ad, i % 2 ? AF_INET6 : AF_INET, 0);
        if (i == 10 || i == 200 || i == 250) len = loopback(&ad, AF_INET, 0);
        if (bind(fd[i], &ad.sa, len) == 0 && listen(fd[i], 1) == 0) listening++;
    }
    printf("listening: %d of %d\n", listening, N);
    /* a connection through the highest-numbered one */
    addr_t la;
    socklen_t llen = sizeof la;
    MUST(getsockname(fd[N - 1], &la.sa, &llen));
    SHOW(connect(d, &la.sa, llen) == 0 || errno == EAFNOSUPPORT);
    int lastfam = (N - 1) % 2 ? AF_INET6 : AF_INET;
    int cl = socket(lastfam, SOCK_STREAM, 0);
    SHOW(connect(cl, &la.sa, llen));
    int s = accept(fd[N - 1], NULL, NULL);
    SHOW(s > fd[N - 1]);
    SHOW(send(cl, "hi", 2, 0));
    char buf[4] = {0};
    SHOW(recv(s, buf, sizeof buf, 0));
    for (int i = 0; i < N; i++) MUST(close(fd[i]));
    MUST(close(d));
    MUST(close(cl));
    MUST(close(s));
    int again = socket(AF_INET, SOCK_STREAM, 0);
    printf("after closing everything the next socket is fd[0]: %s\n", again == fd[0] ? "yes" : "no");
    f = open("fd_many.tmp", O_RDONLY);
    printf("and a file gets the next: %s\n", f == fd[0] + 1 ? "yes" : "no");
    close(f);
    close(again);
    unlink("fd_many.tmp");
    return 0;
}
