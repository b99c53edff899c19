/* Probe reductions for one dtype; included by probe.c with T and SFX defined. */

/* Mean, std, exact zeros of the outputs; dead units and exact-zero pre-activations. */
static void SFX(acts)(const Layer *L, size_t m, LayerStats *s, double *alive)
{
    size_t fo = L->fan_out, len = m * fo, zeros = 0, pre_zero = 0;
    const T *z = L->z, *a = L->a;
    /* sums of a - k, k one of the values: outputs clustered far from 0 (a saturated
     * sigmoid layer at 1 - 1e-9) keep their variance, which mean(a^2) - mean^2 cancels */
    const double k = len ? (double)a[0] : 0.0;
    double sum = 0, sq = 0;
    memset(alive, 0, fo * sizeof *alive);
    for (size_t i = 0; i < m; i++) {
        const T *zi = z + i * fo, *ai = a + i * fo;
        for (size_t j = 0; j < fo; j++) {
            double v = (double)ai[j] - k;
            sum += v;
            sq += v * v;
            zeros += ai[j] == 0;
            pre_zero += zi[j] == 0;
            alive[j] += zi[j] > 0;
        }
    }
    size_t dead = 0;
    for (size_t j = 0; j < fo; j++) dead += alive[j] == 0;
    double dm = sum / (double)len, var = sq / (double)len - dm * dm;
    s->act_mean = k + dm;
    s->act_std = var > 0 ? sqrt(var) : 0.0;
    s->frac_zero = (double)zeros / (double)len;
    s->frac_preact_zero = (double)pre_zero / (double)len;
    s->frac_dead_batch = (double)dead / (double)fo;
}

/* Norms of the scaled gradients (scale 2^e2 applied through the XNorm) and the sign
 * coherence of each unit's incoming weight gradients (column j of dW). */
static void SFX(grads)(const Layer *L, LayerStats *s, double *colsum)
{
    size_t fi = L->fan_in, fo = L->fan_out;
    const T *dW = L->dW, *db = L->db;
    double ss = 0, ssb = 0;
    memset(colsum, 0, fo * sizeof *colsum);
    for (size_t i = 0; i < fi; i++) {
        const T *row = dW + i * fo;
        for (size_t j = 0; j < fo; j++) {
            double g = row[j];
            ss += g * g;
            colsum[j] += (g > 0) - (g < 0);
        }
    }
    for (size_t j = 0; j < fo; j++) ssb += (double)db[j] * (double)db[j];
    double coh = 0;
    for (size_t j = 0; j < fo; j++) coh += fabs(colsum[j]) / (double)fi;
    s->sign_coherence = coh / (double)fo;
    s->grad_w = xnorm_make(ss, L->e2);
    s->grad_b = xnorm_make(ssb, L->e2);
}
