/*
 * Operations on a socket's settings and names: getsockopt, setsockopt, shutdown, fcntl,
 * ioctl, getsockname and getpeername.
 */
#include "diff.h"

/* Socket options */
enum { V_INT, V_BOOL, V_BUF, V_TV, V_LINGER, V_RO };
typedef struct {
    int level, name;
    const char *str;
    int kind;
} opt_t;
static const opt_t OPTS[] = {
    {SOL_SOCKET, SO_TYPE, "SO_TYPE", V_RO},
    {SOL_SOCKET, SO_ERROR, "SO_ERROR", V_RO},
    {SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN", V_RO},
    {SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL", V_RO},
    {SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN", V_RO},
    {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", V_BOOL},
    {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", V_BOOL},
    {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST", V_BOOL},
    {SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", V_BUF},
    {SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", V_BUF},
    {SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO", V_TV},
    {SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO", V_TV},
    {SOL_SOCKET, SO_LINGER, "SO_LINGER", V_LINGER},
    {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", V_BOOL},
    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", V_INT},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", V_INT},
    {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", V_INT},
    {IPPROTO_IP, IP_TTL, "IP_TTL", V_INT},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", V_INT},
    {IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", V_BOOL},
    {SOL_SOCKET, 9999, "SOL_SOCKET/9999", V_INT},
    {9999, 1, "level9999/1", V_INT},
    {IPPROTO_TCP, 9999, "IPPROTO_TCP/9999", V_INT},
};
#define NOPTS ((int)(sizeof OPTS / sizeof OPTS[0]))

/* A value of any of the kinds, and the size of op's. */
typedef union {
    int i;
    struct timeval tv;
    struct linger lg;
    unsigned char b[32];
} optval_t;
static socklen_t opt_size(const opt_t *op) {
    return op->kind == V_TV       ? sizeof(struct timeval)
           : op->kind == V_LINGER ? sizeof(struct linger)
                                  : sizeof(int);
}

void op_getsockopt(void) {
    int s = pick_slot(), k = rnd(NOPTS), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    const opt_t *op = &OPTS[k];
    optval_t val;
    memset(&val, 0x55, sizeof val);
    socklen_t len = opt_size(op);
    const char *lw = "";
    int nullval = 0, nulllen = 0;
    if (v < 5) len = 2, lw = " optlen=2";
    else if (v < 8) len = 0, lw = " optlen=0";
    else if (v < 10) nullval = 1, lw = " optval=NULL";
    else if (v < 12) nulllen = 1, lw = " optlen=NULL";
    else if (v < 15) len = 64, lw = " optlen=64";
    P("getsockopt");
    show_fd(s, fk);
    P(" %s%s", op->str, lw);
    /* (An opaque socket's state may differ between the runs: connecting on one side only,
     * where a host keeps its options from the program until the connection is up, or
     * listening on one side only; only what it is stays comparable. See also op_accept's
     * inh_unsure.) */
    int what = op->level == SOL_SOCKET && (op->name == SO_TYPE || op->name == SO_DOMAIN || op->name == SO_PROTOCOL);
    cur_opq = (obj_opq(o) && !what) || (o >= 0 && O[o].inh_unsure && op->kind != V_RO);
    errno = 0;
    long r = getsockopt(fd, op->level, op->name, nullval ? NULL : &val, nulllen ? NULL : &len);
    int e = errno;
    res(r, e);
    /* Read, even into a short buffer or one that faults, the error is gone: sk_getsockopt
     * takes it before it copies the value out. */
    if (o >= 0 && op->level == SOL_SOCKET && op->name == SO_ERROR && (r == 0 || (nullval && e == EFAULT)))
        O[o].err = 0;
    if (r < 0 || cur_opq) return;
    P(" len=%u", (unsigned)len);
    if (len == 0) return;
    int channel = o >= 0 && (O[o].kind == K_USTREAM || O[o].kind == K_UDGRAM);
    if (len < sizeof(int) && op->kind != V_TV && op->kind != V_LINGER) {
        /* (The first bytes of a value whose constants differ between the platforms, SO_TYPE,
         * SO_DOMAIN, SO_ERROR, say nothing comparable; nor do those of an AF_UNIX socket's
         * buffer size, which may be above the stock limit natively: see V_BUF below.) */
        if ((op->level != SOL_SOCKET || (op->name != SO_TYPE && op->name != SO_DOMAIN && op->name != SO_ERROR)) &&
            !(channel && op->kind == V_BUF))
            P(" bytes=%02x%02x", val.b[0], len > 1 ? val.b[1] : 0);
        return;
    }
    switch (op->kind) {
    case V_TV:
        if (len >= sizeof val.tv) P(" tv=%lld.%06ld", (long long)val.tv.tv_sec, (long)val.tv.tv_usec);
        break;
    case V_LINGER:
        if (len >= sizeof val.lg) P(" linger=%d,%d", val.lg.l_onoff, val.lg.l_linger);
        break;
    case V_BUF: {
        int stable = o >= 0 && (O[o].kind == K_UDP || (O[o].bufset & (op->name == SO_RCVBUF ? 1 : 2)));
        /* An AF_UNIX socket's value is cut to net.core.wmem_max/rmem_max, which a machine's
         * sysctl may raise and a WASI program cannot read: the library applies the stock
         * 212992 (deviations.md). */
        if (stable && channel && val.i >= 2 * 212992) P(" val=(the stock limit or above)");
        else if (stable) P(" val=%d", val.i);
        else P(" val=(autotuned)");
        break;
    }
    default:
        if (op->name == SO_TYPE) P(" val=%s", val.i == SOCK_STREAM ? "STREAM" : val.i == SOCK_DGRAM ? "DGRAM" : "?");
        else if (op->name == SO_DOMAIN) P(" val=%s", famname(val.i));
        else if (op->name == SO_PROTOCOL) P(" val=%s", val.i == IPPROTO_TCP ? "TCP" : val.i == IPPROTO_UDP ? "UDP" : val.i == 0 ? "0" : "?");
        else if (op->name == SO_ERROR && op->level == SOL_SOCKET) {
            P(" val=%s", val.i ? errname(val.i) : "0");
            if (o >= 0 && val.i) saw_error(o, val.i);
        } else
            P(" val=%d", val.i);
    }
}

void op_setsockopt(void) {
    int s = pick_slot(), k = rnd(NOPTS), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    const opt_t *op = &OPTS[k];
    optval_t val;
    memset(&val, 0, sizeof val);
    socklen_t len = opt_size(op);
    char vw[64];
    int udp = o >= 0 && O[o].kind == K_UDP;
    switch (op->kind) {
    case V_BOOL: {
        static const int bv[] = {0, 1, 2};
        val.i = bv[rnd(3)];
        if (op->name == SO_REUSEADDR && op->level == SOL_SOCKET) val.i = udp ? 0 : 1; /* (WASI: see diff.c's header) */
        if (op->name == IPV6_V6ONLY && op->level == IPPROTO_IPV6) val.i = 1;
        snprintf(vw, sizeof vw, "%d", val.i);
        break;
    }
    case V_BUF: {
        static const int bv[] = {65536, 100000, 262144, 1 << 20, -1};
        val.i = bv[rnd(5)];
        snprintf(vw, sizeof vw, "%d", val.i);
        break;
    }
    case V_TV: {
        int r = rnd(10);
        val.tv.tv_sec = 0;
        val.tv.tv_usec = r < 3 ? 0 : r < 7 ? RCVTIMEO_US : r < 8 ? 1000000 : 20000;
        if (r == 9) val.tv.tv_sec = 1, val.tv.tv_usec = 0;
        snprintf(vw, sizeof vw, "%lld.%06ld", (long long)val.tv.tv_sec, (long)val.tv.tv_usec);
        break;
    }
    case V_LINGER: {
        int r = rnd(10);
        val.lg.l_onoff = r >= 4;
        val.lg.l_linger = r < 6 ? 0 : r < 8 ? 1 : 5;
        snprintf(vw, sizeof vw, "%d,%d", val.lg.l_onoff, val.lg.l_linger);
        break;
    }
    default: {
        static const int iv[] = {1, 2, 9, 60, 64, 127, 128, 255, 256, 0, -1, -2, 7200, 32767, 40000};
        val.i = iv[rnd(15)];
        snprintf(vw, sizeof vw, "%d", val.i);
    }
    }
    const char *lw = "";
    int nullval = 0;
    if (v < 5) len = 2, lw = " optlen=2";
    else if (v < 7) len = 0, lw = " optlen=0";
    else if (v < 9) nullval = 1, lw = " optval=NULL";
    else if (v < 11) len = 64, lw = " optlen=64";
    P("setsockopt");
    show_fd(s, fk);
    P(" %s=%s%s", op->str, vw, lw);
    /* Not sent: values no WASI host can apply (diff.c's header). */
    if (op->level == SOL_SOCKET && op->name == SO_REUSEADDR && (nullval || len < sizeof(int))) {
        skip("SO_REUSEADDR stays as set");
        return;
    }
    if (op->level == IPPROTO_IPV6 && op->name == IPV6_V6ONLY && (nullval || len < sizeof(int))) {
        skip("IPV6_V6ONLY stays 1");
        return;
    }
    if (op->level == IPPROTO_IPV6 && op->name == IPV6_V6ONLY && port_gone(o)) {
        /* (Linux refuses it while the socket holds a port.) */
        skip(obj_opq(o) ? "opaque" : "IPV6_V6ONLY after the connection ended");
        return;
    }
    if (op->level == IPPROTO_IPV6 && nullval && len >= sizeof(int)) {
        skip("Linux reads NULL as 0 at this level; listed under badinput");
        return;
    }
    if (op->level == IPPROTO_IPV6 && op->name == IPV6_UNICAST_HOPS && !nullval && len >= sizeof(int) && val.i == 0) {
        skip("a WASI host takes no hop limit 0");
        return;
    }
    cur_opq = obj_opq(o);
    errno = 0;
    long r = setsockopt(fd, op->level, op->name, nullval ? NULL : &val, len);
    res(r, errno);
    if (r != 0 || o < 0) return;
    for (int i = 0; O[o].listening && i < O[o].npend; i++) C[O[o].pend[i]].unsure = 1;
    int subsecond = len >= sizeof val.tv && val.tv.tv_sec == 0;
    int short_tv = subsecond && val.tv.tv_usec > 0 && val.tv.tv_usec < 100000;
    if (op->level == SOL_SOCKET && op->name == SO_SNDTIMEO) O[o].sndtimeo = short_tv;
    if (op->level == SOL_SOCKET && op->name == SO_RCVTIMEO)
        O[o].rcvtimeo = short_tv ? 1 : subsecond && val.tv.tv_usec == 0 ? 0 : 2;
    if (op->level == SOL_SOCKET && op->name == SO_RCVBUF) O[o].bufset |= 1;
    if (op->level == SOL_SOCKET && op->name == SO_SNDBUF) O[o].bufset |= 2;
    if (op->level == SOL_SOCKET && op->name == SO_LINGER && len >= sizeof val.lg)
        O[o].linger0 = val.lg.l_onoff && val.lg.l_linger == 0;
}

void op_shutdown(void) {
    int s = pick_slot();
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    static const int hows[] = {SHUT_RD, SHUT_WR, SHUT_RDWR, 99, -1};
    static const char *hown[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR", "99", "-1"};
    int hi = chance(92) ? rnd(3) : 3 + rnd(2);
    int how = hows[hi];
    P("shutdown");
    show_fd(s, fk);
    P(" %s", hown[hi]);
    cur_opq = obj_opq(o);
    errno = 0;
    long r = shutdown(fd, how);
    int e = errno;
    res(r, e);
    if (o < 0 || hi > 2) return;
    obj_t *b = &O[o];
    int rd = how == SHUT_RD || how == SHUT_RDWR, wr = how == SHUT_WR || how == SHUT_RDWR;
    if (r != 0 && !(e == ENOTCONN)) return;
    if (b->kind == K_TCP && b->listening) {
        if (r == 0 && rd) { /* (Linux: shut for reading, it stops listening: tcp_disconnect) */
            stop_listening(o);
            port_given_back(o);
        }
        return;
    }
    if (rd) b->rd_shut = 1;
    if (wr) b->wr_shut = 1;
    if (r == 0 && wr && b->conn >= 0 && is_stream(b->kind)) {
        if (b->kind == K_TCP) fin_to(b->conn, b->side);
        C[b->conn].fin[b->side] = 1;
    }
    /* (Shut both ways after the peer's FIN: Linux is in TCP_CLOSE, the host stream had the FIN.) */
}

void op_fcntl(void) {
    int s = pick_slot(), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 0);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    P("fcntl");
    show_fd(s, fk);
    errno = 0;
    long r;
    if (v < 35) {
        P(" F_GETFL");
        r = fcntl(fd, F_GETFL);
        int e = errno;
        if (r >= 0) P(" -> %s%s", (r & O_NONBLOCK) ? "O_NONBLOCK" : "0", (r & O_ACCMODE) == O_RDWR ? "|O_RDWR" : "");
        else res(r, e);
    } else if (v < 70) {
        int on = chance(50);
        P(" F_SETFL %s", on ? "O_NONBLOCK" : "0");
        r = fcntl(fd, F_SETFL, on ? O_NONBLOCK : 0);
        res(r, errno);
        if (r == 0 && o >= 0) O[o].nonblock = on;
    } else if (v < 82) {
        P(" F_GETFD");
        r = fcntl(fd, F_GETFD);
        res(r, errno);
        if (r >= 0) P(" %s", r & FD_CLOEXEC ? "FD_CLOEXEC" : "0");
    } else if (v < 94) {
        int on = chance(50);
        P(" F_SETFD %s", on ? "FD_CLOEXEC" : "0");
        r = fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0);
        res(r, errno);
    } else {
        P(" cmd=12345");
        r = fcntl(fd, 12345, 0);
        res(r, errno);
    }
}

void op_ioctl(void) {
    int s = pick_slot(), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 0);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    P("ioctl");
    show_fd(s, fk);
    cur_opq = obj_opq(o);
    errno = 0;
    long r;
    if (v < 55) {
        int n = -7;
        int nul = chance(5);
        P(" FIONREAD%s", nul ? " NULL" : "");
        r = ioctl(fd, FIONREAD, nul ? NULL : &n);
        res(r, errno);
        if (r >= 0 && !cur_opq && !nul) P(" n=%d", n);
    } else if (v < 92) {
        int on = chance(50);
        P(" FIONBIO %d", on);
        r = ioctl(fd, FIONBIO, &on);
        cur_opq = 0;
        res(r, errno);
        if (r == 0 && o >= 0) O[o].nonblock = on;
    } else {
        int n = 0;
        P(" TCGETS");
        r = ioctl(fd, 0x5401, &n); /* (a terminal request: ENOTTY on a socket; the number is Linux's) */
        res(r, errno);
    }
}

void op_names(void) {
    int s = pick_slot(), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int peer = chance(50);
    addr_t a;
    memset(&a, 0, sizeof a);
    socklen_t l = sizeof a;
    const char *lw = "";
    int nulladdr = 0;
    if (v < 6) l = 4, lw = " addrlen=4";
    else if (v < 9) l = 0, lw = " addrlen=0";
    else if (v < 11) nulladdr = 1, lw = " addr=NULL";
    else if (v < 13) l = (socklen_t)-1, lw = " addrlen=-1";
    P("%s", peer ? "getpeername" : "getsockname");
    show_fd(s, fk);
    P("%s", lw);
    cur_opq = obj_opq(o);
    errno = 0;
    long r = peer ? getpeername(fd, nulladdr ? NULL : &a.sa, &l) : getsockname(fd, nulladdr ? NULL : &a.sa, &l);
    res(r, errno);
    if (r < 0 || cur_opq) return;
    if (!peer && o >= 0 && O[o].failaddr) {
        /* Linux shows the port a failed (or failing) connect bound; a WASI host reports no
         * local address while connecting nor after a failed connect (deviations.md). */
        P(" addr=(of a failed connect: not compared)");
        return;
    }
    if (l >= sizeof a.in && l <= sizeof a) show_sa(&a, l, O[o >= 0 ? o : 0].kind == K_UDP ? K_UDP : K_TCP);
    else P(" addrlen=%u family=%s", (unsigned)l, l >= 2 ? famname(a.sa.sa_family) : "-");
}
