/* Mean-field theory of wide random networks: Gaussian expectations of the activation
 * table's f and f', the variance map and its fixed point, chi, the depth scale, the
 * order-to-chaos line and a phase grid. See theory.h for the definitions. */
#include "theory.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#define INV_SQRT_2PI 0.39894228040143267793994605993438
#define Z_MAX 10.0       /* z beyond 10 carries < 1e-21 of E[phi^2] for |phi| <= |x| + c */
/* Beyond Q_EVAL_MAX, phi(sqrt(q) z) is its asymptote (linear or constant) to ~1/sqrt(q):
 * expectations there come from Q_EVAL_MAX (E[phi^2] scaled by q when phi is unbounded). */
#define Q_EVAL_MAX 1e60
/* Inputs are at most THEORY_MAX_INPUT = 1e8, so a finite stable fixed point is below
 * ~1e8/1e-16 (sigma_b2 over the smallest 1 - V'(inf) a double can hold): an upward q
 * past Q_HUGE grows without bound. Downwards, V(0) = 0 needs sigma_b2 = 0 and phi(0) = 0,
 * and a fixed point in (0, Q_TINY) would then need sigma_w2 phi'(0)^2 within ~1e-100
 * of 1, which double cannot hold short of exactly 1 (no root then): q_l reaches 0. */
#define Q_HUGE 1e40
#define Q_TINY 1e-100
#define PLAIN_STEPS 8     /* plain iterations before probing for the root */
#define NOISE_RTOL 1e-13 /* |V(q) - q| <= NOISE_RTOL q: no sign (quadrature rounding ~1e-15) */

int theory_init(Theory *t, ActKind act, const ActParams *ap, double sigma_w2, double sigma_b2,
                GtErr *e)
{
    memset(t, 0, sizeof *t);
    t->act = act_get(act);
    if (!t->act) return gt_fail(e, GT_EINPUT, "--activation: unknown activation %d", (int)act);
    if (!t->act->f || !t->act->df)
        return gt_fail(e, GT_EINPUT,
                       "--activation %s: the table has no derivative for it, so chi is undefined",
                       t->act->name);
    if (!(sigma_w2 > 0) || !isfinite(sigma_w2))
        return gt_fail(e, GT_EINPUT, "--sigma-w2 %.17g: expected a finite number > 0", sigma_w2);
    if (!(sigma_b2 >= 0) || !isfinite(sigma_b2))
        return gt_fail(e, GT_EINPUT, "--sigma-b2 %.17g: expected a finite number >= 0", sigma_b2);
    if (sigma_w2 > THEORY_MAX_INPUT || sigma_b2 > THEORY_MAX_INPUT)
        return gt_fail(e, GT_EINPUT, "--sigma-%s %.17g: too large (at most %g)",
                       sigma_w2 > THEORY_MAX_INPUT ? "w2" : "b2",
                       sigma_w2 > THEORY_MAX_INPUT ? sigma_w2 : sigma_b2, THEORY_MAX_INPUT);
    t->ap = ap ? *ap : (ActParams){.alpha = 0.01, .relu_grad_at_zero = 0};
    if (!(t->ap.alpha >= 0 && t->ap.alpha <= 1))
        return gt_fail(e, GT_EINPUT, "--alpha %.17g: expected a number from 0 to 1", t->ap.alpha);
    t->sigma_w2 = sigma_w2;
    t->sigma_b2 = sigma_b2;

    /* Golub-Welsch for Gauss-Legendre: the Jacobi matrix of the Legendre recurrence has
     * zero diagonal and off-diagonal k/sqrt(4k^2-1); nodes are its eigenvalues, weights
     * 2 v_1^2 from the normalised eigenvectors. */
    enum { N = THEORY_GL_NODES };
    double d[N], off[N], v[N * N];
    for (int i = 0; i < N; i++) {
        double k = i + 1;
        d[i] = 0;
        off[i] = k / sqrt(4 * k * k - 1);
    }
    lapack_int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', N, d, off, v, N);
    if (info) return gt_fail(e, GT_ESYS, "LAPACKE_dstev failed (info %d)", (int)info);
    for (int i = 0; i < N; i++) {
        t->x[i] = d[i];
        t->w[i] = 2 * v[(size_t)i * N] * v[(size_t)i * N];
    }
    return GT_OK;
}

/* E[phi(sqrt(q) z)^2], E[phi'(sqrt(q) z)^2] or E[phi(sqrt(q) z)]. z > 0 and z < 0 share
 * nodes; [0, Z_MAX] is cut into Gauss-Legendre panels [0, s], [s, 2s], [2s, 4s], ... up to
 * 1 with s = min(1, 1/sqrt(q)), then unit panels up to Z_MAX. Every singularity of the
 * table's phi(sqrt(q) z) in the complex z plane lies within a few 1/sqrt(q) of 0, so each
 * panel sees it at least a panel length away and converges geometrically (16 nodes: to
 * rounding). */
typedef enum { M_F2, M_DF2, M_F } Moment;

static double expect(const Theory *t, double q, Moment mo)
{
    double (*g)(double, const ActParams *) = mo == M_DF2 ? t->act->df : t->act->f;
    const ActParams *ap = &t->ap;
    if (q > Q_EVAL_MAX) q = Q_EVAL_MAX;
    double r = sqrt(q), s = r > 1 ? 1 / r : 1;
    double sum = 0, a = 0, b = s;
    for (;;) {
        double h = 0.5 * (b - a), m = 0.5 * (a + b), ps = 0;
        for (int j = 0; j < THEORY_GL_NODES; j++) {
            double z = m + h * t->x[j];
            double gp = g(r * z, ap), gm = g(-r * z, ap);
            ps += t->w[j] * exp(-0.5 * z * z) * (mo == M_F ? gp + gm : gp * gp + gm * gm);
        }
        sum += h * ps;
        if (b >= Z_MAX) break;
        a = b;
        b = b < 1 ? 2 * b : b + 1;
        if (a < 1 && b > 1) b = 1;
    }
    return INV_SQRT_2PI * sum;
}

double theory_mean_phi2(const Theory *t, double q)
{
    if (q == 0) {
        double f0 = t->act->f(0, &t->ap);
        return f0 * f0;
    }
    if (q <= Q_EVAL_MAX) return expect(t, q, M_F2);
    double a = expect(t, Q_EVAL_MAX, M_F2), b = expect(t, 0.5 * Q_EVAL_MAX, M_F2);
    return a > 1.5 * b ? a * (q / Q_EVAL_MAX) : a; /* unbounded (E ~ q) or bounded */
}

double theory_mean_phi(const Theory *t, double q)
{
    if (q == 0) return t->act->f(0, &t->ap);
    if (q <= Q_EVAL_MAX) return expect(t, q, M_F);
    double a = expect(t, Q_EVAL_MAX, M_F), b = expect(t, 0.25 * Q_EVAL_MAX, M_F);
    return fabs(a) > 1.5 * fabs(b) ? a * sqrt(q / Q_EVAL_MAX) : a; /* E ~ sqrt(q) or bounded */
}

double theory_mean_dphi2(const Theory *t, double q)
{
    /* At q = 0 the limit: sqrt(DBL_MIN) z is a normal double on either side of 0, so a
     * kink contributes both one-sided slopes and a smooth phi gives phi'(0)^2. */
    return expect(t, q > 0 ? q : DBL_MIN, M_DF2);
}

double theory_vmap(const Theory *t, double q)
{
    return t->sigma_w2 * theory_mean_phi2(t, q) + t->sigma_b2;
}

double theory_chi(const Theory *t, double q) { return t->sigma_w2 * theory_mean_dphi2(t, q); }

TheoryPhase theory_phase_of(double chi1)
{
    if (fabs(chi1 - 1) <= THEORY_CRITICAL_TOL) return PHASE_CRITICAL;
    return chi1 < 1 ? PHASE_ORDERED : PHASE_CHAOTIC;
}

const char *theory_phase_name(TheoryPhase p)
{
    return p == PHASE_ORDERED ? "ordered" : p == PHASE_CRITICAL ? "critical" : "chaotic";
}

double theory_depth_scale(double chi1) { return chi1 >= 1 ? HUGE_VAL : -1 / log(chi1); }

/* Brent's zeroin (Brent 1973, ch. 4) for f on [a, b] with fa, fb of opposite signs or
 * one of them 0; stops when the bracket is below 4 eps |x| + abstol. */
typedef double (*Fn)(const void *ctx, double x);

static double zeroin(Fn f, const void *ctx, double a, double b, double fa, double fb,
                     double abstol)
{
    if (fa == 0) return a;
    if (fb == 0) return b;
    double c = a, fc = fa, d = b - a, ee = d;
    for (int it = 0; it < 300; it++) {
        if ((fb > 0) == (fc > 0)) {
            c = a;
            fc = fa;
            d = ee = b - a;
        }
        if (fabs(fc) < fabs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        double tol = 2 * DBL_EPSILON * fabs(b) + 0.5 * abstol, m = 0.5 * (c - b);
        if (fabs(m) <= tol || fb == 0) return b;
        if (fabs(ee) >= tol && fabs(fa) > fabs(fb)) {
            double s = fb / fa, p, qq;
            if (a == c) { /* secant */
                p = 2 * m * s;
                qq = 1 - s;
            } else { /* inverse quadratic interpolation */
                double qa = fa / fc, rr = fb / fc;
                p = s * (2 * m * qa * (qa - rr) - (b - a) * (rr - 1));
                qq = (qa - 1) * (rr - 1) * (s - 1);
            }
            if (p > 0) qq = -qq;
            else p = -p;
            if (2 * p < fmin(3 * m * qq - fabs(tol * qq), fabs(ee * qq))) {
                ee = d;
                d = p / qq;
            } else {
                d = ee = m;
            }
        } else {
            d = ee = m;
        }
        a = b;
        fa = fb;
        b += fabs(d) > tol ? d : (m > 0 ? tol : -tol);
        fb = f(ctx, b);
    }
    return b;
}

static double gap(const void *ctx, double q)
{
    const Theory *t = ctx;
    return theory_vmap(t, q) - q;
}

/* The limit of q_{n+1} = V(q_n) from q. V is increasing, so the iterates move
 * monotonically towards the nearest fixed point in their direction and never pass it:
 * each iterate is a safe bound. A few plain steps come first; then points at growing
 * distances (the last step doubled each time, at most 16x in ratio) are probed until
 * V(q) - q changes sign, and Brent's method finds the root in that bracket. Probing from
 * the last step's size keeps the bracket near the nearest root: with 16x brackets from
 * the start, swish at sigma_w2 1.99265, sigma_b2 0.5 (stable roots near 4.1 and 39) went
 * to the far one. A gap within NOISE_RTOL q has no reliable sign: probes step over it
 * and stop only where the sign is clear, so a critical map (tanh at sigma_w2 = 1, where
 * V(q) - q ~ -2q^2) goes on to its true limit 0 instead of stopping where -2q^2 drowns
 * in rounding. */
static double fixed_point_from(const Theory *t, double q)
{
    double g = gap(t, q), step = 0;
    if (fabs(g) <= NOISE_RTOL * q) return q; /* relu at sigma_w2 = 2 keeps q_1 */
    int up = g > 0;
    for (int n = 0; n < PLAIN_STEPS; n++) {
        double v = q + g;
        if (v > Q_HUGE) return HUGE_VAL;
        if (v < Q_TINY) break;
        double gv = gap(t, v);
        step = fabs(v - q);
        q = v;
        g = gv;
        if (fabs(g) <= NOISE_RTOL * q) return q;
        if ((g > 0) != up) break; /* only rounding can make it so: refine below */
    }
    if (!(step > 0)) step = fabs(g);
    double p = q, gp;
    if (up) {
        double lo = q, glo = g;
        for (;;) {
            p = p > 0 ? fmin(p + step, 16 * p) : step;
            gp = gap(t, p);
            if (gp < -NOISE_RTOL * p) return zeroin(gap, t, lo, p, glo, gp, 0);
            if (p > Q_HUGE) return HUGE_VAL;
            if (gp > 0) {
                lo = p;
                glo = gp;
            }
            step *= 2;
        }
    }
    double hi = q, ghi = g;
    for (;;) {
        p = fmax(p - step, p / 16);
        gp = gap(t, p);
        if (gp > NOISE_RTOL * p) return zeroin(gap, t, p, hi, gp, ghi, 0);
        if (p < Q_TINY) {
            double v0 = theory_vmap(t, 0); /* g(0) = V(0) >= 0 closes the bracket */
            return v0 > 0 ? zeroin(gap, t, 0, hi, v0, ghi, 0) : 0;
        }
        if (gp < 0) {
            hi = p;
            ghi = gp;
        }
        step *= 2;
    }
}

void theory_fixed_point(const Theory *t, double q0, TheoryFixed *fp)
{
    memset(fp, 0, sizeof *fp);
    fp->q1 = t->sigma_w2 * q0 + t->sigma_b2;
    double qs = fixed_point_from(t, fp->q1);
    fp->converged = 1;
    /* a root of a continuous V: |V(q*) - q*| is a few ulps of q* times |V' - 1| */
    if (isfinite(qs) && qs > 0) fp->converged = fabs(gap(t, qs)) <= 1e-10 * qs;
    fp->q_star = qs;
    fp->chi1 = theory_chi(t, qs);
    fp->xi = theory_depth_scale(fp->chi1);
    fp->phase = theory_phase_of(fp->chi1);
}

void theory_layers(const Theory *t, double q0, long depth, TheoryLayer *rows)
{
    double q = t->sigma_w2 * q0 + t->sigma_b2;
    for (long l = 0; l < depth; l++) {
        rows[l].q = q;
        rows[l].chi = theory_chi(t, q);
        q = theory_vmap(t, q); /* overflows to +inf when q grows without bound */
    }
    /* sums of logs (the product itself under- or overflows in deep nets); chi_l carries
     * delta_{l+1} to delta_l, so layer L gets 0 and layer l adds its own chi to l+1's */
    rows[depth - 1].log10_delta_sq_ratio = 0;
    for (long l = depth - 2; l >= 0; l--)
        rows[l].log10_delta_sq_ratio = rows[l + 1].log10_delta_sq_ratio + log10(rows[l].chi);
}

int theory_resid_layers(const Theory *t, double q0, long k, double alpha, long depth,
                        TheoryLayer *rows, GtErr *e)
{
    if (k < 1 || depth < 1 || (depth - 1) % k)
        return gt_fail(e, GT_EINPUT,
                       "--residual %ld with --depth %ld: expected K >= 1 dividing depth - 1", k,
                       depth);
    if (!(alpha > 0) || !(alpha <= THEORY_MAX_INPUT))
        return gt_fail(e, GT_EINPUT,
                       "--residual-scale %.17g: expected a finite number > 0 and <= %g", alpha,
                       THEORY_MAX_INPUT);
    const double sw2 = t->sigma_w2, sb2 = t->sigma_b2;
    /* forward: mu and p are the stream's mean and mean square over units; layer 1 starts it */
    double q = sw2 * q0 + sb2, mu = theory_mean_phi(t, q), p = theory_mean_phi2(t, q);
    rows[0].q = q;
    for (long l = 1; l < depth; l++) {
        q = (l - 1) % k == 0 ? sw2 * p + sb2 : theory_vmap(t, q); /* a block's first layer reads h */
        rows[l].q = q;
        if (l % k == 0) { /* the block's end: h += alpha phi(z); only the means cross */
            double m = theory_mean_phi(t, q);
            p += alpha * (2 * m * mu + alpha * theory_mean_phi2(t, q));
            mu += alpha * m;
            if (!(p <= DBL_MAX)) p = HUGE_VAL; /* overflowed (inf - inf is NaN) */
        }
    }
    /* backward in log10, relative to the top of the stream: lg for E||dL/dh||^2 at a block's
     * output, ld for E||delta||^2 down the block's layers */
    double lg = 0;
    for (long b = (depth - 1) / k - 1; b >= 0; b--) {
        long first = 1 + b * k, last = (b + 1) * k;
        double ld = lg + 2 * log10(alpha) + log10(theory_mean_dphi2(t, rows[last].q));
        rows[last].log10_delta_sq_ratio = ld;
        for (long l = last - 1; l >= first; l--) {
            rows[l].chi = theory_chi(t, rows[l].q);
            ld += log10(rows[l].chi);
            rows[l].log10_delta_sq_ratio = ld;
        }
        /* dL/dh_in = dL/dh_out + delta_first W_first^T, the two uncorrelated */
        double x = log10(sw2) + ld - lg, r = pow(10, x);
        rows[last].chi = 1 + r;
        lg += isfinite(r) ? log1p(r) / log(10.0) : x;
    }
    rows[0].chi = theory_chi(t, rows[0].q);
    rows[0].log10_delta_sq_ratio = lg + log10(theory_mean_dphi2(t, rows[0].q));
    double top = rows[depth - 1].log10_delta_sq_ratio;
    for (long l = 0; l < depth; l++) rows[l].log10_delta_sq_ratio -= top;
    return GT_OK;
}

static int write_failed(FILE *f, GtErr *e)
{
    if (ferror(f)) return gt_fail(e, GT_EINPUT, "cannot write the output (disk full or closed pipe?)");
    return GT_OK;
}

int theory_write_layers_csv(FILE *f, const TheoryLayer *rows, long depth, GtErr *e)
{
    fprintf(f, "layer,q,chi,log10_delta_sq_ratio\n");
    for (long l = 0; l < depth; l++)
        fprintf(f, "%ld,%.17g,%.17g,%.17g\n", l + 1, rows[l].q, rows[l].chi,
                rows[l].log10_delta_sq_ratio);
    return write_failed(f, e);
}

typedef struct {
    ActKind act;
    const ActParams *ap;
    double sigma_b2, q0;
} CritCtx;

static double chi1_minus_1(const void *ctx, double sigma_w2)
{
    const CritCtx *c = ctx;
    Theory t;
    TheoryFixed fp;
    if (theory_init(&t, c->act, c->ap, sigma_w2, c->sigma_b2, NULL)) return NAN;
    theory_fixed_point(&t, c->q0, &fp);
    return fp.chi1 - 1;
}

int theory_critical_sigma_w2(ActKind act, const ActParams *ap, double sigma_b2, double q0,
                             double *sigma_w2, GtErr *e)
{
    Theory t;
    int rc = theory_init(&t, act, ap, 1, sigma_b2, e);
    if (rc) return rc;
    if (!(q0 >= 0) || !(q0 <= THEORY_MAX_INPUT))
        return gt_fail(e, GT_EINPUT, "--q0 %.17g: expected a finite number >= 0", q0);
    CritCtx c = {act, &t.ap, sigma_b2, q0};
    const double step = pow(2, 0.125), top = ldexp(1, 20) * 1.0001;
    double lo = ldexp(1, -10), flo = chi1_minus_1(&c, lo);
    if (!(flo < 0))
        return gt_fail(e, GT_EINPUT,
                       "--activation %s, --sigma-b2 %.17g: chi1 >= 1 already at sigma_w2 = %g, "
                       "no order-to-chaos crossing above it",
                       t.act->name, sigma_b2, lo);
    /* geometric steps from 2^-10 up to 2^20, 8 per octave: an integer count bounds the loop */
    double hi = lo;
    for (int i = 0; i < 8 * 30 + 1 && (hi *= step) <= top; i++) {
        double fhi = chi1_minus_1(&c, hi);
        if (isnan(fhi)) break;
        if (fhi < 0) {
            lo = hi;
            flo = fhi;
            continue;
        }
        /* chi1 need not be monotone in sigma_w2 (gelu at sigma_b2 = 0.5 crosses 1 near
         * 1.95 and touches 1 again at 2, where q* becomes infinite): look for the first
         * crossing on a finer grid inside the bracket before refining it */
        for (int k = 1; k < 16; k++) {
            double m = lo + (hi - lo) * k / 16, fm = chi1_minus_1(&c, m);
            if (fm >= 0) {
                hi = m;
                fhi = fm;
                break;
            }
            lo = m;
            flo = fm;
        }
        *sigma_w2 = zeroin(chi1_minus_1, &c, lo, hi, flo, fhi, 0);
        return GT_OK;
    }
    return gt_fail(e, GT_EINPUT,
                   "--activation %s, --sigma-b2 %.17g: chi1 stays below 1 for sigma_w2 up to "
                   "%g (no order-to-chaos transition)",
                   t.act->name, sigma_b2, ldexp(1, 20));
}

double theory_range_at(const TheoryRange *r, long i)
{
    if (r->n <= 1 || i <= 0) return r->lo;
    if (i >= r->n - 1) return r->hi;
    return r->lo + (r->hi - r->lo) * (double)i / (double)(r->n - 1);
}

int theory_phase_grid(FILE *f, ActKind act, const ActParams *ap, double q0,
                      const TheoryRange *w2, const TheoryRange *b2, GtErr *e)
{
    /* check every corner first, so a bad range fails before any output */
    Theory t;
    int rc;
    if ((rc = theory_init(&t, act, ap, w2->lo, b2->lo, e)) ||
        (rc = theory_init(&t, act, ap, w2->hi, b2->hi, e)))
        return rc;
    if (!(q0 >= 0) || !(q0 <= THEORY_MAX_INPUT))
        return gt_fail(e, GT_EINPUT, "--q0 %.17g: expected a finite number >= 0", q0);
    fprintf(f, "sigma_w2,sigma_b2,chi1,q_star\n");
    for (long i = 0; i < w2->n; i++)
        for (long j = 0; j < b2->n; j++) {
            double sw = theory_range_at(w2, i), sb = theory_range_at(b2, j);
            if ((rc = theory_init(&t, act, ap, sw, sb, e))) return rc;
            TheoryFixed fp;
            theory_fixed_point(&t, q0, &fp);
            fprintf(f, "%.17g,%.17g,%.17g,%.17g\n", sw, sb, fp.chi1, fp.q_star);
        }
    return write_failed(f, e);
}
