/* mbedtls MBEDTLS_TIMING_ALT types for wasm32-wasip1 (see wsp_mbedtls_config.h). */
#ifndef WSP_MBEDTLS_TIMING_ALT_H
#define WSP_MBEDTLS_TIMING_ALT_H
#include <stdint.h>

struct mbedtls_timing_hr_time {
    uint64_t start_ns;
};

typedef struct mbedtls_timing_delay_context {
    struct mbedtls_timing_hr_time timer;
    uint32_t int_ms;
    uint32_t fin_ms;
} mbedtls_timing_delay_context;

#endif
