/*
 * The differential fuzzer's model of its sockets (see diff.c's header): objects, stream
 * connections, the slots that hold their descriptors, opacity, and what closing does.
 */
#include "diff.h"

const char *kname[] = {"-", "TCP", "UDP", "USTREAM", "UDGRAM", "PIPE_R", "PIPE_W", "EPOLL"};

obj_t O[NOBJ];
conn_t C[NCONN];
int slot_fd[NSLOT], slot_obj[NSLOT];
static uint32_t next_conn_id = 1;

int new_obj(int kind, int fam) {
    for (int i = 0; i < NOBJ; i++)
        if (O[i].kind == K_FREE) {
            memset(&O[i], 0, sizeof O[i]);
            O[i].kind = kind;
            O[i].fam = fam;
            O[i].conn = -1;
            O[i].peer = -1;
            return i;
        }
    printf("FUZZER BUG: object table full\n");
    exit(3);
}
int new_conn(void) {
    for (int c = 0; c < NCONN; c++)
        if (!C[c].used) {
            memset(&C[c], 0, sizeof C[c]);
            C[c].used = 1;
            C[c].id = next_conn_id++;
            C[c].end[0] = C[c].end[1] = C[c].listener = -1;
            return c;
        }
    printf("FUZZER BUG: connection table full\n");
    exit(3);
}
void maybe_free_conn(int c) {
    if (C[c].end[0] < 0 && C[c].end[1] < 0 && C[c].listener < 0) C[c].used = 0;
}
int is_stream(int k) { return k == K_TCP || k == K_USTREAM; }
int is_dgram(int k) { return k == K_UDP || k == K_UDGRAM; }

static int obj_opq_depth(int o, int depth) {
    if (o < 0) return 0;
    if (O[o].opq) return 1;
    /* An epoll instance's readiness is its items': an opaque one makes it opaque. */
    for (int i = 0; O[o].kind == K_EPOLL && depth < 8 && i < O[o].ep_n; i++)
        if (obj_opq_depth(O[o].ep_obj[i], depth + 1)) return 1;
    return O[o].conn >= 0 && C[O[o].conn].opq;
}
int obj_opq(int o) { return obj_opq_depth(o, 0); }
void conn_opaque(int c) {
    if (c < 0) return;
    C[c].opq = 1;
    for (int k = 0; k < 2; k++)
        if (C[c].end[k] >= 0) O[C[c].end[k]].opq = 1;
}
int slot_of(int o) {
    for (int s = 0; s < NSLOT; s++)
        if (slot_fd[s] >= 0 && slot_obj[s] == o) return s;
    return -1;
}

/* End k of connection c sends its FIN: a peer shut down both ways (its FIN out) no longer reads
 * its host stream under WASI, so it cannot see this FIN (Linux goes to TCP_CLOSE): opaque. */
void fin_to(int c, int k) {
    int peer = C[c].end[1 - k];
    if (peer >= 0 && O[peer].kind == K_TCP && O[peer].rd_shut && C[c].fin[1 - k]) conn_opaque(c);
}

uint64_t inq_of(int o) {
    int c = O[o].conn;
    if (c < 0) return 0;
    int d = 1 - O[o].side;
    return C[c].sent[d] - C[c].got[d];
}

/* Connection-level errors seen by a call clear the model's expected error. */
void saw_error(int o, int e) {
    if (o < 0) return;
    if (e == ECONNREFUSED || e == ECONNRESET || e == EPIPE || e == ECONNABORTED ||
        e == EHOSTUNREACH || e == ENETUNREACH || e == ETIMEDOUT)
        O[o].err = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Closing */

void obj_closed(int o) {
    obj_t *b = &O[o];
    if (b->kind == K_TCP || b->kind == K_USTREAM || b->kind == K_PIPER || b->kind == K_PIPEW) {
        int c = b->conn;
        if (c >= 0) {
            int k = b->side;
            /* Linux resets instead of FIN when unread data is left (or SO_LINGER {1,0}); a
             * WASI guest can only close. AF_UNIX channels live in the guest: no difference. */
            if (b->kind == K_TCP && (inq_of(o) > 0 || b->linger0)) conn_opaque(c);
            if (b->kind == K_TCP) fin_to(c, k);
            C[c].fin[k] = 1;
            C[c].closed[k] = 1;
            C[c].end[k] = -1;
            maybe_free_conn(c);
        }
    }
    if (b->listening) stop_listening(o);
    if (b->peer >= 0 && O[b->peer].peer == o) {
        /* (A datagram pair: the survivor keeps its queue until a send of its finds the peer
         * gone, ECONNREFUSED: see op_send in diff_data.c, or it disconnects.) */
        O[b->peer].dead_peer = b->kind == K_UDGRAM;
        O[b->peer].peer = -1;
    }
    /* Drop it from every epoll interest list. */
    for (int e = 0; e < NOBJ; e++)
        if (O[e].kind == K_EPOLL)
            for (int i = 0; i < O[e].ep_n; i++)
                if (O[e].ep_obj[i] == o) {
                    O[e].ep_n--;
                    O[e].ep_obj[i] = O[e].ep_obj[O[e].ep_n];
                    O[e].ep_ev[i] = O[e].ep_ev[O[e].ep_n];
                    i--;
                }
    b->kind = K_FREE;
}

/* Listener o stops listening (closed, disconnected, shut for reading): the connections queued on
 * it become opaque (Linux resets them; wasmtime has accepted one already, which sees FIN). */
void stop_listening(int o) {
    for (int i = 0; i < O[o].npend; i++) {
        int c = O[o].pend[i];
        conn_opaque(c);
        C[c].listener = -1;
        maybe_free_conn(c);
    }
    O[o].npend = 0;
    O[o].listening = 0;
}

/* TCP socket o disconnected (tcp_disconnect: connect(AF_UNSPEC), or a listener shut for
 * reading): Linux gives back a port bind did not name (tcp_set_state(TCP_CLOSE) without
 * SOCK_BINDPORT_LOCK), so the socket is no longer bound, and the port its next connect takes is
 * one connect chose (see p_tcp_port). (getsockname still shows the old port: inet_sport stays.) */
void port_given_back(int o) {
    if (O[o].portlock) return;
    O[o].port = 0;
    O[o].bound = 0;
}

/* Whether another TCP socket of the model has TCP socket o's port. */
int port_shared(int o) {
    for (int x = 0; x < NOBJ; x++)
        if (x != o && O[x].kind == K_TCP && O[x].port && O[x].port == O[o].port) return 1;
    return 0;
}

/* close() a slot's descriptor (printing " close sN -> r" into the line). */
void close_slot(int s, int named) {
    int o = slot_obj[s];
    errno = 0;
    long r = close(slot_fd[s]);
    int e = errno;
    if (named) P(" close s%d", s);
    int save = cur_opq;
    cur_opq = 0;
    res(r, e);
    cur_opq = save;
    slot_fd[s] = -1;
    if (--O[o].refs == 0) obj_closed(o);
}
/* Make slot s free (closing what it holds) for a new descriptor. */
void free_slot(int s) {
    if (slot_fd[s] >= 0) {
        P(" [");
        close_slot(s, 1);
        P(" ]");
    }
}
void put_slot(int s, int fd, int o) {
    slot_fd[s] = fd;
    slot_obj[s] = o;
    O[o].refs++;
}

/* A TCP socket whose port may have gone back: Linux gives it back when the connection ends (FIN
 * both ways), which the library does not emulate (deviations.md), so no bind nor IPV6_V6ONLY is
 * made on it; nor on an opaque one, whose connection may have ended on one side only. */
int port_gone(int o) {
    return o >= 0 && O[o].kind == K_TCP &&
           (obj_opq(o) || (O[o].conn >= 0 && C[O[o].conn].fin[0] && C[O[o].conn].fin[1]));
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses */

socklen_t lo(addr_t *a, int fam, int port) { return loopback(a, fam, port); }

/* A length short of a full address, the same on both sides: Linux's sockaddr_in6 is 28 bytes,
 * wasi-libc's 32 (24..27 are still accepted: an address without sin6_scope_id). */
socklen_t short_len(int fam) { return (socklen_t)((fam == AF_INET ? 16 : 28) - 1 - rnd(8)); }

/* The i-th (mod n) object matching a predicate; -1 if none. */
int nth_obj(int i, int (*pred)(int o, int arg), int arg) {
    int c[NOBJ], n = 0;
    for (int s = 0; s < NSLOT; s++) {
        int o = slot_obj[s];
        if (slot_fd[s] < 0) continue;
        int dup = 0;
        for (int k = 0; k < n; k++) dup |= c[k] == o;
        if (!dup && pred(o, arg)) c[n++] = o;
    }
    return n ? c[i % n] : -1;
}
int p_listener(int o, int fam) {
    return O[o].kind == K_TCP && O[o].listening && O[o].fam == fam && O[o].port &&
           O[o].npend < O[o].cap && !obj_opq(o);
}
/* (Never an opaque socket: what happens at its port is not comparable.) */
int p_udp(int o, int fam) { return O[o].kind == K_UDP && O[o].fam == fam && O[o].port && !obj_opq(o); }
/* (Not a port connect chose: Linux may share it with other connections, of any program on
 * the machine, which decide whether a bind to it works.) */
int p_tcp_port(int o, int fam) {
    return O[o].kind == K_TCP && O[o].fam == fam && O[o].port && !obj_opq(o) &&
           (O[o].bound || O[o].listening);
}
