//! wasmtime: -S inherit-network --dir .
/* Linux ignores O_NONBLOCK on regular files: reads and writes transfer as on any file, and the
 * flag is still reported by F_GETFL. (The preview 1 component adapter reads such a file through
 * a non-blocking stream whose first answer looks like end of file.) The pattern of a static
 * file server: open the file it serves O_RDONLY | O_NONBLOCK, fstat it, read it all. */
#include "t.h"
#include <sys/stat.h>

static void read_all(int fd, const char *how) {
    char buf[4096];
    long total = 0, sum = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            printf("%s: read -> -1 %s\n", how, errname(errno));
            return;
        }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; i++) sum += (unsigned char)buf[i];
        total += n;
    }
    printf("%s: %ld bytes, sum %ld\n", how, total, sum);
}

int main(void) {
    test_setup();
    const char *path = "files_nonblock.tmp";
    int w = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK, 0644);
    MUST(w);
    SHOW((fcntl(w, F_GETFL) & O_NONBLOCK) != 0);
    char block[1000];
    for (int i = 0; i < (int)sizeof block; i++) block[i] = (char)(i % 251);
    long written = 0;
    for (int i = 0; i < 100; i++) {
        ssize_t n = write(w, block, sizeof block);
        if (n < 0) break;
        written += n;
    }
    printf("written %ld\n", written);
    struct iovec wv[2] = {{(void *)"ab", 2}, {(void *)"cd", 2}};
    SHOW(writev(w, wv, 2));
    MUST(close(w));

    int r = open(path, O_RDONLY | O_NONBLOCK);
    MUST(r);
    struct stat st;
    MUST(fstat(r, &st));
    printf("size %ld\n", (long)st.st_size);
    SHOW((fcntl(r, F_GETFL) & O_NONBLOCK) != 0);
    int n = -1;
    SHOW(ioctl(r, FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    read_all(r, "O_NONBLOCK read");
    SHOW((fcntl(r, F_GETFL) & O_NONBLOCK) != 0);
    /* readv from the start again */
    MUST(lseek(r, 0, SEEK_SET));
    char a[3] = {0}, b[3] = {0};
    struct iovec rv[2] = {{a, 2}, {b, 2}};
    SHOW(readv(r, rv, 2));
    printf("readv %d %d %d %d\n", a[0], a[1], b[0], b[1]);
    /* the tail, then end of file */
    MUST(lseek(r, -4, SEEK_END));
    char tail[8] = {0};
    SHOW(read(r, tail, sizeof tail));
    printf("tail '%s'\n", tail);
    SHOW(read(r, tail, sizeof tail));
    char p[4] = {0};
    SHOW(pread(r, p, 3, 1));
    printf("pread %d %d %d\n", p[0], p[1], p[2]);
    /* the flag can be cleared and set again; reads work either way */
    MUST(fcntl(r, F_SETFL, 0));
    MUST(lseek(r, 0, SEEK_SET));
    read_all(r, "blocking read");
    MUST(fcntl(r, F_SETFL, O_NONBLOCK));
    MUST(lseek(r, 0, SEEK_SET));
    read_all(r, "O_NONBLOCK again");
    /* through stdio */
    MUST(lseek(r, 0, SEEK_SET));
    FILE *f = fdopen(r, "r");
    long cnt = 0;
    while (fgetc(f) != EOF) cnt++;
    printf("fgetc: %ld bytes\n", cnt);
    fclose(f);
    unlink(path);
    return 0;
}
