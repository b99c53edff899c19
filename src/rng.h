/* Seeded pseudo-random numbers: xoshiro256** seeded through splitmix64.
 * Independent streams per purpose (init, data, shuffle, probe set) so that one part
 * drawing more numbers never changes another part's draws. */
#ifndef GT_RNG_H
#define GT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} Rng;

/* Stream ids in use; a new purpose gets a new id, never reuses one. */
enum {
    RNG_INIT = 1, RNG_DATA = 2, RNG_SHUFFLE = 3, RNG_PROBE = 4, RNG_TEACHER = 5,
    BD_RNG_INPUTS = 101, BD_RNG_TRIAL = 102, /* gradtrace census: probe inputs, trials */
};
/* gradtrace spectrum: one stream per trial, rng_seed(seed, SP_RNG_TRIAL(width, trial))
 * (jacobian.c), width < 2^23 and trial < 2^40. Bit 63 keeps this range apart from the ids
 * above: no other id may set bit 63. */
#define SP_RNG_TRIAL(width, trial) \
    ((uint64_t)1 << 63 | (uint64_t)(width) << 40 | (uint64_t)(trial))

void rng_seed(Rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_u64(Rng *r);
double rng_uniform(Rng *r);            /* [0, 1), 53 random bits */
double rng_normal(Rng *r);             /* N(0, 1), no cached state */
uint64_t rng_below(Rng *r, uint64_t n); /* uniform in [0, n), unbiased; n > 0 */
void rng_shuffle(Rng *r, uint32_t *idx, size_t n); /* Fisher-Yates */

#endif
