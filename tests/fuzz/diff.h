/*
 * The differential fuzzer's shared declarations (diff.c's header says what the fuzzer does and
 * which file does what): its limits, its model of the sockets, and what the files share.
 */
#ifndef WSP_FUZZ_DIFF_H
#define WSP_FUZZ_DIFF_H

#include "../c/t.h"

#include <sys/select.h>
#include <sys/time.h>

#define NSLOT 8
#define NOBJ 96
#define NCONN 96
#define MAXQ 16
#define QCAP 12           /* datagrams queued per socket at most (sends beyond are skipped) */
#define INFLIGHT 6000     /* stream bytes in flight per direction at most */
/* How long settling waits for what the model expects. Generous: on a loaded machine (a parallel
 * build, the test suite) a WASI host's background send was seen to take over 2 s, twice in a
 * one-hour run, each time clean on replay. Only a real difference waits it out. */
#define SETTLE_MS 5000
#define BADFD 999
#define RCVTIMEO_US 8000  /* the short receive timeout (a multiple of 4 ms: HZ=250 rounds) */

/* ------------------------------------------------------------------------------------------ */
/* The generator and the output line (diff.c) */

int rnd(int n);
int chance(int pct);
void P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stats (stderr) */
extern unsigned long long st_ops, st_waits, st_settle_fail, st_masked, st_skipped, st_bytes,
    st_dgrams, st_block;

/* ------------------------------------------------------------------------------------------ */
/* Model (diff_model.c) */

enum { K_FREE, K_TCP, K_UDP, K_USTREAM, K_UDGRAM, K_PIPER, K_PIPEW, K_EPOLL };
extern const char *kname[];

typedef struct {
    int kind, fam, refs;
    int nonblock;
    int port, bound;       /* local port (learnt with getsockname; 0: unknown), bound by bind() */
    int portlock;          /* bind() named the port (Linux keeps only such a port on disconnect) */
    int listening, cap, npend, pend[8];
    int conn, side;        /* stream connection (-1: none), which end */
    int connecting;        /* a connect under way that settling has not seen finish */
    int rd_shut, wr_shut;
    int err;               /* an asynchronous error is expected (refused connect, ICMP) */
    int opq;               /* results not compared (see diff.c's header) */
    int rcvtimeo;          /* the short SO_RCVTIMEO is set: a blocking receive ends by itself */
    int sndtimeo;          /* a short SO_SNDTIMEO is set: see op_connect */
    int bufset;            /* SO_RCVBUF (1) / SO_SNDBUF (2) set: their values are stable */
    int linger0;
    int failaddr;          /* TCP: a connect attempt failed or is failing: its local address is
                              not compared (a WASI host reports none then) */
    int dirty;             /* sent since the last settle: wait until writable */
    int upeer;             /* UDP: connected to this port (0: not connected) */
    int qn, qlen[MAXQ];    /* datagrams expected in the receive queue */
    int peer;              /* UDGRAM pair / pipe: the other end's object (-1: closed) */
    int dead_peer;         /* UDGRAM: the peer closed, and no send found out yet */
    int inh_unsure;        /* accepted after its listener's options changed: see op_accept */
    int ep_n, ep_obj[NSLOT * 2], ep_ev[NSLOT * 2]; /* epoll interest list */
} obj_t;

typedef struct {
    int used, opq;
    uint32_t id;
    int end[2];            /* objects: [0] connector, [1] acceptor; -1 when closed or not accepted */
    int closed[2];         /* that end was closed */
    int fin[2];            /* that end sent FIN (shutdown(SHUT_WR) or close) */
    int listener;          /* the listener it is queued on (-1: accepted or gone) */
    int unsure;            /* the listener's options changed while it was queued */
    uint64_t sent[2], got[2]; /* direction d: bytes sent by end d, bytes end 1-d consumed */
} conn_t;

extern obj_t O[NOBJ];
extern conn_t C[NCONN];
extern int slot_fd[NSLOT], slot_obj[NSLOT];

int new_obj(int kind, int fam);
int new_conn(void);
void maybe_free_conn(int c);
int is_stream(int k);
int is_dgram(int k);
int obj_opq(int o);
void conn_opaque(int c);
int slot_of(int o);
void fin_to(int c, int k);
uint64_t inq_of(int o);
void saw_error(int o, int e);
void obj_closed(int o);
void stop_listening(int o);
void port_given_back(int o);
int port_shared(int o);
void close_slot(int s, int named);
void free_slot(int s);
void put_slot(int s, int fd, int o);
int port_gone(int o);
socklen_t lo(addr_t *a, int fam, int port);
socklen_t short_len(int fam);
int nth_obj(int i, int (*pred)(int o, int arg), int arg);
int p_listener(int o, int fam);
int p_udp(int o, int fam);
int p_tcp_port(int o, int fam);

/* ------------------------------------------------------------------------------------------ */
/* Looking and settling (diff_settle.c) */

int lowest_free(void);
int learn_port(int o);
short revents_of(int fd, short events, int ms);
int fionread(int fd);
void settle_all(void);

/* ------------------------------------------------------------------------------------------ */
/* Results, arguments and printing (diff.c) */

extern int cur_opq; /* the current operation's result is not compared */
void res(long r, int e);
int res_fd(int fd, int e, int want);
void skip(const char *why);
int pick_slot(void);
enum { FD_OWN, FD_BAD, FD_STDOUT, FD_NEG };
int pick_fd(int s, int *kind, int stdout_ok);
void show_fd(int s, int kind);
void show_sa(const addr_t *a, socklen_t len, int kind);

/* ------------------------------------------------------------------------------------------ */
/* The operations: diff_tcp.c, diff_data.c, diff_ready.c, diff_opts.c, diff_chan.c */

void op_socket(void);
void op_close(void);
void op_bind(void);
void op_listen(void);
void op_connect(void);
void op_accept(void);
void op_send(void);
void op_recv(void);
void op_poll(void);
void op_select(void);
void op_getsockopt(void);
void op_setsockopt(void);
void op_shutdown(void);
void op_fcntl(void);
void op_ioctl(void);
void op_names(void);
void op_dup(void);     /* -DDIFF_DUP */
void op_channel(void); /* -DDIFF_CHANNELS */
void op_epoll(void);   /* -DDIFF_EPOLL */

#endif
