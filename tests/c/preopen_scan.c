//! mode: wasm-only
//! wasmtime: -S inherit-network --dir pre_a::/a --dir pre_b::/b
//! expect: first socket comes after the preopens -> yes
//! expect: closed preopen /a before any path lookup, a socket takes its number -> yes
//! expect: open /b/y -> ok
//! expect: open /a/x -> EBADF
/* wasi-libc finds preopened directories lazily, on the first path lookup, by probing fds 3, 4, ...
 * until one answers EBADF. Here the preopen at fd 3 is closed before any lookup and a socket
 * takes fd 3; sockets answer EBADF to preview 1 calls, so a scan run now would stop at fd 3 and
 * never see /b at fd 4. The library's close() scans before closing (as wasi-libc's own close
 * does), so open("/b/...") still works. (A closed preopen stays in wasi-libc's table: opening
 * under /a is EBADF, as in plain wasi-libc.) */
#include "t.h"

int main(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("first socket comes after the preopens -> %s\n", s == 5 ? "yes" : "no");
    close(3);
    int s2 = socket(AF_INET, SOCK_STREAM, 0);
    printf("closed preopen /a before any path lookup, a socket takes its number -> %s\n",
           s2 == 3 ? "yes" : "no");
    int b = open("/b/y", O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("open /b/y -> %s\n", b >= 0 ? "ok" : errname(errno));
    int a = open("/a/x", O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("open /a/x -> %s\n", a >= 0 ? "ok" : errname(errno));
    close(b);
    unlink("/b/y");
    return 0;
}
