//! wasmtime: -S inherit-network --dir .
//! stdin: line on stdin
/* Bad input to the calls the library takes over from libc (read, write, readv, writev, fcntl,
 * ioctl, fstat, poll, close), on descriptors that are not sockets: regular files (with data, at
 * their end, read-only, write-only, opened O_NONBLOCK), a directory, stdin, stdout, stderr, a
 * closed file, -1 and a number above every table. NULL buffers, buffers past the end of memory,
 * iovec counts out of range, NULL iovec arrays and NULL buffers inside them, and guard bytes
 * around every out-buffer. Linux finds a bad buffer only when it copies, so a NULL buffer gives
 * EBADF, EISDIR or 0 (nothing to copy) before EFAULT; these lines show that order.
 * stdin carries one line, which must still be there after the failed reads. */
#include "t.h"
#include <sys/stat.h>

#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wnonnull"

#define PAT 0xA5
static unsigned char G[256];
static void *volatile NULLP;
#define NP ((void *)NULLP)
/* A buffer that runs past the end of the address space (32 bytes from 16 below its end): Linux's
 * access_ok refuses it before anything else, on a 64-bit and a 32-bit address space alike. */
#define FAR ((void *)(~(uintptr_t)0 - 16))

enum { K_DATA, K_EOF, K_RDONLY, K_WRONLY, K_NONBLOCK, K_DIR, K_STDIN, K_STDOUT, K_STDERR,
       K_CLOSED, K_NEG, K_BIG, NK };
static const char *kname[NK] = {"file with data", "file at end", "read-only file",
                                "write-only file", "O_NONBLOCK file", "directory", "stdin",
                                "stdout", "stderr", "closed file", "-1", "5000"};

static int get(int k) {
    int fd;
    switch (k) {
    case K_DATA:
    case K_EOF:
    case K_NONBLOCK:
        fd = open("files_badinput.tmp", O_RDWR | O_CREAT | O_TRUNC | (k == K_NONBLOCK ? O_NONBLOCK : 0), 0644);
        MUST(fd);
        MUST(write(fd, "0123456789", 10));
        MUST(lseek(fd, k == K_EOF ? 10 : 0, SEEK_SET));
        return fd;
    case K_RDONLY:
    case K_WRONLY:
        fd = open("files_badinput.tmp", k == K_RDONLY ? O_RDONLY : O_WRONLY);
        MUST(fd);
        return fd;
    case K_DIR:
        fd = open(".", O_RDONLY | O_DIRECTORY);
        MUST(fd);
        return fd;
    case K_STDIN: return 0;
    case K_STDOUT: return 1;
    case K_STDERR: return 2;
    case K_CLOSED:
        fd = open("files_badinput.tmp", O_RDWR | O_CREAT, 0644);
        MUST(fd);
        MUST(close(fd));
        return fd;
    case K_NEG: return -1;
    case K_BIG: return 5000;
    }
    return -1;
}

static void put(int k, int fd) {
    if (k <= K_DIR) MUST(close(fd));
}

static void guard(size_t from) {
    int ok = 1;
    for (size_t i = from; i < sizeof G; i++) ok &= G[i] == PAT;
    if (!ok) printf("  GUARD OVERWRITTEN past %zu\n", from);
}

/* The file's offset, to show a failed call moved nothing. */
static void offset(int k, int fd) {
    if (k <= K_NONBLOCK && k != K_WRONLY) printf("  offset %ld\n", (long)lseek(fd, 0, SEEK_CUR));
}

static void sweep(int k) {
    printf("== %s\n", kname[k]);
    /* stdout and stderr: only calls that write nothing */
    int out = k == K_STDOUT || k == K_STDERR;
    static struct iovec many[5000];
    for (int i = 0; i < 5000; i++) many[i] = (struct iovec){G, 0};
    struct iovec two_bad[2] = {{G, 2}, {NP, 3}};
    struct iovec first_bad[2] = {{NP, 3}, {G, 2}};
    struct iovec empty_then_bad[2] = {{G, 0}, {NP, 3}};
    struct iovec far[2] = {{G, 2}, {FAR, 32}};
#define ONE(...)                                                                              \
    do {                                                                                      \
        int fd = get(k);                                                                      \
        memset(G, PAT, sizeof G);                                                             \
        printf("[%s] ", kname[k]);                                                            \
        __VA_ARGS__;                                                                          \
        offset(k, fd);                                                                        \
        put(k, fd);                                                                           \
    } while (0)
    ONE(SHOW(read(fd, NP, 5)));
    ONE(SHOW(read(fd, NP, 0)));
    ONE(SHOW(read(fd, FAR, 32)));
    ONE(SHOW(readv(fd, NP, 2)));
    ONE(SHOW(readv(fd, NP, 0)));
    ONE(SHOW(readv(fd, many, -1)));
    ONE(SHOW(readv(fd, many, 1025)));
    ONE(SHOW(readv(fd, many, 5000)));
    ONE(SHOW(readv(fd, many, 1024)));
    ONE(SHOW(readv(fd, first_bad, 2)));
    ONE(SHOW(readv(fd, empty_then_bad, 2)));
    ONE(SHOW(readv(fd, far, 2)));
    if (k == K_DATA || k == K_EOF || k == K_NONBLOCK)
        ONE(SHOW(readv(fd, two_bad, 2)); guard(2));
    ONE(SHOW(write(fd, NP, 0)));
    ONE(SHOW(writev(fd, NP, 2)));
    ONE(SHOW(writev(fd, many, 1025)));
    ONE(SHOW(writev(fd, many, 5000)));
    ONE(SHOW(writev(fd, many, -1)));
    if (!out) {
        ONE(SHOW(write(fd, NP, 5)));
        ONE(SHOW(write(fd, FAR, 32)));
        ONE(SHOW(writev(fd, first_bad, 2)));
        ONE(SHOW(writev(fd, empty_then_bad, 2)));
        ONE(SHOW(writev(fd, far, 2)));
    }
    if (k == K_DATA || k == K_NONBLOCK) ONE(SHOW(writev(fd, two_bad, 2)));
    ONE(SHOW(fcntl(fd, F_GETFL, NP) < 0 ? -1 : 0));
    ONE(SHOW(fcntl(fd, 12345, 0)));
    ONE(SHOW(ioctl(fd, FIONREAD, NP)));
    ONE(SHOW(ioctl(fd, FIONBIO, NP)));
    ONE(SHOW(ioctl(fd, 0x7fff1234, G)); guard(0));
    ONE(SHOW(fstat(fd, NP)));
    ONE(struct pollfd p = {fd, POLLIN, 0}; SHOW(poll(&p, 1, 0) > 0 ? 1 : 0);
        printf("  NVAL %d\n", !!(p.revents & POLLNVAL)));
    ONE(SHOW(poll(NP, 1, 0)));
#undef ONE
}

int main(void) {
    test_setup();
    int f = open("files_badinput.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(f);
    MUST(close(f));
    for (int k = 0; k < NK; k++) sweep(k);
    /* a file created read-only */
    unlink("files_badinput.tmp");
    f = open("files_badinput.tmp", O_RDONLY | O_CREAT, 0644);
    MUST(f);
    SHOW(write(f, "x", 1));
    SHOW((fcntl(f, F_GETFL) & O_ACCMODE) == O_RDONLY);
    MUST(close(f));
    /* the line on stdin is still there */
    char line[64] = {0};
    SHOW(read(0, line, sizeof line - 1));
    printf("stdin: %s", line);
    SHOW(close(-1));
    SHOW(close(5000));
    unlink("files_badinput.tmp");
    return 0;
}
