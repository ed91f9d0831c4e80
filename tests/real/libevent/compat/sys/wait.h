/*
 * For building libevent's regression suite (test/) for wasm32-wasip1 only: wasi-libc has no
 * <sys/wait.h> (WASI has no processes) and the suite's sources include it on every non-Windows
 * system. The macros have Linux's meaning; wait() and waitpid() are in wsp_libevent_compat.c and fail with
 * ECHILD, fork() fails with ENOSYS. The suite's tests that fork are skipped (skip list).
 */
#ifndef WSP_COMPAT_SYS_WAIT_H
#define WSP_COMPAT_SYS_WAIT_H
#include <sys/types.h>

#define WNOHANG 1
#define WUNTRACED 2
#define WNOWAIT 0x1000000

#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (!WTERMSIG(s))
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)

pid_t wait(int *);
pid_t waitpid(pid_t, int *, int);
pid_t fork(void);

#endif
