/* Probe reductions for one dtype; included by probe.c with T and SFX defined.
 * Each loop accumulates per unit (column j) rather than into one scalar: the updates are
 * then independent, so they vectorise without reassociating a sum (no -ffast-math), and
 * the final sum over units is taken in a fixed order: deterministic and in double. */

/* Mean, std, exact zeros of the outputs; dead units and exact-zero pre-activations.
 * acc: 5 * fan_out doubles. */
GT_HOT static void SFX(acts)(const Layer *L, size_t m, LayerStats *s, double *acc)
{
    size_t fo = L->fan_out, len = m * fo;
    const T *z = L->z, *a = L->a;
    double *sum = acc, *sq = acc + fo, *zeros = acc + 2 * fo, *pre_zero = acc + 3 * fo,
           *alive = acc + 4 * fo;
    /* sums of a - k, k one of the values: outputs clustered far from 0 (a saturated
     * sigmoid layer at 1 - 1e-9) keep their variance, which mean(a^2) - mean^2 cancels */
    const double k = len ? (double)a[0] : 0.0;
    memset(acc, 0, 5 * fo * sizeof *acc);
    for (size_t i = 0; i < m; i++) {
        const T *zi = z + i * fo, *ai = a + i * fo;
        for (size_t j = 0; j < fo; j++) {
            double v = (double)ai[j] - k;
            sum[j] += v;
            sq[j] += v * v;
            zeros[j] += ai[j] == 0;
            pre_zero[j] += zi[j] == 0;
            alive[j] += zi[j] > 0;
        }
    }
    double tsum = 0, tsq = 0, tzero = 0, tpre = 0;
    size_t dead = 0;
    for (size_t j = 0; j < fo; j++) {
        tsum += sum[j];
        tsq += sq[j];
        tzero += zeros[j];
        tpre += pre_zero[j];
        dead += alive[j] == 0;
    }
    double dm = tsum / (double)len, var = tsq / (double)len - dm * dm;
    s->act_mean = k + dm;
    s->act_std = var > 0 ? sqrt(var) : 0.0;
    s->frac_zero = tzero / (double)len;
    s->frac_preact_zero = tpre / (double)len;
    s->frac_dead_batch = (double)dead / (double)fo;
}

/* Norms of the scaled gradients (scale 2^e2 applied through the XNorm) and the sign
 * coherence of each unit's incoming weight gradients (column j of dW). acc: 2 * fan_out. */
GT_HOT static void SFX(grads)(const Layer *L, LayerStats *s, double *acc)
{
    size_t fi = L->fan_in, fo = L->fan_out;
    const T *dW = L->dW, *db = L->db;
    double *colsum = acc, *colss = acc + fo;
    memset(acc, 0, 2 * fo * sizeof *acc);
    for (size_t i = 0; i < fi; i++) {
        const T *row = dW + i * fo;
        for (size_t j = 0; j < fo; j++) {
            double g = row[j];
            colss[j] += g * g;
            colsum[j] += (g > 0) - (g < 0);
        }
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
