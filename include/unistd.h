/*
 * wasi-posix-sockets: completes wasi-libc's <unistd.h> for wasm32-wasip1.
 *
 * wasi-libc's wasm32-wasip1 headers hide dup, dup2 and dup3 (preview 1 has no dup) and pipe and
 * pipe2 ("WASI has no pipe"). The library implements them (dup for every descriptor: sockets,
 * pipes, files, stdio; pipe inside the program), so they are declared here, after the sysroot's
 * own header. Nothing the sysroot defines is redefined.
 */
#ifndef WASI_POSIX_SOCKETS_UNISTD_H
#define WASI_POSIX_SOCKETS_UNISTD_H

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

int dup(int);
int dup2(int, int);
int dup3(int, int, int);
int pipe(int[2]);
int pipe2(int[2], int);

#ifdef __cplusplus
}
#endif

#endif
