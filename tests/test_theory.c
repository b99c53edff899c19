/* Mean-field theory (theory.c): quadrature against closed forms and adaptive integration,
 * the fixed point against plain iteration, per-layer indexing, the order-to-chaos line,
 * the phase grid, bad input, the CLI (when $GRADTRACE is set) and, the point of it all,
 * the per-layer gradient ratio of wide random networks built by the engine against chi1. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "theory.h"
#include "testutil.h"

#define INV_SQRT_2PI 0.39894228040143267793994605993438

static const ActParams AP = {.alpha = 0.01, .relu_grad_at_zero = 0};

static Theory mk(ActKind k, double sw2, double sb2)
{
    Theory t;
    GtErr e;
    if (theory_init(&t, k, &AP, sw2, sb2, &e)) fail_msg("theory_init: %s", e.msg);
    return t;
}

static double rel(double a, double b) { return b == 0 ? fabs(a) : fabs(a - b) / fabs(b); }

/* ---- reference integration: adaptive Gauss-Kronrod 7-15 in x = sqrt(q) z ------------ */

static const double XGK[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
static const double WGK[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double WG[4] = {0.129484966168869693270611432679082,
                             0.279705391489276667901467771423780,
                             0.381830050505118944950369775488975,
                             0.417959183673469387755102040816327};

typedef struct {
    double (*g)(double x, const void *ctx); /* integrand without the Gaussian */
    const void *ctx;
    double q;
} RefFn;

static double ref_eval(const RefFn *f, double x)
{
    double z = x / sqrt(f->q);
    return f->g(x, f->ctx) * exp(-0.5 * z * z) * INV_SQRT_2PI / sqrt(f->q);
}

/* The K15 estimate is accepted when it differs from G7 by less than 1e-9 of the panel's
 * integral of |f|: K15's own error is then far below that (it is exact to degree 23). */
static double gk(const RefFn *f, double a, double b, int depth)
{
    double c = 0.5 * (a + b), h = 0.5 * (b - a), fc = ref_eval(f, c);
    double k = fc * WGK[7], g = fc * WG[3], ka = fabs(fc) * WGK[7];
    for (int j = 0; j < 7; j++) {
        double f1 = ref_eval(f, c - h * XGK[j]), f2 = ref_eval(f, c + h * XGK[j]);
        k += WGK[j] * (f1 + f2);
        ka += WGK[j] * (fabs(f1) + fabs(f2));
        if (j % 2) g += WG[j / 2] * (f1 + f2);
    }
    if (fabs(k - g) <= 1e-9 * ka || ka < 1e-250 || depth > 40) return h * k;
    return gk(f, a, c, depth + 1) + gk(f, c, b, depth + 1);
}

/* E[g(sqrt(q) z)] = int g(x) N(x; 0, q) dx over |x| <= 36 sqrt(q) (the Gaussian is
 * still a normal double there), with breakpoints at 0 and +-2^k so that every scale of g
 * and of the Gaussian starts on its own panel. */
static double ref_expect(double (*g)(double, const void *), const void *ctx, double q)
{
    RefFn f = {g, ctx, q};
    double hi = 36 * sqrt(q), a = 0, b = fmin(ldexp(1, -30), hi), s = 0;
    for (;;) {
        s += gk(&f, a, b, 0) + gk(&f, -b, -a, 0);
        if (b >= hi) break;
        a = b;
        b = fmin(2 * b, hi);
    }
    return s;
}

typedef struct {
    const Act *act;
    int deriv;
} SqCtx;

static double act_sq(double x, const void *ctx)
{
    const SqCtx *c = ctx;
    double v = c->deriv ? c->act->df(x, &AP) : c->act->f(x, &AP);
    return v * v;
}
static double x_sq(double x, const void *ctx) { (void)ctx; return x * x; }
static double expx(double x, const void *ctx) { (void)ctx; return exp(x); }
static double abs_cubed(double x, const void *ctx) { (void)ctx; return fabs(x * x * x); }

/* The reference itself against closed forms: E[x^2] = q, E[e^x] = e^(q/2),
 * E[|x|^3] = 2 sqrt(2/pi) q^(3/2). */
static void test_reference_integrator(void **state)
{
    (void)state;
    const double qs[] = {1e-6, 0.5, 3, 1e4};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        double q = qs[i];
        assert_true(rel(ref_expect(x_sq, NULL, q), q) < 1e-14);
        assert_true(rel(ref_expect(expx, NULL, q < 100 ? q : 4), exp(0.5 * (q < 100 ? q : 4))) < 1e-14);
        assert_true(rel(ref_expect(abs_cubed, NULL, q), 2 * sqrt(2 / M_PI) * pow(q, 1.5)) < 1e-14);
    }
}

/* ---- quadrature ------------------------------------------------------------------- */

static void test_gauss_legendre_nodes(void **state)
{
    (void)state;
    Theory t = mk(ACT_TANH, 1, 0);
    double sw = 0;
    for (int i = 0; i < THEORY_GL_NODES; i++) {
        assert_true(t.x[i] != 0); /* even count: no node on a kink */
        assert_true(t.w[i] > 0);
        if (i) assert_true(t.x[i] > t.x[i - 1]);
        sw += t.w[i];
    }
    assert_near(sw, 2, 1e-14);
    /* exact for polynomials up to degree 2N-1: int x^2k = 2/(2k+1) on [-1, 1] */
    for (int k = 0; 2 * k <= 2 * THEORY_GL_NODES - 1; k++) {
        double s = 0;
        for (int i = 0; i < THEORY_GL_NODES; i++) s += t.w[i] * pow(t.x[i], 2 * k);
        assert_true(rel(s, 2.0 / (2 * k + 1)) < 1e-13);
    }
}

/* relu: E[relu(sqrt(q) z)^2] = q/2, E[relu'^2] = 1/2; leaky: (1 + alpha^2)/2 of each;
 * linear: q and 1; chi = sigma_w2 times the second. */
static void test_closed_forms(void **state)
{
    (void)state;
    const double qs[] = {1e-12, 1e-3, 0.37, 1, 2, 9.5, 1e3, 1e9};
    const double alphas[] = {0.01, 0.2, 1};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        double q = qs[i];
        Theory r = mk(ACT_RELU, 1.7, 0.3), l = mk(ACT_LINEAR, 0.8, 0);
        assert_true(rel(theory_mean_phi2(&r, q), q / 2) < 1e-14);
        assert_true(rel(theory_mean_dphi2(&r, q), 0.5) < 1e-14);
        assert_true(rel(theory_chi(&r, q), 1.7 / 2) < 1e-14);
        assert_true(rel(theory_vmap(&r, q), 1.7 * q / 2 + 0.3) < 1e-14);
        assert_true(rel(theory_mean_phi2(&l, q), q) < 1e-14);
        assert_true(rel(theory_chi(&l, q), 0.8) < 1e-14);
        for (size_t j = 0; j < sizeof alphas / sizeof *alphas; j++) {
            ActParams ap = {.alpha = alphas[j]};
            Theory k;
            GtErr e;
            assert_int_equal(theory_init(&k, ACT_LEAKY_RELU, &ap, 2.5, 0, &e), GT_OK);
            double a2 = alphas[j] * alphas[j];
            assert_true(rel(theory_mean_phi2(&k, q), q * (1 + a2) / 2) < 1e-14);
            assert_true(rel(theory_chi(&k, q), 2.5 * (1 + a2) / 2) < 1e-14);
        }
    }
    /* limits at q = 0 (a kink averages its one-sided slopes) and q = inf */
    Theory r = mk(ACT_RELU, 2, 0), th = mk(ACT_TANH, 1.3, 0.2), sg = mk(ACT_SIGMOID, 1, 0);
    assert_true(rel(theory_mean_dphi2(&r, 0), 0.5) < 1e-14);
    assert_true(rel(theory_mean_dphi2(&th, 0), 1) < 1e-14);
    assert_true(rel(theory_mean_dphi2(&sg, 0), 1.0 / 16) < 1e-14);
    assert_true(rel(theory_mean_phi2(&sg, 0), 0.25) < 1e-15);
    assert_true(isinf(theory_vmap(&r, HUGE_VAL)));
    assert_true(rel(theory_vmap(&th, HUGE_VAL), 1.3 + 0.2) < 1e-14);
    assert_true(rel(theory_chi(&r, HUGE_VAL), 1) < 1e-14);
    assert_true(theory_chi(&th, HUGE_VAL) < 1e-25); /* tanh' -> 0: the value at q = 1e60 */
}

/* Every activation, both expectations, q over 14 decades, against the adaptive reference.
 * The issue asks 1e-10 for smooth activations; the panels give ~1e-15 for all of them
 * (kinks included, since 0 is a panel edge). */
static void test_quadrature_vs_adaptive(void **state)
{
    (void)state;
    const double qs[] = {1e-6, 1e-3, 0.1, 0.5, 1, 2.5, 4, 10, 100, 1e4, 1e8};
    double worst = 0;
    for (int a = 0; a < ACT_COUNT; a++) {
        Theory t = mk((ActKind)a, 1, 0);
        for (int deriv = 0; deriv < 2; deriv++)
            for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
                SqCtx c = {act_get((ActKind)a), deriv};
                double ref = ref_expect(act_sq, &c, qs[i]);
                double got = deriv ? theory_mean_dphi2(&t, qs[i]) : theory_mean_phi2(&t, qs[i]);
                double err = rel(got, ref);
                if (err > worst) worst = err;
                if (err > 1e-12)
                    fail_msg("%s E[phi%s^2] at q = %g: %.17g, reference %.17g (rel %.2e)",
                             c.act->name, deriv ? "'" : "", qs[i], got, ref, err);
            }
    }
    print_message("quadrature vs adaptive Gauss-Kronrod: worst relative error %.2e\n", worst);
}

static double act_f(double x, const void *ctx) { return ((const Act *)ctx)->f(x, &AP); }

/* E[phi] (the residual stream's mean, theory_resid_layers) against the adaptive reference
 * where it is not near 0, closed forms (relu sqrt(q/2pi), leaky_relu (1-a) sqrt(q/2pi),
 * sigmoid 1/2 by symmetry) and exact 0 for the odd activations. */
static void test_mean_phi(void **state)
{
    (void)state;
    const double qs[] = {1e-6, 1e-3, 0.1, 0.5, 1, 2.5, 4, 10, 100, 1e4, 1e8};
    double worst = 0;
    for (int a = 0; a < ACT_COUNT; a++) {
        Theory t = mk((ActKind)a, 1, 0);
        for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
            double ref = ref_expect(act_f, t.act, qs[i]), got = theory_mean_phi(&t, qs[i]);
            /* E[phi] may cancel to ~0 (selu near q = 1): relative to E[|phi|] scale */
            double err = fabs(got - ref) / sqrt(theory_mean_phi2(&t, qs[i]));
            if (err > worst) worst = err;
            if (err > 1e-12)
                fail_msg("%s E[phi] at q = %g: %.17g, reference %.17g", t.act->name, qs[i], got, ref);
        }
    }
    print_message("E[phi] vs adaptive Gauss-Kronrod: worst error %.2e of sqrt(E[phi^2])\n", worst);
    Theory r = mk(ACT_RELU, 1, 0), sg = mk(ACT_SIGMOID, 1, 0), th = mk(ACT_TANH, 1, 0);
    Theory ss = mk(ACT_SOFTSIGN, 1, 0), li = mk(ACT_LINEAR, 1, 0);
    ActParams ap = {.alpha = 0.2};
    Theory lk;
    GtErr e;
    assert_int_equal(theory_init(&lk, ACT_LEAKY_RELU, &ap, 1, 0, &e), GT_OK);
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        double q = qs[i];
        assert_true(rel(theory_mean_phi(&r, q), sqrt(q) * INV_SQRT_2PI) < 1e-14);
        assert_true(rel(theory_mean_phi(&lk, q), 0.8 * sqrt(q) * INV_SQRT_2PI) < 1e-14);
        assert_true(rel(theory_mean_phi(&sg, q), 0.5) < 1e-14);
        assert_true(theory_mean_phi(&th, q) == 0 && theory_mean_phi(&ss, q) == 0 &&
                    theory_mean_phi(&li, q) == 0);
    }
    assert_true(theory_mean_phi(&sg, 0) == 0.5 && theory_mean_phi(&r, 0) == 0);
    assert_true(rel(theory_mean_phi(&r, 1e70), 1e35 * INV_SQRT_2PI) < 1e-13); /* ~sqrt(q) */
    assert_true(rel(theory_mean_phi(&sg, 1e70), 0.5) < 1e-14);
}

/* ---- fixed point, layers, phase ---------------------------------------------------- */

/* The fixed-point search assumes V increasing (then q_l is monotone). */
static void test_vmap_increasing(void **state)
{
    (void)state;
    for (int a = 0; a < ACT_COUNT; a++) {
        Theory t = mk((ActKind)a, 1.5, 0.1);
        double prev = theory_vmap(&t, 0);
        for (double lq = -8; lq <= 8; lq += 0.125) {
            double v = theory_vmap(&t, pow(10, lq));
            if (!(v > prev)) fail_msg("%s: V not increasing at q = 1e%g", t.act->name, lq);
            prev = v;
        }
    }
}

/* q* against many steps of the plain iteration, wherever that converges in 1e5 layers. */
static void test_fixed_point_vs_iteration(void **state)
{
    (void)state;
    const double sw[] = {0.5, 1.5, 3}, sb[] = {0.02, 0.3};
    int compared = 0;
    for (int a = 0; a < ACT_COUNT; a++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) {
                Theory t = mk((ActKind)a, sw[i], sb[j]);
                TheoryFixed fp;
                theory_fixed_point(&t, 1, &fp);
                assert_true(fp.converged);
                double q = fp.q1, prev = -1;
                int it = 0;
                for (; it < 100000 && fabs(q - prev) > 1e-15 * q && q < 1e12; it++) {
                    prev = q;
                    q = theory_vmap(&t, q);
                }
                if (q >= 1e12) {
                    assert_true(isinf(fp.q_star));
                    continue;
                }
                if (it == 100000) continue; /* too slow to tell */
                if (rel(fp.q_star, q) > 1e-11)
                    fail_msg("%s sw2 %g sb2 %g: q* %.17g, iteration %.17g", t.act->name, sw[i],
                             sb[j], fp.q_star, q);
                assert_true(rel(theory_vmap(&t, fp.q_star), fp.q_star) < 1e-13);
                assert_true(rel(fp.chi1, theory_chi(&t, fp.q_star)) < 1e-15);
                compared++;
            }
    assert_true(compared > 40);
}

static void test_fixed_point_special(void **state)
{
    (void)state;
    TheoryFixed fp;
    /* tanh at the critical point: q_l -> 0 like 1/(2l), chi1 = 1 exactly */
    Theory t = mk(ACT_TANH, 1, 0);
    theory_fixed_point(&t, 1, &fp);
    assert_true(fp.q_star == 0);
    assert_near(fp.chi1, 1, 1e-14);
    assert_int_equal(fp.phase, PHASE_CRITICAL);
    assert_true(isinf(fp.xi));
    /* tanh ordered to 0 and chaotic with q* > 0 */
    t = mk(ACT_TANH, 0.5, 0);
    theory_fixed_point(&t, 1, &fp);
    assert_true(fp.q_star == 0 && fp.phase == PHASE_ORDERED);
    assert_near(fp.chi1, 0.5, 1e-15);
    assert_near(fp.xi, 1 / log(2), 1e-14);
    t = mk(ACT_TANH, 2, 0);
    theory_fixed_point(&t, 1, &fp);
    assert_true(fp.q_star > 0.5 && fp.phase == PHASE_CHAOTIC);
    assert_true(fp.chi1 > 1);
    /* relu: chi1 = sigma_w2/2 whatever q* is (0, q1 or inf) */
    const double sws[] = {1.5, 2, 3};
    const TheoryPhase ph[] = {PHASE_ORDERED, PHASE_CRITICAL, PHASE_CHAOTIC};
    for (int i = 0; i < 3; i++) {
        t = mk(ACT_RELU, sws[i], 0);
        theory_fixed_point(&t, 1, &fp);
        assert_near(fp.chi1, sws[i] / 2, 1e-14);
        assert_int_equal(fp.phase, ph[i]);
        assert_true(i == 0 ? fp.q_star == 0 : i == 1 ? fp.q_star == 2 : isinf(fp.q_star));
    }
    t = mk(ACT_RELU, 1.5, 0);
    theory_fixed_point(&t, 1, &fp);
    assert_near(fp.xi, -1 / log(0.75), 1e-13);
    /* linear: q* = sigma_b2 / (1 - sigma_w2) */
    t = mk(ACT_LINEAR, 0.5, 1);
    theory_fixed_point(&t, 1, &fp);
    assert_near(fp.q_star, 2, 1e-14);
    /* q0 = sigma_b2 = 0 and phi(0) != 0: q moves off 0 */
    t = mk(ACT_SIGMOID, 1, 0);
    theory_fixed_point(&t, 0, &fp);
    assert_true(fp.q1 == 0 && fp.q_star > 0.2);
    assert_true(rel(theory_vmap(&t, fp.q_star), fp.q_star) < 1e-13);
    /* phase boundaries */
    assert_int_equal(theory_phase_of(1 - 2e-9), PHASE_ORDERED);
    assert_int_equal(theory_phase_of(1 + 5e-10), PHASE_CRITICAL);
    assert_int_equal(theory_phase_of(1 + 2e-9), PHASE_CHAOTIC);
    assert_string_equal(theory_phase_name(PHASE_CHAOTIC), "chaotic");
}

/* rows[l-1] is layer l: q_1 = sigma_w2 q0 + sigma_b2, q_{l+1} = V(q_l), and
 * log10_delta_sq_ratio_l = sum_{k=l}^{L-1} log10 chi_k (0 at L). */
static void test_layers_indexing(void **state)
{
    (void)state;
    enum { L = 12 };
    TheoryLayer rows[L];
    Theory t = mk(ACT_TANH, 1.7, 0.1);
    theory_layers(&t, 0.6, L, rows);
    assert_near(rows[0].q, 1.7 * 0.6 + 0.1, 1e-15);
    for (int l = 0; l < L; l++) {
        if (l) assert_true(rel(rows[l].q, theory_vmap(&t, rows[l - 1].q)) < 1e-15);
        assert_true(rel(rows[l].chi, theory_chi(&t, rows[l].q)) < 1e-15);
    }
    assert_true(rows[L - 1].log10_delta_sq_ratio == 0);
    for (int l = 0; l + 1 < L; l++)
        assert_near(rows[l].log10_delta_sq_ratio - rows[l + 1].log10_delta_sq_ratio,
                    log10(rows[l].chi), 1e-13);
    /* relu: every chi is sigma_w2/2, so layer 1 sits (L-1) log10(0.75) below layer L */
    t = mk(ACT_RELU, 1.5, 0);
    theory_layers(&t, 1, L, rows);
    assert_near(rows[0].log10_delta_sq_ratio, (L - 1) * log10(0.75), 1e-13);
    /* growth without bound is spelled inf, not a wrapped or NaN number */
    TheoryLayer deep[3000];
    t = mk(ACT_RELU, 4, 0);
    theory_layers(&t, 1, 3000, deep);
    assert_true(isinf(deep[2999].q));
    assert_near(deep[2999].chi, 2, 1e-14);
    assert_near(deep[0].log10_delta_sq_ratio, 2999 * log10(2.0), 1e-9);
}

/* ---- residual nets ------------------------------------------------------------------ */

/* relu in closed form: E[phi] = sqrt(q/2pi), E[phi^2] = q/2, E[phi'^2] = 1/2, so with K = 1
 * the stream's mean mu and mean square p follow mu <- mu + alpha sqrt(q/2pi),
 * p <- p + 2 alpha mu sqrt(q/2pi) + alpha^2 q/2 (q = sw2 p + sb2), every block multiplies
 * E||dL/dh||^2 by 1 + alpha^2 sw2/2, and E||delta_l||^2 = alpha^2/2 G_l (l >= 2),
 * E||delta_1||^2 = G_1/2. */
static void test_resid_relu_closed_form(void **state)
{
    (void)state;
    enum { L = 31 };
    const double cases[][3] = {{2, 0, 1}, {1.3, 0.2, 0.5}, {0.7, 0.05, 2.5}}; /* sw2, sb2, alpha */
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        double sw2 = cases[c][0], sb2 = cases[c][1], al = cases[c][2], q0 = 0.8;
        Theory t = mk(ACT_RELU, sw2, sb2);
        TheoryLayer rows[L];
        GtErr e;
        assert_int_equal(theory_resid_layers(&t, q0, 1, al, L, rows, &e), GT_OK);
        double q = sw2 * q0 + sb2, mu = sqrt(q) * INV_SQRT_2PI, p = q / 2;
        assert_true(rel(rows[0].q, q) < 1e-15);
        for (int l = 1; l < L; l++) {
            q = sw2 * p + sb2;
            double m = sqrt(q) * INV_SQRT_2PI;
            p += 2 * al * mu * m + al * al * q / 2;
            mu += al * m;
            if (rel(rows[l].q, q) > 1e-13)
                fail_msg("relu sw2 %g: q_%d %.17g, closed form %.17g", sw2, l + 1, rows[l].q, q);
            assert_true(rel(rows[l].chi, 1 + al * al * sw2 / 2) < 1e-14);
        }
        double f = log10(1 + al * al * sw2 / 2);
        for (int l = 1; l < L; l++) assert_near(rows[l].log10_delta_sq_ratio, (L - 1 - l) * f, 1e-12);
        assert_near(rows[0].log10_delta_sq_ratio, (L - 1) * f - 2 * log10(al), 1e-12);
    }
}

/* Odd phi (tanh): E[phi] = 0, so the cross term is exactly 0 and the stream follows the
 * issue's p <- p + alpha^2 E[phi(sqrt(q) z)^2] with q = sw2 p + sb2; the block factor is
 * 1 + alpha^2 sw2 E[phi'^2]. Expectations from the adaptive reference. K = 3 chains the
 * plain map inside a block. */
static void test_resid_recursion(void **state)
{
    (void)state;
    enum { L = 13 };
    const double sw2 = 1.6, sb2 = 0.1, al = 0.7, q0 = 1.2;
    Theory t = mk(ACT_TANH, sw2, sb2);
    SqCtx f = {t.act, 0}, df = {t.act, 1};
    TheoryLayer rows[L];
    GtErr e;
    assert_int_equal(theory_resid_layers(&t, q0, 1, al, L, rows, &e), GT_OK);
    double q = sw2 * q0 + sb2, p = ref_expect(act_sq, &f, q), lg = 0;
    assert_true(rel(rows[0].q, q) < 1e-15);
    for (int l = 1; l < L; l++) {
        q = sw2 * p + sb2;
        p += al * al * ref_expect(act_sq, &f, q);
        assert_true(rel(rows[l].q, q) < 1e-11);
        assert_true(rel(rows[l].chi, 1 + al * al * sw2 * ref_expect(act_sq, &df, q)) < 1e-11);
    }
    /* delta: alpha^2 E[phi'^2] G below the top, G growing by chi per block */
    double dl = log10(al * al * ref_expect(act_sq, &df, rows[L - 1].q));
    for (int l = L - 1; l >= 1; l--) {
        double want = lg + log10(al * al * ref_expect(act_sq, &df, rows[l].q)) - dl;
        assert_near(rows[l].log10_delta_sq_ratio, want, 1e-11);
        lg += log10(rows[l].chi);
    }
    assert_near(rows[0].log10_delta_sq_ratio, lg + log10(ref_expect(act_sq, &df, rows[0].q)) - dl,
                1e-11);
    /* K = 3: layers 2-4, 5-7, ...; inner layers take V, the block's first reads the stream */
    assert_int_equal(theory_resid_layers(&t, q0, 3, al, L, rows, &e), GT_OK);
    p = ref_expect(act_sq, &f, sw2 * q0 + sb2);
    double G = 1, d[L];
    for (int l = 1; l < L; l++) {
        q = (l - 1) % 3 == 0 ? sw2 * p + sb2 : sw2 * ref_expect(act_sq, &f, rows[l - 1].q) + sb2;
        assert_true(rel(rows[l].q, q) < 1e-11);
        if (l % 3 == 0) p += al * al * ref_expect(act_sq, &f, q);
    }
    for (int l = L - 1; l >= 1; l -= 3) { /* block l-2..l, in linear units (13 layers: no overflow) */
        d[l] = al * al * ref_expect(act_sq, &df, rows[l].q) * G;
        d[l - 1] = sw2 * ref_expect(act_sq, &df, rows[l - 1].q) * d[l];
        d[l - 2] = sw2 * ref_expect(act_sq, &df, rows[l - 2].q) * d[l - 1];
        assert_true(rel(rows[l].chi, 1 + sw2 * d[l - 2] / G) < 1e-11);
        assert_true(rel(rows[l - 1].chi, theory_chi(&t, rows[l - 1].q)) < 1e-15);
        G += sw2 * d[l - 2];
    }
    d[0] = ref_expect(act_sq, &df, rows[0].q) * G;
    for (int l = 0; l < L; l++) assert_near(rows[l].log10_delta_sq_ratio, log10(d[l] / d[L - 1]), 1e-11);
}

static void test_resid_bad_input(void **state)
{
    (void)state;
    Theory t = mk(ACT_TANH, 1, 0);
    TheoryLayer rows[10];
    GtErr e;
    assert_int_equal(theory_resid_layers(&t, 1, 0, 1, 10, rows, &e), GT_EINPUT);
    assert_int_equal(theory_resid_layers(&t, 1, 2, 1, 10, rows, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--residual 2 with --depth 10"));
    const double bad[] = {0, -1, NAN, HUGE_VAL, 1e9};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(theory_resid_layers(&t, 1, 3, bad[i], 10, rows, &e), GT_EINPUT);
        assert_non_null(strstr(e.msg, "--residual-scale"));
    }
    assert_int_equal(theory_resid_layers(&t, 1, 3, 1, 10, rows, &e), GT_OK);
    assert_int_equal(theory_resid_layers(&t, 1, 4, 1, 1, rows, &e), GT_OK); /* no block */
    assert_true(rows[0].log10_delta_sq_ratio == 0);
    /* growth without bound: q reaches inf, the profile stays finite */
    static TheoryLayer deep[4001];
    Theory r = mk(ACT_RELU, 4, 0);
    assert_int_equal(theory_resid_layers(&r, 1, 1, 1, 4001, deep, &e), GT_OK);
    assert_true(isinf(deep[4000].q));
    assert_near(deep[0].log10_delta_sq_ratio, 4000 * log10(3.0), 1e-8);
}

static void test_critical_line(void **state)
{
    (void)state;
    GtErr e;
    double w;
    assert_int_equal(theory_critical_sigma_w2(ACT_TANH, &AP, 0, 1, &w, &e), GT_OK);
    assert_near(w, 1, 1e-12);
    assert_int_equal(theory_critical_sigma_w2(ACT_RELU, &AP, 0, 1, &w, &e), GT_OK);
    assert_near(w, 2, 1e-12);
    assert_int_equal(theory_critical_sigma_w2(ACT_RELU, &AP, 0.3, 1, &w, &e), GT_OK);
    assert_near(w, 2, 1e-12);
    assert_int_equal(theory_critical_sigma_w2(ACT_LINEAR, &AP, 0.1, 1, &w, &e), GT_OK);
    assert_near(w, 1, 1e-12);
    ActParams ap = {.alpha = 0.2};
    assert_int_equal(theory_critical_sigma_w2(ACT_LEAKY_RELU, &ap, 0, 1, &w, &e), GT_OK);
    assert_near(w, 2 / 1.04, 1e-12);
    /* where there is no closed form: chi1 < 1 just below the answer and >= 1 just above;
     * at the answer either chi1 = 1 or chi1 jumps (q* jumps: swish at sigma_b2 = 0.5 loses
     * its finite fixed point near 2.0017 and q goes to infinity, chi1 to sigma_w2/2). The
     * tanh line rises with sigma_b2 (Schoenholz et al. 2017, fig. 1: ~1.76 at 0.05). */
    const struct {
        ActKind act;
        int jumps;
    } cases[] = {{ACT_TANH, 0}, {ACT_SIGMOID, 0}, {ACT_GELU, 0}, {ACT_ELU, 0}, {ACT_SELU, 0},
                 {ACT_SOFTSIGN, 0}, {ACT_SWISH, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(theory_critical_sigma_w2(cases[i].act, &AP, 0.5, 1, &w, &e), GT_OK);
        double chi[3];
        for (int k = 0; k < 3; k++) {
            TheoryFixed fp;
            Theory t = mk(cases[i].act, w * (1 + (k - 1) * 1e-9), 0.5);
            theory_fixed_point(&t, 1, &fp);
            chi[k] = fp.chi1;
        }
        if (!(chi[0] < 1 && chi[2] >= 1 - 1e-9))
            fail_msg("%s: chi1 %.17g below, %.17g above sigma_w2 %.17g", act_get(cases[i].act)->name,
                     chi[0], chi[2], w);
        if (cases[i].jumps) assert_true(chi[2] - chi[0] > 1e-4);
        else assert_near(chi[1], 1, 1e-8);
    }
    assert_int_equal(theory_critical_sigma_w2(ACT_TANH, &AP, 0.05, 1, &w, &e), GT_OK);
    assert_true(w > 1.7 && w < 1.8);
    /* gelu at sigma_b2 = 0.5: chi1 crosses 1 near 1.96 and touches it again at 2 */
    assert_int_equal(theory_critical_sigma_w2(ACT_GELU, &AP, 0.5, 1, &w, &e), GT_OK);
    assert_true(w > 1.9 && w < 1.99);
}

static void test_phase_grid(void **state)
{
    (void)state;
    GtErr e;
    FILE *f = tmpfile();
    assert_non_null(f);
    TheoryRange w2 = {0.5, 4, 8}, b2 = {0, 0.3, 4};
    assert_int_equal(theory_phase_grid(f, ACT_RELU, &AP, 1, &w2, &b2, &e), GT_OK);
    rewind(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "sigma_w2,sigma_b2,chi1,q_star\n");
    int rows = 0;
    double sw, sb, chi, qs;
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(sscanf(line, "%lf,%lf,%lf,%lf", &sw, &sb, &chi, &qs), 4);
        assert_near(sw, theory_range_at(&w2, rows / 4), 0);
        assert_near(sb, theory_range_at(&b2, rows % 4), 0);
        assert_near(chi, sw / 2, 1e-14);
        rows++;
    }
    assert_int_equal(rows, 32);
    assert_true(sw == 4 && sb == 0.3); /* the ends are hit exactly */
    fclose(f);
    f = tmpfile();
    TheoryRange one = {1.2, 1.2, 1}, tb = {0.1, 0.1, 1};
    assert_int_equal(theory_phase_grid(f, ACT_TANH, &AP, 1, &one, &tb, &e), GT_OK);
    rewind(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(sscanf(line, "%lf,%lf,%lf,%lf", &sw, &sb, &chi, &qs), 4);
    Theory t = mk(ACT_TANH, 1.2, 0.1);
    TheoryFixed fp;
    theory_fixed_point(&t, 1, &fp);
    assert_true(chi == fp.chi1 && qs == fp.q_star);
    fclose(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    Theory t;
    GtErr e;
    const double bad_w[] = {0, -1, NAN, HUGE_VAL, 1e101};
    for (size_t i = 0; i < sizeof bad_w / sizeof *bad_w; i++) {
        assert_int_equal(theory_init(&t, ACT_TANH, &AP, bad_w[i], 0, &e), GT_EINPUT);
        assert_non_null(strstr(e.msg, "--sigma-w2"));
    }
    const double bad_b[] = {-1e-300, NAN, -HUGE_VAL};
    for (size_t i = 0; i < sizeof bad_b / sizeof *bad_b; i++) {
        assert_int_equal(theory_init(&t, ACT_TANH, &AP, 1, bad_b[i], &e), GT_EINPUT);
        assert_non_null(strstr(e.msg, "--sigma-b2"));
    }
    ActParams ap = {.alpha = 1.5};
    assert_int_equal(theory_init(&t, ACT_LEAKY_RELU, &ap, 1, 0, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--alpha"));
    assert_int_equal(theory_init(&t, ACT_COUNT, &AP, 1, 0, &e), GT_EINPUT);
    double w;
    assert_int_equal(theory_critical_sigma_w2(ACT_TANH, &AP, -0.1, 1, &w, &e), GT_EINPUT);
    assert_int_equal(theory_critical_sigma_w2(ACT_TANH, &AP, 0, -1, &w, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--q0"));
    /* chi1 of softsign... every table row has f', so "no derivative" cannot be provoked
     * here; a linear net with huge sigma_b2 still has its crossing at 1 */
    assert_int_equal(theory_critical_sigma_w2(ACT_LINEAR, &AP, 1e6, 1, &w, &e), GT_OK);
}

/* ---- the CLI (skipped unless $GRADTRACE names the binary, as `make test` does) ------ */

/* Runs `$GRADTRACE theory ARGS` through the shell; stdout and stderr into buffers. */
static int run_cli(const char *args, char *out, size_t nout, char *err, size_t nerr)
{
    const char *bin = getenv("GRADTRACE");
    if (!bin) return -1;
    char o[] = "/tmp/gt_theory_outXXXXXX", r[] = "/tmp/gt_theory_errXXXXXX";
    int fo = mkstemp(o), fr = mkstemp(r);
    assert_true(fo >= 0 && fr >= 0);
    close(fo);
    close(fr);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' theory %s >%s 2>%s", bin, args, o, r);
    int st = system(cmd);
    FILE *f = fopen(o, "r");
    size_t n = fread(out, 1, nout - 1, f);
    out[n] = 0;
    fclose(f);
    f = fopen(r, "r");
    n = fread(err, 1, nerr - 1, f);
    err[n] = 0;
    fclose(f);
    unlink(o);
    unlink(r);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static void test_cli(void **state)
{
    (void)state;
    static char out[1 << 18], err[4096];
    if (!getenv("GRADTRACE")) skip();
    /* bad input: exit 2 and one line naming the option */
    const struct {
        const char *args, *msg;
    } bad[] = {
        {"--sigma-w2 0", "gradtrace theory: --sigma-w2 0: expected a finite number > 0\n"},
        {"--sigma-w2=-2", "gradtrace theory: --sigma-w2 -2: expected a finite number > 0\n"},
        {"--sigma-b2 -0.1", "gradtrace theory: --sigma-b2 -0.1: expected a finite number >= 0\n"},
        {"--depth 0", "gradtrace theory: --depth 0: expected an integer from 1 to 100000\n"},
        {"--activation relux", NULL},
        {"--q0 nan", NULL},
        {"--alpha 2", NULL},
        {"--bogus 1", NULL},
        {"--depth", NULL},
        {"--phase-grid --w2-range 1:0:5", NULL},
        {"--phase-grid --b2-range 0:1:1", NULL},
        {"--w2-range 1:2:3", NULL},
        {"--critical --sigma-w2 2", NULL},
        {"--critical --phase-grid", NULL},
        {"--residual -1", "gradtrace theory: --residual -1: expected an integer from 0 to 100000\n"},
        {"--residual 1 --residual-scale nan",
         "gradtrace theory: --residual-scale nan: expected a finite number > 0\n"},
        {"--residual 1 --residual-scale 0", NULL},
        {"--residual-scale 0.5", NULL},
        {"--residual 2 --depth 10", "gradtrace theory: --residual 2 with --depth 10: depth - 1 must be "
                                    "a multiple of 2 (hidden layer 1 is outside the blocks); nearest "
                                    "valid depths 9 and 11\n"},
        {"--residual 1 --critical", NULL},
        {"--residual 1 --phase-grid", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = run_cli(bad[i].args, out, sizeof out, err, sizeof err);
        if (rc != 2 || count_lines(err) != 1 || out[0])
            fail_msg("theory %s: exit %d, stderr '%s'", bad[i].args, rc, err);
        assert_true(starts_with(err, "gradtrace theory: --"));
        if (bad[i].msg) assert_string_equal(err, bad[i].msg);
    }
    /* --help lists every option with its default */
    assert_int_equal(run_cli("--help", out, sizeof out, err, sizeof err), 0);
    const char *opts[] = {"--activation NAME", "[tanh]", "--alpha A", "--sigma-w2 S", "--sigma-b2 S",
                          "--depth L", "[20]", "--q0 Q", "--csv", "--critical", "--phase-grid",
                          "--w2-range LO:HI:N", "[0.5:4:36]", "--b2-range LO:HI:N", "[0:0.5:26]",
                          "--residual K", "--residual-scale A"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (!strstr(out, opts[i])) fail_msg("--help lacks %s", opts[i]);
    /* the summary block */
    assert_int_equal(run_cli("--activation relu --sigma-w2 3", out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "chi1        1.5 "));
    assert_non_null(strstr(out, "phase       chaotic"));
    assert_non_null(strstr(out, "xi          inf"));
    /* residual: the summary and the CSV match the library */
    assert_int_equal(run_cli("--activation relu --sigma-w2 2 --residual 1 --depth 21", out, sizeof out,
                             err, sizeof err), 0);
    assert_non_null(strstr(out, "chi_21      2 "));
    assert_non_null(strstr(out, "(over the 20 blocks)"));
    assert_int_equal(run_cli("--csv --depth 9 --residual 4 --residual-scale 0.3 --sigma-w2 1.4 "
                             "--activation sigmoid", out, sizeof out, err, sizeof err), 0);
    assert_int_equal(count_lines(out), 10);
    {
        TheoryLayer rr[9];
        Theory ts = mk(ACT_SIGMOID, 1.4, 0);
        GtErr e;
        assert_int_equal(theory_resid_layers(&ts, 1, 4, 0.3, 9, rr, &e), GT_OK);
        const char *pp = strchr(out, '\n') + 1;
        for (int l = 0; l < 9; l++) {
            int layer;
            double q, chi, r;
            assert_int_equal(sscanf(pp, "%d,%lf,%lf,%lf", &layer, &q, &chi, &r), 4);
            assert_true(layer == l + 1 && q == rr[l].q && chi == rr[l].chi &&
                        r == rr[l].log10_delta_sq_ratio);
            pp = strchr(pp, '\n') + 1;
        }
    }
    /* per-layer CSV matches the library */
    assert_int_equal(run_cli("--csv --depth 7 --sigma-w2=1.3 --sigma-b2 0.2 --q0 2", out, sizeof out,
                             err, sizeof err), 0);
    assert_int_equal(count_lines(out), 8);
    assert_true(starts_with(out, "layer,q,chi,log10_delta_sq_ratio\n"));
    TheoryLayer rows[7];
    Theory t = mk(ACT_TANH, 1.3, 0.2);
    theory_layers(&t, 2, 7, rows);
    const char *p = strchr(out, '\n') + 1;
    for (int l = 0; l < 7; l++) {
        int layer;
        double q, chi, r;
        assert_int_equal(sscanf(p, "%d,%lf,%lf,%lf", &layer, &q, &chi, &r), 4);
        assert_int_equal(layer, l + 1);
        assert_true(q == rows[l].q && chi == rows[l].chi && r == rows[l].log10_delta_sq_ratio);
        p = strchr(p, '\n') + 1;
    }
    /* --critical */
    assert_int_equal(run_cli("--critical --csv --activation relu --sigma-b2 0.1", out, sizeof out,
                             err, sizeof err), 0);
    double sb, sw;
    assert_int_equal(sscanf(out, "sigma_b2,sigma_w2_critical\n%lf,%lf", &sb, &sw), 2);
    assert_near(sb, 0.1, 0);
    assert_near(sw, 2, 1e-12);
    assert_int_equal(count_lines(out), 2);
    /* --phase-grid with the default ranges: 36 x 26 rows */
    assert_int_equal(run_cli("--phase-grid", out, sizeof out, err, sizeof err), 0);
    assert_int_equal(count_lines(out), 1 + 36 * 26);
    assert_true(starts_with(out, "sigma_w2,sigma_b2,chi1,q_star\n"));
}

/* ---- the engine against the theory ------------------------------------------------- */

/* A wide float64 net (made once per activation: allocation dominates) at a fresh gaussian
 * init; inputs scaled so that every row has mean square q0 exactly (then
 * q_1 = sigma_w2 q0 + sigma_b2 per sample, as the theory's layer 1). Fills
 * lnd[l-1] = ln E||delta_l||^2 (up to a common constant) for l = 1..L+1 from delta_ss
 * and e2. */
static void make_net(Net *n, ActKind act, long depth, size_t width, size_t batch, long k,
                     double alpha)
{
    NetSpec s = {.dtype = DT_F64, .in_dim = width, .width = width, .out_dim = 10, .batch = batch,
                 .depth = depth, .act = act, .ap = AP, .resid_k = k, .resid_scale = alpha};
    GtErr e;
    assert_int_equal(net_create(n, &s, &e), GT_OK);
}

static void engine_profile(Net *n, double sw2, double sb2, double q0, uint64_t seed, double *lnd)
{
    size_t batch = n->batch, width = n->in_dim;
    GtErr e;
    Rng r;
    rng_seed(&r, seed, RNG_INIT);
    assert_int_equal(net_init_params(n, INIT_GAUSSIAN, sw2, sb2, &r, &e), GT_OK);
    Dataset d = {.n = batch, .dim = width, .classes = 10};
    d.x = malloc(batch * width * sizeof(double));
    d.y = malloc(batch * sizeof(int32_t));
    assert_non_null(d.x);
    assert_non_null(d.y);
    rng_seed(&r, seed, RNG_DATA);
    for (size_t i = 0; i < batch; i++) {
        double ss = 0, *x = d.x + i * width;
        for (size_t j = 0; j < width; j++) {
            x[j] = rng_normal(&r);
            ss += x[j] * x[j];
        }
        double c = sqrt(q0 * (double)width / ss);
        for (size_t j = 0; j < width; j++) x[j] *= c;
        d.y[i] = (int32_t)rng_below(&r, 10);
    }
    net_load_input(n, &d, NULL, 0, batch);
    net_forward(n, batch);
    double loss = net_loss(n, LOSS_XENT, d.y, batch, NULL, 1);
    net_backward(n, batch, 1, NULL, NULL);
    free(d.x);
    free(d.y);
    assert_true(isfinite(loss));
    for (int l = 0; l < n->nlayers; l++) {
        const Layer *L = &n->layers[l];
        assert_true(L->delta_ss > 0); /* a zero profile would fit nothing */
        lnd[l] = log(L->delta_ss) + 2 * L->e2 * log(2.0);
    }
}

/* Least-squares slope of y[l] over l = a..b. */
static double slope(const double *y, int a, int b)
{
    double n = b - a + 1, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int l = a; l <= b; l++) {
        sx += l;
        sy += y[l];
        sxx += (double)l * l;
        sxy += l * y[l];
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/* Per seed, the fitted per-layer ratio E||delta_l||^2 / E||delta_{l+1}||^2 over hidden
 * layers 5..L-2 (q has settled; the output layer's 10 units are left out) is within 6% of
 * chi1, and the mean over seeds within 3%; the whole predicted profile of
 * log10_delta_sq_ratio is matched too. Choices span ordered and chaotic phases and keep
 * chi1 away from 1, so that a wrong chi (e.g. E[phi'] instead of E[phi'^2], a missing
 * sigma_w2, or the GH error of large q) would fail. */
static void test_engine_matches_chi1(void **state)
{
    (void)state;
    enum { L = 20, W = 500, B = 32, SEEDS = 3 };
    Net net = {0};
    ActKind made = ACT_COUNT;
    const struct {
        ActKind act;
        double sw2, sb2;
    } cases[] = {
        {ACT_SIGMOID, 4, 0.1},  /* chi1 ~ 0.17: sigmoid's vanishing gradient */
        {ACT_TANH, 1.5, 0.05},  /* ordered, chi1 ~ 0.94 */
        {ACT_TANH, 2.5, 0.05},  /* chaotic, chi1 ~ 1.2 */
        {ACT_RELU, 1.6, 0},     /* chi1 = 0.8 */
        {ACT_RELU, 2.4, 0.05},  /* chi1 = 1.2 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        if (cases[c].act != made) {
            net_free(&net);
            make_net(&net, cases[c].act, L, W, B, 0, 1);
            made = cases[c].act;
        }
        Theory t = mk(cases[c].act, cases[c].sw2, cases[c].sb2);
        TheoryFixed fp;
        TheoryLayer rows[L];
        theory_fixed_point(&t, 1, &fp);
        theory_layers(&t, 1, L, rows);
        double mean_ln = 0, worst = 0, worst_prof = 0;
        for (int s = 0; s < SEEDS; s++) {
            double lnd[L + 1];
            engine_profile(&net, cases[c].sw2, cases[c].sb2, 1, 1000 + 17 * (uint64_t)s, lnd);
            /* lnd[l-1] is layer l; fit layers 5..L-2 */
            double chi_fit = exp(-slope(lnd, 4, L - 3));
            double err = rel(chi_fit, fp.chi1);
            if (err > worst) worst = err;
            if (err > 0.06)
                fail_msg("%s sw2 %g sb2 %g seed %d: fitted ratio %.5f, chi1 %.5f",
                         t.act->name, cases[c].sw2, cases[c].sb2, s, chi_fit, fp.chi1);
            mean_ln += log(chi_fit) / SEEDS;
            /* the whole profile, layers 3..L, per layer (log10 units; per layer noise adds up
             * over the product, so the tolerance is a fraction of the total drop or rise) */
            for (int l = 2; l < L; l++) {
                double meas = (lnd[l] - lnd[L - 1]) / log(10.0);
                double d = fabs(meas - rows[l].log10_delta_sq_ratio);
                if (d > worst_prof) worst_prof = d;
            }
        }
        double chi_mean = exp(mean_ln);
        print_message("%-8s sw2 %.2f sb2 %.2f: chi1 %.5f, fitted %.5f (%+.2f%%), worst seed %.2f%%, "
                      "worst profile deviation %.3f (log10)\n",
                      t.act->name, cases[c].sw2, cases[c].sb2, fp.chi1, chi_mean,
                      100 * (chi_mean / fp.chi1 - 1), 100 * worst, worst_prof);
        assert_true(rel(chi_mean, fp.chi1) < 0.03);
        assert_true(worst_prof < 0.25);
    }
    net_free(&net);
}

/* Residual nets, per seed: the stream's mean square p (mean over the batch and units of
 * h^2 at every stream layer) against the prediction (q_next - sigma_b2)/sigma_w2, and the
 * measured profile 2 (delta_log10_l - delta_log10_L) against theory_resid_layers on every
 * hidden layer. p within 0.2 in log10 everywhere (the relu stream grows ~2.8x per block
 * and its finite-width noise compounds); the recursion without the cross term is
 * at least 1 off where E[phi] != 0 (relu, sigmoid), so dropping it fails.
 * The profile within 0.25 (as the plain test) for odd phi only: where E[phi] != 0 the
 * stream's mean over units grows to dominate p, every unit's pre-activation then carries an
 * offset shared by all inputs, and backprop along that common direction is no longer
 * independent of the forward weights (the mean-field assumption): measured layer-1 deltas
 * sit above the prediction (relu, sigma_w2 2, alpha 1: ~1.4 log10 of the predicted 6.0 at
 * width 500, ~1.1 at 2000). Those deviations are printed, not asserted. */
static void test_engine_matches_resid(void **state)
{
    (void)state;
    enum { L = 21, W = 500, B = 32, SEEDS = 3 };
    const struct {
        ActKind act;
        double sw2, sb2, alpha;
        long k;
    } cases[] = {
        {ACT_TANH, 1.5, 0.05, 1, 1},   /* odd: the recursion exactly */
        {ACT_TANH, 1.5, 0.05, 1, 2},
        {ACT_TANH, 3, 0.2, 0.5, 1},    /* chaotic branch, smaller alpha */
        {ACT_SOFTSIGN, 2, 0, 1, 1},
        {ACT_RELU, 2, 0, 1, 1},        /* the stream's E||dL/dh||^2 doubles per block */
        {ACT_RELU, 1, 0.05, 0.5, 1},
        {ACT_RELU, 2, 0, 0.5, 2},
        {ACT_SIGMOID, 4, 0.1, 1, 1},   /* mean 1/2 per block: p grows as l^2 */
    };
    int bad = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        Net net = {0};
        long K = cases[c].k;
        double sw2 = cases[c].sw2, sb2 = cases[c].sb2, al = cases[c].alpha;
        make_net(&net, cases[c].act, L, W, B, K, al);
        Theory t = mk(cases[c].act, sw2, sb2);
        int odd = theory_mean_phi(&t, 1) == 0;
        TheoryLayer rows[L];
        GtErr e;
        assert_int_equal(theory_resid_layers(&t, 1, K, al, L, rows, &e), GT_OK);
        /* the p <- p + alpha^2 E[phi^2] (no cross term) at the last stream layer
         * below the top block, layer L - K */
        double naive = theory_mean_phi2(&t, rows[0].q), q = rows[0].q;
        for (long l = 1; l < L - K; l++) {
            q = (l - 1) % K == 0 ? sw2 * naive + sb2 : theory_vmap(&t, q);
            if (l % K == 0) naive += al * al * theory_mean_phi2(&t, q);
        }
        double want = (rows[L - K].q - sb2) / sw2;
        double worst_prof = 0, worst_p = 0, meas = 0;
        for (int s = 0; s < SEEDS; s++) {
            double lnd[L + 1];
            engine_profile(&net, sw2, sb2, 1, 2000 + 31 * (uint64_t)s, lnd);
            for (int l = 0; l < L; l++) {
                double d = fabs((lnd[l] - lnd[L - 1]) / log(10.0) - rows[l].log10_delta_sq_ratio);
                if (d > worst_prof) worst_prof = d;
            }
            for (int l = 0; l + 1 < L; l++) {
                const Layer *Ly = &net.layers[l];
                if (!Ly->h) continue;
                const double *h = Ly->h;
                double ss = 0;
                for (size_t i = 0; i < (size_t)B * W; i++) ss += h[i] * h[i];
                double p = ss / ((double)B * W), d = fabs(log10(p * sw2 / (rows[l + 1].q - sb2)));
                if (d > worst_p) worst_p = d;
                if (l + 1 == L - K) meas += log10(p) / SEEDS;
            }
        }
        print_message("%-8s sw2 %.2f sb2 %.2f K %ld alpha %.2f: p_%ld %.4g measured (geometric mean), "
                      "%.4g predicted, %.4g without the cross term; worst log10 p deviation %.3f; "
                      "log10 delta_1/delta_L predicted %.3f, worst profile deviation %.3f%s\n",
                      t.act->name, sw2, sb2, K, al, L - K, pow(10, meas), want, naive, worst_p,
                      rows[0].log10_delta_sq_ratio, worst_prof, odd ? "" : " (not asserted)");
        bad += !(worst_p < 0.2) + (odd && !(worst_prof < 0.25));
        if (!odd) bad += !(fabs(log10(naive / want)) > 1);
        net_free(&net);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_integrator),
        cmocka_unit_test(test_gauss_legendre_nodes),
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_quadrature_vs_adaptive),
        cmocka_unit_test(test_mean_phi),
        cmocka_unit_test(test_vmap_increasing),
        cmocka_unit_test(test_fixed_point_vs_iteration),
        cmocka_unit_test(test_fixed_point_special),
        cmocka_unit_test(test_layers_indexing),
        cmocka_unit_test(test_resid_relu_closed_form),
        cmocka_unit_test(test_resid_recursion),
        cmocka_unit_test(test_resid_bad_input),
        cmocka_unit_test(test_critical_line),
        cmocka_unit_test(test_phase_grid),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_engine_matches_chi1),
        cmocka_unit_test(test_engine_matches_resid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
