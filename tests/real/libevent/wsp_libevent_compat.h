/*
 * For building libevent's regression suite (test/) for wasm32-wasip1 only, given to the compiler
 * with `-include` by tests/real/build.sh. libevent's tests call process, signal and timer functions
 * that WASI does not have and wasi-libc does not declare; libevent's library itself needs none of
 * them. wsp_libevent_compat.c implements them as WASI allows (see there); the tests that depend
 * on what cannot work are in the skip list (tests/real/libevent-skip.txt).
 */
#ifndef WSP_LIBEVENT_COMPAT_H
#define WSP_LIBEVENT_COMPAT_H
#include <sys/types.h>
#include <sys/time.h>
#include <sys/wait.h> /* compat/sys/wait.h: test/regress_util.c includes it only when configure saw it */

#ifndef ITIMER_REAL
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
struct itimerval {
    struct timeval it_interval;
    struct timeval it_value;
};
#endif

pid_t fork(void);
int kill(pid_t, int);
unsigned alarm(unsigned);
int getitimer(int, struct itimerval *);
int setitimer(int, const struct itimerval *__restrict, struct itimerval *__restrict);
int mkstemp(char *);
/* dup and dup2 are the library's (issue 15); declared here until include/unistd.h does. */
int dup(int);
int dup2(int, int);

#endif
