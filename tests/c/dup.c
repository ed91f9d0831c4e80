//! wasmtime: -S inherit-network --dir .
/* The dup family on every kind of descriptor, as Linux: dup, dup2, dup3, fcntl(F_DUPFD) and
 * F_DUPFD_CLOEXEC on sockets, files and stdio. The lowest free number at or above the minimum;
 * FD_CLOEXEC belongs to the descriptor, O_NONBLOCK to the open socket; the socket closes (its
 * peer sees end of stream) with its last descriptor; dup2 onto a live descriptor closes it
 * first; the inetd pattern (a connection dup2'd onto stdin and stdout, stdio reading and writing
 * it) and redirecting stdout and putting it back. Descriptor numbers are printed relative to the
 * first socket's (the wasm run has a preopened directory at 3). */
#include "t.h"
#include <limits.h>

static int base;
#define REL(fd) ((fd) < 0 ? (fd) : (fd) - base)

static void pair(int *c, int *s) {
    addr_t a;
    socklen_t len;
    int l = listener(AF_INET, &a, &len);
    *c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(*c);
    MUST(connect(*c, &a.sa, len));
    *s = accept(l, NULL, NULL);
    MUST(*s);
    MUST(close(l));
}

/* What arrives on `fd` within 2 s: up to `n` bytes, or end of stream, as text. */
static void expect(const char *label, int fd, size_t n) {
    char buf[256] = {0};
    size_t got = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (got < n && poll(&p, 1, 2000) == 1) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) {
            printf("%s: '%s' then %s\n", label, buf, r == 0 ? "end of stream" : errname(errno));
            return;
        }
        got += (size_t)r;
    }
    printf("%s: '%s'%s\n", label, buf, got < n ? " (timed out)" : "");
}

static void numbers(void) {
    printf("== numbers\n");
    int c, s;
    pair(&c, &s);
    base = c < s ? c : s;
    int hi = c > s ? c : s;
    int d = dup(c);
    printf("dup -> %d\n", REL(d));
    MUST(close(d));
    SHOW(REL(fcntl(c, F_DUPFD, 0)));
    int d2 = fcntl(c, F_DUPFD, base + 10);
    printf("F_DUPFD min+10 -> %d\n", REL(d2));
    SHOW(REL(fcntl(c, F_DUPFD, base + 10)));
    SHOW(fcntl(c, F_DUPFD, -1));
    SHOW(fcntl(c, F_DUPFD, INT_MAX));
    SHOW(fcntl(-1, F_DUPFD, 0));
    SHOW(REL(dup2(c, base + 20)));
    SHOW(REL(dup2(c, c)));
    SHOW(dup2(base + 30, base + 31));
    SHOW(dup2(base + 30, base + 30));
    SHOW(dup2(c, -1));
    SHOW(dup2(c, INT_MAX));
    SHOW(dup3(c, c, 0));
    SHOW(dup3(c, base + 21, 0x1234));
    SHOW(REL(dup3(c, base + 21, 0)));
    SHOW(dup(-1));
    SHOW(dup(INT_MAX));
    for (int fd = hi + 1; fd < base + 40; fd++) close(fd);
    close(c);
    close(s);
}

static void shared(void) {
    printf("== shared open socket, per-descriptor FD_CLOEXEC\n");
    int c, s;
    pair(&c, &s);
    int d = dup(c);
    MUST(fcntl(c, F_SETFL, O_NONBLOCK));
    SHOW((fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
    MUST(fcntl(c, F_SETFD, FD_CLOEXEC));
    SHOW(fcntl(c, F_GETFD));
    SHOW(fcntl(d, F_GETFD));
    int e = fcntl(c, F_DUPFD_CLOEXEC, 0);
    SHOW(fcntl(e, F_GETFD));
    int u = dup(c);
    SHOW(fcntl(u, F_GETFD));
    MUST(close(u));
    /* both descriptors reach the one socket */
    SHOW(write(d, "via dup", 7));
    expect("peer got", s, 7);
    SHOW(write(s, "back", 4));
    expect("dup reads", d, 4);
    /* the peer sees end of stream only when the last descriptor closes */
    MUST(close(c));
    SHOW(write(e, "!", 1));
    expect("peer got", s, 1);
    MUST(close(e));
    struct pollfd p = {s, POLLIN, 0};
    SHOW(poll(&p, 1, 300));
    printf("peer revents with one descriptor left: %s\n", ev(p.revents));
    MUST(close(d));
    expect("after the last close the peer sees", s, 10);
    close(s);
}

static void onto_live(void) {
    printf("== dup2 onto a live socket closes it\n");
    int c1, s1, c2, s2;
    pair(&c1, &s1);
    pair(&c2, &s2);
    SHOW(REL(dup2(c1, c2) - c2 + base));
    expect("old target's peer", s2, 10);
    SHOW(write(c2, "c2 is c1 now", 12));
    expect("c1's peer", s1, 12);
    close(c1);
    close(c2);
    close(s1);
    close(s2);
}

static void files(void) {
    printf("== files\n");
    int f = open("dup.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(f);
    int g = dup(f);
    SHOW(g == f + 1 || g > f);
    SHOW(write(g, "written through the copy", 24));
    SHOW(lseek(f, 0, SEEK_SET));
    char buf[64] = {0};
    SHOW(read(g, buf, sizeof buf - 1));
    printf("read back '%s'\n", buf);
    MUST(close(f));
    SHOW(lseek(g, 0, SEEK_SET));
    memset(buf, 0, sizeof buf);
    SHOW(read(g, buf, 7));
    printf("after closing the original: '%s'\n", buf);
    int h = fcntl(g, F_DUPFD_CLOEXEC, 0);
    SHOW(fcntl(h, F_GETFD));
    SHOW(fcntl(g, F_GETFD));
    MUST(close(h));
    MUST(close(g));
    SHOW(write(g, "x", 1));
    unlink("dup.tmp");
}

static void stdio(void) {
    printf("== stdout redirected to a connection and back\n");
    int c, s;
    pair(&c, &s);
    int saved = dup(1);
    MUST(saved);
    MUST(dup2(c, 1));
    printf("this line goes to the peer\n");
    fflush(stdout);
    MUST(dup2(saved, 1));
    MUST(close(saved));
    expect("peer got", s, 27);
    printf("stdout is back\n");

    printf("== the inetd pattern: stdin and stdout are the connection\n");
    int saved_in = dup(0), saved_out = dup(1);
    MUST(dup2(c, 0));
    MUST(dup2(c, 1));
    MUST(close(c));
    SHOW(write(s, "request line\n", 13));
    char line[64] = {0};
    if (!fgets(line, sizeof line, stdin)) strcpy(line, "(nothing)\n");
    printf("echo: %s", line);
    fflush(stdout);
    MUST(dup2(saved_out, 1));
    MUST(dup2(saved_in, 0));
    MUST(close(saved_out));
    MUST(close(saved_in));
    expect("client got", s, 20);
    printf("stdin and stdout are back\n");
    close(s);
}

int main(void) {
    test_setup();
    numbers();
    shared();
    onto_live();
    files();
    stdio();
    return 0;
}
