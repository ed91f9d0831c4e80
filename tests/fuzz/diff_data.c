/*
 * Operations that move data: the five send calls and the five receive calls, with the
 * bytes they carry (stream bytes by position, datagrams by number) and where a datagram
 * goes.
 */
#include "diff.h"

/* Stream bytes: byte k of direction d of connection id. */
static uint8_t sbyte(uint32_t id, int d, uint64_t k) {
    uint32_t x = (uint32_t)(k * 2654435761u) ^ (id * 40503u) ^ (uint32_t)(d * 0x9e37u) ^ (uint32_t)(k >> 9);
    return (uint8_t)(x ^ (x >> 13) ^ (x >> 7));
}
static uint8_t sbuf[16384], rbuf[16384 + 64];
static uint32_t next_dgram = 1;
static void fill_stream(int c, int d, size_t n) {
    for (size_t i = 0; i < n; i++) sbuf[i] = sbyte(C[c].id, d, C[c].sent[d] + i);
}
static void fill_dgram(uint32_t id, size_t n) {
    for (size_t i = 0; i < n; i++) sbuf[i] = (uint8_t)((id * 131u + i * 7u) ^ (i >> 3) ^ 0xa5u);
}
static uint32_t fnv(const uint8_t *b, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

/* The data for a send of n bytes on object o (stream bytes or a datagram). */
static void send_data(int o, size_t n, uint32_t *dgram) {
    *dgram = 0;
    if (o >= 0 && (is_stream(O[o].kind) || O[o].kind == K_PIPEW) && O[o].conn >= 0) {
        fill_stream(O[o].conn, O[o].side, n);
        return;
    }
    *dgram = next_dgram++;
    fill_dgram(*dgram, n);
}

/* n bytes of buf cut into niov pieces at random. */
static void cut_iov(struct iovec *iov, int niov, uint8_t *buf, size_t n) {
    size_t off = 0;
    for (int i = 0; i < niov; i++) {
        size_t part = i == niov - 1 ? n - off : (size_t)rnd((int)(n - off + 1));
        iov[i].iov_base = buf + off;
        iov[i].iov_len = part;
        off += part;
    }
}

/* The datagrams object r's receive queue expects: one more of n bytes (MAXQ at most), the first
 * one taken. */
static void dgram_queued(int r, int n) {
    if (O[r].qn < MAXQ) O[r].qlen[O[r].qn++] = n;
}
static void dgram_taken(int o) {
    memmove(O[o].qlen, O[o].qlen + 1, sizeof(int) * (size_t)--O[o].qn);
}

/* Object r is a UDP socket of family fam at port `port`. */
static int udp_at(int r, int fam, int port) {
    return O[r].kind == K_UDP && O[r].refs > 0 && O[r].fam == fam && O[r].port == port;
}

/* A datagram of n bytes from object o to port `port` (family fam) was sent: where does it go? */
static void deliver_udp(int o, int port, size_t n) {
    int from = O[o].port;
    for (int r = 0; r < NOBJ; r++) {
        if (!udp_at(r, O[o].fam, port)) continue;
        /* Connected elsewhere: Linux's lookup finds no socket for it (ICMP, as below). */
        if (O[r].upeer && O[r].upeer != from) break;
        dgram_queued(r, (int)n);
        return;
    }
    /* Nobody there: a connected sender gets the ICMP error at once on Linux. wasmtime surfaces
     * it only when its readiness tracking happens to look (a send, or a receive once the socket
     * was seen readable): not comparable, so the sender becomes opaque. */
    if (O[o].upeer == port) O[o].opq = 1;
}
static void udp_port_opaque(int fam, int port) {
    for (int r = 0; r < NOBJ; r++)
        if (port > 1 && udp_at(r, fam, port)) O[r].opq = 1;
}
static int udp_target_full(int o, int port) {
    for (int r = 0; r < NOBJ; r++)
        if (udp_at(r, O[o].fam, port)) return O[r].qn >= QCAP;
    return 0;
}

void op_send(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    int which = rnd(5); /* send, sendto, sendmsg, write, writev */
    int fk, fd = pick_fd(s, &fk, which < 3);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    static const int fls[] = {0, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_DONTWAIT | MSG_NOSIGNAL};
    int flags = which < 3 ? fls[rnd(4)] : 0;
    int lr = rnd(100);
    size_t n = lr < 5 ? 0 : lr < 55 ? 1 + (size_t)rnd(64) : lr < 90 ? 65 + (size_t)rnd(536) : 601 + (size_t)rnd(1400);
    int nullbuf = chance(3) && n > 0;
    int c = o >= 0 ? O[o].conn : -1;
    if ((is_stream(kind) || kind == K_PIPEW) && c >= 0 && !C[c].opq) { /* (a pipe's writer: end 0) */
        uint64_t fl = C[c].sent[O[o].side] - C[c].got[O[o].side];
        if (fl + n > INFLIGHT) n = fl >= INFLIGHT ? 0 : INFLIGHT - fl;
    }
    /* Destination (sendto, sendmsg). */
    addr_t a;
    socklen_t al = 0;
    int withaddr = 0, dport = 0, nodeliver = 0;
    const char *dw = "";
    static char db[48];
    int fam = o >= 0 && (kind == K_TCP || kind == K_UDP) ? O[o].fam : AF_INET;
    if (which == 1 || which == 2) {
        if (kind == K_UDP && o >= 0) {
            if (O[o].upeer) {
                if (chance(50)) withaddr = 1, al = lo(&a, fam, O[o].upeer), dport = O[o].upeer, dw = " to=peer";
            } else {
                withaddr = 1;
                int to = nth_obj(t, p_udp, fam);
                if (v < 75 && to >= 0) {
                    al = lo(&a, fam, O[to].port), dport = O[to].port;
                    snprintf(db, sizeof db, " to=s%d", slot_of(to));
                    dw = db;
                } else if (v < 90) {
                    al = lo(&a, fam, 1), dport = 1, dw = " to=closed-port";
                } else if (v < 95) {
                    al = lo(&a, fam == AF_INET ? AF_INET6 : AF_INET, 1), dw = " to=other-family";
                    nodeliver = 1;
                } else {
                    al = lo(&a, fam, 1), al = short_len(fam), dw = " to=short-len";
                    nodeliver = 1;
                }
            }
        } else if (chance(15)) {
            withaddr = 1, al = lo(&a, fam, 1), dw = " to=closed-port";
        }
    } else if (kind == K_UDP && o >= 0 && !O[o].upeer && which == 0) {
        /* send() on an unconnected UDP socket: EDESTADDRREQ (fine, as is) */
    }
    int dest = kind == K_UDP ? (withaddr ? dport : O[o].upeer) : 0; /* (UDP: the port sent to) */
    if (dest > 1 && udp_target_full(o, dest)) {
        P("send s%d", s);
        skip("receiver queue full");
        return;
    }
    /* An opaque UDP socket's send may fail on one side only (an ICMP error Linux reports at
     * once and wasmtime late): whatever would receive it becomes opaque too. */
    if (kind == K_UDP && obj_opq(o) && !nodeliver) udp_port_opaque(O[o].fam, dest);
    uint32_t dg;
    send_data(o, n, &dg);
    /* sendmsg's entry alone through sendmmsg (whose result is then the entry's msg_len). */
    int mmsg = which == 2 && chance(25);
    static const char *wn[] = {"send", "sendto", "sendmsg", "write", "writev"};
    P("%s", mmsg ? "sendmmsg" : wn[which]);
    show_fd(s, fk);
    P(" len=%zu%s%s%s%s", n, flags & MSG_DONTWAIT ? " DONTWAIT" : "", flags & MSG_NOSIGNAL ? " NOSIGNAL" : "",
      nullbuf ? " buf=NULL" : "", dw);
    struct iovec iov[4];
    int niov = 1 + rnd(4);
    cut_iov(iov, niov, sbuf, n);
    if (nullbuf) iov[0].iov_base = NULL;
    if (which >= 2) P(" iov=%d", niov);
    cur_opq = obj_opq(o);
    const void *buf = nullbuf ? NULL : sbuf;
    long r;
    errno = 0;
    switch (which) {
    case 0: r = send(fd, buf, n, flags); break;
    case 1: r = sendto(fd, buf, n, flags, withaddr ? &a.sa : NULL, al); break;
    case 2: {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = niov;
        if (withaddr) m.msg_name = &a, m.msg_namelen = al;
        if (mmsg) {
            struct mmsghdr mm = {m, 0};
            r = sendmmsg(fd, &mm, 1, flags);
            if (r == 1) r = mm.msg_len;
        } else {
            r = sendmsg(fd, &m, flags);
        }
        break;
    }
    case 3: r = write(fd, buf, n); break;
    default: r = writev(fd, iov, niov);
    }
    int e = errno;
    res(r, e);
    if (o < 0) return;
    saw_error(o, e);
    /* A datagram socket that finds its peer gone is disconnected and its queue purged
     * (unix_dgram_disconnected). */
    if (kind == K_UDGRAM && r < 0 && e == ECONNREFUSED) O[o].qn = 0, O[o].peer = -1, O[o].dead_peer = 0;
    if (r < 0) return;
    /* (An empty writev returns 0 before the socket is asked: Linux's vfs_writev.) */
    if (which == 4 && n == 0) return;
    if (r > 0 && (kind != K_TCP || c >= 0)) O[o].dirty = 1;
    st_bytes += (unsigned long long)r;
    if ((is_stream(kind) || kind == K_PIPEW) && c >= 0) {
        int k = O[o].side;
        C[c].sent[k] += (uint64_t)r;
        int peer = C[c].end[1 - k];
        /* Data to a closed peer: the RST that comes back is invisible to WASI until the next
         * write. */
        if (kind == K_TCP && r > 0 && C[c].closed[1 - k]) conn_opaque(c);
        /* Data to a peer shut down both ways (its FIN out): Linux resets (RFC 1122) and the
         * resetting end learns it from its own kernel; a WASI guest whose input is shut does
         * not. */
        if (kind == K_TCP && r > 0 && peer >= 0 && O[peer].rd_shut && C[c].fin[1 - k]) conn_opaque(c);
    } else if (kind == K_UDP) {
        if (!O[o].port) learn_port(o);
        if (dest > 0 && !nodeliver) deliver_udp(o, dest, (size_t)r);
        st_dgrams++;
    } else if (kind == K_UDGRAM && O[o].peer >= 0) {
        dgram_queued(O[o].peer, (int)r);
    }
}

static const char *msgflags(int f) {
    static char b[64];
    b[0] = 0;
    if (f & MSG_TRUNC) strcat(b, "TRUNC ");
    if (f & MSG_CTRUNC) strcat(b, "CTRUNC ");
    if (f & ~(MSG_TRUNC | MSG_CTRUNC)) snprintf(b + strlen(b), 24, "%#x ", f & ~(MSG_TRUNC | MSG_CTRUNC));
    if (!b[0]) strcpy(b, "0");
    else b[strlen(b) - 1] = 0;
    return b;
}

void op_recv(void) {
    int s = pick_slot(), v = rnd(100);
    int which = rnd(5); /* recv, recvfrom, recvmsg, read, readv */
    int fk, fd = pick_fd(s, &fk, which < 3);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    int flags = 0;
    if (which < 3) {
        if (chance(45)) flags |= MSG_DONTWAIT;
        if (chance(20)) flags |= MSG_PEEK;
        if (chance(15)) flags |= MSG_WAITALL;
        if (chance(10)) flags |= MSG_TRUNC;
    }
    int lr = rnd(100);
    size_t len = lr < 4 ? 0 : lr < 35 ? 1 + (size_t)rnd(16) : lr < 75 ? 17 + (size_t)rnd(496) : 513 + (size_t)rnd(3584);
    int nullbuf = v < 4 && len > 0;
    int shortname = v >= 4 && v < 10;
    int niov = 1 + rnd(4);
    /* Would Linux block? Then don't (unless a short SO_RCVTIMEO ends it on both). */
    /* (An epoll instance answers a receive at once: EINVAL, ENOTSOCK.) */
    int blocking = o >= 0 && O[o].kind != K_EPOLL && !O[o].nonblock && !(flags & MSG_DONTWAIT);
    const char *adj = "";
    if (blocking && obj_opq(o)) { /* (its readiness is not compared either) */
        if (which >= 3) which = which == 3 ? 0 : 2;
        flags |= MSG_DONTWAIT;
        adj = " (opaque: +DONTWAIT)";
        blocking = 0;
    }
    if (blocking) {
        short re = revents_of(fd, POLLIN, 0);
        int ready = (re & (POLLIN | POLLERR | POLLHUP)) != 0;
        if (ready && (flags & MSG_WAITALL) && is_stream(kind) && len > 0 && !(re & (POLLERR | POLLHUP))) {
            int c = O[o].conn;
            int fin = c >= 0 && C[c].fin[1 - O[o].side];
            if (fionread(fd) < (long)len && !fin && !O[o].rd_shut) ready = 0;
        }
        if (!ready && !O[o].rcvtimeo) {
            if (which >= 3) which = which == 3 ? 0 : 2; /* read -> recv, readv -> recvmsg */
            flags |= MSG_DONTWAIT;
            adj = " (would block: +DONTWAIT)";
        } else if (!ready) {
            st_block++;
            adj = " (times out)";
        }
    }
    /* recvmsg's entry alone through recvmmsg (its result the entry's msg_len). */
    int mmsg = which == 2 && chance(25);
    static const char *wn[] = {"recv", "recvfrom", "recvmsg", "read", "readv"};
    P("%s", mmsg ? "recvmmsg" : wn[which]);
    show_fd(s, fk);
    P(" len=%zu", len);
    if (which < 3) {
        P("%s%s%s%s", flags & MSG_DONTWAIT ? " DONTWAIT" : "", flags & MSG_PEEK ? " PEEK" : "",
          flags & MSG_WAITALL ? " WAITALL" : "", flags & MSG_TRUNC ? " TRUNC" : "");
    }
    if (nullbuf) P(" buf=NULL");
    if (shortname && (which == 1 || which == 2)) P(" namelen=4");
    if (which == 2 || which == 4) P(" iov=%d", niov);
    P("%s", adj);
    struct iovec iov[4];
    cut_iov(iov, niov, rbuf, len);
    for (int i = 0; nullbuf && i < niov; i++) iov[i].iov_base = NULL;
    memset(rbuf, 0xee, len + 16);
    addr_t from;
    memset(&from, 0, sizeof from);
    socklen_t fl = shortname ? 4 : sizeof from;
    int mflags = -1;
    cur_opq = obj_opq(o);
    long r;
    errno = 0;
    switch (which) {
    case 0: r = recv(fd, nullbuf ? NULL : rbuf, len, flags); break;
    case 1: r = recvfrom(fd, nullbuf ? NULL : rbuf, len, flags, &from.sa, &fl); break;
    case 2: {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = niov;
        m.msg_name = &from;
        m.msg_namelen = fl;
        if (mmsg) {
            struct mmsghdr mm = {m, 0};
            r = recvmmsg(fd, &mm, 1, flags, NULL);
            m = mm.msg_hdr;
            if (r == 1) r = mm.msg_len;
        } else {
            r = recvmsg(fd, &m, flags);
        }
        if (r >= 0) mflags = m.msg_flags, fl = m.msg_namelen;
        break;
    }
    case 3: r = read(fd, nullbuf ? NULL : rbuf, len); break;
    default: r = readv(fd, iov, niov);
    }
    int e = errno;
    res(r, e);
    if (o >= 0) saw_error(o, e);
    if (r >= 0 && !cur_opq) {
        size_t got = (size_t)r < len ? (size_t)r : len;
        int copied = !(is_stream(kind) && (flags & MSG_TRUNC)) && !nullbuf;
        if (copied && got > 0) P(" data=%08x", fnv(rbuf, got));
        if (copied && rbuf[got] != 0xee && (size_t)r <= len) P(" OVERRUN");
        if (which == 1 || which == 2) {
            if (fl > sizeof from) P(" namelen=%u", (unsigned)fl);
            else if (fl < sizeof from.in && fl > 0) P(" namelen=%u", (unsigned)fl);
            else show_sa(&from, fl, K_UDP);
        }
        if (mflags >= 0) P(" flags=%s", msgflags(mflags));
    }
    if (o < 0) return;
    int peek = (flags & MSG_PEEK) && which < 3;
    if (which >= 3 && len == 0) return; /* (an empty read(v) returns before the socket: sock_read_iter) */
    if (r >= 0 && !peek) {
        if ((is_stream(kind) || kind == K_PIPER) && O[o].conn >= 0) {
            int c = O[o].conn, d = 1 - O[o].side;
            C[c].got[d] += (uint64_t)r;
            if (C[c].got[d] > C[c].sent[d]) C[c].got[d] = C[c].sent[d];
        } else if (is_dgram(kind) && O[o].qn > 0 && !(r == 0 && len == 0 && O[o].qn == 0)) {
            dgram_taken(o);
        }
    } else if (r < 0 && e == EFAULT && !peek && is_dgram(kind) && O[o].qn > 0) {
        dgram_taken(o); /* (dropped) */
    }
}
