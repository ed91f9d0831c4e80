//! wasmtime: -S inherit-network --dir .
/* Bad input to the calls added for POSIX completeness: the dup family, sendfile, lseek,
 * getrlimit/setrlimit, the interface calls, on every kind of descriptor (TCP, UDP, listener,
 * file, stdio, closed, negative, out of range), as Linux answers. */
#include "t.h"
#include <limits.h>
#include <net/if.h>
#include <sys/resource.h>
#include <sys/sendfile.h>

static void *volatile NULLP;
#define NP ((void *)NULLP)
#define FAR ((void *)(~(uintptr_t)0 - 16))

enum { K_TCP, K_UDP, K_LISTEN, K_FILE, K_STDIN, K_STDOUT, K_CLOSED, K_NEG, K_BIG, NK };
static const char *kname[NK] = {"TCP", "UDP", "listener", "file", "stdin", "stdout", "closed",
                                "-1", "5000"};

static int get(int k) {
    addr_t a;
    socklen_t len;
    int fd;
    switch (k) {
    case K_TCP: return socket(AF_INET, SOCK_STREAM, 0);
    case K_UDP: return socket(AF_INET, SOCK_DGRAM, 0);
    case K_LISTEN: return listener(AF_INET, &a, &len);
    case K_FILE:
        fd = open("badinput_more.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
        MUST(write(fd, "0123456789", 10));
        return fd;
    case K_STDIN: return 0;
    case K_STDOUT: return 1;
    case K_CLOSED:
        fd = socket(AF_INET, SOCK_STREAM, 0);
        close(fd);
        return fd;
    case K_NEG: return -1;
    }
    return 5000;
}

static void put(int k, int fd) {
    if (k <= K_FILE) close(fd);
}

static void sweep(int k) {
    printf("== %s\n", kname[k]);
    int f = open("badinput_more_src.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(write(f, "abcdef", 6));
    off_t off;
#define ONE(...)                                                                              \
    do {                                                                                      \
        int fd = get(k);                                                                      \
        printf("[%s] ", kname[k]);                                                            \
        __VA_ARGS__;                                                                          \
        put(k, fd);                                                                           \
    } while (0)
    ONE(int d = dup(fd); printf("dup -> %s\n", d >= 0 ? "ok" : errname(errno));
        if (d >= 0) close(d));
    ONE(SHOW(dup2(fd, INT_MAX)));
    ONE(SHOW(dup2(fd, -1)));
    ONE(SHOW(dup3(fd, fd, 0)));
    ONE(int d = dup3(fd, 200, 0x100000); printf("dup3 bad flags -> %s\n", d >= 0 ? "ok" : errname(errno));
        if (d >= 0) close(d));
    ONE(SHOW(fcntl(fd, F_DUPFD, -5)));
    ONE(SHOW(fcntl(fd, F_DUPFD, INT_MAX)));
    /* stdin is /dev/null natively (seekable, writable), a host stream under wasmtime */
    int std_in = k == K_STDIN;
    ONE(SHOW(lseek(fd, 0, 99)));
    if (!std_in) {
        ONE(SHOW(lseek(fd, 0, SEEK_CUR) >= 0 ? 0 : -1));
        ONE(SHOW(lseek(fd, -100, SEEK_SET)));
        ONE(SHOW(lseek(fd, 4, 3 /* SEEK_DATA */)));
        ONE(SHOW(lseek(fd, 4, 4 /* SEEK_HOLE */)));
        ONE(SHOW(lseek(fd, 40, 3 /* SEEK_DATA */)));
        ONE(off = 0; SHOW(sendfile(fd, f, &off, 3)));
        ONE(off = 0; SHOW(sendfile(fd, f, FAR, 3)));
    }
    ONE(SHOW(sendfile(1, fd, NULL, 0)));
    close(f);
    unlink("badinput_more_src.tmp");
#undef ONE
}

int main(void) {
    test_setup();
    for (int k = 0; k < NK; k++) sweep(k);
    printf("== limits and interfaces\n");
    SHOW(getrlimit(RLIMIT_NOFILE, NP));
    SHOW(setrlimit(RLIMIT_NOFILE, NP));
    SHOW(getrlimit(-1, NP));
    char name[IF_NAMESIZE];
    errno = 0;
    char *r = if_indextoname(0, name);
    printf("if_indextoname(0) -> %s %s\n", r ? r : "NULL", r ? "" : errname(errno));
    SHOW(if_nametoindex("lo-but-longer-than-ifnamsiz"));
    unlink("badinput_more.tmp");
    return 0;
}
