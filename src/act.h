/* The activation table: one row per activation with its scalar definition (reference,
 * tests, theory) and vectorised array kernels for both dtypes (the hot path).
 * Nothing outside this file switches on the activation. */
#ifndef GT_ACT_H
#define GT_ACT_H

#include <stddef.h>

typedef enum {
    ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SELU, ACT_GELU,
    ACT_SOFTPLUS, ACT_SWISH, ACT_SOFTSIGN, ACT_LINEAR, ACT_COUNT
} ActKind;

typedef struct {
    double alpha;             /* leaky_relu slope for x < 0 (default 0.01); elu's alpha is 1 */
    double relu_grad_at_zero; /* f'(0) used by relu and leaky_relu (default 0) */
} ActParams;

typedef struct {
    ActKind kind;
    const char *name;
    double (*f)(double x, const ActParams *p);  /* scalar reference */
    double (*df)(double x, const ActParams *p); /* scalar derivative, same convention at kinks */
    double (*max_df)(const ActParams *p);       /* sup_x f'(x), for the saturation threshold */
    /* a[i] = f(z[i]) */
    void (*fwd_s)(const float *z, float *a, size_t n, const ActParams *p);
    void (*fwd_d)(const double *z, double *a, size_t n, const ActParams *p);
    /* g[i] *= f'(z[i]); returns how many i had f'(z[i]) < sat_thr. f' reads z only (the
     * net keeps z, not a; and sigmoid' = a(1 - a) would round to 0 once a rounds to 1). */
    size_t (*bwd_s)(const float *z, float *g, size_t n, const ActParams *p, double sat_thr);
    size_t (*bwd_d)(const double *z, double *g, size_t n, const ActParams *p, double sat_thr);
    /* both at once: a[i] = f(z[i]) and g[i] *= f'(z[i]) (backprop recomputing outputs) */
    size_t (*fwd_bwd_s)(const float *z, float *a, float *g, size_t n, const ActParams *p,
                        double sat_thr);
    size_t (*fwd_bwd_d)(const double *z, double *a, double *g, size_t n, const ActParams *p,
                        double sat_thr);
} Act;

const Act *act_get(ActKind k);
const Act *act_lookup(const char *name); /* NULL when unknown */
const char *act_valid_names(void);       /* "sigmoid, tanh, ..." for error messages */

/* Where a unit gets no gradient: f'(z) is exactly 0, as the backward kernel of the dtype
 * computes it, for z < lo, for z > hi, and at z = 0 when at_zero (the kink's convention,
 * --relu-grad-at-zero 0). relu: lo = the least positive value (f'(z) = 0 for z <= 0);
 * leaky_relu: only z = 0; sigmoid in float: both tails, where exp underflows; linear:
 * nowhere (lo = -inf, hi = +inf). Each tail is one interval (test_act checks it); the
 * isolated roots of gelu' and swish' (their minima) are not counted: no unit sits on one
 * for every input. */
typedef struct {
    double lo, hi;
    int at_zero;
} ActDead;
/* f32: the float kernel, else the double one */
ActDead act_dead_range(const Act *a, const ActParams *p, int f32);
static inline int act_is_dead(const ActDead *d, double z)
{
    return z < d->lo || z > d->hi || (z == 0 && d->at_zero);
}

#endif
