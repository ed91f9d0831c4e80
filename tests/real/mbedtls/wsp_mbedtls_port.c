/*
 * mbedtls 2.28 porting functions for wasm32-wasip1 (see wsp_mbedtls_config.h): entropy from
 * getentropy, timers from CLOCK_MONOTONIC. The semantics follow mbedtls' own Unix timing.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/timing.h"

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    size_t done = 0;
    while (done < len) {
        size_t n = len - done > 256 ? 256 : len - done; /* getentropy's limit */
        if (getentropy(output + done, n) != 0) {
            return -1;
        }
        done += n;
    }
    *olen = done;
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

volatile int mbedtls_timing_alarmed = 0;

unsigned long mbedtls_timing_hardclock(void)
{
    return (unsigned long)now_ns();
}

unsigned long mbedtls_timing_get_timer(struct mbedtls_timing_hr_time *val, int reset)
{
    uint64_t now = now_ns();
    if (reset) {
        val->start_ns = now;
        return 0;
    }
    return (unsigned long)((now - val->start_ns) / 1000000u);
}

/* No signal delivery in WASI: the alarm never fires. Only mbedtls' benchmark and self test use
 * it; the TLS and DTLS code does not. */
void mbedtls_set_alarm(int seconds)
{
    (void)seconds;
    mbedtls_timing_alarmed = 0;
}

void mbedtls_timing_set_delay(void *data, uint32_t int_ms, uint32_t fin_ms)
{
    mbedtls_timing_delay_context *ctx = data;
    ctx->int_ms = int_ms;
    ctx->fin_ms = fin_ms;
    if (fin_ms != 0) {
        (void)mbedtls_timing_get_timer(&ctx->timer, 1);
    }
}

int mbedtls_timing_get_delay(void *data)
{
    mbedtls_timing_delay_context *ctx = data;
    if (ctx->fin_ms == 0) {
        return -1;
    }
    unsigned long elapsed = mbedtls_timing_get_timer(&ctx->timer, 0);
    if (elapsed >= ctx->fin_ms) {
        return 2;
    }
    if (elapsed >= ctx->int_ms) {
        return 1;
    }
    return 0;
}
