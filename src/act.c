/* The activation table (kann-style): each activation is written once, as an expression of
 * f and one of f', and a macro stamps out its scalar reference (double) and its float and
 * double array kernels from those same expressions, so the dtypes cannot drift apart. */
#include "act.h"

#include "common.h"
#include "vmath.h"

#include <float.h>
#include <stdint.h>
#include <string.h>
#include <tgmath.h> /* exp/erfc/... pick the float functions for float x, as float32 must */

#define SELU_L 1.0507009873554804934193349852946
#define SELU_A 1.6732632423543772848170429916717
#define SELU_LA (SELU_L * SELU_A)
#define SQRT1_2 0.70710678118654752440084436210485
#define INV_SQRT_2PI 0.39894228040143267793994605993438
#define INV_SQRT_PI 0.56418958354775628694807945156077

/* Constants inside the expressions go through K so float kernels never widen to double. */
#define K(c) ((T)(c))

/* exp and tanh of a float go to vmath.h, whose loops vectorise (libm's are opaque calls);
 * double kernels and the scalar reference keep libm. */
#define EXP(x) _Generic((x), float: vmath_expf, default: exp)(x)
#define TANH(x) _Generic((x), float: vmath_tanhf, default: tanh)(x)

/* A NULL ActParams means the project defaults, so theory code can call f/df bare. */
static const ActParams act_defaults = {0.01, 0.0};

/* Float thresholds round up, so d < thr_f holds exactly when (double)d < thr would: a
 * plain (float)thr could round below thr and miss values just under it. */
static float sat_thr_s(double thr)
{
    float t = (float)thr;
    return (double)t < thr ? nextafterf(t, INFINITY) : t;
}
static double sat_thr_d(double thr) { return thr; }
#define SAT_THR(thr) _Generic((T)0, float: sat_thr_s, double: sat_thr_d)(thr)

/* Every generated function sees x, T, alpha (leaky slope) and g0 (f' at a relu-type
 * kink); the casts are hoisted so loops only read locals. */
#define ACT_PARAMS                                                                      \
    const ActParams *q_ = p ? p : &act_defaults;                                        \
    const T alpha = (T)q_->alpha;                                                       \
    const T g0 = (T)q_->relu_grad_at_zero;                                              \
    (void)alpha;                                                                        \
    (void)g0;

/* PRE_F / PRE_DF are declarations the expression needs (e.g. one shared exp); they are
 * separate because an unused exp call could not be dropped (it may set errno).
 * No derivative reads a: forms like sigmoid' = a(1-a) round to exactly 0 once a rounds
 * to 1 (x > 17 in float), and a reported zero gradient must mean a true zero (DESIGN.md §3).
 * Loops run in blocks of ACT_BLOCK because gcc 12's -O2 cost model ("very cheap") only
 * vectorises loops whose trip count it knows; saturated entries are counted in ACT_BLOCK
 * lanes of T, so the compare-and-add vectorises with the rest (uint32 lanes stop gcc
 * from vectorising the exp-based kernels), and the lanes go into the total only every
 * 2^20 blocks (below 2^24 each, so exact), not after every block in order.
 * restrict: net.c keeps z, a and the delta in distinct buffers, and without it gcc would
 * need runtime alias checks, which that cost model also refuses. */
#define ACT_BLOCK 16

/* NOLINTBEGIN(bugprone-macro-parentheses): TYPE is a type and PRE_F/PRE_DF are statements,
 * neither can take parentheses */
#define ACT_KERNELS(name, TYPE, sfx, PRE_F, F, PRE_DF, DF)                              \
    GT_HOT static void name##_fwd_##sfx(const TYPE *restrict z, TYPE *restrict a, size_t n,     \
                                 const ActParams *p)                                    \
    {                                                                                   \
        typedef TYPE T;                                                                 \
        ACT_PARAMS                                                                      \
        size_t i = 0;                                                                   \
        for (; i + ACT_BLOCK <= n; i += ACT_BLOCK)                                      \
            for (size_t k = 0; k < ACT_BLOCK; k++) {                                    \
                const size_t j = i + k;                                                 \
                const T x = z[j];                                                       \
                PRE_F                                                                   \
                a[j] = (F);                                                             \
            }                                                                           \
        for (; i < n; i++) {                                                            \
            const T x = z[i];                                                           \
            PRE_F                                                                       \
            a[i] = (F);                                                                 \
        }                                                                               \
    }                                                                                   \
    /* g *= f'(z), and with OUT also a = f(z): one pass and, through CSE, one exp */    \
    static inline __attribute__((always_inline)) size_t name##_grad_##sfx(              \
        const TYPE *restrict z, TYPE *restrict a, TYPE *restrict g, size_t n,           \
        const ActParams *p, double sat_thr, int OUT)                                    \
    {                                                                                   \
        typedef TYPE T;                                                                 \
        ACT_PARAMS                                                                      \
        const T thr = SAT_THR(sat_thr);                                                 \
        T lane_sat[ACT_BLOCK] = {0}; /* exact: flushed every 2^20 blocks */             \
        size_t n_sat = 0, i = 0, blocks = 0;                                            \
        for (; i + ACT_BLOCK <= n; i += ACT_BLOCK) {                                    \
            for (size_t k = 0; k < ACT_BLOCK; k++) {                                    \
                const size_t j = i + k;                                                 \
                const T x = z[j];                                                       \
                (void)x; /* linear's f' does not read it */                             \
                if (OUT) {                                                              \
                    PRE_F                                                               \
                    a[j] = (F);                                                         \
                }                                                                       \
                {                                                                       \
                    PRE_DF                                                              \
                    const T d = (DF);                                                   \
                    lane_sat[k] += d < thr ? 1 : 0;                                     \
                    g[j] *= d;                                                          \
                }                                                                       \
            }                                                                           \
            if (++blocks == (size_t)1 << 20 || i + ACT_BLOCK + ACT_BLOCK > n) {         \
                for (size_t k = 0; k < ACT_BLOCK; k++) {                                \
                    n_sat += (size_t)lane_sat[k];                                       \
                    lane_sat[k] = 0;                                                    \
                }                                                                       \
                blocks = 0;                                                             \
            }                                                                           \
        }                                                                               \
        for (; i < n; i++) {                                                            \
            const T x = z[i];                                                           \
            (void)x;                                                                    \
            if (OUT) {                                                                  \
                PRE_F                                                                   \
                a[i] = (F);                                                             \
            }                                                                           \
            {                                                                           \
                PRE_DF                                                                  \
                const T d = (DF);                                                       \
                n_sat += d < thr;                                                       \
                g[i] *= d;                                                              \
            }                                                                           \
        }                                                                               \
        return n_sat;                                                                   \
    }                                                                                   \
    GT_HOT static size_t name##_bwd_##sfx(const TYPE *restrict z, TYPE *restrict g, size_t n, \
                                          const ActParams *p, double sat_thr)           \
    {                                                                                   \
        return name##_grad_##sfx(z, NULL, g, n, p, sat_thr, 0);                         \
    }                                                                                   \
    GT_HOT static size_t name##_fwd_bwd_##sfx(const TYPE *restrict z, TYPE *restrict a, \
                                              TYPE *restrict g, size_t n, const ActParams *p, \
                                              double sat_thr)                           \
    {                                                                                   \
        return name##_grad_##sfx(z, a, g, n, p, sat_thr, 1);                            \
    }

#define ACT_SCALAR(name, PRE_F, F, PRE_DF, DF)                                          \
    static double name##_f(double x, const ActParams *p)                                \
    {                                                                                   \
        typedef double T;                                                               \
        ACT_PARAMS                                                                      \
        PRE_F                                                                           \
        return (F);                                                                     \
    }                                                                                   \
    static double name##_df(double x, const ActParams *p)                               \
    {                                                                                   \
        typedef double T;                                                               \
        ACT_PARAMS                                                                      \
        (void)x;                                                                        \
        PRE_DF                                                                          \
        return (DF);                                                                    \
    }
/* NOLINTEND(bugprone-macro-parentheses) */

#define DEF_ACT(name, PRE_F, F, PRE_DF, DF)                                             \
    ACT_SCALAR(name, PRE_F, F, PRE_DF, DF)                                              \
    ACT_KERNELS(name, float, s, PRE_F, F, PRE_DF, DF)                                   \
    ACT_KERNELS(name, double, d, PRE_F, F, PRE_DF, DF)

/* Logistic functions use e = exp(-|x|) <= 1: nothing overflows, and both s and 1 - s
 * keep full relative precision deep in either tail. */
DEF_ACT(sigmoid,
        const T e = EXP(-fabs(x));, (x >= 0 ? 1 : e) / (1 + e),
        const T e = EXP(-fabs(x));, e / ((1 + e) * (1 + e)))

/* sech^2 written with exp(-2|x|) rather than 1 - tanh^2, which cancels to 0 for |x| > 9
 * in float and > 19 in double. */
DEF_ACT(tanh,
        , TANH(x),
        const T e = EXP(-2 * fabs(x));, 4 * e / ((1 + e) * (1 + e)))

/* x < 0 ? 0 : x rather than x > 0 ? x : 0 so a NaN pre-activation propagates and a
 * diverged run is not masked as all-dead. f'(0) is a convention: g0, 0 by default. */
DEF_ACT(relu,
        , x < 0 ? 0 : x,
        , x > 0 ? 1 : x < 0 ? 0 : g0)

/* Leaky ReLU's kink takes the same g0 as relu (default 0, the project's convention for
 * every relu-type kink), so one option governs both and comparisons between them stay fair.
 * f is a sum of two selects, not x > 0 ? x : alpha * x: gcc sinks that multiply into a
 * branch it may not if-convert (it could trap), so the loop would not vectorise. Equal to
 * alpha * x for x < 0 exactly, and NaN still propagates. */
DEF_ACT(leaky_relu,
        , (x > 0 ? x : 0) + alpha * (x > 0 ? 0 : x),
        , x > 0 ? 1 : x < 0 ? alpha : g0)

/* ELU with alpha = 1 is C^1, so f'(0) = exp(0) = 1 needs no convention; exp(x) instead of
 * f(x) + 1 keeps the tail derivative from cancelling to 0. */
DEF_ACT(elu,
        , x > 0 ? x : expm1(x),
        , x > 0 ? 1 : EXP(x))

/* SELU's kink takes the left derivative lambda*alpha at 0, as PyTorch does. */
DEF_ACT(selu,
        , K(SELU_L) * (x > 0 ? x : K(SELU_A) * expm1(x)),
        , x > 0 ? K(SELU_L) : K(SELU_LA) * EXP(x))

/* Exact GELU x*Phi(x) with Phi written as erfc(-x/sqrt2)/2: the same function as
 * (1 + erf(x/sqrt2))/2, but without cancellation for x < 0. */
DEF_ACT(gelu,
        , K(0.5) * x * erfc(-x * K(SQRT1_2)),
        , K(0.5) * erfc(-x * K(SQRT1_2)) + x * K(INV_SQRT_2PI) * EXP(-(x * x) / 2))

/* max(x,0) + log1p(exp(-|x|)): exact for large x (softplus(800) = 800), no overflow. */
DEF_ACT(softplus,
        , (x > 0 ? x : 0) + log1p(EXP(-fabs(x))),
        const T e = EXP(-fabs(x));, (x >= 0 ? 1 : e) / (1 + e))

/* swish' = s + x s (1 - s) = s (1 + x (1 - s)); s and 1 - s both come from e. */
DEF_ACT(swish,
        const T e = EXP(-fabs(x)); const T xe = x * e;, (x >= 0 ? x : xe) / (1 + e),
        const T e = EXP(-fabs(x));
        const T s = (x >= 0 ? 1 : e) / (1 + e);
        const T c = (x >= 0 ? e : 1) / (1 + e);, s * (1 + x * c))

DEF_ACT(softsign,
        , x / (1 + fabs(x)),
        const T u = 1 + fabs(x);, 1 / (u * u))

DEF_ACT(linear, , x, , 1)

/* sup_x f'(x). For relu-type activations the value at the kink (g0) counts too, so the
 * bound holds whatever --relu-grad-at-zero is. */
static const ActParams *params_or_default(const ActParams *p) { return p ? p : &act_defaults; }

static double sigmoid_max_df(const ActParams *p) { (void)p; return 0.25; }
static double tanh_max_df(const ActParams *p) { (void)p; return 1.0; }
static double relu_max_df(const ActParams *p)
{
    double g0 = params_or_default(p)->relu_grad_at_zero;
    return g0 > 1.0 ? g0 : 1.0;
}
static double leaky_relu_max_df(const ActParams *p)
{
    const ActParams *q = params_or_default(p);
    double m = q->alpha > 1.0 ? q->alpha : 1.0;
    return q->relu_grad_at_zero > m ? q->relu_grad_at_zero : m;
}
static double elu_max_df(const ActParams *p) { (void)p; return 1.0; }
static double selu_max_df(const ActParams *p) { (void)p; return SELU_LA; }
/* (Phi + x phi)' = phi (2 - x^2) vanishes at x = sqrt2, where Phi(sqrt2) = erfc(-1)/2 and
 * sqrt2 phi(sqrt2) = exp(-1)/sqrt(pi): about 1.1289. */
static double gelu_max_df(const ActParams *p)
{
    (void)p;
    return 0.5 * erfc(-1.0) + exp(-1.0) * INV_SQRT_PI;
}
static double softplus_max_df(const ActParams *p) { (void)p; return 1.0; }
/* swish'' = s(1-s)(2 + x(1 - 2s)) vanishes where x tanh(x/2) = 2; Newton from 2.4 reaches
 * the root (about 2.3994) to double precision in a few steps. */
static double swish_max_df(const ActParams *p)
{
    double x = 2.4;
    for (int i = 0; i < 8; i++) {
        double t = tanh(0.5 * x);
        x -= (x * t - 2.0) / (t + 0.5 * x * (1.0 - t * t));
    }
    return swish_df(x, p);
}
static double softsign_max_df(const ActParams *p) { (void)p; return 1.0; }
static double linear_max_df(const ActParams *p) { (void)p; return 1.0; }

#define ROW(k, name)                                                                    \
    [k] = {k, #name, name##_f, name##_df, name##_max_df,                                \
           name##_fwd_s, name##_fwd_d, name##_bwd_s, name##_bwd_d,                      \
           name##_fwd_bwd_s, name##_fwd_bwd_d}

/* Designated indices keep act_table[k].kind == k whatever order the rows are in. */
static const Act act_table[ACT_COUNT] = {
    ROW(ACT_SIGMOID, sigmoid),
    ROW(ACT_TANH, tanh),
    ROW(ACT_RELU, relu),
    ROW(ACT_LEAKY_RELU, leaky_relu),
    ROW(ACT_ELU, elu),
    ROW(ACT_SELU, selu),
    ROW(ACT_GELU, gelu),
    ROW(ACT_SOFTPLUS, softplus),
    ROW(ACT_SWISH, swish),
    ROW(ACT_SOFTSIGN, softsign),
    ROW(ACT_LINEAR, linear),
};

const Act *act_get(ActKind k)
{
    return (unsigned)k < ACT_COUNT ? &act_table[k] : NULL;
}

const Act *act_lookup(const char *name)
{
    if (!name) return NULL;
    for (int k = 0; k < ACT_COUNT; k++)
        if (strcmp(name, act_table[k].name) == 0) return &act_table[k];
    return NULL;
}

const char *act_valid_names(void)
{
    return "sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, softplus, swish, softsign, "
           "linear";
}

/* ---- dead units: where the backward kernel's f' is exactly 0 ----------------------------
 * Bisection over the dtype's values in order (their bit patterns mapped to unsigned keys
 * that sort as the values do), between z = 1, where every activation has f' > 0, and the
 * largest finite value of each sign. */
static uint64_t key_of(double z, int f32)
{
    if (f32) {
        float f = (float)z;
        uint32_t u;
        memcpy(&u, &f, sizeof u);
        return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    }
    uint64_t u;
    memcpy(&u, &z, sizeof u);
    return (u >> 63) ? ~u : (u | (1ull << 63));
}

static double value_of(uint64_t k, int f32)
{
    if (f32) {
        uint32_t key = (uint32_t)k, u = (key & 0x80000000u) ? (key ^ 0x80000000u) : ~key;
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    uint64_t u = (k >> 63) ? (k ^ (1ull << 63)) : ~k;
    double z;
    memcpy(&z, &u, sizeof z);
    return z;
}

/* f'(z) as the dtype's backward kernel computes it (g = 1 times f') */
static int kernel_df_zero(const Act *a, const ActParams *p, int f32, uint64_t k)
{
    double z = value_of(k, f32);
    if (f32) {
        float zf = (float)z, g = 1;
        a->bwd_s(&zf, &g, 1, p, 0);
        return g == 0;
    }
    double g = 1;
    a->bwd_d(&z, &g, 1, p, 0);
    return g == 0;
}

ActDead act_dead_range(const Act *a, const ActParams *p, int f32)
{
    const double big = f32 ? FLT_MAX : DBL_MAX;
    uint64_t one = key_of(1.0, f32), kmin = key_of(-big, f32), kmax = key_of(big, f32);
    ActDead d = {-INFINITY, INFINITY, kernel_df_zero(a, p, f32, key_of(0.0, f32))};
    double *lo = &d.lo, *hi = &d.hi;
    if (kernel_df_zero(a, p, f32, kmin)) { /* lo: the least z with f'(z) != 0 */
        uint64_t zero = kmin, nonzero = one;
        while (nonzero - zero > 1) {
            uint64_t mid = zero + (nonzero - zero) / 2;
            *(kernel_df_zero(a, p, f32, mid) ? &zero : &nonzero) = mid;
        }
        *lo = value_of(nonzero, f32);
    }
    if (kernel_df_zero(a, p, f32, kmax)) { /* hi: the greatest z with f'(z) != 0 */
        uint64_t nonzero = one, zero = kmax;
        while (zero - nonzero > 1) {
            uint64_t mid = nonzero + (zero - nonzero) / 2;
            *(kernel_df_zero(a, p, f32, mid) ? &zero : &nonzero) = mid;
        }
        *hi = value_of(nonzero, f32);
    }
    return d;
}
