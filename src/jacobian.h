/* The input-output Jacobian spectrum (Pennington, Schoenholz & Ganguli 2017): for one
 * sample, the singular values of J = dh_L/dh_1, the last hidden layer's output with respect
 * to the first's, exact as log10 at any depth. Used per probe sample by `gradtrace run
 * --jacobian-every` (jacobian.csv) and over fresh networks by `gradtrace spectrum`.
 *
 * With z_l = h_{l-1} W_l + b_l (W_l of shape (fan_in, fan_out), as in net.h) and
 * h_l = f(z_l), layer l contributes dh_l/dh_{l-1} = D_l W_l^T, D_l = diag f'(z_l), so
 *   J = D_L W_L^T ... D_2 W_2^T   (layers 2..L; J = I for L = 1),
 * and J^T = W_2 D_2 W_3 D_3 ... W_L D_L is what is accumulated: one row-major gemm with the
 * layer's own W and a column scaling by f' (the activation table's backward kernel) per
 * layer. In double, after every layer the product is divided by 2^e, e the frexp exponent
 * of its largest |entry| (an exact division), and e is summed in an int64, so J^T =
 * P * 2^e2 holds J beyond double's range (1e-300 of a deep sigmoid net, 1e+300 of a
 * chaotic one). LAPACKE_dgesdd gives the singular values s~ of P, and
 *   log10 s_k = log10 s~_k + e2 * log10(2).
 * In a residual net (--residual K) h_L and h_1 are the stream's, and each block contributes
 * I + alpha dF/dh (jac_block_begin/end below).
 * SVD of the explicit product has absolute accuracy ~1e-16 s_1: singular values below
 * that (cond_log10 > ~15) are at the rounding floor and only bound the true ones.
 * Exact zeros are exact: rank J <= min_l #{j : f'(z_lj) != 0} (D_l has that rank), so the
 * singular values beyond that count are 0, reported as -inf, not as rounding noise (relu:
 * about half the units of every layer are off, so about half the spectrum is 0).
 *
 * Summary of one spectrum (W values, log10 s_k descending):
 *   mean_sq_log10 = log10((1/W) sum_k s_k^2) = log10(||J||_F^2 / W), from s~ (no overflow);
 *   max_log10, min_log10 = log10 s_1, log10 s_W; cond_log10 = max_log10 - min_log10
 *     (+inf when s_W = 0);
 *   qP_log10 = the P-quantile of the W values log10 s_k, linear interpolation between
 *     order statistics ("type 7": numpy.quantile's and R's default): with a_0 <= ... <=
 *     a_{W-1} and h = (W - 1) P, q = a_floor(h) + (h - floor(h)) (a_ceil(h) - a_floor(h)).
 * An exact 0 (every unit of some layer has f' = 0, e.g. all relu units off) gives -inf;
 * a non-finite forward pass gives NaN everywhere. The library never prints or exits. */
#ifndef GT_JACOBIAN_H
#define GT_JACOBIAN_H

#include <stdint.h>

#include "act.h"
#include "census_mc.h"
#include "common.h"
#include "dataset.h"
#include "net.h"
#include "trace.h"

#define JAC_HEADER "step,sample,k,sv_log10"
#define JAC_SUMMARY_HEADER \
    "step,sample,mean_sq_log10,max_log10,min_log10,q10_log10,q50_log10,q90_log10,cond_log10"

typedef struct {
    double mean_sq_log10, max_log10, min_log10, q10_log10, q50_log10, q90_log10, cond_log10;
} JacSummary;

/* n products of one width, one per sample, built layer by layer. */
typedef struct {
    size_t n, width;
    double *P;   /* (n, width, width): sample s's J^T = P[s] * 2^e2[s] */
    double *tmp; /* (n, width, width): the next P, and the SVD's copy */
    int64_t *e2; /* (n) */
    size_t *rank; /* (n): min over the layers so far of the units with f' != 0 */
    double *d;   /* (width): f'(z) of one sample */
    double *sv;  /* (width): singular values of one P[s] */
    double *S;   /* residual nets (jac_create_blocks): (n, width, width), P at a block's input */
    int64_t *eS; /* (n): its exponents */
    size_t *rankS; /* (n): its rank bounds */
} JacProd;

int jac_create(JacProd *j, size_t n, size_t width, GtErr *e);
void jac_free(JacProd *j);
/* Every J = I: the Jacobian of h_1 with respect to itself. */
void jac_reset(JacProd *j);
/* J_s <- D_l W^T J_s for every sample s: W (width, width) the layer's weights (z = a.W + b),
 * z (n, width) its pre-activations, f' from the activation table. */
void jac_layer(JacProd *j, const double *W, const double *z, const Act *act,
               const ActParams *ap);
/* Residual blocks h_out = h_in + alpha F(h_in), F = the block's K layers: the block's
 * Jacobian is I + alpha dF/dh_in, so J <- J + alpha (dF/dh_in) J. jac_create_blocks
 * allocates what that needs (after jac_create); jac_block_begin keeps J at the block's
 * input, jac_layer then goes through the block's layers as for a plain net, and
 * jac_block_end(alpha) adds the kept J. The rank bound of relu's exact zeros does not
 * hold through I + alpha dF: the bound stays what the layers before the block gave. */
int jac_create_blocks(JacProd *j, GtErr *e);
void jac_block_begin(JacProd *j);
void jac_block_end(JacProd *j, double alpha);
/* Singular values of sample s's J into sv_log10[0..width) (descending) and its summary.
 * GT_ESYS when LAPACK fails to converge. */
int jac_spectrum(JacProd *j, size_t s, double *sv_log10, JacSummary *sum, GtErr *e);
/* The summary of W values log10 s_k (descending) whose scaled singular values s~ give
 * mean_sq_log10 as log10(mean s~^2) + 2 e2 log10(2) (see above). */
void jac_summarize(const double *sv_log10, size_t W, double mean_sq_scaled_log10,
                   JacSummary *sum);
/* The type-7 quantile (see above), 0 <= p <= 1, of n values sorted descending (as the
 * singular values are). */
double jac_quantile(const double *desc, size_t n, double p);

/* ---- the probe of a training run: jacobian.csv and jacobian_summary.csv ---------------- */

/* Default of --jacobian-samples. */
#define JAC_DEFAULT_SAMPLES 8

typedef struct {
    const Dataset *data;
    const uint32_t *idx; /* (samples) rows of data: the first of the census probe set */
    size_t samples, chunk; /* samples measured; per forward pass (<= the net's batch) */
    JacProd prod;          /* (chunk) products */
    double *Wd;            /* (width, width): a float32 layer's weights in double */
    double *zd;            /* (chunk, width): its pre-activations in double */
    double *svl;           /* (width): log10 singular values of one sample */
} JacProbe;

/* J of each of the j->n samples n was last forwarded on (rows 0..j->n-1 of its buffers),
 * from J = I through hidden layers 2..L, residual blocks included (a residual net needs
 * jac_create_blocks). Wd (width^2) and zd (j->n * width) are scratch for a float32 net's
 * weights and pre-activations in double. */
void jac_net(JacProd *j, const Net *n, double *Wd, double *zd);

/* Needs a net whose hidden layers all have the same width (net.h does). */
int jac_probe_create(JacProbe *p, const Net *n, const Dataset *d, const uint32_t *idx,
                     size_t samples, GtErr *e);
void jac_probe_free(JacProbe *p);
/* Passes the samples forward through n (overwriting its activation buffers, as the census
 * does, so training is unchanged), then writes W rows per sample into sv and one into sum.
 * A float32 net's weights and pre-activations are converted to double; f' is then the
 * double kernel's. A LAPACK failure writes nan for that sample. */
void jac_probe_run(JacProbe *p, Net *n, long step, CsvFile *sv, CsvFile *sum);

/* ---- `gradtrace spectrum`: the Monte Carlo over fresh networks -------------------------- */

#define SP_MAX_TRIALS 10000000L
#define SP_MAX_THREADS 256
/* A trial's stream is rng_seed(seed, SP_RNG_TRIAL(width, trial)), listed in rng.h. */

typedef struct {
    long widths[BD_MAX_LIST];
    int n_widths;
    long depths[BD_MAX_LIST]; /* hidden layers L: J spans layers 2..L */
    int n_depths;
    long trials;
    int activation;           /* ActKind */
    double alpha;             /* leaky_relu slope */
    int init;                 /* InitKind */
    double sigma_w2;          /* gaussian: W ~ N(0, S/fan_in); orthogonal: W = sqrt(S) Q */
    double sigma_b2;          /* b ~ N(0, S) (0: no bias draws); rai draws its own */
    uint64_t seed;
    int threads;
} SpSpec;

typedef struct {
    long width, depth, trials;
    /* means over trials of each trial's summary */
    double mean_sq_log10, q10_log10, q50_log10, q90_log10, min_log10, max_log10;
    /* log10 of the mean over trials of the mean squared singular value: the estimator of
     * log10 E[mean sigma^2], which the mean field predicts. mean_sq_log10 (the mean of the
     * logs) is below it by Jensen's gap, ~ (ln 10 / 2) Var(mean_sq_log10) */
    double pooled_sq_log10;
    /* mean field: sum_{l=2}^{L} log10 chi_l, chi_l = sigma_w2 E[f'(sqrt(q_l) z)^2] with q_l
     * from q0 = 1 (theory.h); NAN for inits other than gaussian and orthogonal */
    double theory_log10;
} SpRow;

typedef struct {
    SpRow *rows; /* n_widths x n_depths, in the order given */
    size_t n_rows;
} SpResult;

void sp_spec_init(SpSpec *s); /* defaults of `gradtrace spectrum` (its help repeats them) */
int sp_validate(const SpSpec *s, GtErr *e);
/* Each trial draws one input x ~ N(0, I_W) and then one network of the largest depth
 * (layers 1.., input dim = W) from its own stream; the depth-L network is its first L
 * layers. Results depend on the seed alone, not on the threads. */
int sp_run(const SpSpec *s, SpResult *res, GtErr *e);
void sp_result_free(SpResult *res);

#endif
