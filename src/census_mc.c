/* Monte Carlo census of born-dead networks, `gradtrace census` (see census_mc.h). Not the
 * dead-unit census of a training run (census.csv), which is census.c.
 * One trial = one network of the largest depth, drawn layer by layer from the trial's own
 * stream, with the whole probe set passed through each layer as it is drawn; the trial
 * stops at the first hidden layer that outputs 0 for every probe (born dead at this depth
 * and every larger one). Counts are integers, so summing them over threads in any order
 * gives the same result. */
#include "census_mc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "rng.h"

#define BD_MAX_TRIALS 1000000000000L
#define BD_MAX_BYTES (2UL << 30) /* working memory of all threads together */
#define BD_BLOCK 64              /* trials per work item: few atomic operations, fair shares */
#define WILSON_Z 1.959963984540054 /* the 97.5% quantile of N(0, 1) */

void bd_spec_init(BdSpec *s)
{
    memset(s, 0, sizeof *s);
    const long w[] = {2, 3, 4, 5, 10}, d[] = {10, 20, 30, 40, 50};
    for (int i = 0; i < 5; i++) {
        s->widths[i] = w[i];
        s->depths[i] = d[i];
    }
    s->n_widths = s->n_depths = 5;
    s->trials = 10000;
    s->input_dim = 1;
    s->inputs = BD_INPUTS_GAUSSIAN;
    s->n_inputs = 1;
    s->bias = 0;
    s->sigma_b2 = 1.0;
    s->init = INIT_HE_NORMAL;
    s->sigma_w2 = 1.0;
    s->activation = ACT_RELU;
    s->alpha = 0.01;
    s->seed = 1;
    s->threads = 1;
}

/* ---- input checking ----------------------------------------------------------------- */

int bd_parse_list(const char *text, const char *opt, long min, long max, long *out, int *n,
                  GtErr *e)
{
    *n = 0;
    const char *p = text;
    if (!*p) return gt_fail(e, GT_EINPUT, "%s: empty list (expected e.g. 2,3,4)", opt);
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || *p == ' ' || *p == '+')
            return gt_fail(e, GT_EINPUT, "%s %s: expected integers separated by commas, "
                                         "e.g. 2,3,4", opt, text);
        if (errno || v < min || v > max)
            return gt_fail(e, GT_EINPUT, "%s %s: %.*s is out of range (%ld to %ld)", opt, text,
                           (int)(end - p), p, min, max);
        for (int i = 0; i < *n; i++)
            if (out[i] == v)
                return gt_fail(e, GT_EINPUT, "%s %s: %ld appears twice", opt, text, v);
        if (*n == BD_MAX_LIST)
            return gt_fail(e, GT_EINPUT, "%s: at most %d values", opt, BD_MAX_LIST);
        out[(*n)++] = v;
        if (!*end) return GT_OK;
        p = end + 1;
        if (!*p) return gt_fail(e, GT_EINPUT, "%s %s: trailing comma", opt, text);
    }
}

int bd_parse_inputs(const char *text, BdSpec *s, GtErr *e)
{
    if (strcmp(text, "pm1") == 0) {
        s->inputs = BD_INPUTS_PM1;
        s->n_inputs = 0;
        return GT_OK;
    }
    const char *num = NULL;
    if (strncmp(text, "gaussian:", 9) == 0) {
        s->inputs = BD_INPUTS_GAUSSIAN;
        num = text + 9;
    } else if (strncmp(text, "uniform:", 8) == 0) {
        s->inputs = BD_INPUTS_UNIFORM;
        num = text + 8;
    } else {
        return gt_fail(e, GT_EINPUT, "--inputs %s: expected pm1, gaussian:N or uniform:N", text);
    }
    char *end;
    errno = 0;
    long v = strtol(num, &end, 10);
    if (end == num || *end || *num == ' ' || *num == '+' || errno || v < 1 || v > BD_MAX_PROBES)
        return gt_fail(e, GT_EINPUT, "--inputs %s: N must be an integer from 1 to %d", text,
                       BD_MAX_PROBES);
    s->n_inputs = v;
    return GT_OK;
}

static size_t probe_count(const BdSpec *s)
{
    return s->inputs == BD_INPUTS_PM1 ? (size_t)1 << s->input_dim : (size_t)s->n_inputs;
}

long bd_list_max(const long *v, int n)
{
    long m = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > m) m = v[i];
    return m;
}

/* Doubles one worker holds: activations twice (ping-pong), pre-activations, W, b, and
 * its share of the probe inputs (held twice, once per layout). */
static double worker_doubles(size_t P, size_t D, size_t Wmax)
{
    double fi = (double)(D > Wmax ? D : Wmax);
    return 4.0 * (double)P * (double)Wmax + fi * (double)Wmax + (double)Wmax +
           2.0 * (double)P * (double)D;
}

int bd_validate(const BdSpec *s, GtErr *e)
{
    if (s->n_widths < 1 || s->n_widths > BD_MAX_LIST)
        return gt_fail(e, GT_EINPUT, "--widths: give 1 to %d widths", BD_MAX_LIST);
    if (s->n_depths < 1 || s->n_depths > BD_MAX_LIST)
        return gt_fail(e, GT_EINPUT, "--depths: give 1 to %d depths", BD_MAX_LIST);
    for (int i = 0; i < s->n_widths; i++)
        if (s->widths[i] < 1 || s->widths[i] > BD_MAX_WIDTH)
            return gt_fail(e, GT_EINPUT, "--widths: %ld is out of range (1 to %d)",
                           s->widths[i], BD_MAX_WIDTH);
    for (int i = 0; i < s->n_depths; i++)
        if (s->depths[i] < 1 || s->depths[i] > BD_MAX_DEPTH)
            return gt_fail(e, GT_EINPUT, "--depths: %ld is out of range (1 to %d)",
                           s->depths[i], BD_MAX_DEPTH);
    if (s->trials < 1 || s->trials > BD_MAX_TRIALS)
        return gt_fail(e, GT_EINPUT, "--trials %ld: expected an integer from 1 to %ld",
                       s->trials, BD_MAX_TRIALS);
    if (s->input_dim < 1 || s->input_dim > BD_MAX_INPUT_DIM)
        return gt_fail(e, GT_EINPUT, "--input-dim %ld: expected an integer from 1 to %d",
                       s->input_dim, BD_MAX_INPUT_DIM);
    if (s->inputs == BD_INPUTS_PM1) {
        if ((1L << (s->input_dim < 30 ? s->input_dim : 30)) > BD_MAX_PROBES)
            return gt_fail(e, GT_EINPUT, "--inputs pm1 with --input-dim %ld: 2^%ld corners "
                           "is too many (at most %d probes; use gaussian:N or uniform:N)",
                           s->input_dim, s->input_dim, BD_MAX_PROBES);
    } else if (s->inputs == BD_INPUTS_GAUSSIAN || s->inputs == BD_INPUTS_UNIFORM) {
        if (s->n_inputs < 1 || s->n_inputs > BD_MAX_PROBES)
            return gt_fail(e, GT_EINPUT, "--inputs: N must be an integer from 1 to %d",
                           BD_MAX_PROBES);
    } else {
        return gt_fail(e, GT_EINPUT, "--inputs: unknown kind %d", s->inputs);
    }
    if ((unsigned)s->init >= INIT_COUNT)
        return gt_fail(e, GT_EINPUT, "--init: unknown initialiser %d (valid: %s)", s->init,
                       init_valid_names());
    if ((unsigned)s->activation >= ACT_COUNT || !act_get((ActKind)s->activation))
        return gt_fail(e, GT_EINPUT, "--activation: unknown activation %d (valid: %s)",
                       s->activation, act_valid_names());
    if (s->init == INIT_GAUSSIAN && (!(s->sigma_w2 > 0) || !isfinite(s->sigma_w2)))
        return gt_fail(e, GT_EINPUT, "--sigma-w2 must be a finite number > 0 for --init "
                                     "gaussian (got %g)", s->sigma_w2);
    if (s->init == INIT_RAI && !s->bias)
        return gt_fail(e, GT_EINPUT, "--init rai draws each unit's bias with its weights: "
                                     "add --bias on");
    if (s->bias && s->init != INIT_RAI && (!(s->sigma_b2 > 0) || !isfinite(s->sigma_b2)))
        return gt_fail(e, GT_EINPUT, "--sigma-b2 must be a finite number > 0 with --bias on "
                                     "(got %g; --bias off for no biases)", s->sigma_b2);
    if (!isfinite(s->alpha))
        return gt_fail(e, GT_EINPUT, "--alpha must be a finite number (got %g)", s->alpha);
    if (s->threads < 1 || s->threads > BD_MAX_THREADS)
        return gt_fail(e, GT_EINPUT, "--threads %d: expected an integer from 1 to %d",
                       s->threads, BD_MAX_THREADS);
    double bytes = (double)s->threads * sizeof(double) *
                   worker_doubles(probe_count(s), (size_t)s->input_dim,
                                  (size_t)bd_list_max(s->widths, s->n_widths));
    if (bytes > (double)BD_MAX_BYTES)
        return gt_fail(e, GT_EINPUT, "census too large: %.0f MiB of working memory (limit "
                       "%lu MiB; fewer probe inputs, a smaller width or fewer threads)",
                       bytes / 1048576.0, BD_MAX_BYTES >> 20);
    return GT_OK;
}

/* ---- statistics and closed forms ---------------------------------------------------- */

void bd_wilson(long k, long n, double *lo, double *hi)
{
    double N = (double)n, p = (double)k / N, z2 = WILSON_Z * WILSON_Z;
    double denom = 1.0 + z2 / N;
    double center = (p + z2 / (2.0 * N)) / denom;
    double half = WILSON_Z * sqrt(p * (1.0 - p) / N + z2 / (4.0 * N * N)) / denom;
    /* at k = 0 and k = n the bounds are 0 and 1 exactly; rounding would leave ±1e-17 */
    *lo = k == 0 ? 0.0 : fmax(0.0, center - half);
    *hi = k == n ? 1.0 : fmin(1.0, center + half);
}

double bd_exact_single(long width, long depth)
{
    /* Each layer, given its input, silences all its units with probability 2^-N,
     * independently of the layers before (see README); log1p/expm1 keep 1 - (1 - q)^L
     * exact when q L is tiny. */
    return -expm1((double)depth * log1p(-ldexp(1.0, (int)-width)));
}

/* Every probe a positive multiple of the first, which is non-zero: then a bias-free relu
 * network, positively homogeneous, is dead on the set exactly when it is dead at X[0]. */
static int on_one_ray(const double *X, size_t n, size_t D)
{
    double x0 = 0;
    for (size_t i = 0; i < D; i++) x0 += X[i] * X[i];
    if (!(x0 > 0)) return 0;
    for (size_t p = 1; p < n; p++) {
        const double *x = X + p * D;
        double dot = 0, xx = 0;
        for (size_t i = 0; i < D; i++) {
            dot += x[i] * X[i];
            xx += x[i] * x[i];
        }
        double c = dot / x0, r = 0;
        if (!(c > 0)) return 0;
        for (size_t i = 0; i < D; i++) r += (x[i] - c * X[i]) * (x[i] - c * X[i]);
        if (r > 1e-24 * xx) return 0;
    }
    return 1;
}

int bd_exact_applies(const BdSpec *s, const double *X, size_t n)
{
    /* relu outputs 0 exactly when z <= 0, and with symmetric continuous weights (every
     * kind but rai) z is symmetric and P(z = 0) = 0. With biases a layer's input may be 0
     * and the set does not shrink to one point, so only a single input qualifies. */
    if (s->activation != ACT_RELU || s->init == INIT_RAI || n < 1) return 0;
    if (s->bias) return n == 1;
    return on_one_ray(X, n, (size_t)s->input_dim);
}

/* ---- probes ---------------------------------------------------------------------------- */

int bd_make_inputs(const BdSpec *s, double **Xp, size_t *np, GtErr *e)
{
    size_t n = probe_count(s), D = (size_t)s->input_dim;
    double *X = malloc(n * D * sizeof *X);
    if (!X) return gt_fail(e, GT_ESYS, "out of memory for %zu probe inputs", n);
    Rng r;
    rng_seed(&r, s->seed, BD_RNG_INPUTS);
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i < D; i++) {
            double *x = &X[p * D + i];
            switch (s->inputs) {
            case BD_INPUTS_PM1: *x = (p >> i) & 1 ? 1.0 : -1.0; break;
            case BD_INPUTS_GAUSSIAN: *x = rng_normal(&r); break;
            default: *x = 2.0 * rng_uniform(&r) - 1.0; break;
            }
        }
    *Xp = X;
    *np = n;
    return GT_OK;
}

/* ---- the Monte Carlo ----------------------------------------------------------------- */

typedef struct {
    const BdSpec *s;
    const double *X;  /* (P, D) probe inputs */
    const double *XT; /* (D, P): the same, unit-major */
    size_t P, D, Wmax;
    long Lmax;
    const Act *act;
    ActParams ap;
    int zero_stays; /* no bias and f(0) = 0: after a dead layer every later z is 0 */
} Shared;

typedef struct {
    Shared *sh;
    long *first_dead;      /* (n_widths, Lmax + 2): trials whose first dead layer is l;
                            * index Lmax + 1: none */
    long long *dead_units; /* (n_widths, Lmax): per_layer, dead units summed over trials */
    double *A0, *A1, *Z, *W, *b; /* activations (unit-major), pre-activations, layer */
    double *mag;                  /* (P): max |activation| of each probe */
} Worker;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A trial's stream depends on (seed, width, trial) only: not on the thread that runs it,
 * nor on the depths, inputs or initialiser asked for. */
static uint64_t trial_key(uint64_t seed, long width, long trial)
{
    uint64_t h = mix64(seed ^ 0x6A09E667F3BCC909u);
    h = mix64(h ^ (uint64_t)width * 0x9E3779B97F4A7C15u);
    return mix64(h ^ (uint64_t)trial);
}

/* Activations are stored unit-major: unit i's values over the current probes are
 * contiguous (a[i * rows + p]), so the inner loops run over probes, the long dimension.
 * z_j = sum_i W[i][j] a_i (+ b_j) for fo units from fi inputs. */
static void dense(double *restrict z, const double *restrict in, const double *restrict W,
                  const double *restrict b, size_t rows, size_t fi, size_t fo)
{
    for (size_t j = 0; j < fo; j++) {
        double *zj = z + j * rows;
        double bj = b ? b[j] : 0.0;
        for (size_t p = 0; p < rows; p++) zj[p] = bj;
        for (size_t i = 0; i < fi; i++) {
            const double w = W[i * fo + j], *ai = in + i * rows;
            for (size_t p = 0; p < rows; p++) zj[p] += w * ai[p];
        }
    }
}

/* Keeps the probes on which a (n units x rows) is non-zero, in order, and one probe on
 * which it is all zero if there was any: equal columns stay equal in every later layer,
 * so one stands for all. Returns the probes kept; *nonzero counts the non-zero ones. */
static size_t compact(double *a, size_t rows, size_t n, double *mag, size_t *nonzero)
{
    /* mag[p] = max_j |a_j[p]|, written as a select so it vectorises */
    memset(mag, 0, rows * sizeof *mag);
    for (size_t j = 0; j < n; j++)
        for (size_t p = 0; p < rows; p++) {
            double v = fabs(a[j * rows + p]);
            mag[p] = mag[p] > v ? mag[p] : v;
        }
    size_t count = 0, zero_at = rows;
    for (size_t p = 0; p < rows; p++) {
        count += mag[p] != 0.0;
        if (mag[p] == 0.0 && zero_at == rows) zero_at = p;
    }
    *nonzero = count;
    size_t kept = count + (zero_at < rows);
    if (kept == rows) return rows;
    /* in place: destination j * kept + q never passes source j * rows + p */
    for (size_t j = 0; j < n; j++) {
        size_t q = 0;
        for (size_t p = 0; p < rows; p++)
            if (mag[p] != 0.0 || p == zero_at) a[j * kept + q++] = a[j * rows + p];
    }
    return kept;
}

/* Units of z (n x rows) that are <= 0 on every probe. */
static long dead_units(const double *z, size_t rows, size_t n)
{
    long dead = 0;
    for (size_t j = 0; j < n; j++) {
        int alive = 0;
        for (size_t p = 0; p < rows; p++) alive |= z[j * rows + p] > 0;
        dead += !alive;
    }
    return dead;
}

/* One trial of width index wi (a PoolFn): counts into this worker's own histograms, which
 * collect() sums; integer counts, so the split over threads changes no bit. */
static int one_trial(void *worker, long wi, long trial, GtErr *e)
{
    Worker *w = worker;
    const Shared *sh = w->sh;
    const BdSpec *s = sh->s;
    size_t N = (size_t)s->widths[wi];
    long Lmax = sh->Lmax;
    long *hist = w->first_dead + (size_t)wi * (size_t)(Lmax + 2);
    long long *units = s->per_layer ? w->dead_units + (size_t)wi * (size_t)Lmax : NULL;
    Rng r;
    rng_seed(&r, trial_key(s->seed, s->widths[wi], trial), BD_RNG_TRIAL);

    const double *in = sh->XT;
    size_t rows = sh->P, fi = sh->D;
    double *out = w->A0, *spare = w->A1;
    long dead_at = 0;
    for (long l = 1; l <= Lmax; l++) {
        if (dead_at && sh->zero_stays) { /* per_layer only: z = 0 from here on */
            for (long m = l; m <= Lmax; m++) units[m - 1] += (long long)N;
            break;
        }
        int rc = init_layer((InitKind)s->init, w->W, s->bias ? w->b : NULL, fi, N,
                            s->sigma_w2, s->sigma_b2, &r, e);
        if (rc) return rc;
        dense(w->Z, in, w->W, s->bias ? w->b : NULL, rows, fi, N);
        sh->act->fwd_d(w->Z, out, rows * N, &sh->ap);
        if (units) units[l - 1] += dead_units(w->Z, rows, N);
        size_t nonzero;
        rows = compact(out, rows, N, w->mag, &nonzero);
        if (!dead_at && nonzero == 0) {
            dead_at = l;
            if (!units) break;
        }
        in = out;
        fi = N;
        double *t = out;
        out = spare;
        spare = t;
    }
    hist[dead_at ? dead_at : Lmax + 1]++;
    return GT_OK;
}

static int worker_alloc(Worker *w, Shared *sh, GtErr *e)
{
    const BdSpec *s = sh->s;
    size_t P = sh->P, Wm = sh->Wmax, fi = sh->D > Wm ? sh->D : Wm;
    size_t hist = (size_t)s->n_widths * (size_t)(sh->Lmax + 2);
    size_t units = s->per_layer ? (size_t)s->n_widths * (size_t)sh->Lmax : 1;
    w->sh = sh;
    w->first_dead = calloc(hist, sizeof *w->first_dead);
    w->dead_units = calloc(units, sizeof *w->dead_units);
    w->A0 = malloc(P * Wm * sizeof(double));
    w->A1 = malloc(P * Wm * sizeof(double));
    w->Z = malloc(P * Wm * sizeof(double));
    w->W = malloc(fi * Wm * sizeof(double));
    w->b = malloc(Wm * sizeof(double));
    w->mag = malloc(P * sizeof(double));
    if (!w->first_dead || !w->dead_units || !w->A0 || !w->A1 || !w->Z || !w->W || !w->b ||
        !w->mag)
        return gt_fail(e, GT_ESYS, "out of memory for the census workers");
    return GT_OK;
}

static void worker_free(Worker *w)
{
    free(w->first_dead);
    free(w->dead_units);
    free(w->A0);
    free(w->A1);
    free(w->Z);
    free(w->W);
    free(w->b);
    free(w->mag);
}

/* Sums the workers' counts and fills the result rows. */
static int collect(const Shared *sh, Worker *ws, int nw, BdResult *res, GtErr *e)
{
    const BdSpec *s = sh->s;
    long Lmax = sh->Lmax;
    size_t H = (size_t)(Lmax + 2);
    int exact = bd_exact_applies(s, sh->X, sh->P);
    res->n_rows = (size_t)s->n_widths * (size_t)s->n_depths;
    res->rows = calloc(res->n_rows, sizeof *res->rows);
    res->n_layers = s->per_layer ? (size_t)s->n_widths * (size_t)Lmax : 0;
    res->layers = calloc(res->n_layers ? res->n_layers : 1, sizeof *res->layers);
    long *cum = malloc(H * sizeof *cum);
    if (!res->rows || !res->layers || !cum) {
        free(cum);
        return gt_fail(e, GT_ESYS, "out of memory for the census results");
    }
    for (int wi = 0; wi < s->n_widths; wi++) {
        long width = s->widths[wi];
        /* cum[l]: trials dead at some layer <= l */
        cum[0] = 0;
        for (long l = 1; l <= Lmax; l++) {
            long c = 0;
            for (int t = 0; t < nw; t++) c += ws[t].first_dead[(size_t)wi * H + (size_t)l];
            cum[l] = cum[l - 1] + c;
        }
        for (int di = 0; di < s->n_depths; di++) {
            BdRow *row = &res->rows[(size_t)wi * (size_t)s->n_depths + (size_t)di];
            row->width = width;
            row->depth = s->depths[di];
            row->trials = s->trials;
            row->born_dead = cum[row->depth];
            row->fraction = (double)row->born_dead / (double)s->trials;
            bd_wilson(row->born_dead, s->trials, &row->ci_low, &row->ci_high);
            row->exact = exact ? bd_exact_single(width, row->depth) : NAN;
        }
        for (long l = 1; s->per_layer && l <= Lmax; l++) {
            long long d = 0;
            size_t at = (size_t)wi * (size_t)Lmax + (size_t)(l - 1);
            for (int t = 0; t < nw; t++) d += ws[t].dead_units[at];
            BdLayerRow *lr = &res->layers[(size_t)wi * (size_t)Lmax + (size_t)(l - 1)];
            lr->width = width;
            lr->layer = l;
            lr->trials = s->trials;
            lr->dead_fraction = (double)d / ((double)s->trials * (double)width);
            /* A unit is dead when its z <= 0: probability 1/2 for symmetric z, and 1 when
             * the layer's input is 0 and there is no bias (dead by layer l - 1). */
            lr->exact = !exact ? NAN
                        : s->bias ? 0.5
                                  : 0.5 * (1.0 + bd_exact_single(width, l - 1));
        }
    }
    free(cum);
    return GT_OK;
}

int bd_run(const BdSpec *s, BdResult *res, GtErr *e)
{
    memset(res, 0, sizeof *res);
    int rc = bd_validate(s, e);
    if (rc) return rc;
    Shared sh;
    memset(&sh, 0, sizeof sh);
    sh.s = s;
    sh.D = (size_t)s->input_dim;
    sh.Wmax = (size_t)bd_list_max(s->widths, s->n_widths);
    sh.Lmax = bd_list_max(s->depths, s->n_depths);
    sh.act = act_get((ActKind)s->activation);
    sh.ap = (ActParams){s->alpha, 0.0};
    sh.zero_stays = !s->bias && sh.act->f(0.0, &sh.ap) == 0.0;
    double *X = NULL, *XT = NULL;
    rc = bd_make_inputs(s, &X, &sh.P, e);
    if (rc) return rc;
    XT = malloc(sh.P * sh.D * sizeof *XT);
    if (!XT) {
        free(X);
        return gt_fail(e, GT_ESYS, "out of memory for %zu probe inputs", sh.P);
    }
    for (size_t p = 0; p < sh.P; p++)
        for (size_t i = 0; i < sh.D; i++) XT[i * sh.P + p] = X[p * sh.D + i];
    sh.X = X;
    sh.XT = XT;
    res->n_probes = sh.P;

    /* trials of each width in blocks; one worker (buffers, counts) per thread */
    const PoolWork work = {.groups = s->n_widths, .n = s->trials, .block = BD_BLOCK};
    int nw = pool_threads(&work, s->threads);
    Worker *ws = calloc((size_t)nw, sizeof *ws);
    if (!ws) rc = gt_fail(e, GT_ESYS, "out of memory for the census workers");
    for (int t = 0; !rc && t < nw; t++) rc = worker_alloc(&ws[t], &sh, e);
    if (!rc) rc = pool_run(&work, nw, ws, sizeof *ws, one_trial, "census", e);
    if (!rc) rc = collect(&sh, ws, nw, res, e);
    for (int t = 0; ws && t < nw; t++) worker_free(&ws[t]);
    free(ws);
    free(X);
    free(XT);
    if (rc) bd_result_free(res);
    return rc;
}

void bd_result_free(BdResult *res)
{
    free(res->rows);
    free(res->layers);
    memset(res, 0, sizeof *res);
}
