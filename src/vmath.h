/* exp and tanh for the float activation kernels, written so that gcc vectorises the loops
 * that call them (libm's expf/tanhf are opaque calls and keep those loops scalar).
 * Branch-free and table-free; computed in double and rounded once to float, so the result
 * is the correctly rounded float except when the double lands within ~1e-13 of a
 * rounding boundary (tests/test_vmath.c compares against libm over a sweep of all floats).
 * Plain arithmetic only: with -ffp-contract=off the scalar and every vector version give
 * the same bits. Every ?: selects between values already computed: gcc does not
 * if-convert an arm that holds a floating-point operation, not even a float-to-double
 * conversion (it could trap), and a loop with a branch does not vectorise. */
#ifndef GT_VMATH_H
#define GT_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp(x) for x in [-110, 90] (outside that range the float result is 0 or inf anyway;
 * callers clamp), to ~2e-13 relative: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite, ln2
 * split so k * LN2_HI is exact), a degree-11 Taylor polynomial for exp(r), times 2^k made
 * from k's bits. k is read off the bits of x/ln2 + 1.5*2^52, where rounding to nearest has
 * put it in the low mantissa bits, so no double-to-int64 conversion is needed (AVX2 has
 * none). */
static inline double vmath_exp_core(double x)
{
    const double shift = 0x1.8p52, ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    double t = x * 0x1.71547652b82fep0 + shift; /* x / ln2, rounded to an integer */
    double kd = t - shift;
    double r = (x - kd * ln2_hi) - kd * ln2_lo;
    double p = 1.0 / 39916800;
    p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    uint64_t scale_bits = (bits - 0x4338000000000000ULL + 1023) << 52; /* 2^k */
    double scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
}

/* expf: 0 below -110, inf above 90, NaN stays NaN (the comparisons are false for it). */
static inline float vmath_expf(float x)
{
    x = x < -110.0f ? -110.0f : x; /* clamped in float: see the note on ?: above */
    x = x > 90.0f ? 90.0f : x;
    return (float)vmath_exp_core(x);
}

/* tanhf: (1 - e)/(1 + e) with e = exp(-2|x|) in double, which is accurate to ~1e-15
 * relative for |x| >= 2^-6; below that the odd Taylor series to x^9 (relative error
 * < 1e-19). The sign is copied back; NaN stays NaN. */
static inline float vmath_tanhf(float x)
{
    float m2 = -2.0f * fabsf(x); /* exact */
    m2 = m2 < -110.0f ? -110.0f : m2;
    double ax = fabs((double)x), e = vmath_exp_core(m2);
    double big = (1.0 - e) / (1.0 + e);
    double y2 = ax * ax;
    double small = ax * (1.0 + y2 * (-1.0 / 3 + y2 * (2.0 / 15 + y2 * (-17.0 / 315 +
                                                                    y2 * (62.0 / 2835)))));
    double t = ax < 0x1p-6 ? small : big;
    return (float)copysign(t, (double)x);
}

#endif
