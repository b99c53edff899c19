/* Tests for act.c: every activation's f and f' against closed forms written here in long
 * double, f' against central differences of f, the ReLU'(0) convention, the float and
 * double array kernels against the scalar reference, saturation counts and sup f'. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "act.h"

static const char *const NAMES[ACT_COUNT] = {
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
    "gelu", "softplus", "swish", "softsign", "linear",
};

static const ActParams DEFAULTS = {0.01, 0.0};

#define SELU_L 1.0507009873554804934193349852946L
#define SELU_A 1.6732632423543772848170429916717L
#define PI_L 3.14159265358979323846264338327950288L

static void check_near(const char *what, ActKind k, double x, double got, double want,
                       double rtol, double atol)
{
    if (!(fabs(got - want) <= rtol * fabs(want) + atol))
        fail_msg("%s of %s at x=%.17g: got %.17g, want %.17g", what, NAMES[k], x, got, want);
}

/* Phi in long double: erfc on the left so the tail does not cancel, 1 + erf on the right. */
static long double ref_phi_cdf(long double x)
{
    return x < 0 ? erfcl(-x / sqrtl(2.0L)) / 2 : (1 + erfl(x / sqrtl(2.0L))) / 2;
}

/* Closed forms, deliberately in other shapes than act.c's (cosh instead of exp(-|x|),
 * naive logistic in long double, whose range holds exp(800)). */
static long double ref_f(ActKind k, long double x, const ActParams *p)
{
    long double alpha = p->alpha;
    switch (k) {
    case ACT_SIGMOID: return 1 / (1 + expl(-x));
    case ACT_TANH: return tanhl(x);
    case ACT_RELU: return x > 0 ? x : 0;
    case ACT_LEAKY_RELU: return x > 0 ? x : alpha * x;
    case ACT_ELU: return x > 0 ? x : expm1l(x);
    case ACT_SELU: return SELU_L * (x > 0 ? x : SELU_A * expm1l(x));
    case ACT_GELU: return x * ref_phi_cdf(x);
    case ACT_SOFTPLUS: return log1pl(expl(x));
    case ACT_SWISH: return x / (1 + expl(-x));
    case ACT_SOFTSIGN: return x / (1 + fabsl(x));
    case ACT_LINEAR: return x;
    default: break;
    }
    fail_msg("no reference for kind %d", (int)k);
    return 0;
}

/* At the kinks: relu-type take g0, selu its left derivative lambda*alpha. */
static long double ref_df(ActKind k, long double x, const ActParams *p)
{
    long double alpha = p->alpha, g0 = p->relu_grad_at_zero;
    switch (k) {
    case ACT_SIGMOID: {
        long double c = coshl(x / 2);
        return 1 / (4 * c * c);
    }
    case ACT_TANH: {
        long double c = coshl(x);
        return 1 / (c * c);
    }
    case ACT_RELU: return x > 0 ? 1 : x < 0 ? 0 : g0;
    case ACT_LEAKY_RELU: return x > 0 ? 1 : x < 0 ? alpha : g0;
    case ACT_ELU: return x > 0 ? 1 : expl(x);
    case ACT_SELU: return x > 0 ? SELU_L : SELU_L * SELU_A * expl(x);
    case ACT_GELU: return ref_phi_cdf(x) + x * expl(-x * x / 2) / sqrtl(2 * PI_L);
    case ACT_SOFTPLUS: return 1 / (1 + expl(-x));
    case ACT_SWISH: {
        long double s = 1 / (1 + expl(-x)), one_minus_s = 1 / (1 + expl(x));
        return s + x * s * one_minus_s;
    }
    case ACT_SOFTSIGN: return 1 / ((1 + fabsl(x)) * (1 + fabsl(x)));
    case ACT_LINEAR: return 1;
    default: break;
    }
    fail_msg("no reference for kind %d", (int)k);
    return 0;
}

static void test_lookup(void **state)
{
    (void)state;
    char joined[256] = "";
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_lookup(NAMES[k]);
        assert_non_null(a);
        assert_int_equal(a->kind, k);
        assert_string_equal(a->name, NAMES[k]);
        assert_ptr_equal(act_get((ActKind)k), a);
        assert_non_null(a->f);
        assert_non_null(a->df);
        assert_non_null(a->max_df);
        assert_non_null(a->fwd_s);
        assert_non_null(a->fwd_d);
        assert_non_null(a->bwd_s);
        assert_non_null(a->bwd_d);
        assert_non_null(a->fwd_bwd_s);
        assert_non_null(a->fwd_bwd_d);
        if (k) strcat(joined, ", ");
        strcat(joined, NAMES[k]);
    }
    assert_string_equal(act_valid_names(), joined);
    const char *bad[] = {"", "Sigmoid", "relu ", "leaky-relu", "leaky", "silu", "identity"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_null(act_lookup(bad[i]));
    assert_null(act_lookup(NULL));
    assert_null(act_get(ACT_COUNT));
}

static const double POINTS[] = {-800, -40, -10, -3, -1.5, -0.3, 0,
                                0.3,  1.5, 3,   10, 40,   800};
#define NPOINTS (sizeof POINTS / sizeof POINTS[0])

static void check_closed_forms(const ActParams *p)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_get((ActKind)k);
        for (size_t i = 0; i < NPOINTS; i++) {
            double x = POINTS[i];
            double f = a->f(x, p), d = a->df(x, p);
            if (!isfinite(f) || !isfinite(d))
                fail_msg("%s at %g: f=%g df=%g not finite", NAMES[k], x, f, d);
            /* atol only absorbs results below DBL_MIN (e.g. sigmoid(-800) = 3.7e-348). */
            check_near("f", (ActKind)k, x, f, (double)ref_f((ActKind)k, x, p), 1e-13, 1e-300);
            check_near("df", (ActKind)k, x, d, (double)ref_df((ActKind)k, x, p), 1e-13, 1e-300);
        }
    }
}

static void test_closed_forms(void **state)
{
    (void)state;
    check_closed_forms(&DEFAULTS);
    const ActParams other = {0.2, 1.0};
    check_closed_forms(&other);
}

/* The tails a naive formula gets wrong: overflow to NaN, or a derivative rounded to 0
 * long before the true value is. */
static void test_extremes(void **state)
{
    (void)state;
    const ActParams *p = &DEFAULTS;
    const Act *sig = act_get(ACT_SIGMOID), *sp = act_get(ACT_SOFTPLUS);
    assert_true(sig->f(800, p) == 1.0);
    assert_true(sig->f(-800, p) == 0.0);
    assert_true(sig->f(-720, p) > 0.0); /* 2.6e-313: subnormal, but not lost */
    assert_true(sp->f(800, p) == 800.0);
    assert_true(sp->f(-800, p) == 0.0);
    assert_true(act_get(ACT_SWISH)->f(800, p) == 800.0);
    assert_true(act_get(ACT_TANH)->f(-800, p) == -1.0);
    /* 1 - tanh^2 and s(1 - s) are exactly 0 here; the true values are not. */
    check_near("df", ACT_TANH, 20, act_get(ACT_TANH)->df(20, p), 1.6993417021166355e-17,
               1e-13, 0);
    check_near("df", ACT_SIGMOID, 40, sig->df(40, p), 4.2483542552915889e-18, 1e-13, 0);
    check_near("df", ACT_ELU, -40, act_get(ACT_ELU)->df(-40, p), 4.2483542552915889e-18,
               1e-13, 0);
    /* GELU's left tail: -10 Phi(-10), Phi(-10) = 7.6198530241605261e-24. */
    check_near("f", ACT_GELU, -10, act_get(ACT_GELU)->f(-10, p), -7.6198530241605261e-23,
               1e-12, 0);

    const double xs[] = {-1e300, -1e6, -800, 800, 1e6, 1e300};
    const float xf[] = {-1e30f, -800.0f, -104.0f, -88.8f, 88.8f, 104.0f, 800.0f, 1e30f};
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_get((ActKind)k);
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            if (k == ACT_SELU && fabs(xs[i]) > 1e200) continue; /* lambda * 1e300 is finite */
            double f, g = 1;
            a->fwd_d(&xs[i], &f, 1, p);
            a->bwd_d(&xs[i], &g, 1, p, 0.0);
            if (!isfinite(f) || !isfinite(g) || !isfinite(a->f(xs[i], p)) ||
                !isfinite(a->df(xs[i], p)))
                fail_msg("%s not finite at x=%g (double)", NAMES[k], xs[i]);
        }
        for (size_t i = 0; i < sizeof xf / sizeof xf[0]; i++) {
            float f, g = 1;
            a->fwd_s(&xf[i], &f, 1, p);
            a->bwd_s(&xf[i], &g, 1, p, 0.0);
            if (!isfinite(f) || !isfinite(g))
                fail_msg("%s not finite at x=%g (float)", NAMES[k], (double)xf[i]);
        }
    }
}

/* A NaN pre-activation must come out NaN, or a diverged net would look merely dead. */
static void test_nan_propagates(void **state)
{
    (void)state;
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_get((ActKind)k);
        const double zd = NAN;
        const float zs = NAN;
        double ad = 0;
        float as = 0;
        a->fwd_d(&zd, &ad, 1, &DEFAULTS);
        a->fwd_s(&zs, &as, 1, &DEFAULTS);
        if (!isnan(ad) || !isnan(as) || !isnan(a->f(NAN, &DEFAULTS)))
            fail_msg("%s(NaN) is not NaN", NAMES[k]);
    }
}

static void check_central_differences(const ActParams *p)
{
    const double h = 1e-6;
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_get((ActKind)k);
        int n = 0, n_live = 0;
        /* The grid steps over 0, the only kink, by at least 0.1. */
        for (double x = -6.03; x < 6.0; x += 0.37, n++) {
            double d = a->df(x, p);
            double fd = (a->f(x + h, p) - a->f(x - h, p)) / (2 * h);
            check_near("df vs central difference", (ActKind)k, x, d, fd, 1e-6,
                       1e-6 * 1e-2);
            n_live += fabs(d) > 1e-2;
        }
        /* Guard: an f' that is 0 (or f constant) almost everywhere would match trivially. */
        if (n_live < n / 3)
            fail_msg("%s: f' above 1e-2 at only %d of %d grid points", NAMES[k], n_live, n);
    }
}

static void test_central_differences(void **state)
{
    (void)state;
    check_central_differences(&DEFAULTS);
    const ActParams steep = {0.2, 1.0};
    check_central_differences(&steep);
}

static void test_relu_grad_at_zero(void **state)
{
    (void)state;
    const double g0s[] = {0.0, 1.0, 0.5};
    for (size_t t = 0; t < 3; t++) {
        const ActParams p = {0.01, g0s[t]};
        for (int k = ACT_RELU; k <= ACT_LEAKY_RELU; k++) {
            const Act *a = act_get((ActKind)k);
            const double neg = k == ACT_RELU ? 0.0 : 0.01;
            assert_true(a->df(0.0, &p) == g0s[t]);
            assert_true(a->df(-0.0, &p) == g0s[t]);
            assert_true(a->df(-1.0, &p) == neg);
            assert_true(a->df(2.0, &p) == 1.0);
            assert_true(a->f(0.0, &p) == 0.0);

            /* 37 entries: two full blocks and a tail, with a zero in each part. */
            double zd[37], gd[37], ad[37];
            float zs[37], gs[37], as[37];
            for (int i = 0; i < 37; i++) {
                zd[i] = i % 3 == 0 ? -1.0 : i % 3 == 1 ? 0.0 : 2.0;
                if (i == 7 || i == 34) zd[i] = -0.0;
                zs[i] = (float)zd[i];
                gd[i] = 3.0;
                gs[i] = 3.0f;
            }
            a->fwd_d(zd, ad, 37, &p);
            a->fwd_s(zs, as, 37, &p);
            /* thr 0.02: neg (<= 0.01) and g0 = 0 count, 0.5 and 1 do not. */
            size_t cd = a->bwd_d(zd, gd, 37, &p, 0.02);
            size_t cs = a->bwd_s(zs, gs, 37, &p, 0.02);
            size_t want = 0;
            for (int i = 0; i < 37; i++) {
                double d = zd[i] > 0 ? 1.0 : zd[i] < 0 ? neg : g0s[t];
                want += d < 0.02;
                if (gd[i] != 3.0 * d || gs[i] != (float)(3.0 * (float)d))
                    fail_msg("%s bwd at z=%g with g0=%g: got %g / %g, want %g", NAMES[k],
                             zd[i], g0s[t], gd[i], (double)gs[i], 3.0 * d);
            }
            assert_int_equal(cd, want);
            assert_int_equal(cs, want);
        }
    }
    /* The brief's hand count: relu at -1, 0, 2 with thr 0.01 has 2 saturated entries. */
    const double z[3] = {-1, 0, 2};
    double a3[3], g3[3] = {1, 1, 1};
    const Act *relu = act_get(ACT_RELU);
    relu->fwd_d(z, a3, 3, &DEFAULTS);
    assert_int_equal(relu->bwd_d(z, g3, 3, &DEFAULTS, 0.01), 2);
    const ActParams one = {0.01, 1.0};
    g3[0] = g3[1] = g3[2] = 1;
    assert_int_equal(relu->bwd_d(z, g3, 3, &one, 0.01), 1);
}

#define NK 1000 /* 62 blocks of 16 and a tail of 8 */

static void fill_inputs(double *z, double lim)
{
    for (int i = 0; i < NK; i++) z[i] = -lim + 2 * lim * i / (NK - 1);
    const double special[] = {0.0, -0.0, 1e-3, -1e-3, 100, -100, 800, -800, 1e-30, -17.5};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        z[(i * 97 + 5) % NK] = special[i];
    z[NK - 1] = 0.0; /* a kink inside the tail loop */
}

static void test_kernels_double(void **state)
{
    (void)state;
    static double z[NK], a[NK], g[NK];
    fill_inputs(z, 30);
    const ActParams params[2] = {{0.01, 0.0}, {0.2, 1.0}};
    for (int t = 0; t < 2; t++) {
        const ActParams *p = &params[t];
        for (int k = 0; k < ACT_COUNT; k++) {
            const Act *act = act_get((ActKind)k);
            const double thr = 0.01 * act->max_df(p);
            for (int i = 0; i < NK; i++) g[i] = 0.5 + 0.25 * (i % 7);
            act->fwd_d(z, a, NK, p);
            size_t count = act->bwd_d(z, g, NK, p, thr), want = 0;
            for (int i = 0; i < NK; i++) {
                double d = act->df(z[i], p);
                want += d < thr;
                check_near("fwd_d", (ActKind)k, z[i], a[i], act->f(z[i], p), 1e-15, 1e-300);
                check_near("bwd_d", (ActKind)k, z[i], g[i], (0.5 + 0.25 * (i % 7)) * d,
                           1e-15, 1e-300);
            }
            assert_int_equal(count, want);
            /* Guard against a count that is always 0 (leaky's slope alpha is not below
             * 0.01 max f', so it and linear never saturate). */
            if (k != ACT_LINEAR && k != ACT_LEAKY_RELU && want == 0)
                fail_msg("%s: no saturated entry", NAMES[k]);
        }
    }
}

/* float kernels compute in float, so they are compared with the double reference at the
 * same (float) inputs within a few float ulps: rtol 1e-6 is about 8 ulp. gelu' and swish'
 * cross 0, where the error is a few ulp of their terms (~0.5), not of the result; atol
 * covers those, and results (or intermediates such as erfcf) in the float subnormal
 * range, which carry fewer bits: 1e-3 FLT_MIN. GELU's tail is ill-conditioned in float
 * itself: erfc(t) and exp(-x^2/2) have condition number ~x^2, so the one rounding of
 * x/sqrt2 or x*x costs up to x^2 FLT_EPSILON relative. */
static void test_kernels_float(void **state)
{
    (void)state;
    static double zd[NK];
    static float z[NK], a[NK], g[NK], d1[NK];
    fill_inputs(zd, 30);
    for (int i = 0; i < NK; i++) z[i] = (float)zd[i];
    const ActParams params[2] = {{0.01, 0.0}, {0.2, 1.0}};
    for (int t = 0; t < 2; t++) {
        const ActParams *p = &params[t];
        for (int k = 0; k < ACT_COUNT; k++) {
            const Act *act = act_get((ActKind)k);
            const double thr = 0.01 * act->max_df(p);
            const double atol_sub = 1e-3 * FLT_MIN;
            const double atol_df = (k == ACT_GELU || k == ACT_SWISH) ? 1e-7 : atol_sub;
            for (int i = 0; i < NK; i++) {
                g[i] = 0.5f + 0.25f * (float)(i % 7);
                d1[i] = 1.0f;
            }
            act->fwd_s(z, a, NK, p);
            size_t count = act->bwd_s(z, g, NK, p, thr);
            act->bwd_s(z, d1, NK, p, thr); /* d1 = the kernel's own f' values */
            size_t want = 0;
            for (int i = 0; i < NK; i++) {
                double x = (double)z[i];
                double rtol = 1e-6 + (k == ACT_GELU ? x * x * FLT_EPSILON : 0);
                check_near("fwd_s", (ActKind)k, x, a[i], act->f(x, p), rtol, atol_sub);
                check_near("bwd_s", (ActKind)k, x, g[i], (0.5 + 0.25 * (i % 7)) * act->df(x, p),
                           rtol, atol_df);
                want += (double)d1[i] < thr;
            }
            assert_int_equal(count, want);
        }
    }
}

/* Float kernels compute in float (expm1f), or through vmath.h, whose results are the
 * correctly rounded floats (where glibc's tanhf is 1 ulp off, e.g. at -2.87887883); what
 * they must not do is a float-argument call that gcc widens to double and back. */
static void test_float_kernels_rounding(void **state)
{
    (void)state;
    static float z[NK], a[NK], e[NK];
    for (int i = 0; i < NK; i++) z[i] = -4.0f + 8.0f * (float)i / (NK - 1);
    act_get(ACT_TANH)->fwd_s(z, a, NK, &DEFAULTS);
    act_get(ACT_ELU)->fwd_s(z, e, NK, &DEFAULTS);
    for (int i = 0; i < NK; i++) {
        if (a[i] != (float)tanh((double)z[i]))
            fail_msg("tanh fwd_s(%.9g) = %.9g, correctly rounded %.9g", (double)z[i],
                     (double)a[i], (double)(float)tanh((double)z[i]));
        if (z[i] <= 0 && e[i] != expm1f(z[i]))
            fail_msg("elu fwd_s(%.9g) = %.9g, expm1f gives %.9g", (double)z[i], (double)e[i],
                     (double)expm1f(z[i]));
    }
}

/* fwd_bwd (backprop recomputing the outputs it does not keep) gives the bits of fwd and
 * bwd done apart, and the same saturation count, for every activation and both dtypes. */
static void test_fwd_bwd_same_bits(void **state)
{
    (void)state;
    static float zs[NK], as[NK], gs[NK], a1s[NK], g1s[NK];
    static double zd[NK], ad[NK], gd[NK], a1d[NK], g1d[NK];
    for (int i = 0; i < NK; i++) {
        zd[i] = (i - NK / 2) * 0.037 * (i % 5 == 0 ? 40 : 1);
        zs[i] = (float)zd[i];
    }
    zd[3] = zs[3] = 0; /* the kink */
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *act = act_get((ActKind)k);
        const ActParams p = {0.01, k == ACT_RELU ? 0.5 : 0.0};
        for (int i = 0; i < NK; i++) gs[i] = g1s[i] = (float)(gd[i] = g1d[i] = 1 + i % 3);
        act->fwd_s(zs, as, NK, &p);
        size_t ns = act->bwd_s(zs, gs, NK, &p, 0.1);
        assert_int_equal(act->fwd_bwd_s(zs, a1s, g1s, NK, &p, 0.1), ns);
        assert_memory_equal(as, a1s, sizeof as);
        assert_memory_equal(gs, g1s, sizeof gs);
        act->fwd_d(zd, ad, NK, &p);
        size_t nd = act->bwd_d(zd, gd, NK, &p, 0.1);
        assert_int_equal(act->fwd_bwd_d(zd, a1d, g1d, NK, &p, 0.1), nd);
        assert_memory_equal(ad, a1d, sizeof ad);
        assert_memory_equal(gd, g1d, sizeof gd);
    }
}

static void test_saturation_counts(void **state)
{
    (void)state;
    const Act *sig = act_get(ACT_SIGMOID);
    const double thr = 0.01 * 0.25;
    const double zd[3] = {0, 10, -10};
    const float zs[3] = {0, 10, -10};
    double ad[3], gd[3] = {1, 1, 1};
    float as[3], gs[3] = {1, 1, 1};
    sig->fwd_d(zd, ad, 3, &DEFAULTS);
    sig->fwd_s(zs, as, 3, &DEFAULTS);
    assert_int_equal(sig->bwd_d(zd, gd, 3, &DEFAULTS, thr), 2);
    assert_int_equal(sig->bwd_s(zs, gs, 3, &DEFAULTS, thr), 2);
    assert_true(gd[0] == 0.25 && gs[0] == 0.25f);

    /* The float threshold must not round down: linear's f' = 1 is below 1 + DBL_EPSILON,
     * although (float)(1 + DBL_EPSILON) == 1. */
    const Act *lin = act_get(ACT_LINEAR);
    float z[20], a[20], g[20];
    for (int i = 0; i < 20; i++) z[i] = g[i] = (float)i;
    lin->fwd_s(z, a, 20, &DEFAULTS);
    assert_int_equal(lin->bwd_s(z, g, 20, &DEFAULTS, 1.0 + DBL_EPSILON), 20);
    assert_int_equal(lin->bwd_s(z, g, 20, &DEFAULTS, 1.0), 0);
    assert_int_equal(lin->bwd_s(z, g, 20, &DEFAULTS, nextafter(1.0, 0.0)), 0);
    for (int i = 0; i < 20; i++) assert_true(g[i] == (float)i);
}

static void check_max_df(const ActParams *p)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        const Act *a = act_get((ActKind)k);
        const double m = a->max_df(p);
        double grid_max = -INFINITY;
        /* Includes x = 0 (the relu-type kink) and reaches x = 40, where softplus' and
         * elu-type sups are approached to within 1e-17. */
        for (int i = -40000; i <= 40000; i++) {
            double d = a->df(i * 1e-3, p);
            if (d > grid_max) grid_max = d;
        }
        if (!(grid_max <= m * (1 + 4 * DBL_EPSILON) && m - grid_max <= 1e-6))
            fail_msg("%s: max_df %.17g, grid max %.17g", NAMES[k], m, grid_max);
    }
}

static void test_max_df(void **state)
{
    (void)state;
    check_max_df(&DEFAULTS);
    const ActParams steep = {1.5, 1.0};
    check_max_df(&steep);
    /* Values from mpmath: Phi(sqrt2) + sqrt2 phi(sqrt2), swish' at the root of
     * x tanh(x/2) = 2, and lambda * alpha. */
    check_near("max_df", ACT_GELU, 0, act_get(ACT_GELU)->max_df(&DEFAULTS),
               1.1289041451851548, 1e-15, 0);
    check_near("max_df", ACT_SWISH, 0, act_get(ACT_SWISH)->max_df(&DEFAULTS),
               1.0998393201288669, 1e-15, 0);
    check_near("max_df", ACT_SELU, 0, act_get(ACT_SELU)->max_df(&DEFAULTS),
               1.7580993408473769, 1e-15, 0);
    assert_true(act_get(ACT_SIGMOID)->max_df(&DEFAULTS) == 0.25);
    assert_true(act_get(ACT_LEAKY_RELU)->max_df(&steep) == 1.5);
    assert_true(act_get(ACT_RELU)->max_df(&DEFAULTS) == 1.0);
}

/* NULL params mean the defaults (theory code calls f/df without a config). */
static void test_null_params(void **state)
{
    (void)state;
    const Act *lk = act_get(ACT_LEAKY_RELU);
    assert_true(lk->f(-2.0, NULL) == lk->f(-2.0, &DEFAULTS));
    assert_true(lk->df(-2.0, NULL) == 0.01);
    assert_true(lk->df(0.0, NULL) == 0.0);
    assert_true(lk->max_df(NULL) == 1.0);
}

/* act_dead_range: f'(z) == 0 from the backward kernel exactly when z < lo or z > hi, on
 * the boundaries' neighbours and on a dense sweep of magnitudes from the least denormal to
 * the largest value, both signs, for every activation and dtype and the kink options. */
static int kernel_zero(const Act *a, const ActParams *p, int f32, double z)
{
    if (f32) {
        float zf = (float)z, g = 1;
        a->bwd_s(&zf, &g, 1, p, 0);
        return g == 0;
    }
    double g = 1;
    a->bwd_d(&z, &g, 1, p, 0);
    return g == 0;
}

static void check_dead_at(const Act *a, const ActParams *p, int f32, const ActDead *d, double z)
{
    if (f32) z = (float)z;
    int want = act_is_dead(d, z);
    if (kernel_zero(a, p, f32, z) != want)
        fail_msg("%s %s: f'(%.17g) %s 0 but act_dead_range gives [%.17g, %.17g], at zero %d",
                 a->name, f32 ? "float" : "double", z, want ? "!=" : "==", d->lo, d->hi,
                 d->at_zero);
}

static void test_dead_range(void **state)
{
    (void)state;
    const ActParams params[] = {{0.01, 0}, {0.01, 0.5}, {0, 0}};
    int tails = 0;
    for (int k = 0; k < ACT_COUNT; k++)
        for (size_t q = 0; q < sizeof params / sizeof *params; q++)
            for (int f32 = 0; f32 < 2; f32++) {
                const Act *a = act_get((ActKind)k);
                const ActParams *p = &params[q];
                double big = f32 ? FLT_MAX : DBL_MAX;
                ActDead d = act_dead_range(a, p, f32);
                double lo = d.lo, hi = d.hi;
                assert_true(lo < 1 && hi > 1);
                tails += isfinite(lo) + isfinite(hi);
                double edges[] = {lo, hi};
                for (int i = 0; i < 2; i++) {
                    if (!isfinite(edges[i])) continue;
                    double e = edges[i];
                    check_dead_at(a, p, f32, &d, e);
                    check_dead_at(a, p, f32, &d, f32 ? nextafterf((float)e, -INFINITY) : nextafter(e, -INFINITY));
                    check_dead_at(a, p, f32, &d, f32 ? nextafterf((float)e, INFINITY) : nextafter(e, INFINITY));
                }
                check_dead_at(a, p, f32, &d, 0.0);
                check_dead_at(a, p, f32, &d, -0.0);
                /* denormals times 1.0625 round back to themselves: step at least one value */
                for (double m = f32 ? 1.4e-45 : 4.9e-324; m < big / 1.0625;
                     m = fmax(m * 1.0625, nextafter(m, INFINITY))) {
                    check_dead_at(a, p, f32, &d, m);
                    check_dead_at(a, p, f32, &d, -m);
                }
            }
    /* the guard: relu, sigmoid, tanh, ... do have dead regions */
    assert_true(tails > 20);
    ActParams def = {0.01, 0}, g0 = {0.01, 0.5};
    ActDead d = act_dead_range(act_get(ACT_RELU), &def, 1);
    assert_true(d.lo == FLT_TRUE_MIN && d.hi == INFINITY && d.at_zero); /* dead iff z <= 0 */
    d = act_dead_range(act_get(ACT_RELU), &g0, 0);
    assert_true(d.lo == 0 && d.hi == INFINITY && !d.at_zero); /* dead iff z < 0 */
    d = act_dead_range(act_get(ACT_LEAKY_RELU), &def, 0);
    assert_true(d.lo == -INFINITY && d.hi == INFINITY && d.at_zero); /* only at the kink */
    d = act_dead_range(act_get(ACT_LEAKY_RELU), &g0, 0);
    assert_true(d.lo == -INFINITY && d.hi == INFINITY && !d.at_zero); /* never dead */
    d = act_dead_range(act_get(ACT_SIGMOID), &def, 1);
    assert_true(d.lo > -110 && d.lo < -100 && d.hi == -d.lo); /* float: exp(-|z|) underflows */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_nan_propagates),
        cmocka_unit_test(test_central_differences),
        cmocka_unit_test(test_relu_grad_at_zero),
        cmocka_unit_test(test_kernels_double),
        cmocka_unit_test(test_kernels_float),
        cmocka_unit_test(test_float_kernels_rounding),
        cmocka_unit_test(test_fwd_bwd_same_bits),
        cmocka_unit_test(test_saturation_counts),
        cmocka_unit_test(test_max_df),
        cmocka_unit_test(test_null_params),
        cmocka_unit_test(test_dead_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
