/* Load and leaks for in-guest channels: many cycles of socketpair (each type), pipe, an AF_UNIX
 * connection by path (connect, accept) and an SCM_RIGHTS hand-over, each exchanging a byte each
 * way and closing everything, in one program.
 *
 *   channel_cycles <n>
 *
 * Checked: every call succeeds and the bytes arrive; descriptor numbers are reused (each cycle
 * gets the same numbers as the first); linear memory is flat (the size after the warm-up equals
 * the size at the end). Channels hold no host resource, so the program runs under a
 * `wasmtime -S max-resources=N` that leaves room for stdio alone, without network access.
 * Prints "CHANNEL CYCLES OK ..." or "CHANNEL CYCLES FAIL ..." (exit 1). */
#include "../c/t.h"
#include <stddef.h>
#include <sys/un.h>

static unsigned long pages(void) {
#ifdef __wasi__
    return (unsigned long)__builtin_wasm_memory_size(0);
#else
    return 0;
#endif
}

static long cycle;

#define FAIL(...)                                          \
    do {                                                   \
        printf("CHANNEL CYCLES FAIL cycle %ld: ", cycle);  \
        printf(__VA_ARGS__);                               \
        printf(" (%s)\n", errname(errno));                 \
        exit(1);                                           \
    } while (0)

/* A byte each way between a and b (b -> a skipped for one-way channels: b < 0). */
static void exchange(int a, int b, int rd_a, int wr_b) {
    char ch = (char)cycle, got = 0;
    if (write(a, &ch, 1) != 1) FAIL("write");
    if (read(b, &got, 1) != 1 || got != ch) FAIL("read");
    if (rd_a >= 0) {
        if (write(wr_b, &ch, 1) != 1) FAIL("write back");
        if (read(rd_a, &got, 1) != 1 || got != ch) FAIL("read back");
    }
}

static int first[8];

static void same(int slot, int fd) {
    if (cycle == 0)
        first[slot] = fd;
    else if (fd != first[slot])
        FAIL("descriptor %d not reused: got %d, the first cycle had %d", slot, fd, first[slot]);
}

int main(int argc, char **argv) {
    test_setup();
    long n = argc > 1 ? atol(argv[1]) : 10000;
    long warmup = n / 10;
    static const int types[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strcpy(a.sun_path, "/tmp/wsp-channel-cycles");
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
    unlink(a.sun_path);
    int lsn = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lsn < 0 || bind(lsn, (struct sockaddr *)&a, alen) < 0 || listen(lsn, 4) < 0) FAIL("listener");
    unsigned long before = pages(), after_warmup = 0;
    for (cycle = 0; cycle < n; cycle++) {
        if (cycle == warmup) after_warmup = pages();
        int sv[2], p[2];
        if (socketpair(AF_UNIX, types[cycle % 3], 0, sv) < 0) FAIL("socketpair");
        same(0, sv[0]);
        same(1, sv[1]);
        exchange(sv[0], sv[1], sv[0], sv[1]);
        if (pipe(p) < 0) FAIL("pipe");
        same(2, p[0]);
        same(3, p[1]);
        exchange(p[1], p[0], -1, -1);
        /* Hand the pipe's read end over the pair, then close our own. */
        char ctl[CMSG_SPACE(sizeof(int))];
        memset(ctl, 0, sizeof ctl);
        struct iovec iv = {"r", 1};
        struct msghdr m = {0};
        m.msg_iov = &iv;
        m.msg_iovlen = 1;
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &p[0], sizeof(int));
        if (sendmsg(sv[0], &m, 0) != 1) FAIL("sendmsg");
        if (close(p[0]) < 0) FAIL("close the read end");
        char r;
        iv.iov_base = &r;
        m.msg_controllen = sizeof ctl;
        if (recvmsg(sv[1], &m, 0) != 1) FAIL("recvmsg");
        c = CMSG_FIRSTHDR(&m);
        if (!c || c->cmsg_type != SCM_RIGHTS) FAIL("no descriptor came");
        int passed;
        memcpy(&passed, CMSG_DATA(c), sizeof(int));
        same(4, passed);
        exchange(p[1], passed, -1, -1);
        if (close(passed) < 0 || close(p[1]) < 0) FAIL("close the pipe");
        int order = cycle & 1;
        if (close(sv[order]) < 0) FAIL("close");
        if (types[cycle % 3] != SOCK_DGRAM) {
            char e;
            if (read(sv[!order], &e, 1) != 0) FAIL("no end of stream after the peer closed");
        }
        if (close(sv[!order]) < 0) FAIL("close");
        /* A connection by path. */
        int cl = socket(AF_UNIX, SOCK_STREAM, 0);
        if (cl < 0 || connect(cl, (struct sockaddr *)&a, alen) < 0) FAIL("connect");
        int sv2 = accept(lsn, NULL, NULL);
        if (sv2 < 0) FAIL("accept");
        same(5, cl);
        same(6, sv2);
        exchange(cl, sv2, cl, sv2);
        if (close(cl) < 0 || close(sv2) < 0) FAIL("close the connection");
    }
    unsigned long end = pages();
    close(lsn);
    unlink(a.sun_path);
    int again[2];
    if (pipe(again) < 0 || again[0] != lsn) FAIL("after closing everything, pipe() gave %d, not %d", again[0], lsn);
    close(again[0]);
    close(again[1]);
#ifdef __wasi__
    if (end != after_warmup) {
        printf("CHANNEL CYCLES FAIL memory grew: %lu pages after %ld warm-up cycles, %lu after %ld\n",
               after_warmup, warmup, end, n);
        return 1;
    }
#endif
    printf("CHANNEL CYCLES OK %ld cycles, descriptors reused, memory pages %lu at start, %lu after "
           "warm-up, %lu at end\n",
           n, before, after_warmup, end);
    return 0;
}
