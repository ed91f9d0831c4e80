/*
 * Descriptors the library keeps in the guest (features, off by default: see diff.c's
 * header): dup and dup2 (-DDIFF_DUP), socket pairs and pipes (-DDIFF_CHANNELS).
 */
#include "diff.h"

#ifdef DIFF_CHANNELS
#include <sys/un.h>
#endif

#ifdef DIFF_DUP
void op_dup(void) {
    int s = pick_slot(), t = rnd(NSLOT), use2 = chance(50);
    if (t == s) t = (t + 1) % NSLOT;
    int fk, fd = pick_fd(s, &fk, 0);
    P("%s", use2 ? "dup2" : "dup");
    show_fd(s, fk);
    P(" into s%d", t);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    errno = 0;
    int nfd;
    if (use2 && slot_fd[t] >= 0) {
        /* dup2 onto t's descriptor closes what t held (silently, as dup2 does) */
        int old = slot_obj[t];
        int target = slot_fd[t];
        nfd = dup2(fd, target);
        int e = errno;
        if (nfd >= 0 && target != fd) {
            slot_fd[t] = -1;
            if (--O[old].refs == 0) obj_closed(old);
        }
        res(nfd < 0 ? -1 : 0, e);
        if (nfd >= 0 && o >= 0 && target != fd) put_slot(t, nfd, o);
        return;
    }
    free_slot(t);
    int want = lowest_free();
    nfd = use2 ? dup2(fd, want) : dup(fd);
    if (!res_fd(nfd, errno, want)) return;
    if (o >= 0) put_slot(t, nfd, o);
    else close(nfd);
}
#endif

#ifdef DIFF_CHANNELS
void op_channel(void) {
    int s = rnd(NSLOT), t = rnd(NSLOT), v = rnd(100);
    if (t == s) t = (t + 1) % NSLOT;
    int sv[2];
    int pipe_ = v < 35, dgram = !pipe_ && v < 55, nb = chance(30);
    P("%s s%d s%d%s", pipe_ ? "pipe" : dgram ? "socketpair DGRAM" : "socketpair STREAM", s, t, nb ? " NONBLOCK" : "");
    free_slot(s);
    free_slot(t);
    errno = 0;
    int r = pipe_ ? pipe(sv) : socketpair(AF_UNIX, (dgram ? SOCK_DGRAM : SOCK_STREAM) | (nb ? SOCK_NONBLOCK : 0), 0, sv);
    int e = errno;
    res(r, e);
    if (r < 0) return;
    if (pipe_ && nb) {
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        fcntl(sv[1], F_SETFL, O_NONBLOCK);
    }
    int a = new_obj(pipe_ ? K_PIPER : dgram ? K_UDGRAM : K_USTREAM, AF_UNIX);
    int b = new_obj(pipe_ ? K_PIPEW : dgram ? K_UDGRAM : K_USTREAM, AF_UNIX);
    O[a].nonblock = O[b].nonblock = nb;
    put_slot(s, sv[0], a);
    put_slot(t, sv[1], b);
    if (dgram) {
        O[a].peer = b, O[b].peer = a;
        return;
    }
    int c = new_conn();
    /* pipe: the writer (sv[1]) is end 0, the reader end 1 */
    C[c].end[0] = pipe_ ? b : a;
    C[c].end[1] = pipe_ ? a : b;
    O[C[c].end[0]].conn = O[C[c].end[1]].conn = c;
    O[C[c].end[0]].side = 0;
    O[C[c].end[1]].side = 1;
}
#endif
