//! wasmtime: -S inherit-network --dir .
/* Files and sockets share one descriptor number space: numbers are the lowest free across both
 * kinds, a file opened before or after sockets keeps working (read, write, lseek, close), and
 * libc's stdio works over a socket through fdopen (printf -> writev, fgets -> read). Descriptor
 * numbers are printed relative to the first file's, since the wasm run has a preopened
 * directory at fd 3. */
#include "t.h"

static int base;
#define REL(fd) ((fd) < 0 ? (fd) : (fd) - base)

static void file_round_trip(int fd, const char *what) {
    char buf[32] = {0};
    SHOW(lseek(fd, 0, SEEK_SET));
    SHOW(write(fd, what, strlen(what)));
    SHOW(lseek(fd, 0, SEEK_SET));
    SHOW(read(fd, buf, sizeof buf - 1));
    printf("file says '%s'\n", buf);
    struct iovec v[2] = {{(void *)"ab", 2}, {(void *)"cd", 2}};
    SHOW(lseek(fd, 0, SEEK_SET));
    SHOW(writev(fd, v, 2));
    char x[2], y[3] = {0};
    struct iovec r[2] = {{x, 2}, {y, 2}};
    SHOW(lseek(fd, 0, SEEK_SET));
    SHOW(readv(fd, r, 2));
    printf("readv '%c%c' '%s'\n", x[0], x[1], y);
    SHOW(fcntl(fd, F_GETFL) & O_NONBLOCK ? 1 : 0);
    SHOW((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    SHOW(fcntl(fd, F_GETFD));
    SHOW(fcntl(fd, 12345));
    int n = -1;
    SHOW(lseek(fd, 1, SEEK_SET));
    SHOW(ioctl(fd, FIONREAD, &n));
    printf("FIONREAD on file: %d\n", n);
    SHOW(ioctl(fd, 0x7fff1234, &n));
}

int main(void) {
    test_setup();
    int f1 = open("fds_files_1.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(f1);
    base = f1;
    file_round_trip(f1, "first file");

    int s1 = socket(AF_INET, SOCK_STREAM, 0);
    int s2 = socket(AF_INET6, SOCK_STREAM, 0);
    printf("sockets at +%d +%d\n", REL(s1), REL(s2));
    int f2 = open("fds_files_2.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(f2);
    printf("second file at +%d\n", REL(f2));
    file_round_trip(f2, "second file");
    file_round_trip(f1, "first again");

    /* close a socket in the middle: the next open() takes its number */
    SHOW(close(s1));
    int f3 = open("fds_files_3.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("third file at +%d\n", REL(f3));
    file_round_trip(f3, "third");
    /* close a file in the middle: the next socket takes its number */
    SHOW(close(f2));
    int s3 = socket(AF_INET, SOCK_STREAM, 0);
    printf("third socket at +%d\n", REL(s3));
    /* the socket calls see the kinds right */
    SHOW(listen(f3, 1));
    SHOW(listen(s3, 1));
    char b;
    SHOW(recv(f1, &b, 1, MSG_DONTWAIT));
    SHOW(read(s2, &b, 1));
    SHOW(lseek(s3, 0, SEEK_SET));
    SHOW(close(f1));
    SHOW(close(f3));
    SHOW(close(s2));
    SHOW(close(s3));
    SHOW(close(f3));
    /* everything closed: numbers start again at the bottom */
    int again = socket(AF_INET, SOCK_STREAM, 0);
    printf("after closing all, a socket gets +%d\n", REL(again));
    int again_f = open("fds_files_1.tmp", O_RDONLY);
    printf("and a file +%d\n", REL(again_f));
    char buf[32] = {0};
    SHOW(read(again_f, buf, 4));
    printf("file still has '%s'\n", buf);
    SHOW(close(again_f));
    SHOW(close(again));

    /* stdio over a connected socket */
    addr_t la;
    socklen_t llen;
    int l = listener(AF_INET, &la, &llen);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    MUST(s);
    FILE *out = fdopen(c, "w");
    FILE *in = fdopen(s, "r");
    printf("fdopen: %s %s\n", out ? "ok" : "fail", in ? "ok" : "fail");
    fprintf(out, "line %d\nline %s\n", 1, "two");
    fflush(out);
    char line[64];
    while (fgets(line, sizeof line, in)) {
        printf("fgets: %s", line);
        if (strncmp(line, "line two", 8) == 0) break;
    }
    SHOW(fclose(out));
    printf("fgets at EOF: %s\n", fgets(line, sizeof line, in) ? "data" : "NULL");
    SHOW(fclose(in));
    SHOW(close(l));
    /* freopen (libc's internal dup2) still links and works beside the library */
    FILE *fr = freopen("fds_files_2.tmp", "r", fopen("fds_files_3.tmp", "r"));
    printf("freopen: %s\n", fr ? "ok" : errname(errno));
    if (fr) {
        memset(line, 0, sizeof line);
        printf("freopen read: %s\n", fgets(line, sizeof line, fr) ? line : "NULL");
        fclose(fr);
    }
    unlink("fds_files_1.tmp");
    unlink("fds_files_2.tmp");
    unlink("fds_files_3.tmp");
    return 0;
}
