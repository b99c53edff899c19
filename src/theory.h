/* Mean-field predictions for wide random networks (Poole et al. 2016, Schoenholz et al.
 * 2017): the pre-activation variance map, its fixed point q*, the per-layer gradient
 * factor chi, the depth scale and the order-to-chaos line, for any activation of the table.
 *
 * Setting (the `gradtrace run --init gaussian` network): z_l = a_{l-1} W_l + b_l with
 * W_l ~ N(0, sigma_w2/fan_in), b_l ~ N(0, sigma_b2), a_0 = x, a_l = phi(z_l); layers
 * l = 1..L are hidden, L+1 is the output, numbered as in layers.csv.
 *   q_1     = sigma_w2 q0 + sigma_b2,  q0 = mean over features of x^2 (1 for --data gaussian)
 *   q_{l+1} = V(q_l) = sigma_w2 E[phi(sqrt(q_l) z)^2] + sigma_b2,  z ~ N(0, 1)
 *   chi_l   = sigma_w2 E[phi'(sqrt(q_l) z)^2]
 * and backprop (delta_l = dl/dz_l) gives E||delta_l||^2 = chi_l E||delta_{l+1}||^2, so
 *   E||delta_l||^2 / E||delta_L||^2 = chi_l chi_{l+1} ... chi_{L-1}   (1 at l = L).
 *
 * Gaussian expectations use composite Gauss-Legendre panels (16 nodes each, by
 * Golub-Welsch through LAPACKE_dstev) on z in [0, 10] for both signs, split at 0 and
 * graded geometrically towards 0 on the scale 1/sqrt(q). No node sits on 0, where relu,
 * leaky_relu, elu, selu and softsign have kinks, and the grading resolves the structure
 * phi(sqrt(q) z) has at |z| ~ 1/sqrt(q) however large q is. Against adaptive integration
 * the error is below 3e-15 relative for every activation of the table and q in
 * [1e-8, 1e8] (tests/test_theory.c). Plain Gauss-Hermite does not reach that: with 200
 * nodes, E[tanh'(sqrt(q) z)^2] is off by 1e-6 at q = 4 and by 60% at q = 100.
 *
 * The library never prints except to a FILE* it is given, and never exits. */
#ifndef GT_THEORY_H
#define GT_THEORY_H

#include <stdio.h>

#include "act.h"
#include "common.h"

#define THEORY_GL_NODES 16
/* |chi1 - 1| <= this is "critical": relu at sigma_w2 = 2 and tanh at sigma_w2 = 1,
 * sigma_b2 = 0 give chi1 = 1 to a few ulps, while a real offset of 1e-9 needs a depth
 * scale of 1e9 layers to show. */
#define THEORY_CRITICAL_TOL 1e-9
/* Inputs are bounded (sigma_w2, sigma_b2, q0 <= 1e8) so that every finite fixed point is
 * far inside double's range (theory.c). */
#define THEORY_MAX_INPUT 1e8

typedef struct {
    const Act *act;
    ActParams ap;
    double sigma_w2, sigma_b2;
    double x[THEORY_GL_NODES], w[THEORY_GL_NODES]; /* Gauss-Legendre on [-1, 1] */
} Theory;

typedef enum { PHASE_ORDERED, PHASE_CRITICAL, PHASE_CHAOTIC } TheoryPhase;

typedef struct {
    double q1;     /* sigma_w2 q0 + sigma_b2: layer 1's pre-activation variance */
    double q_star; /* lim q_l; may be 0 or +inf (q grows without bound) */
    double chi1;   /* sigma_w2 E[phi'(sqrt(q*) z)^2] (a limit when q* is 0 or inf) */
    double xi;     /* depth scale -1/ln chi1; +inf when chi1 >= 1 */
    TheoryPhase phase;
    int converged; /* 0 when the root search could not pin q* down (|V(q*) - q*| large) */
} TheoryFixed;

typedef struct {
    double q;                    /* q_l */
    double chi;                  /* chi_l */
    double log10_delta_sq_ratio; /* log10(E||delta_l||^2 / E||delta_L||^2) = sum_{k=l}^{L-1} log10 chi_k */
} TheoryLayer;

typedef struct {
    double lo, hi;
    long n; /* points lo, lo + (hi-lo)/(n-1), ..., hi (n = 1 only when lo == hi) */
} TheoryRange;

/* Checks the inputs (sigma_w2 > 0, sigma_b2 >= 0, both finite and <= THEORY_MAX_INPUT;
 * the activation has f and f' in the table; alpha in [0, 1] for leaky_relu) and
 * computes the quadrature nodes. Messages name the gradtrace theory options. */
int theory_init(Theory *t, ActKind act, const ActParams *ap, double sigma_w2, double sigma_b2,
                GtErr *e);

/* E[phi(sqrt(q) z)^2] and E[phi'(sqrt(q) z)^2]. At q = 0 they are the limits q -> 0+:
 * phi(0)^2, and phi'(0)^2 or, at a kink, the mean of the squared one-sided slopes (relu:
 * 1/2, which is what a network with q_l -> 0 sees at every layer). q = +inf gives the
 * limit q -> inf where it is finite (E[phi'^2] always; E[phi^2] for bounded phi), from
 * q = 1e60, where phi(sqrt(q) z) is its asymptote to ~1e-30. */
double theory_mean_phi2(const Theory *t, double q);
double theory_mean_dphi2(const Theory *t, double q);
/* E[phi(sqrt(q) z)] (0 for odd phi; phi(0) at q = 0; grows as sqrt(q) past 1e60 when phi
 * is unbounded) */
double theory_mean_phi(const Theory *t, double q);
double theory_vmap(const Theory *t, double q); /* V(q); +inf for q = +inf and unbounded phi */
double theory_chi(const Theory *t, double q);  /* sigma_w2 E[phi'(sqrt(q) z)^2] */

/* q* = lim q_l from q_1 = sigma_w2 q0 + sigma_b2, then chi1, xi and the phase. V is
 * increasing for every activation of the table (checked by the tests), so q_l moves
 * monotonically to the nearest fixed point in the direction of V(q_1) - q_1, or to 0 or
 * +inf. Plain iteration takes ~1/(1 - V'(q*)) steps, and ~l at the critical line
 * (tanh at sigma_w2 = 1: q_l ~ 1/(2l)), so a few plain steps are followed by probes at
 * doubling distances until V(q) - q changes sign, and Brent's method finds the root (see
 * theory.c). Where V has several stable fixed points (gelu, swish near sigma_w2 = 2), q*
 * is the one q_1 flows to. A q with |V(q) - q| <= 1e-13 q is a fixed point (relu at
 * sigma_w2 = 2 keeps q_1). */
void theory_fixed_point(const Theory *t, double q0, TheoryFixed *fp);

TheoryPhase theory_phase_of(double chi1);
const char *theory_phase_name(TheoryPhase p); /* "ordered", "critical", "chaotic" */
double theory_depth_scale(double chi1);       /* -1/ln chi1, +inf when chi1 >= 1 */

/* rows[0..depth) for layers 1..depth: q_l, chi_l and the predicted log10 of
 * E||delta_l||^2 / E||delta_L||^2 (L = depth). To lay it over a run (--init gaussian with
 * the same sigmas, inputs with mean square q0, e.g. --data gaussian and q0 = 1): from
 * layers.csv at step 0, take 2*(delta_log10_l - delta_log10_L) for l = 1..L (delta_log10
 * is log10 sqrt(mean ||dl/dz_l||^2), hence the 2); the output layer L+1 is not predicted
 * (its delta is the loss's). q is +inf once it overflows double. */
void theory_layers(const Theory *t, double q0, long depth, TheoryLayer *rows);

/* The same rows for a residual net (`gradtrace run --residual K --residual-scale alpha`,
 * --init gaussian): hidden layer 1 maps the input to the stream h_1 = phi(z_1); layers
 * 2..L form blocks of K layers, h -> h + alpha F(h), F plain layers. q_l is still layer l's
 * pre-activation variance. With p = mean over units of h^2 and mu = mean of h (the stream's
 * units are not zero-mean when E[phi] != 0):
 *   q_1 = sigma_w2 q0 + sigma_b2,  mu_1 = E[phi(sqrt(q_1) z)],  p_1 = E[phi(sqrt(q_1) z)^2]
 *   a block's first layer: q_l = sigma_w2 p + sigma_b2; inner layers q_l = V(q_{l-1})
 *   a block's end (layer l): m = E[phi(sqrt(q_l) z)],
 *     p <- p + 2 alpha m mu + alpha^2 E[phi(sqrt(q_l) z)^2],  mu <- mu + alpha m
 * (phi(z_l) - m is uncorrelated with h at large width, so only the means cross: for odd phi,
 * p <- p + alpha^2 E[phi^2]). Backward, G = E||dL/dh||^2 at a block's output:
 *   block's last layer: E||delta||^2 = alpha^2 E[phi'(sqrt(q) z)^2] G; inner layers: times
 *   chi_l = sigma_w2 E[phi'^2] per layer down; below the block G <- G + sigma_w2 E||delta_first||^2
 *   (K = 1: G <- G (1 + alpha^2 sigma_w2 E[phi'(sqrt(q_l) z)^2]))
 *   layer 1: E||delta_1||^2 = E[phi'(sqrt(q_1) z)^2] G.
 * chi is the block's factor G_in/G_out at a block's last layer, sigma_w2 E[phi'^2] (the plain
 * one) elsewhere. The forward holds at large width for every activation; the backward
 * assumes, as mean-field theory does, that backprop's W^T is independent of the forward W.
 * Wide nets follow it for odd phi (tanh, softsign, linear; tests/test_theory.c). Where
 * E[phi] != 0 the stream's mean over units comes to dominate p, every unit then carries an
 * input-independent offset, and the gradient along that common direction grows faster than
 * predicted (relu, sigma_w2 2, alpha 1, 20 blocks: layer 1 ~1.4 log10 above the predicted
 * 6.0 at width 500). GT_EINPUT unless K >= 1 divides depth - 1 and alpha is finite, > 0 and
 * <= THEORY_MAX_INPUT. */
int theory_resid_layers(const Theory *t, double q0, long k, double alpha, long depth,
                        TheoryLayer *rows, GtErr *e);

/* CSV "layer,q,chi,log10_delta_sq_ratio" of theory_layers (%.17g, inf spelled so). */
int theory_write_layers_csv(FILE *f, const TheoryLayer *rows, long depth, GtErr *e);

/* The sigma_w2 at which chi1 = 1 for this sigma_b2 (inputs q0): chi1 is scanned on
 * sigma_w2 = 2^-10 ... 2^20 in steps of 2^(1/8), the first bracket where it reaches 1 is
 * split in 16 to find the first crossing, and Brent's method refines that to ~1e-15
 * relative. tanh, relu, linear at sigma_b2 = 0 give 1, 2, 1. Where q* jumps (a stable
 * fixed point vanishes: swish at sigma_b2 = 0.5, near 2.0017), chi1 jumps across 1 and
 * the answer is the jump. GT_EINPUT when chi1 does not reach 1 in that range. */
int theory_critical_sigma_w2(ActKind act, const ActParams *ap, double sigma_b2, double q0,
                             double *sigma_w2, GtErr *e);

/* CSV "sigma_w2,sigma_b2,chi1,q_star" over w2 x b2 (sigma_w2 the outer loop), inputs q0. */
int theory_phase_grid(FILE *f, ActKind act, const ActParams *ap, double q0,
                      const TheoryRange *w2, const TheoryRange *b2, GtErr *e);
double theory_range_at(const TheoryRange *r, long i); /* i-th point, exactly hi at n-1 */

#endif
