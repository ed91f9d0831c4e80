/* The datagram format of the UDP peers: an 8-byte header (sequence number, payload length, both
 * little-endian) and a payload every byte of which follows from (seed, sequence number). */
#ifndef WSP_PEERS_UDP_COMMON_H
#define WSP_PEERS_UDP_COMMON_H
#include "common.h"

#define UDP_HDR 8
#define UDP_END 0xffffffffu /* the sequence number that ends a run */

T_FN void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
T_FN uint32_t get32(const unsigned char *p) {
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Build datagram `seq` of `len` total bytes (>= 1; headers only when it fits). */
T_FN void dgram_fill(unsigned char *b, size_t len, uint32_t seed, uint32_t seq) {
    stream_t st = {(seed ^ (seq * 2654435761u)) | 1};
    stream_fill(&st, b, len);
    if (len >= UDP_HDR) {
        put32(b, seq);
        put32(b + 4, (uint32_t)(len - UDP_HDR));
    }
}

/* Whether `b` (n bytes) is datagram `seq` of `len` bytes. */
T_FN int dgram_ok(const unsigned char *b, size_t n, size_t len, uint32_t seed, uint32_t seq) {
    static unsigned char want[65536];
    if (n != len) return 0;
    dgram_fill(want, len, seed, seq);
    return memcmp(want, b, n) == 0;
}

/* The size of datagram `seq`: 1 byte to 8 KiB, spread over the range (xorshift of seq). */
T_FN size_t dgram_size(uint32_t seed, uint32_t seq) {
    uint32_t x = (seed + seq * 0x9e3779b9u) | 1;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return 1 + x % 8192;
}
#endif
