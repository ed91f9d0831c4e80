/*
 * Operations that make, name, connect and close sockets: socket, close, bind, listen,
 * connect, accept.
 */
#include "diff.h"

void op_socket(void) {
    int s = rnd(NSLOT);
    int udp = chance(45), fam = chance(50) ? AF_INET6 : AF_INET;
    int nb = chance(50), cloexec = chance(30);
    int proto = chance(20) ? (udp ? IPPROTO_UDP : IPPROTO_TCP) : 0;
    int type = udp ? SOCK_DGRAM : SOCK_STREAM;
    int bad = rnd(100), xfam = fam;
    const char *badname = "";
    if (bad < 2) xfam = 12345, badname = " family=12345";
    else if (bad < 4) type = 77, badname = " type=77";
    else if (bad < 6) proto = udp ? IPPROTO_TCP : IPPROTO_UDP, badname = " proto=mismatch";
    else if (bad < 7) type |= 0x100000, badname = " type|=0x100000";
    P("socket s%d %s%s%s%s%s%s", s, udp ? "UDP" : "TCP", fam == AF_INET6 ? "6" : "4", nb ? " NONBLOCK" : "",
      cloexec ? " CLOEXEC" : "", proto ? " proto" : "", badname);
    free_slot(s);
    int want = lowest_free();
    errno = 0;
    int fd = socket(xfam, type | (nb ? SOCK_NONBLOCK : 0) | (cloexec ? SOCK_CLOEXEC : 0), proto);
    if (!res_fd(fd, errno, want)) return;
    if (bad < 7) { /* (Linux took it: keep nothing unexpected) */
        close(fd);
        P(" (closed)");
        return;
    }
    int o = new_obj(udp ? K_UDP : K_TCP, fam);
    O[o].nonblock = nb;
    put_slot(s, fd, o);
    int one = 1;
    if (fam == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        P(" IPV6_V6ONLY failed: %s", errname(errno));
    if (!udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        P(" SO_REUSEADDR failed: %s", errname(errno));
}

void op_close(void) {
    int s = pick_slot();
    if (slot_fd[s] < 0 || chance(3)) {
        int fd = chance(50) ? BADFD : -1;
        P("close %s", fd < 0 ? "fd-1" : "badfd");
        errno = 0;
        long r = close(fd);
        res(r, errno);
        return;
    }
    int o = slot_obj[s];
    P("close s%d (%s%s)", s, kname[O[o].kind],
      obj_opq(o) ? " opaque" : O[o].listening ? " listening" : O[o].conn >= 0 ? " connected" : O[o].port ? " bound" : "");
    close_slot(s, 0);
}

void op_bind(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int fam = o >= 0 && (O[o].kind == K_TCP || O[o].kind == K_UDP) ? O[o].fam : AF_INET;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    addr_t a;
    socklen_t len = lo(&a, fam, 0);
    const char *what = "lo:0";
    int explicit_port = 0;
    if (v < 55) {
    } else if (v < 65) {
        if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(INADDR_ANY);
        else a.in6.sin6_addr = in6addr_any;
        what = "any:0";
    } else if (v < 80) {
        int to = nth_obj(t, kind == K_UDP ? p_udp : p_tcp_port, fam);
        if (to >= 0) {
            len = lo(&a, fam, O[to].port);
            explicit_port = 1;
            static char b[32];
            snprintf(b, sizeof b, "lo:port-of-s%d", slot_of(to));
            what = b;
        }
    } else if (v < 85) {
        len = lo(&a, fam == AF_INET ? AF_INET6 : AF_INET, 0);
        what = "other-family";
    } else if (v < 90) {
        len = short_len(fam);
        what = "short-len";
    } else if (v < 94) {
        if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(0xC0000201);
        else a.in6.sin6_addr.s6_addr[0] = 0x20, a.in6.sin6_addr.s6_addr[1] = 0x01,
             a.in6.sin6_addr.s6_addr[2] = 0x0d, a.in6.sin6_addr.s6_addr[3] = 0xb8;
        what = "non-local";
    } else if (v < 97) {
        a.sa.sa_family = AF_UNSPEC;
        what = "AF_UNSPEC";
    } else {
        what = "NULL";
    }
    P("bind");
    show_fd(s, fk);
    P(" %s", what);
    if (port_gone(o)) {
        skip(obj_opq(o) ? "opaque" : "bind after the connection ended");
        return;
    }
    cur_opq = obj_opq(o);
    errno = 0;
    long r = bind(fd, v >= 97 ? NULL : &a.sa, len);
    res(r, errno);
    if (r == 0 && o >= 0) {
        O[o].bound = 1;
        O[o].portlock = explicit_port;
        O[o].failaddr = 0;
        learn_port(o);
    }
}

void op_listen(void) {
    int s = pick_slot();
    int fk, fd = pick_fd(s, &fk, 1);
    static const int bls[] = {0, 1, 2, 3, 5, -1, 128};
    int bl = bls[rnd(7)];
    P("listen");
    show_fd(s, fk);
    P(" backlog=%d", bl);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    cur_opq = obj_opq(o);
    errno = 0;
    long r = listen(fd, bl);
    int e = errno;
    res(r, e);
    /* A WASI socket is lost after a failed listen: the library binds a new one to the same
     * address, which fails while another socket listens there (Linux keeps the port; see
     * deviations.md). What the socket is then is not compared. */
    if (r < 0 && e == EADDRINUSE && o >= 0 && O[o].kind == K_TCP) O[o].opq = 1;
    if (r == 0 && o >= 0 && O[o].kind == K_TCP) {
        O[o].listening = 1;
        /* (failaddr stays: the address a failed connect chose may stay for the listener, when
         * an earlier bind named one: Linux's SOCK_BINDADDR_LOCK outlives that bind.) */
        O[o].err = 0; /* (a listener's poll reports no pending error) */
        O[o].cap = bl == 0 ? 1 : bl < 0 || bl > 3 ? 3 : bl;
        learn_port(o);
    }
}

void op_connect(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    int fam = o >= 0 && (kind == K_TCP || kind == K_UDP) ? O[o].fam : AF_INET;
    addr_t a;
    socklen_t len = lo(&a, fam, 1);
    const char *what = "refused";
    int target = -1, refused = 1, unspec = 0, null = 0;
    static char b[48];
    if (v < 65) {
        target = kind == K_UDP ? nth_obj(t, p_udp, fam) : nth_obj(t, p_listener, fam);
        if (target >= 0 && kind == K_TCP && O[o].port == O[target].port) target = -1; /* self */
        if (target >= 0) {
            len = lo(&a, fam, O[target].port);
            snprintf(b, sizeof b, "%s(s%d)", kind == K_UDP ? "udp" : "listener", slot_of(target));
            what = b;
            refused = 0;
        }
    } else if (v < 78) {
    } else if (v < 86) {
        a.sa.sa_family = AF_UNSPEC;
        what = "AF_UNSPEC";
        refused = 0, unspec = 1;
    } else if (v < 90) {
        len = lo(&a, fam == AF_INET ? AF_INET6 : AF_INET, 1);
        what = "other-family";
        refused = 0;
    } else if (v < 95) {
        len = short_len(fam); /* (to port 1: 24..27 bytes still make an IPv6 address) */
        what = "short-len";
    } else {
        what = "NULL";
        refused = 0, null = 1;
    }
    P("connect");
    show_fd(s, fk);
    P(" %s", what);
    if (o >= 0 && kind == K_TCP && !O[o].nonblock && O[o].sndtimeo && O[o].conn < 0 &&
        !O[o].listening) {
        /* Linux's loopback handshake is done inside connect(); a WASI host's takes its time,
         * which a short SO_SNDTIMEO may not give it on a loaded machine. */
        skip("a short SO_SNDTIMEO");
        return;
    }
    cur_opq = obj_opq(o);
    /* An opaque socket's connect may succeed on one side only: the listener it reaches
     * becomes opaque too (and is not accepted from: op_accept). */
    if (cur_opq && kind == K_TCP && target >= 0) O[target].opq = 1;
    int had_conn = o >= 0 ? O[o].conn : -1;
    errno = 0;
    long r = connect(fd, null ? NULL : &a.sa, len);
    int e = errno;
    res(r, e);
    if (o < 0) return;
    saw_error(o, e);
    if (kind == K_UDP) {
        if (r == 0) {
            if (unspec) {
                O[o].upeer = 0;
                if (!O[o].portlock) O[o].port = 0; /* (Linux gives back a port bind did not name) */
            } else {
                O[o].upeer = port_of(&a);
                learn_port(o);
            }
        }
        return;
    }
    if (kind == K_UDGRAM && unspec && r == 0) {
        /* (Linux drops the queue of a datagram socket that disconnects from its peer, and
         * when there was one, tells a peer connected back to it: ECONNRESET. A socket with no
         * peer keeps its queue.) */
        int p = O[o].peer;
        if (O[o].qn > 0 && p >= 0 && O[p].peer == o) O[p].err = 1;
        if (p >= 0 || O[o].dead_peer) O[o].qn = 0;
        O[o].dead_peer = 0;
        O[o].peer = -1;
        return;
    }
    if (kind != K_TCP) return;
    if (unspec && r == 0) {
        /* Linux resets an established connection and stops a listener; WASI can only close. */
        if (had_conn >= 0) {
            conn_opaque(had_conn);
            int k = O[o].side;
            C[had_conn].end[k] = -1;
            C[had_conn].closed[k] = 1;
            maybe_free_conn(had_conn);
            O[o].conn = -1;
            O[o].opq = 1;
        }
        if (O[o].listening) stop_listening(o);
        O[o].rd_shut = O[o].wr_shut = 0;
        port_given_back(o);
        return;
    }
    if (r < 0 && e != EINPROGRESS && e != EALREADY && e != EISCONN) O[o].failaddr |= refused;
    /* An attempt refused ends in tcp_done, which gives back a port bind did not name. */
    if (refused && had_conn < 0 && !O[o].listening && (r == 0 || e == EINPROGRESS || e == ECONNREFUSED)) {
        port_given_back(o);
        /* A WASI socket is spent by a failed connect: the library binds a fresh one to the port
         * bind named, which it cannot while another socket listens there (or comes to: the
         * failure may be noticed later); Linux keeps the port (differences.md). */
        if (O[o].portlock && port_shared(o)) O[o].opq = 1;
    }
    /* A connect that finds the attempt failed disconnects the socket (__inet_stream_connect's
     * sock_error: tcp_disconnect), which forgets a shutdown recorded before. */
    if (r < 0 && (e == ECONNREFUSED || e == ECONNRESET || e == ECONNABORTED || e == ETIMEDOUT ||
                  e == EHOSTUNREACH || e == ENETUNREACH))
        O[o].rd_shut = O[o].wr_shut = 0;
    if ((r == 0 || e == EINPROGRESS) && had_conn < 0 && !O[o].listening) {
        O[o].err = 0; /* (a new attempt clears the pending error: tcp_connect_init) */
        if (refused) {
            if (r < 0) O[o].connecting = 1, O[o].err = 1;
            O[o].failaddr = 1;
            return;
        }
        O[o].failaddr = 0;
        /* (A connect under way: its port is learnt once settled; a WASI host reports no local
         * address before the connection is up.) */
        if (r == 0) learn_port(o);
        if (target < 0) return;
        int c = new_conn();
        C[c].end[0] = o;
        C[c].listener = target;
        O[target].pend[O[target].npend++] = c;
        O[o].conn = c;
        O[o].side = 0;
        if (r < 0) O[o].connecting = 1;
        /* A listener shut down before it listened hands its flags to its connections, which
         * Linux then half-closes or resets on its own (even before accept); not emulated. */
        if (O[target].rd_shut || O[target].wr_shut) conn_opaque(c);
    }
}

void op_accept(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    if (t == s) t = (t + 1) % NSLOT;
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int use4 = chance(60);
    static const int fl[] = {0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC, 0x1234};
    int flags = use4 ? fl[rnd(chance(5) ? 5 : 4)] : 0;
    addr_t a;
    memset(&a, 0, sizeof a);
    socklen_t al = sizeof a;
    const char *aw = "";
    int anull = 0;
    if (v < 10) anull = 1, aw = " addr=NULL";
    else if (v < 18) al = 4, aw = " addrlen=4";
    P("%s", use4 ? "accept4" : "accept");
    show_fd(s, fk);
    if (use4)
        P(" flags=%s%s%s", flags == 0x1234 ? "0x1234" : flags & SOCK_NONBLOCK ? "NONBLOCK" : "0",
          flags != 0x1234 && (flags & SOCK_CLOEXEC) ? "|CLOEXEC" : "", "");
    P("%s into s%d", aw, t);
    cur_opq = obj_opq(o);
    if (o >= 0 && obj_opq(o)) {
        /* (Whether it listens and has a connection may differ: a new descriptor on one side
         * only would part the two runs' models.) */
        skip("opaque");
        return;
    }
    if (o >= 0 && O[o].listening && !O[o].nonblock && (obj_opq(o) || (!O[o].rcvtimeo &&
        !(revents_of(fd, POLLIN, 0) & (POLLIN | POLLERR | POLLHUP))))) {
        skip("would block");
        return;
    }
    if (o >= 0 && O[o].listening && !O[o].nonblock && O[o].rcvtimeo) st_block++;
    free_slot(t);
    int want = lowest_free();
    errno = 0;
    int nfd = use4 ? accept4(fd, anull ? NULL : &a.sa, anull ? NULL : &al, flags)
                   : accept(fd, anull ? NULL : &a.sa, anull ? NULL : &al);
    int e = errno;
    if (nfd < 0) {
        res(nfd, e);
        return;
    }
    int no = new_obj(K_TCP, o >= 0 ? O[o].fam : AF_INET);
    put_slot(t, nfd, no);
    O[no].nonblock = (flags & SOCK_NONBLOCK) != 0 && flags != 0x1234;
    int c = -1;
    if (o >= 0 && O[o].npend > 0) {
        c = O[o].pend[0];
        memmove(O[o].pend, O[o].pend + 1, sizeof(int) * (size_t)--O[o].npend);
        C[c].listener = -1;
        C[c].end[1] = no;
        O[no].conn = c;
        O[no].side = 1;
        O[no].rcvtimeo = O[o].rcvtimeo;
        O[no].bufset = O[o].bufset;
        O[no].linger0 = O[o].linger0;
        O[no].port = O[o].port;
        O[no].wr_shut = O[o].wr_shut; /* (shut before listen: inherited) */
        if (C[c].opq) O[no].opq = 1;
        if (C[c].unsure) {
            /* Linux's connection copied its listener's options when the handshake completed
             * (at connect, on loopback); a WASI guest learns of it only at accept and copies
             * them then. The listener's options changed in between: the copies are not
             * compared, no timeout is relied on, and a close counts as a reset. */
            O[no].inh_unsure = 1;
            O[no].rcvtimeo = 0;
            O[no].bufset = 0;
            O[no].linger0 = 1;
        }
    } else {
        O[no].opq = 1; /* (the model knows of no such connection) */
        P(" (unexpected)");
    }
    if (cur_opq || O[no].opq) {
        P(" -> ~");
        st_masked++;
        return;
    }
    res_fd(nfd, e, want);
    if (!anull) {
        P(" addrlen%s", al == (a.sa.sa_family == AF_INET6 ? sizeof a.in6 : sizeof a.in) ? "==sizeof" : "!=sizeof");
        if (al >= sizeof a.in) show_sa(&a, al, K_TCP);
        else P(" family=%s", famname(a.sa.sa_family));
    }
}
