/* Probe reductions for one dtype; included by probe.c with T and SFX defined.
 * Each loop accumulates per unit (column j) rather than into one scalar: the updates are
 * then independent, so they vectorise without reassociating a sum (no -ffast-math), and
 * the final sum over units is taken in a fixed order: deterministic and in double.
 * Buffers go in tiles of PB_ROWS rows by PB columns so that a tile's accumulators stay
 * in registers. */

/* Adds rows [0, m) of columns [0, w) of z and a (row stride fo) to the per-unit sums, each
 * unit's rows in order. Called on PB columns by PB_ROWS rows (constants after inlining):
 * the block's accumulators stay in registers while its rows, an L1-sized tile, stream
 * past. Counts are int32 lanes, exact in any order and twice as many to a vector. */
static inline __attribute__((always_inline)) void
SFX(acts_tile)(const T *z, const T *a, size_t m, size_t fo, size_t w, double k, T lo, T hi,
               int32_t at_zero, double *sum, double *sq, double *zeros, double *pre_zero, double *alive,
               double *positive)
{
    double s[PB], q[PB];
    int32_t nz[PB] = {0}, npz[PB] = {0}, nal[PB] = {0}, npos[PB] = {0};
    for (size_t j = 0; j < w; j++) s[j] = sum[j], q[j] = sq[j];
    for (size_t i = 0; i < m; i++) {
        const T *zi = z + i * fo, *ai = a + i * fo;
        for (size_t j = 0; j < w; j++) {
            double v = (double)ai[j] - k;
            s[j] += v;
            q[j] += v * v;
            nz[j] += ai[j] == 0;
            npz[j] += zi[j] == 0;
            /* f'(z) != 0: a gradient passes (act_is_dead); & rather than &&: branch-free, 4.8x faster */
            /* cppcheck-suppress clarifyCondition ; bitwise on purpose (no branches) */
            nal[j] |= (zi[j] >= lo) & (zi[j] <= hi) & ((zi[j] != 0) | !at_zero);
            npos[j] |= zi[j] > 0;
        }
    }
    for (size_t j = 0; j < w; j++) {
        sum[j] = s[j], sq[j] = q[j];
        zeros[j] += nz[j], pre_zero[j] += npz[j], alive[j] += nal[j], positive[j] += npos[j];
    }
}

/* Mean, std, exact zeros of the outputs a; dead (f'(z) = 0 on every row: z outside
 * [lo, hi], act_dead_range) and never-positive units; exact-zero pre-activations.
 * acc: PROBE_SCRATCH doubles (6 * fan_out). */
GT_HOT static void SFX(acts)(const Layer *L, const T *a, size_t m, const ActDead *dr,
                             LayerStats *s, double *acc)
{
    size_t fo = L->fan_out, len = m * fo;
    const T *z = L->u; /* the activation's input */
    const T lo = (T)dr->lo, hi = (T)dr->hi; /* values of T: exact */
    const int32_t at_zero = dr->at_zero;
    double *sum = acc, *sq = acc + fo, *zeros = acc + 2 * fo, *pre_zero = acc + 3 * fo,
           *alive = acc + 4 * fo, *positive = acc + 5 * fo;
    /* sums of a - k, k one of the values: outputs clustered far from 0 (a saturated
     * sigmoid layer at 1 - 1e-9) keep their variance, which mean(a^2) - mean^2 cancels */
    const double k = len ? (double)a[0] : 0.0;
    memset(acc, 0, 6 * fo * sizeof *acc);
    for (size_t i0 = 0; i0 < m; i0 += PB_ROWS) {
        size_t rows = m - i0 < PB_ROWS ? m - i0 : PB_ROWS, j0 = 0;
        const T *zt = z + i0 * fo, *at = a + i0 * fo;
#define TILE(R, W)                                                                      \
    SFX(acts_tile)(zt + j0, at + j0, R, fo, W, k, lo, hi, at_zero, sum + j0, sq + j0, zeros + j0, \
                   pre_zero + j0, alive + j0, positive + j0)
        if (rows == PB_ROWS)
            for (; j0 + PB <= fo; j0 += PB) TILE(PB_ROWS, PB);
        for (; j0 < fo; j0 += PB) TILE(rows, fo - j0 < PB ? fo - j0 : PB);
#undef TILE
    }
    double tsum = 0, tsq = 0, tzero = 0, tpre = 0;
    size_t dead = 0, nonpositive = 0;
    for (size_t j = 0; j < fo; j++) {
        tsum += sum[j];
        tsq += sq[j];
        tzero += zeros[j];
        tpre += pre_zero[j];
        dead += alive[j] == 0;
        nonpositive += positive[j] == 0;
    }
    double dm = tsum / (double)len, var = tsq / (double)len - dm * dm;
    s->act_mean = k + dm;
    s->act_std = var > 0 ? sqrt(var) : 0.0;
    s->frac_zero = tzero / (double)len;
    s->frac_preact_zero = tpre / (double)len;
    s->frac_dead_batch = (double)dead / (double)fo;
    s->frac_nonpositive_batch = (double)nonpositive / (double)fo;
}

/* Adds rows [0, fi) of columns [0, w) of dW to each unit's sum of squares and sum of
 * signs, rows in order (tiles as in acts_tile; the sign sums are exact int32). */
static inline __attribute__((always_inline)) void
SFX(grads_tile)(const T *dW, size_t fi, size_t fo, size_t w, double *colsum, double *colss)
{
    double cq[PB];
    int32_t cs[PB] = {0};
    for (size_t j = 0; j < w; j++) cq[j] = colss[j];
    for (size_t i = 0; i < fi; i++) {
        const T *row = dW + i * fo;
        for (size_t j = 0; j < w; j++) {
            double g = row[j];
            cq[j] += g * g;
            cs[j] += (row[j] > 0) - (row[j] < 0);
        }
    }
    for (size_t j = 0; j < w; j++) colsum[j] += cs[j], colss[j] = cq[j];
}

/* Norms of the scaled gradients (scale 2^e2 applied through the XNorm) and the sign
 * coherence of each unit's incoming weight gradients (column j of dW). acc: 2 * fan_out. */
GT_HOT static void SFX(grads)(const Layer *L, LayerStats *s, double *acc)
{
    size_t fi = L->fan_in, fo = L->fan_out;
    const T *dW = L->dW, *db = L->db;
    double *colsum = acc, *colss = acc + fo;
    memset(acc, 0, 2 * fo * sizeof *acc);
    for (size_t i0 = 0; i0 < fi; i0 += PB_ROWS) {
        size_t rows = fi - i0 < PB_ROWS ? fi - i0 : PB_ROWS, j0 = 0;
        const T *gt = dW + i0 * fo;
        if (rows == PB_ROWS)
            for (; j0 + PB <= fo; j0 += PB)
                SFX(grads_tile)(gt + j0, PB_ROWS, fo, PB, colsum + j0, colss + j0);
        for (; j0 < fo; j0 += PB)
            SFX(grads_tile)(gt + j0, rows, fo, fo - j0 < PB ? fo - j0 : PB, colsum + j0,
                            colss + j0);
    }
    double ss = 0, ssb = 0, coh = 0;
    for (size_t j = 0; j < fo; j++) {
        ss += colss[j];
        ssb += (double)db[j] * (double)db[j];
        coh += fabs(colsum[j]) / (double)fi;
    }
    s->sign_coherence = coh / (double)fo;
    s->grad_w = xnorm_make(ss, L->e2);
    s->grad_b = xnorm_make(ssb, L->e2);
}
