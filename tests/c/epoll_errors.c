//! wasmtime: -S inherit-network --dir .
/* epoll's errors in Linux's order, and the epoll descriptor as a descriptor: epoll_create and
 * epoll_create1 (EINVAL, EPOLL_CLOEXEC), epoll_ctl (EFAULT, EBADF for either descriptor, EPERM
 * for a regular file and a directory, EINVAL for a non-epoll epfd, for the epoll itself, for an
 * unknown op and for EPOLLEXCLUSIVE misuse, EEXIST, ENOENT), epoll_wait and its forms (EINVAL
 * for maxevents, EFAULT, EBADF, EINVAL, the timespec of epoll_pwait2), and fcntl, ioctl, fstat,
 * read, write, socket calls and close on an epoll descriptor. */
#include "ep.h"
#include <sys/stat.h>

#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wnonnull"
#pragma GCC diagnostic ignored "-Wstringop-overflow"

static void *volatile NULLP;
#define NP ((void *)NULLP)
/* An address whose last bytes wrap past the end of the address space (x86_64: kernel space;
 * wasm32: past 4 GiB): Linux's access_ok refuses it before anything else. */
#define FAR ((void *)(uintptr_t)-8)

static void create(void) {
    printf("== create\n");
    SHOW(epoll_create(0));
    SHOW(epoll_create(-1));
    int e = epoll_create(1);
    OK(e);
    SHOW(fcntl(e, F_GETFD));
    close(e);
    e = epoll_create(100000);
    OK(e);
    close(e);
    SHOW(epoll_create1(-1));
    SHOW(epoll_create1(1));
    SHOW(epoll_create1(O_NONBLOCK));
    e = epoll_create1(0);
    OK(e);
    SHOW(fcntl(e, F_GETFD));
    close(e);
    e = epoll_create1(EPOLL_CLOEXEC);
    OK(e);
    SHOW(fcntl(e, F_GETFD));
    /* the lowest free number, as any descriptor */
    int e2 = epoll_create1(0);
    SHOW(e2 == e + 1);
    close(e);
    int e3 = epoll_create1(0);
    SHOW(e3 == e);
    close(e2);
    close(e3);
}

static void ctl_errors(void) {
    printf("== epoll_ctl\n");
    int ep = epoll_create1(0), ep2 = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    int file = open("epoll_errors.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
    MUST(file);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    MUST(dir);
    int closed = socket(AF_INET, SOCK_STREAM, 0);
    close(closed);
    struct epoll_event e = {EPOLLIN, {.u64 = 1}};

    /* EFAULT first: the event is copied before anything is looked at (not for DEL) */
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s, NP));
    SHOW(epoll_ctl(-1, EPOLL_CTL_ADD, -1, NP));
    SHOW(epoll_ctl(-1, 99, -1, NP));
    SHOW(epoll_ctl(ep, EPOLL_CTL_MOD, s, NP));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s, FAR));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, s, NP));
    SHOW(epoll_ctl(-1, EPOLL_CTL_DEL, s, NP));
    /* EBADF: the epoll descriptor, then the target */
    SHOW(epoll_ctl(-1, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(5000, EPOLL_CTL_ADD, -1, &e));
    SHOW(epoll_ctl(closed, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, closed, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, 5000, &e));
    SHOW(epoll_ctl(s, EPOLL_CTL_ADD, closed, &e));
    /* EPERM: files without poll, before EINVAL for a non-epoll epfd */
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, file, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &e));
    SHOW(epoll_ctl(s, EPOLL_CTL_ADD, file, &e));
    SHOW(epoll_ctl(ep, 99, file, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, file, NULL));
    /* EINVAL: not an epoll descriptor, itself, unknown op */
    SHOW(epoll_ctl(s, EPOLL_CTL_ADD, c, &e));
    SHOW(epoll_ctl(u, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(file, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(1, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, ep, NULL));
    SHOW(epoll_ctl(ep, 0, s, &e));
    SHOW(epoll_ctl(ep, 4, s, &e));
    SHOW(epoll_ctl(ep, -1, s, &e));
    /* ENOENT, EEXIST */
    SHOW(epoll_ctl(ep, EPOLL_CTL_MOD, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s, &e));
    SHOW(epoll_ctl(ep, 99, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_MOD, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, s, &e));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL));
    SHOW(epoll_ctl(ep, EPOLL_CTL_MOD, s, &e));
    /* unknown event bits are kept (and never reported) */
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLIN | 0x00100000u, 2));
    SHOW(ectl(ep, EPOLL_CTL_DEL, s, 0, 0));
    /* EPOLLEXCLUSIVE: ADD only, with IN/OUT/ERR/HUP/ET/WAKEUP, never on an epoll */
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 3));
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP, 3));
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI, 3));
    SHOW(ectl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN | EPOLLEXCLUSIVE, 3));
    SHOW(ectl(ep, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLEXCLUSIVE, 3));
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLOUT | EPOLLET | EPOLLEXCLUSIVE, 3));
    SHOW(ectl(ep, EPOLL_CTL_MOD, s, EPOLLIN, 4));
    SHOW(ectl(ep, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLEXCLUSIVE, 4));
    SHOW(ectl(ep, EPOLL_CTL_DEL, s, 0, 0));
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLEXCLUSIVE, 3));
    SHOW(ectl(ep, EPOLL_CTL_DEL, s, 0, 0));
    /* every kind of descriptor the library has, and stdio */
    SHOW(ectl(ep, EPOLL_CTL_ADD, u, EPOLLIN, 5));
    SHOW(ectl(ep, EPOLL_CTL_ADD, c, EPOLLIN, 6));
    SHOW(ectl(ep, EPOLL_CTL_ADD, 1, EPOLLOUT, 7));
    SHOW(ectl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 8));
    SHOW(ectl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 8));
    SHOW(ectl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 9));
    close(file);
    close(dir);
    unlink("epoll_errors.tmp");
    close(c);
    close(s);
    close(u);
    close(ep);
    close(ep2);
}

static void wait_errors(void) {
    printf("== epoll_wait\n");
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct epoll_event ev[4];
    /* maxevents first, then the array, then the descriptor */
    SHOW(epoll_wait(ep, ev, 0, 0));
    SHOW(epoll_wait(ep, ev, -1, 0));
    SHOW(epoll_wait(-1, ev, 0, 0));
    SHOW(epoll_wait(s, ev, 0, 0));
    SHOW(epoll_wait(s, FAR, 1, 0));
    SHOW(epoll_wait(ep, FAR, 0, 0));
    SHOW(epoll_wait(ep, ev, 0x7fffffff, 0));
    SHOW(epoll_wait(-1, FAR, 1, 0));
    SHOW(epoll_wait(-1, ev, 1, 0));
    SHOW(epoll_wait(5000, ev, 1, 0));
    SHOW(epoll_wait(s, ev, 1, 0));
    SHOW(epoll_wait(u, ev, 1, 0));
    SHOW(epoll_wait(1, ev, 1, 0));
    SHOW(epoll_wait(ep, ev, 4, 0));
    /* NULL events: nothing to copy is not a fault; an event to copy is */
    SHOW(epoll_wait(ep, NP, 1, 0));
    SHOW(ectl(ep, EPOLL_CTL_ADD, s, EPOLLOUT, 1));
    SHOW(epoll_wait(ep, NP, 1, 0));
    SHOW(epoll_wait(ep, NP, 1, 100));
    SHOW(epoll_wait(ep, FAR, 1, 0));
    SHOW(epoll_wait(ep, ev, 4, 0));
    /* epoll_pwait: the same, with a signal mask (NULL or not) */
    sigset_t set;
    memset(&set, 0, sizeof set);
    SHOW(epoll_pwait(ep, ev, 4, 0, NULL));
    SHOW(epoll_pwait(ep, ev, 4, 0, &set));
    SHOW(epoll_pwait(ep, ev, 0, 0, &set));
    SHOW(epoll_pwait(-1, ev, 1, 0, NULL));
    /* epoll_pwait2: the timespec is checked first */
    struct timespec ts = {0, 0};
    SHOW(epoll_pwait2(ep, ev, 4, &ts, NULL));
    SHOW(epoll_pwait2(ep, ev, 4, NULL, NULL));
    ts.tv_nsec = 1000000000;
    SHOW(epoll_pwait2(ep, ev, 4, &ts, NULL));
    SHOW(epoll_pwait2(-1, ev, 0, &ts, NULL));
    ts = (struct timespec){-1, 0};
    SHOW(epoll_pwait2(ep, ev, 4, &ts, NULL));
    ts = (struct timespec){0, -1};
    SHOW(epoll_pwait2(ep, ev, 4, &ts, NULL));
    SHOW(epoll_pwait2(-1, ev, 0, FAR, NULL));
    SHOW(epoll_pwait2(-1, ev, 0, (struct timespec *)NP, NULL));
    SHOW(epoll_pwait2(-1, ev, 0, NULL, NULL));
    close(c);
    close(s);
    close(u);
    close(ep);
}

static void as_descriptor(void) {
    printf("== the epoll descriptor\n");
    int ep = epoll_create1(0);
    char buf[8];
    /* no read or write: EINVAL, before the buffer */
    SHOW(read(ep, buf, sizeof buf));
    SHOW(write(ep, "x", 1));
    SHOW(read(ep, NP, 8));
    SHOW(write(ep, NP, 8));
    SHOW(read(ep, buf, 0));
    struct iovec iov = {buf, sizeof buf};
    SHOW(readv(ep, &iov, 1));
    SHOW(writev(ep, &iov, 1));
    /* socket calls: ENOTSOCK */
    addr_t a;
    socklen_t len = loopback(&a, AF_INET, 0);
    SHOW(bind(ep, &a.sa, len));
    SHOW(listen(ep, 1));
    SHOW(connect(ep, &a.sa, len));
    SHOW(accept(ep, NULL, NULL));
    SHOW(send(ep, "x", 1, 0));
    SHOW(recv(ep, buf, 1, 0));
    SHOW(shutdown(ep, SHUT_RDWR));
    SHOW(getsockname(ep, &a.sa, &len));
    int v;
    socklen_t vl = sizeof v;
    SHOW(getsockopt(ep, SOL_SOCKET, SO_ERROR, &v, &vl));
    /* fcntl: O_RDWR, O_NONBLOCK kept, FD_CLOEXEC per descriptor */
    SHOW((fcntl(ep, F_GETFL) & O_ACCMODE) == O_RDWR);
    SHOW(fcntl(ep, F_GETFL) & O_NONBLOCK);
    SHOW(fcntl(ep, F_SETFL, O_NONBLOCK));
    SHOW((fcntl(ep, F_GETFL) & O_NONBLOCK) != 0);
    struct epoll_event ev[1];
    SHOW(epoll_wait(ep, ev, 1, 50));
    SHOW(fcntl(ep, F_SETFL, 0));
    SHOW(fcntl(ep, F_GETFL) & O_NONBLOCK);
    SHOW(fcntl(ep, F_SETFD, FD_CLOEXEC));
    SHOW(fcntl(ep, F_GETFD));
    int d = dup(ep);
    OK(d);
    SHOW(fcntl(d, F_GETFD));
    SHOW(fcntl(ep, F_GETFD));
    /* ioctl: FIONBIO works on any file; FIONREAD and the rest are ENOTTY */
    int on = 1;
    SHOW(ioctl(ep, FIONBIO, &on));
    SHOW((fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
    on = 0;
    SHOW(ioctl(ep, FIONBIO, &on));
    SHOW((fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
    SHOW(ioctl(ep, FIONREAD, &v));
    SHOW(ioctl(ep, FIONREAD, NP));
    SHOW(ioctl(ep, 0x5413 /* TIOCGWINSZ */, &v));
    /* fstat: an anonymous inode, no file type, mode 0600 */
    struct stat st;
    SHOW(fstat(ep, &st));
    printf("mode %o type %s nlink %d size %lld\n", (unsigned)(st.st_mode & 07777),
           (st.st_mode & S_IFMT) == 0 ? "none" : "some", (int)st.st_nlink, (long long)st.st_size);
    /* close: the number is free, the dup goes on */
    SHOW(close(ep));
    SHOW(close(ep));
    SHOW(epoll_wait(ep, ev, 1, 0));
    SHOW(epoll_wait(d, ev, 1, 0));
    SHOW(close(d));
    SHOW(epoll_wait(d, ev, 1, 0));
}

int main(void) {
    test_setup();
    create();
    ctl_errors();
    wait_errors();
    as_descriptor();
    return 0;
}
