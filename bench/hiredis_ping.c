/* The hiredis PING loop of `make bench`: one connection to a redis-server on 127.0.0.1, `n`
 * synchronous PING commands (each a request and a wait for its +PONG), timed after a warm-up.
 * Built natively (gcc) and for wasm32-wasip1 (bin/wasi-sockets-cc) against the hiredis that
 * tests/real/build.sh builds, unchanged (build/real/hiredis/<kind>/src); scripts/bench.py
 * runs both.
 *
 *   hiredis_ping <port> <n>     prints "RESULT hiredis_ping_rps <requests per second>" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hiredis.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* One PING; exits unless the answer is the status reply PONG. */
static void ping(redisContext *c) {
    redisReply *r = redisCommand(c, "PING");
    if (r == NULL) {
        fprintf(stderr, "hiredis_ping: %s\n", c->errstr);
        exit(2);
    }
    if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0) {
        fprintf(stderr, "hiredis_ping: unexpected reply (type %d)\n", r->type);
        exit(2);
    }
    freeReplyObject(r);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: hiredis_ping <port> <n>\n");
        return 64;
    }
    int port = atoi(argv[1]);
    long n = atol(argv[2]);
    redisContext *c = redisConnect("127.0.0.1", port);
    if (c == NULL || c->err) {
        fprintf(stderr, "hiredis_ping: connect: %s\n", c ? c->errstr : "out of memory");
        return 2;
    }
    for (int i = 0; i < 1000; i++) ping(c); /* warm up */
    double t0 = now_s();
    for (long i = 0; i < n; i++) ping(c);
    double dt = now_s() - t0;
    redisFree(c);
    printf("RESULT hiredis_ping_rps %.0f\n", n / dt);
    return 0;
}
