/* The input-output Jacobian spectrum (see jacobian.h): the power-of-two scaled product of
 * per-layer factors, its singular values through LAPACK, the probe of a training run
 * (jacobian.csv) and the Monte Carlo of `gradtrace spectrum`. */
#include "jacobian.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "pool.h"
#include "rng.h"
#include "theory.h"

#define LOG10_2 0.30102999566398119521
#define JAC_CHUNK_BYTES ((size_t)64 << 20) /* products held by one probe pass */
#define SP_MAX_BYTES (2UL << 30)            /* working memory of all spectrum threads */
#define SP_BLOCK 4 /* trials per work item: a trial is W^3 L flops, so shares stay fair */

/* ---- one product --------------------------------------------------------------------- */

int jac_create(JacProd *j, size_t n, size_t width, GtErr *e)
{
    memset(j, 0, sizeof *j);
    if (n == 0 || width == 0 || width > SIZE_MAX / sizeof(double) / width / n / 2)
        return gt_fail(e, GT_EINPUT, "jacobian: %zu products of width %zu is too large", n,
                       width);
    size_t m = n * width * width;
    j->n = n;
    j->width = width;
    j->P = malloc(m * sizeof *j->P);
    j->tmp = malloc(m * sizeof *j->tmp);
    j->e2 = malloc(n * sizeof *j->e2);
    j->rank = malloc(n * sizeof *j->rank);
    j->d = malloc(width * sizeof *j->d);
    j->sv = malloc(width * sizeof *j->sv);
    if (!j->P || !j->tmp || !j->e2 || !j->rank || !j->d || !j->sv) {
        jac_free(j);
        return gt_fail(e, GT_ESYS, "out of memory for %zu Jacobians of width %zu", n, width);
    }
    jac_reset(j);
    return GT_OK;
}

void jac_free(JacProd *j)
{
    free(j->P);
    free(j->tmp);
    free(j->e2);
    free(j->rank);
    free(j->d);
    free(j->sv);
    free(j->S);
    free(j->eS);
    free(j->rankS);
    memset(j, 0, sizeof *j);
}

int jac_create_blocks(JacProd *j, GtErr *e)
{
    size_t m = j->n * j->width * j->width;
    j->S = malloc(m * sizeof *j->S);
    j->eS = malloc(j->n * sizeof *j->eS);
    j->rankS = malloc(j->n * sizeof *j->rankS);
    if (!j->S || !j->eS || !j->rankS)
        return gt_fail(e, GT_ESYS, "out of memory for %zu residual Jacobians of width %zu", j->n,
                       j->width);
    return GT_OK;
}

void jac_reset(JacProd *j)
{
    size_t W = j->width;
    memset(j->P, 0, j->n * W * W * sizeof *j->P);
    for (size_t s = 0; s < j->n; s++) {
        for (size_t i = 0; i < W; i++) j->P[(s * W + i) * W + i] = 1.0;
        j->e2[s] = 0;
        j->rank[s] = W;
    }
}

/* row[i] *= d[i]: the column scaling by f' of one row of J^T */
GT_HOT static void scale_row(double *restrict row, const double *restrict d, size_t n)
{
    for (size_t i = 0; i < n; i++) row[i] *= d[i];
}

/* max |a[i]|, NaN-blind (a NaN is caught by jac_spectrum) */
GT_HOT static double max_abs(const double *a, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = fabs(a[i]);
        m = m > v ? m : v;
    }
    return m;
}

/* Divides T by 2^e with max |entry| = m in [2^(e-1), 2^e) and returns e (0 for an all-zero
 * or non-finite T): exact, but for entries that land below 2^-1022, i.e. 1e-308 times
 * smaller than the largest, far below what the SVD resolves. One factor 2^-e overflows when
 * m is subnormal (|e| > 1021); ldexp entry by entry takes any e. */
static int renorm(double *T, size_t count)
{
    double m = max_abs(T, count);
    if (!(m > 0 && isfinite(m))) return 0;
    int ex;
    frexp(m, &ex);
    if (ex > -1000 && ex < 1000) {
        double f = ldexp(1.0, -ex);
        for (size_t i = 0; i < count; i++) T[i] *= f;
    } else {
        for (size_t i = 0; i < count; i++) T[i] = ldexp(T[i], -ex);
    }
    return ex;
}

void jac_layer(JacProd *j, const double *W, const double *z, const Act *act,
               const ActParams *ap)
{
    size_t Wd = j->width, n = j->n, block = Wd * Wd;
    /* all samples' J^T stacked (n W rows) times the one W: a single gemm */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(n * Wd), (int)Wd, (int)Wd,
                1.0, j->P, (int)Wd, W, (int)Wd, 0.0, j->tmp, (int)Wd);
    for (size_t s = 0; s < n; s++) {
        double *T = j->tmp + s * block;
        for (size_t i = 0; i < Wd; i++) j->d[i] = 1.0;
        act->bwd_d(z + s * Wd, j->d, Wd, ap, 0.0);
        size_t live = 0;
        for (size_t i = 0; i < Wd; i++) live += j->d[i] != 0.0;
        if (live < j->rank[s]) j->rank[s] = live;
        for (size_t r = 0; r < Wd; r++) scale_row(T + r * Wd, j->d, Wd);
        j->e2[s] += renorm(T, block);
    }
    double *t = j->P;
    j->P = j->tmp;
    j->tmp = t;
}

void jac_block_begin(JacProd *j)
{
    memcpy(j->S, j->P, j->n * j->width * j->width * sizeof *j->S);
    memcpy(j->eS, j->e2, j->n * sizeof *j->eS);
    memcpy(j->rankS, j->rank, j->n * sizeof *j->rankS);
}

void jac_block_end(JacProd *j, double alpha)
{
    size_t block = j->width * j->width;
    for (size_t s = 0; s < j->n; s++) {
        /* J^T_in * 2^eS + alpha * (J^T_in dF^T) * 2^e2 on the larger of the two exponents:
         * both products have their largest |entry| in [1/2, 1), so the smaller term's factor
         * only drops what lies > 2^1074 times below the larger */
        int64_t e = j->e2[s] > j->eS[s] ? j->e2[s] : j->eS[s];
        int64_t dp = j->e2[s] - e, ds = j->eS[s] - e;
        double fp = alpha * ldexp(1.0, dp < -2000 ? -2000 : (int)dp);
        double fs = ldexp(1.0, ds < -2000 ? -2000 : (int)ds);
        double *P = j->P + s * block;
        const double *S = j->S + s * block;
        for (size_t i = 0; i < block; i++) P[i] = fs * S[i] + fp * P[i];
        j->e2[s] = e + renorm(P, block);
        /* I + alpha dF is of full rank but on a set of measure zero: only the plain layers'
         * bound stands */
        j->rank[s] = j->rankS[s];
    }
}

double jac_quantile(const double *desc, size_t n, double p)
{
    /* the ascending order statistic a_k is desc[n - 1 - k] */
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h), hi = lo + 1 < n ? lo + 1 : lo;
    double frac = h - (double)lo, a = desc[n - 1 - lo], b = desc[n - 1 - hi];
    /* -inf (exact zeros) or a plateau: the interpolation's limit, not -inf + inf = NaN */
    if (frac == 0 || a == b || isinf(a)) return a;
    return a + frac * (b - a);
}

void jac_summarize(const double *sv, size_t W, double mean_sq, JacSummary *sum)
{
    sum->mean_sq_log10 = mean_sq;
    sum->max_log10 = sv[0];
    sum->min_log10 = sv[W - 1];
    sum->cond_log10 = isinf(sv[W - 1]) && sv[W - 1] < 0 ? INFINITY : sv[0] - sv[W - 1];
    sum->q10_log10 = jac_quantile(sv, W, 0.1);
    sum->q50_log10 = jac_quantile(sv, W, 0.5);
    sum->q90_log10 = jac_quantile(sv, W, 0.9);
}

int jac_spectrum(JacProd *j, size_t s, double *sv_log10, JacSummary *sum, GtErr *e)
{
    size_t W = j->width, block = W * W;
    const double *P = j->P + s * block;
    double *A = j->tmp + s * block; /* dgesdd overwrites its input */
    int finite = 1;
    for (size_t i = 0; i < block; i++) {
        finite &= isfinite(P[i]) != 0;
        A[i] = P[i];
    }
    if (!finite) {
        for (size_t k = 0; k < W; k++) sv_log10[k] = NAN;
        jac_summarize(sv_log10, W, NAN, sum);
        return GT_OK;
    }
    /* read column-major, A is P^T: the same singular values, and no transposed copy */
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (lapack_int)W, (lapack_int)W, A,
                                     (lapack_int)W, j->sv, NULL, 1, NULL, 1);
    if (info != 0)
        return gt_fail(e, GT_ESYS, "jacobian: LAPACKE_dgesdd failed (info %d)", (int)info);
    double shift = (double)j->e2[s] * LOG10_2, ss = 0;
    for (size_t k = 0; k < W; k++) {
        /* beyond the rank bound the true value is 0: what LAPACK returns there is noise */
        double v = k < j->rank[s] ? j->sv[k] : 0.0;
        ss += v * v;
        sv_log10[k] = log10(v) + shift;
    }
    jac_summarize(sv_log10, W, log10(ss / (double)W) + 2.0 * shift, sum);
    return GT_OK;
}

/* ---- the probe of a training run ---------------------------------------------------- */

int jac_probe_create(JacProbe *p, const Net *n, const Dataset *d, const uint32_t *idx,
                     size_t samples, GtErr *e)
{
    memset(p, 0, sizeof *p);
    size_t W = n->layers[0].fan_out;
    p->data = d;
    p->idx = idx;
    p->samples = samples;
    size_t per = (n->resid_k ? 3 : 2) * W * W * sizeof(double); /* P, tmp (and S) */
    size_t chunk = JAC_CHUNK_BYTES / per;
    if (chunk < 1) chunk = 1;
    if (chunk > samples) chunk = samples;
    if (chunk > n->batch) chunk = n->batch;
    p->chunk = chunk;
    int rc = jac_create(&p->prod, chunk, W, e);
    if (!rc && n->resid_k) rc = jac_create_blocks(&p->prod, e);
    if (rc) {
        jac_free(&p->prod);
        return rc;
    }
    p->Wd = malloc(W * W * sizeof *p->Wd);
    p->zd = malloc(chunk * W * sizeof *p->zd);
    p->svl = malloc(W * sizeof *p->svl);
    if (!p->Wd || !p->zd || !p->svl) {
        jac_probe_free(p);
        return gt_fail(e, GT_ESYS, "out of memory for the Jacobian probe");
    }
    return GT_OK;
}

void jac_probe_free(JacProbe *p)
{
    jac_free(&p->prod);
    free(p->Wd);
    free(p->zd);
    free(p->svl);
    memset(p, 0, sizeof *p);
}

/* A layer's buffer (rows x cols of the net's dtype) as double: the buffer itself for a
 * float64 net, converted into buf for float32. */
static const double *as_double(const Net *n, const void *src, size_t count, double *buf)
{
    if (n->dtype == DT_F64) return src;
    const float *f = src;
    for (size_t i = 0; i < count; i++) buf[i] = (double)f[i];
    return buf;
}

void jac_net(JacProd *j, const Net *n, double *Wd, double *zd)
{
    size_t W = j->width;
    jac_reset(j);
    for (int l = 1; l + 1 < n->nlayers; l++) { /* hidden layers 2..L */
        const Layer *L = &n->layers[l];
        const double *Wl = as_double(n, L->W, W * W, Wd);
        const double *z = as_double(n, L->z, j->n * W, zd);
        if (net_is_stream(n, l - 1)) jac_block_begin(j); /* a residual block starts */
        jac_layer(j, Wl, z, n->act, &n->ap);
        if (net_block_end(n, l)) jac_block_end(j, n->resid_scale);
    }
}

static void write_sample(CsvFile *sv, CsvFile *sum, long step, size_t sample,
                         const double *svl, size_t W, const JacSummary *s)
{
    for (size_t k = 0; k < W; k++) {
        csv_int(sv, step);
        csv_int(sv, (long long)sample);
        csv_int(sv, (long long)k + 1);
        csv_real(sv, svl[k]);
        csv_end_row(sv);
    }
    csv_int(sum, step);
    csv_int(sum, (long long)sample);
    const double v[] = {s->mean_sq_log10, s->max_log10, s->min_log10, s->q10_log10,
                        s->q50_log10, s->q90_log10, s->cond_log10};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) csv_real(sum, v[i]);
    csv_end_row(sum);
}

void jac_probe_run(JacProbe *p, Net *n, long step, CsvFile *sv, CsvFile *sum)
{
    JacProd *j = &p->prod;
    size_t W = j->width;
    for (size_t first = 0; first < p->samples; first += p->chunk) {
        size_t m = p->samples - first < p->chunk ? p->samples - first : p->chunk;
        net_load_input(n, p->data, p->idx + first, 0, m);
        net_forward(n, m);
        j->n = m; /* the last pass may hold fewer samples than were allocated */
        jac_net(j, n, p->Wd, p->zd);
        for (size_t s = 0; s < m; s++) {
            JacSummary su;
            GtErr e;
            if (jac_spectrum(j, s, p->svl, &su, &e)) {
                for (size_t k = 0; k < W; k++) p->svl[k] = NAN;
                jac_summarize(p->svl, W, NAN, &su);
            }
            write_sample(sv, sum, step, first + s + 1, p->svl, W, &su);
        }
    }
    j->n = p->chunk;
}

/* ---- `gradtrace spectrum` ------------------------------------------------------------ */

void sp_spec_init(SpSpec *s)
{
    memset(s, 0, sizeof *s);
    s->widths[0] = 128;
    s->n_widths = 1;
    s->depths[0] = 10;
    s->depths[1] = 100;
    s->n_depths = 2;
    s->trials = 100;
    s->activation = ACT_TANH;
    s->alpha = 0.01;
    s->init = INIT_GAUSSIAN;
    s->sigma_w2 = 1.0;
    s->sigma_b2 = 0.0;
    s->seed = 1;
    s->threads = 1;
}

/* Bytes one worker holds: the product, its copy, W and b, h and z of one sample. */
static double worker_bytes(double W) { return sizeof(double) * (3.0 * W * W + 5.0 * W); }

static int theory_applies(const SpSpec *s)
{
    return s->init == INIT_GAUSSIAN || s->init == INIT_ORTHOGONAL;
}

/* A --widths or --depths list as a library caller may have filled it. */
static int check_list(const char *opt, const long *v, int n, long max, GtErr *e)
{
    if (n < 1 || n > BD_MAX_LIST)
        return gt_fail(e, GT_EINPUT, "%s: give 1 to %d values", opt, BD_MAX_LIST);
    for (int i = 0; i < n; i++)
        if (v[i] < 1 || v[i] > max)
            return gt_fail(e, GT_EINPUT, "%s: %ld is out of range (1 to %ld)", opt, v[i], max);
    return GT_OK;
}

int sp_validate(const SpSpec *s, GtErr *e)
{
    int rc;
    if ((rc = check_list("--widths", s->widths, s->n_widths, BD_MAX_WIDTH, e)) ||
        (rc = check_list("--depths", s->depths, s->n_depths, BD_MAX_DEPTH, e)))
        return rc;
    if (s->trials < 1 || s->trials > SP_MAX_TRIALS)
        return gt_fail(e, GT_EINPUT, "--trials %ld: expected an integer from 1 to %ld",
                       s->trials, SP_MAX_TRIALS);
    if ((unsigned)s->init >= INIT_COUNT)
        return gt_fail(e, GT_EINPUT, "--init: unknown initialiser %d (valid: %s)", s->init,
                       init_valid_names());
    if ((unsigned)s->activation >= ACT_COUNT)
        return gt_fail(e, GT_EINPUT, "--activation: unknown activation %d (valid: %s)",
                       s->activation, act_valid_names());
    /* the sigmas and alpha as `gradtrace theory` takes them, with its messages */
    Theory t;
    ActParams ap = {s->alpha, 0.0};
    if ((rc = theory_init(&t, (ActKind)s->activation, &ap, s->sigma_w2, s->sigma_b2, e)))
        return rc;
    if (s->threads < 1 || s->threads > SP_MAX_THREADS)
        return gt_fail(e, GT_EINPUT, "--threads %d: expected an integer from 1 to %d",
                       s->threads, SP_MAX_THREADS);
    double per_trial = (double)s->n_widths * (double)s->n_depths * sizeof(JacSummary);
    double bytes =
        (double)s->threads * worker_bytes((double)bd_list_max(s->widths, s->n_widths)) +
        (double)s->trials * per_trial;
    if (bytes > (double)SP_MAX_BYTES)
        return gt_fail(e, GT_EINPUT, "spectrum too large: %.0f MiB of working memory (limit "
                       "%lu MiB; fewer --trials, a smaller width or fewer threads)",
                       bytes / 1048576.0, SP_MAX_BYTES >> 20);
    return GT_OK;
}

typedef struct {
    const SpSpec *s;
    const Act *act;
    ActParams ap;
    long Lmax;
    JacSummary *out; /* (n_widths, trials, n_depths): each trial's summary per depth */
} SpShared;

typedef struct {
    SpShared *sh;
    JacProd prod;
    double *W, *b, *h, *z, *svl; /* one layer and one sample's vectors (Wmax) */
} SpWorker;

/* One trial of width index wi (a PoolFn): x, then layer by layer the forward pass of x and
 * the product; at each asked depth L the spectrum of the product over layers 2..L, into
 * the trial's own slot of sh->out (sp_collect reduces them in trial order). */
static int sp_trial(void *worker, long wi, long trial, GtErr *e)
{
    SpWorker *w = worker;
    const SpShared *sh = w->sh;
    const SpSpec *s = sh->s;
    size_t N = (size_t)s->widths[wi];
    JacSummary *out = sh->out + ((size_t)wi * (size_t)s->trials + (size_t)trial) *
                                    (size_t)s->n_depths;
    Rng r;
    rng_seed(&r, s->seed, SP_RNG_TRIAL(s->widths[wi], trial));
    for (size_t i = 0; i < N; i++) w->h[i] = rng_normal(&r);
    w->prod.width = N;
    w->prod.n = 1;
    jac_reset(&w->prod);
    for (long l = 1; l <= sh->Lmax; l++) {
        int rc =
            init_layer((InitKind)s->init, w->W, w->b, N, N, s->sigma_w2, s->sigma_b2, &r, e);
        if (rc) return rc;
        memcpy(w->z, w->b, N * sizeof *w->z);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)N, (int)N, 1.0, w->W, (int)N, w->h, 1, 1.0,
                    w->z, 1);
        sh->act->fwd_d(w->z, w->h, N, &sh->ap);
        if (l >= 2) jac_layer(&w->prod, w->W, w->z, sh->act, &sh->ap);
        for (int di = 0; di < s->n_depths; di++)
            if (s->depths[di] == l && (rc = jac_spectrum(&w->prod, 0, w->svl, &out[di], e)))
                return rc;
    }
    return GT_OK;
}

static int sp_worker_alloc(SpWorker *w, SpShared *sh, size_t Wmax, GtErr *e)
{
    w->sh = sh;
    int rc = jac_create(&w->prod, 1, Wmax, e);
    if (rc) return rc;
    w->W = malloc(Wmax * Wmax * sizeof *w->W);
    w->b = malloc(Wmax * sizeof *w->b);
    w->h = malloc(Wmax * sizeof *w->h);
    w->z = malloc(Wmax * sizeof *w->z);
    w->svl = malloc(Wmax * sizeof *w->svl);
    if (!w->W || !w->b || !w->h || !w->z || !w->svl)
        return gt_fail(e, GT_ESYS, "out of memory for the spectrum workers");
    return GT_OK;
}

static void sp_worker_free(SpWorker *w)
{
    jac_free(&w->prod);
    free(w->W);
    free(w->b);
    free(w->h);
    free(w->z);
    free(w->svl);
}

/* Means over trials in trial order (so the threads never change a bit), and the
 * mean-field prediction beside them. */
static int sp_collect(const SpShared *sh, SpResult *res, GtErr *e)
{
    const SpSpec *s = sh->s;
    res->n_rows = (size_t)s->n_widths * (size_t)s->n_depths;
    res->rows = calloc(res->n_rows, sizeof *res->rows);
    TheoryLayer *tl = theory_applies(s) ? malloc((size_t)sh->Lmax * sizeof *tl) : NULL;
    if (!res->rows || (theory_applies(s) && !tl)) {
        free(tl);
        return gt_fail(e, GT_ESYS, "out of memory for the spectrum results");
    }
    if (tl) {
        Theory t;
        ActParams ap = sh->ap;
        int rc = theory_init(&t, (ActKind)s->activation, &ap, s->sigma_w2, s->sigma_b2, e);
        if (rc) {
            free(tl);
            return rc;
        }
        theory_layers(&t, 1.0, sh->Lmax, tl);
    }
    double T = (double)s->trials;
    for (int wi = 0; wi < s->n_widths; wi++)
        for (int di = 0; di < s->n_depths; di++) {
            SpRow *row = &res->rows[(size_t)wi * (size_t)s->n_depths + (size_t)di];
            row->width = s->widths[wi];
            row->depth = s->depths[di];
            row->trials = s->trials;
            const JacSummary *col = sh->out + (size_t)wi * (size_t)s->trials *
                                                  (size_t)s->n_depths + (size_t)di;
            double m = 0, q10 = 0, q50 = 0, q90 = 0, mn = 0, mx = 0, top = -INFINITY, ex = 0;
            for (long t = 0; t < s->trials; t++)
                top = fmax(top, col[(size_t)t * (size_t)s->n_depths].mean_sq_log10);
            for (long t = 0; t < s->trials; t++) {
                const JacSummary *j = &col[(size_t)t * (size_t)s->n_depths];
                /* pooled in the log domain about the largest: no overflow at 1e+300 */
                ex += isinf(top) ? 0.0 : pow(10.0, j->mean_sq_log10 - top);
                m += j->mean_sq_log10;
                q10 += j->q10_log10;
                q50 += j->q50_log10;
                q90 += j->q90_log10;
                mn += j->min_log10;
                mx += j->max_log10;
            }
            row->mean_sq_log10 = m / T;
            row->pooled_sq_log10 = isinf(top) ? top : top + log10(ex / T);
            row->q10_log10 = q10 / T;
            row->q50_log10 = q50 / T;
            row->q90_log10 = q90 / T;
            row->min_log10 = mn / T;
            row->max_log10 = mx / T;
            /* layer l's factor D_l W_l^T multiplies E||J||_F^2 by chi_l (rows[l - 1]) */
            double th = 0;
            for (long l = 2; tl && l <= row->depth; l++) th += log10(tl[l - 1].chi);
            row->theory_log10 = tl ? th : NAN;
        }
    free(tl);
    return GT_OK;
}

int sp_run(const SpSpec *s, SpResult *res, GtErr *e)
{
    memset(res, 0, sizeof *res);
    int rc = sp_validate(s, e);
    if (rc) return rc;
    SpShared sh;
    memset(&sh, 0, sizeof sh);
    sh.s = s;
    sh.act = act_get((ActKind)s->activation);
    sh.ap = (ActParams){s->alpha, 0.0};
    sh.Lmax = bd_list_max(s->depths, s->n_depths);
    size_t Wmax = (size_t)bd_list_max(s->widths, s->n_widths);
    size_t nout = (size_t)s->n_widths * (size_t)s->trials * (size_t)s->n_depths;
    sh.out = malloc(nout * sizeof *sh.out);
    /* trials of each width in blocks; one worker (product, vectors) per thread */
    const PoolWork work = {.groups = s->n_widths, .n = s->trials, .block = SP_BLOCK};
    int nw = pool_threads(&work, s->threads);
    SpWorker *ws = calloc((size_t)nw, sizeof *ws);
    if (!sh.out || !ws) rc = gt_fail(e, GT_ESYS, "out of memory for the spectrum");
    for (int t = 0; !rc && t < nw; t++) rc = sp_worker_alloc(&ws[t], &sh, Wmax, e);
    if (!rc) rc = pool_run(&work, nw, ws, sizeof *ws, sp_trial, "spectrum", e);
    if (!rc) rc = sp_collect(&sh, res, e);
    for (int t = 0; ws && t < nw; t++) sp_worker_free(&ws[t]);
    free(ws);
    free(sh.out);
    if (rc) sp_result_free(res);
    return rc;
}

void sp_result_free(SpResult *res)
{
    free(res->rows);
    memset(res, 0, sizeof *res);
}
