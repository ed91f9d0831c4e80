/* pipe and pipe2, made inside the program (no network access below): errors, flags, fstat
 * (S_IFIFO), fcntl, the ends' directions (EBADF), socket calls (ENOTSOCK), Linux's 64 KiB of
 * pages (a write of at most a page fits whole or not at all, a partly read page still holds
 * its slot), end of file, EPIPE, poll and select (POLLHUP, POLLERR), FIONREAD, readv/writev,
 * stdio on a pipe, and a poll that waits its timeout on an empty pipe. */
//! wasmtime:
#include "t.h"
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

static void pl(const char *what, int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP | POLLWRBAND, 0};
    int n = poll(&p, 1, 0);
    printf("poll %s: %d %s%s%s\n", what, n, ev(p.revents), p.revents & POLLRDHUP ? "RDHUP " : "",
           p.revents & POLLWRBAND ? "WRBAND " : "");
}

static int *beyond(void) {
    volatile uintptr_t p = 0xfffffff0u;
    return (int *)p;
}

/* Non-blocking writes of `size` bytes until EAGAIN: "writes, bytes". */
static void fill(int fd, size_t size) {
    static char big[100000];
    long total = 0, writes = 0;
    for (;;) {
        ssize_t n = write(fd, big, size);
        if (n < 0) break;
        total += n;
        writes++;
    }
    printf("%zu-byte writes until %s: %ld writes, %ld bytes\n", size, errname(errno), writes, total);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    test_setup();
    int p[2], n;
    char buf[100];
    struct stat st;

    printf("-- errors and flags\n");
    SHOW(pipe(NULL));
    SHOW(pipe(beyond()));
    SHOW(pipe2(NULL, 0x12345678));
    SHOW(pipe2(p, 0x12345678));
    SHOW(pipe2(p, -1));
    MUST(pipe(p));
    printf("lowest free numbers, read end first: %d\n", p[1] == p[0] + 1);
    SHOW(fstat(p[0], &st));
    printf("fstat: S_ISFIFO %d, mode %o, nlink %d, size %d\n", S_ISFIFO(st.st_mode),
           (unsigned)(st.st_mode & 0777), (int)st.st_nlink, (int)st.st_size);
    SHOW(fstat(p[1], &st) == 0 && S_ISFIFO(st.st_mode));
    SHOW(fcntl(p[0], F_GETFL) == O_RDONLY);
    SHOW(fcntl(p[1], F_GETFL) == O_WRONLY);
    SHOW(fcntl(p[0], F_GETFD));
    SHOW(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    SHOW(fcntl(p[0], F_GETFD));
    SHOW(fcntl(p[0], 12345));
    close(p[0]);
    close(p[1]);
    MUST(pipe2(p, O_NONBLOCK));
    SHOW(fcntl(p[0], F_GETFL) == (O_RDONLY | O_NONBLOCK));
    SHOW(fcntl(p[1], F_GETFL) == (O_WRONLY | O_NONBLOCK));
    SHOW(read(p[0], buf, 1));
    SHOW(fcntl(p[0], F_SETFL, 0));
    SHOW(fcntl(p[0], F_GETFL) == O_RDONLY);
    close(p[0]);
    close(p[1]);
    MUST(pipe2(p, O_CLOEXEC));
    SHOW(fcntl(p[0], F_GETFD));
    SHOW(fcntl(p[1], F_GETFD));
    close(p[0]);
    close(p[1]);

    printf("-- directions, and not a socket\n");
    MUST(pipe(p));
    SHOW(read(p[1], buf, 1));
    SHOW(read(p[1], buf, 0));
    SHOW(write(p[0], "x", 1));
    SHOW(write(p[0], "x", 0));
    struct iovec iv[2] = {{buf, 3}, {buf + 10, 4}};
    SHOW(readv(p[1], iv, 2));
    SHOW(writev(p[0], iv, 2));
    SHOW(send(p[1], "x", 1, 0));
    SHOW(recv(p[0], buf, 1, 0));
    SHOW(shutdown(p[0], SHUT_RD));
    SHOW(listen(p[0], 1));
    socklen_t l = sizeof n;
    SHOW(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &n, &l));
    SHOW(setsockopt(p[1], SOL_SOCKET, SO_SNDBUF, &n, sizeof n));
    addr_t a;
    l = sizeof a;
    SHOW(getsockname(p[0], &a.sa, &l));
    SHOW(accept(p[0], NULL, NULL));

    printf("-- data\n");
    pl("empty, read end", p[0]);
    pl("empty, write end", p[1]);
    SHOW(write(p[1], "hello", 5));
    SHOW(write(p[1], "", 0));
    SHOW(ioctl(p[0], FIONREAD, &n));
    printf("FIONREAD read end %d\n", n);
    SHOW(ioctl(p[1], FIONREAD, &n));
    printf("FIONREAD write end %d\n", n);
    SHOW(ioctl(p[0], 0x7fff, &n));
    pl("data, read end", p[0]);
    SHOW(read(p[0], buf, 0));
    memset(buf, 0, sizeof buf);
    SHOW(read(p[0], buf, 2));
    printf("\"%s\"\n", buf);
    struct iovec w[3] = {{"ab", 2}, {"", 0}, {"cd", 2}};
    SHOW(writev(p[1], w, 3));
    memset(buf, 0, sizeof buf);
    iv[0].iov_len = 2;
    SHOW(readv(p[0], iv, 2));
    printf("\"%s\" \"%s\"\n", buf, buf + 10);
    SHOW(write(p[1], "tail", 4));
    SHOW(close(p[1]));
    pl("writer gone, data left", p[0]);
    SHOW(read(p[0], buf, sizeof buf));
    pl("writer gone, empty", p[0]);
    SHOW(read(p[0], buf, sizeof buf));
    SHOW(read(p[0], buf, sizeof buf));
    SHOW(close(p[0]));
    SHOW(close(p[0]));
    MUST(pipe(p));
    SHOW(close(p[0]));
    pl("reader gone, write end", p[1]);
    SHOW(write(p[1], "x", 1));
    SHOW(write(p[1], "x", 0));
    struct iovec one = {"x", 1};
    SHOW(writev(p[1], &one, 1));
    close(p[1]);

    printf("-- capacity\n");
    size_t sizes[] = {1, 4096, 5000, 65536, 70000};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        MUST(pipe2(p, O_NONBLOCK));
        fill(p[1], sizes[i]);
        close(p[0]);
        close(p[1]);
    }
    MUST(pipe2(p, O_NONBLOCK));
    fill(p[1], 4096);
    pl("full, write end", p[1]);
    SHOW(read(p[0], buf, 100));
    pl("a page partly read, write end", p[1]);
    SHOW(write(p[1], "x", 1));
    static char big[70000];
    SHOW(read(p[0], big, 4096 - 100));
    pl("a page read to its end, write end", p[1]);
    SHOW(write(p[1], big, 5000));
    SHOW(write(p[1], big, 4096));
    SHOW(write(p[1], big, 1));
    SHOW(read(p[0], big, sizeof big));
    SHOW(read(p[0], big, sizeof big));
    SHOW(write(p[1], big, 3000));
    SHOW(write(p[1], big, 1096));
    SHOW(write(p[1], big, 1));
    SHOW(ioctl(p[0], FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    SHOW(fcntl(p[1], F_SETFL, 0));
    SHOW(write(p[1], big, 50000));
    SHOW(read(p[0], big, sizeof big));
    close(p[0]);
    close(p[1]);

    printf("-- select and a poll that waits\n");
    MUST(pipe(p));
    fd_set r, wr;
    FD_ZERO(&r);
    FD_ZERO(&wr);
    FD_SET(p[0], &r);
    FD_SET(p[1], &wr);
    struct timeval tv = {0, 0};
    SHOW(select(p[1] + 1, &r, &wr, NULL, &tv));
    printf("readable %d, writable %d\n", FD_ISSET(p[0], &r), FD_ISSET(p[1], &wr));
    struct pollfd pf = {p[0], POLLIN, 0};
    double t0 = now();
    SHOW(poll(&pf, 1, 200));
    double dt = now() - t0;
    printf("poll on an empty pipe waited its timeout: %d\n", dt > 0.15 && dt < 2);
    SHOW(write(p[1], "!", 1));
    t0 = now();
    SHOW(poll(&pf, 1, 5000));
    printf("poll on a written pipe returned at once: %d, %s\n", now() - t0 < 0.1, ev(pf.revents));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 5;
    SHOW(select(p[0] + 1, &r, NULL, NULL, &tv));
    printf("readable %d\n", FD_ISSET(p[0], &r));
    SHOW(read(p[0], buf, 1));
    close(p[1]);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    SHOW(select(p[0] + 1, &r, NULL, NULL, &tv));
    printf("writer gone: readable %d\n", FD_ISSET(p[0], &r));
    close(p[0]);

    printf("-- dup, and a pipe as stdout\n");
    MUST(pipe(p));
    int d = dup(p[1]);
    printf("dup: the lowest free number %d\n", d == p[1] + 1);
    SHOW(fcntl(d, F_GETFL) == O_WRONLY);
    SHOW(close(p[1]));
    pl("a copy of the writer left, read end", p[0]);
    SHOW(write(d, "via dup", 7));
    memset(buf, 0, sizeof buf);
    SHOW(read(p[0], buf, sizeof buf));
    printf("\"%s\"\n", buf);
    int saved = dup(1);
    fflush(stdout);
    MUST(dup2(d, 1));
    printf("through the pipe\n");
    fflush(stdout);
    MUST(dup2(saved, 1));
    close(saved);
    memset(buf, 0, sizeof buf);
    SHOW(read(p[0], buf, sizeof buf));
    printf("stdout went into the pipe: %s", buf);
    SHOW(dup2(p[0], d) == d);
    SHOW(fcntl(d, F_GETFL) == O_RDONLY);
    pl("the last writer closed by dup2", p[0]);
    SHOW(read(d, buf, sizeof buf));
    SHOW(sendfile(1, p[0], NULL, 3));
    off_t off = 0;
    SHOW(sendfile(1, p[0], &off, 3));
    close(d);
    close(p[0]);

    printf("-- stdio\n");
    MUST(pipe(p));
    FILE *wf = fdopen(p[1], "w");
    FILE *rf = fdopen(p[0], "r");
    printf("fdopen: %d %d\n", wf != NULL, rf != NULL);
    fprintf(wf, "line one\nline %d\n", 2);
    fclose(wf);
    while (fgets(buf, sizeof buf, rf)) printf("fgets: %s", buf);
    printf("feof %d\n", feof(rf));
    fclose(rf);
    printf("done\n");
    return 0;
}
