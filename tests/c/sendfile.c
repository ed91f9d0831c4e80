//! wasmtime: -S inherit-network --dir .
/* sendfile(2) as Linux: from an offset (advanced, the file position untouched) or from the file
 * position (which moves), short at end of file, 0 past it; the errors in Linux's order (the
 * input's, the offset's, the output's; a socket as input is ESPIPE with an offset and EINVAL
 * without); to a socket and to a file; 200 KiB in one call, checked on the other end. */
#include "t.h"
#include <sys/sendfile.h>

static int pair(int *s) {
    addr_t a;
    socklen_t len;
    int l = listener(AF_INET, &a, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    *s = accept(l, NULL, NULL);
    MUST(*s);
    close(l);
    return c;
}

static void take(int s, long n) {
    static char buf[65536];
    long got = 0, sum = 0;
    struct pollfd p = {s, POLLIN, 0};
    while (got < n && poll(&p, 1, 2000) == 1) {
        ssize_t r = recv(s, buf, sizeof buf, 0);
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) sum += (unsigned char)buf[i];
        got += r;
    }
    printf("peer got %ld bytes, sum %ld\n", got, sum);
}

int main(void) {
    test_setup();
    int s, c = pair(&s);
    int f = open("sendfile.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(f);
    MUST(write(f, "0123456789", 10));
    MUST(lseek(f, 2, SEEK_SET));
    off_t off = 5;
    SHOW(sendfile(c, f, &off, 3));
    printf("offset %ld, file position %ld\n", (long)off, (long)lseek(f, 0, SEEK_CUR));
    SHOW(sendfile(c, f, NULL, 4));
    printf("file position %ld\n", (long)lseek(f, 0, SEEK_CUR));
    off = 8;
    SHOW(sendfile(c, f, &off, 100));
    printf("offset %ld\n", (long)off);
    off = 20;
    SHOW(sendfile(c, f, &off, 10));
    SHOW(sendfile(c, f, NULL, 0));
    char buf[64] = {0};
    struct pollfd p = {s, POLLIN, 0};
    int got = 0;
    while (got < 9 && poll(&p, 1, 2000) == 1) got += (int)recv(s, buf + got, sizeof buf - 1 - got, 0);
    printf("peer got '%s'\n", buf);

    printf("== errors\n");
    off = -1;
    SHOW(sendfile(c, f, &off, 10));
    SHOW(sendfile(c, s, NULL, 10));
    off = 0;
    SHOW(sendfile(c, s, &off, 10));
    SHOW(sendfile(-1, f, NULL, 10));
    SHOW(sendfile(c, -1, NULL, 10));
    SHOW(sendfile(-1, -1, NULL, 10));
    int w = open("sendfile.tmp", O_WRONLY);
    SHOW(sendfile(c, w, NULL, 10));
    int r = open("sendfile.tmp", O_RDONLY);
    SHOW(sendfile(r, f, NULL, 1));
    close(w);
    close(r);

    printf("== to a file\n");
    int g = open("sendfile2.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    off = 0;
    SHOW(sendfile(g, f, &off, 10));
    MUST(lseek(g, 0, SEEK_SET));
    memset(buf, 0, sizeof buf);
    SHOW(read(g, buf, sizeof buf - 1));
    printf("copy '%s'\n", buf);
    close(g);

    printf("== 200 KiB\n");
    int big = open("sendfile3.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
    static char block[1024];
    for (int i = 0; i < 200; i++) {
        for (int j = 0; j < 1024; j++) block[j] = (char)((i * 7 + j) % 251);
        MUST(write(big, block, sizeof block));
    }
    off = 0;
    SHOW(sendfile(c, big, &off, 200 * 1024));
    printf("offset %ld\n", (long)off);
    take(s, 200 * 1024);
    close(big);
    close(f);
    close(c);
    close(s);
    unlink("sendfile.tmp");
    unlink("sendfile2.tmp");
    unlink("sendfile3.tmp");
    return 0;
}
