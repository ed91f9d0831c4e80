/* Shared by the echo peers: a reproducible byte stream and a checksum. */
#ifndef WSP_PEERS_COMMON_H
#define WSP_PEERS_COMMON_H
#include "../t.h"

typedef struct { uint32_t x; } stream_t;

/* xorshift32, one byte per step (tests/run.py's pattern_bytes() is the same stream). */
T_FN void stream_fill(stream_t *s, unsigned char *buf, size_t n) {
    uint32_t x = s->x;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    s->x = x;
}

/* FNV-1a, 64 bit. */
T_FN uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL

T_FN int fam_arg(const char *s) { return atoi(s) == 6 ? AF_INET6 : AF_INET; }
#endif
