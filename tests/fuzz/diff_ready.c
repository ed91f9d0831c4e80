/*
 * Readiness operations: poll, select and (-DDIFF_EPOLL) epoll_create1, epoll_ctl,
 * epoll_wait.
 */
#include "diff.h"

#ifdef DIFF_EPOLL
#include <sys/epoll.h>
#endif

/* poll and select over a few slots */
typedef struct { int s, fd, kind, events; } pent_t;
static int pick_entries(pent_t *pe, int maxn) {
    int n = 1 + rnd(maxn);
    static const int evs[] = {POLLIN, POLLOUT, POLLIN | POLLOUT, 0};
    for (int i = 0; i < n; i++) {
        int s = pick_slot(), r = rnd(100);
        pe[i].s = s;
        pe[i].events = evs[rnd(chance(90) ? 3 : 4)];
        if (r < 4) pe[i].fd = -1, pe[i].kind = FD_NEG;
        else if (slot_fd[s] < 0 || r < 10) pe[i].fd = lowest_free(), pe[i].kind = FD_BAD; /* (select ignores numbers past the kernel's table: a low one) */
        else pe[i].fd = slot_fd[s], pe[i].kind = FD_OWN;
    }
    return n;
}
static const char *evn(int e) {
    static char ring[8][32];
    static int next;
    char *b = ring[next++ % 8];
    b[0] = 0;
    if (e & POLLIN) strcat(b, "IN|");
    if (e & POLLOUT) strcat(b, "OUT|");
    if (!b[0]) strcpy(b, "0|");
    b[strlen(b) - 1] = 0;
    return b;
}
/* An entry: its slot ("s3") or what else it is ("badfd", "fd-1"), then its events. */
static void show_entry(const pent_t *pe) {
    if (pe->kind == FD_OWN) P(" s%d", pe->s);
    else show_fd(pe->s, pe->kind);
    P(":%s", evn(pe->events));
}
/* (An opaque socket's readiness is not compared.) */
static int entry_opq(const pent_t *pe) { return pe->kind == FD_OWN && obj_opq(slot_obj[pe->s]); }

void op_poll(void) {
    pent_t pe[6];
    int n = pick_entries(pe, 4);
    int tmo = chance(10) ? 5 : 0;
    struct pollfd p[6];
    int masked = 0;
    P("poll");
    for (int i = 0; i < n; i++) {
        p[i].fd = pe[i].fd;
        p[i].events = (short)pe[i].events;
        p[i].revents = 0x5a5a;
        show_entry(&pe[i]);
        masked |= entry_opq(&pe[i]);
    }
    P(" timeout=%d", tmo);
    errno = 0;
    long r = poll(p, (nfds_t)n, tmo);
    int e = errno;
    cur_opq = masked && r >= 0; /* (the call's own failure is compared) */
    res(r, e);
    if (r < 0) return;
    P(" [");
    for (int i = 0; i < n; i++) {
        P("%s%s", i ? ", " : "", entry_opq(&pe[i]) ? "~" : ev(p[i].revents));
    }
    P("]");
}

void op_select(void) {
    pent_t pe[6];
    int n = pick_entries(pe, 4);
    fd_set rs_, ws_, es_;
    FD_ZERO(&rs_);
    FD_ZERO(&ws_);
    FD_ZERO(&es_);
    int nfds = 0, masked = 0, use_es = chance(20);
    P("select");
    for (int i = 0; i < n; i++) {
        if (pe[i].fd < 0) continue;
        if (pe[i].events & POLLIN) FD_SET(pe[i].fd, &rs_);
        if (pe[i].events & POLLOUT) FD_SET(pe[i].fd, &ws_);
        if (use_es) FD_SET(pe[i].fd, &es_);
        if (pe[i].fd + 1 > nfds) nfds = pe[i].fd + 1;
        show_entry(&pe[i]);
        if (use_es) P("|EX");
        masked |= entry_opq(&pe[i]);
    }
    int tmo = chance(10) ? 5000 : 0;
    struct timeval tv = {0, tmo};
    P(" timeout=%dus", tmo);
    errno = 0;
    long r = select(nfds, &rs_, &ws_, &es_, &tv);
    int e = errno;
    cur_opq = masked && r >= 0; /* (the call's own failure is compared) */
    res(r, e);
    if (r < 0) return;
    P(" [");
    for (int i = 0; i < n; i++) {
        if (pe[i].fd < 0) continue;
        if (entry_opq(&pe[i])) {
            P(" ~");
            continue;
        }
        P(" %s%s%s", FD_ISSET(pe[i].fd, &rs_) ? "R" : "", FD_ISSET(pe[i].fd, &ws_) ? "W" : "",
          FD_ISSET(pe[i].fd, &es_) ? "E" : "");
        if (!FD_ISSET(pe[i].fd, &rs_) && !FD_ISSET(pe[i].fd, &ws_) && !FD_ISSET(pe[i].fd, &es_)) P("-");
    }
    P(" ]");
}

#ifdef DIFF_EPOLL
static const char *epn(unsigned e) {
    static char ring[8][48];
    static int next;
    char *b = ring[next++ % 8];
    b[0] = 0;
    if (e & EPOLLIN) strcat(b, "IN ");
    if (e & EPOLLOUT) strcat(b, "OUT ");
    if (e & EPOLLERR) strcat(b, "ERR ");
    if (e & EPOLLHUP) strcat(b, "HUP ");
    if (e & EPOLLRDHUP) strcat(b, "RDHUP ");
    if (!b[0]) strcpy(b, "-");
    else b[strlen(b) - 1] = 0;
    return b;
}
void op_epoll(void) {
    int s = rnd(NSLOT), t = rnd(NSLOT), v = rnd(100);
    if (v < 12) {
        int cl = chance(30);
        P("epoll_create1 s%d%s", s, cl ? " CLOEXEC" : "");
        free_slot(s);
        errno = 0;
        int fd = epoll_create1(cl ? EPOLL_CLOEXEC : 0);
        int e = errno;
        if (fd < 0) {
            res(fd, e);
            return;
        }
        P(" -> ok");
        put_slot(s, fd, new_obj(K_EPOLL, 0));
        return;
    }
    /* the epoll instance: slot s if it is one, else the first one there is */
    int es = -1;
    for (int k = 0; k < NSLOT; k++) {
        int q = (s + k) % NSLOT;
        if (slot_fd[q] >= 0 && O[slot_obj[q]].kind == K_EPOLL) {
            es = q;
            break;
        }
    }
    int epfd = es >= 0 ? slot_fd[es] : BADFD;
    if (v < 60) {
        static const int ops[] = {EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
        int cop = ops[rnd(4)];
        static const unsigned evs[] = {EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT, EPOLLIN | EPOLLRDHUP, 0};
        unsigned events = evs[rnd(5)];
        int fk, fd = pick_fd(t, &fk, 1);
        int o = fk == FD_OWN ? slot_obj[t] : -1;
        P("epoll_ctl %s %s", es >= 0 ? "" : "badfd", cop == EPOLL_CTL_ADD ? "ADD" : cop == EPOLL_CTL_MOD ? "MOD" : "DEL");
        if (es >= 0) P("(s%d)", es);
        show_fd(t, fk);
        P(" %s", epn(events));
        struct epoll_event ev_;
        memset(&ev_, 0, sizeof ev_);
        ev_.events = events;
        ev_.data.u32 = (uint32_t)(o >= 0 ? o : 0xffff);
        errno = 0;
        long r = epoll_ctl(epfd, cop, fd, &ev_);
        res(r, errno);
        if (r != 0 || es < 0 || o < 0) return;
        obj_t *b = &O[slot_obj[es]];
        int at = -1;
        for (int i = 0; i < b->ep_n; i++)
            if (b->ep_obj[i] == o) at = i;
        if (cop == EPOLL_CTL_ADD && at < 0 && b->ep_n < NSLOT * 2) b->ep_obj[b->ep_n] = o, b->ep_ev[b->ep_n++] = (int)events;
        else if (cop == EPOLL_CTL_MOD && at >= 0) b->ep_ev[at] = (int)events;
        else if (cop == EPOLL_CTL_DEL && at >= 0) b->ep_obj[at] = b->ep_obj[--b->ep_n], b->ep_ev[at] = b->ep_ev[b->ep_n];
        return;
    }
    int maxev = chance(10) ? 1 : 8;
    P("epoll_wait %s max=%d", es >= 0 ? "" : "badfd", maxev);
    if (es >= 0) P("(s%d)", es);
    struct epoll_event evs[8];
    errno = 0;
    long r = epoll_wait(epfd, evs, maxev, 0);
    int e = errno;
    int masked = 0;
    if (r > 0) /* (an item of stdout carries 0xffff: no object of the model) */
        for (int i = 0; i < r; i++)
            if (evs[i].data.u32 < NOBJ) masked |= obj_opq((int)evs[i].data.u32);
    if (es >= 0)
        for (int i = 0; i < O[slot_obj[es]].ep_n; i++) masked |= obj_opq(O[slot_obj[es]].ep_obj[i]);
    cur_opq = masked && r >= 0;
    res(r, e);
    if (cur_opq || r <= 0 || maxev == 1) return;
    /* In slot order (Linux's order is the order things became ready), and the items of one
     * object (its descriptor and a dup of it, both added) by their events. */
    P(" [");
    for (int q = 0; q < NSLOT; q++) {
        unsigned seen[8];
        int n = 0;
        for (int i = 0; i < r; i++)
            if ((int)evs[i].data.u32 == slot_obj[q] && slot_fd[q] >= 0 && slot_of(slot_obj[q]) == q)
                seen[n++] = evs[i].events;
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && seen[b - 1] > seen[b]; b--) {
                unsigned t = seen[b];
                seen[b] = seen[b - 1], seen[b - 1] = t;
            }
        for (int i = 0; i < n; i++) P(" s%d:%s", q, epn(seen[i]));
    }
    P(" ]");
}
#endif
