/*
 * For building libevent's regression suite for wasm32-wasip1 only (tests/real/build.sh links it
 * into the test programs, never into anything else). Declared in wsp_libevent_compat.h.
 *
 * Processes: WASI has none. fork() fails with ENOSYS, wait()/waitpid() with ECHILD; tinytest is
 * built with NO_FORKING (its switch) and the tests that fork are in the skip list.
 * Signals: wasi-libc's signal emulation runs a handler only through raise(); kill() of the
 * program's own pid is raise() (Linux delivers such a signal before kill returns), anything else
 * is ESRCH. alarm() and setitimer() have no timer to arm (WASI delivers no signals): alarm returns
 * 0 and arms nothing (tinytest's per-test timeout is then off), setitimer fails with ENOSYS.
 * mkstemp(): wasi-libc lacks it; open(O_CREAT|O_EXCL) in a preopened directory does it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "wsp_libevent_compat.h"

pid_t fork(void)
{
    errno = ENOSYS;
    return -1;
}

pid_t wait(int *status)
{
    (void)status;
    errno = ECHILD;
    return -1;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    (void)pid;
    (void)status;
    (void)options;
    errno = ECHILD;
    return -1;
}

int kill(pid_t pid, int sig)
{
    if (pid != getpid()) {
        errno = ESRCH;
        return -1;
    }
    return sig == 0 ? 0 : raise(sig);
}

unsigned alarm(unsigned seconds)
{
    (void)seconds;
    return 0;
}

int getitimer(int which, struct itimerval *v)
{
    (void)which;
    (void)v;
    errno = ENOSYS;
    return -1;
}

int setitimer(int which, const struct itimerval *__restrict v, struct itimerval *__restrict old)
{
    (void)which;
    (void)v;
    (void)old;
    errno = ENOSYS;
    return -1;
}

int mkstemp(char *template)
{
    size_t n = strlen(template);
    if (n < 6 || strcmp(template + n - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return -1;
    }
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (getentropy(r, sizeof r) != 0) {
            return -1;
        }
        for (int i = 0; i < 6; i++) {
            template[n - 6 + i] = chars[r[i] % (sizeof chars - 1)];
        }
        int fd = open(template, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0 || errno != EEXIST) {
            return fd;
        }
    }
    errno = EEXIST;
    return -1;
}
