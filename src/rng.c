/* xoshiro256** (Blackman & Vigna 2018) with splitmix64 seeding, one generator per
 * (seed, stream) pair. Every draw is a pure function of the stream position (no cached
 * normals), so a trace is reproducible from the seed alone. */
#include "rng.h"

#include <math.h>

/* Own constant: M_PI is POSIX, not C11. */
#define GT_TWO_PI 6.283185307179586476925286766559

/* splitmix64 step: a bijective mix of a Weyl counter, Vigna's recommended seeder. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* GCC/Clang 128-bit product for Lemire's method; __extension__ keeps -pedantic quiet. */
__extension__ typedef unsigned __int128 u128;

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(Rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix seed and stream separately before combining, so that no simple relation between
     * (seed, stream) pairs (e.g. seed ^ stream*C) makes two streams share a state. */
    uint64_t a = seed, b = stream ^ 0xD1B54A32D192ED03u;
    uint64_t x = splitmix64(&a) ^ rotl(splitmix64(&b), 17);
    /* Four consecutive splitmix64 outputs come from four distinct counters and the mix is a
     * bijection, so at most one of them can be 0: the all-zero state is impossible. */
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t rng_u64(Rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(Rng *r)
{
    /* The top 53 bits fill a double's mantissa exactly: every value is k * 2^-53. */
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

double rng_normal(Rng *r)
{
    /* Box-Muller, one value per two uniforms: a fixed two draws per call keeps the
     * stream position predictable, which rejection (polar) methods would not.
     * 1 - u lies in (0, 1], so log never sees 0. */
    double u1 = 1.0 - rng_uniform(r);
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(GT_TWO_PI * u2);
}

uint64_t rng_below(Rng *r, uint64_t n)
{
    /* Lemire (2019), "Fast random integer generation in an interval": multiply-shift with
     * rejection of the 2^64 mod n low products that would bias the result. */
    uint64_t x = rng_u64(r);
    u128 m = (u128)x * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t thresh = (0 - n) % n; /* 2^64 mod n */
        while (lo < thresh) {
            x = rng_u64(r);
            m = (u128)x * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void rng_shuffle(Rng *r, uint32_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
