/* Norm forward and backward for one dtype; included by norm.c with T and SFX defined.
 * Sums run in double, over rows in order (batch norm: every unit's sums side by side in
 * v->acc, so the buffers are read row by row). xhat = (z - mu) * rstd is recomputed from
 * the stored mu and rstd, identically in forward and backward. */

/* Per unit over m rows: mu and rstd (biased variance, two passes); with run, the running
 * statistics as BatchNorm1d: r = momentum * batch + (1 - momentum) * r, the variance
 * unbiased (times m / (m - 1)). */
static void SFX(batch_stats)(const NormView *v, const T *z, size_t m, size_t fo, int run)
{
    T *mu = v->mu, *rstd = v->rstd, *rm = v->run_mean, *rv = v->run_var;
    double *s = v->acc, *q = v->acc + fo;
    memset(s, 0, 2 * fo * sizeof *s);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < fo; j++) s[j] += (double)z[i * fo + j];
    for (size_t j = 0; j < fo; j++) s[j] /= (double)m;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < fo; j++) {
            double c = (double)z[i * fo + j] - s[j];
            q[j] += c * c;
        }
    for (size_t j = 0; j < fo; j++) {
        double var = q[j] / (double)m;
        mu[j] = (T)s[j];
        rstd[j] = (T)(1.0 / sqrt(var + v->eps));
        if (run) {
            double unbiased = q[j] / (double)(m - 1);
            rm[j] = (T)(NORM_MOMENTUM * s[j] + (1 - NORM_MOMENTUM) * (double)rm[j]);
            rv[j] = (T)(NORM_MOMENTUM * unbiased + (1 - NORM_MOMENTUM) * (double)rv[j]);
        }
    }
}

/* Layer norm's per-row sums run over the row's units in order (a chain of dependent adds):
 * NORM_ROWS rows at a time so that their chains overlap, each row's sum still in the order
 * of one row alone (the same bits). Called with nr = NORM_ROWS (a constant after inlining)
 * or the last rows. */
static inline __attribute__((always_inline)) void
SFX(layer_stats_rows)(const NormView *v, const T *z, size_t i0, size_t nr, size_t fo)
{
    T *mu = v->mu, *rstd = v->rstd;
    double s[NORM_ROWS] = {0}, q[NORM_ROWS] = {0};
    for (size_t j = 0; j < fo; j++)
        for (size_t r = 0; r < nr; r++) s[r] += (double)z[(i0 + r) * fo + j];
    for (size_t r = 0; r < nr; r++) s[r] /= (double)fo;
    for (size_t j = 0; j < fo; j++)
        for (size_t r = 0; r < nr; r++) {
            double c = (double)z[(i0 + r) * fo + j] - s[r];
            q[r] += c * c;
        }
    for (size_t r = 0; r < nr; r++) {
        mu[i0 + r] = (T)s[r];
        rstd[i0 + r] = (T)(1.0 / sqrt(q[r] / (double)fo + v->eps));
    }
}

/* Per row over fo units: mu and rstd of layer norm. */
GT_HOT static void SFX(layer_stats)(const NormView *v, const T *z, size_t m, size_t fo)
{
    size_t i0 = 0;
    for (; i0 + NORM_ROWS <= m; i0 += NORM_ROWS) SFX(layer_stats_rows)(v, z, i0, NORM_ROWS, fo);
    if (i0 < m) SFX(layer_stats_rows)(v, z, i0, m - i0, fo);
}

GT_HOT static void SFX(forward)(const NormView *v, const T *z, T *u, size_t m, size_t fo,
                                int train)
{
    const T *g = v->gamma, *b = v->beta, *mu = v->mu, *rstd = v->rstd;
    if (v->kind == NORM_LAYER) {
        SFX(layer_stats)(v, z, m, fo);
    } else if (train) {
        SFX(batch_stats)(v, z, m, fo, 1);
    } else {
        const T *rm = v->run_mean, *rv = v->run_var;
        T *vmu = v->mu, *vrstd = v->rstd;
        for (size_t j = 0; j < fo; j++) {
            vmu[j] = rm[j];
            vrstd[j] = (T)(1.0 / sqrt((double)rv[j] + v->eps));
        }
    }
    /* one loop per kind: the statistic's index is then fixed per loop and the rows vectorise */
    if (v->kind == NORM_LAYER)
        for (size_t i = 0; i < m; i++) {
            const double mi = (double)mu[i], ri = (double)rstd[i];
            for (size_t j = 0; j < fo; j++) {
                double xh = ((double)z[i * fo + j] - mi) * ri;
                u[i * fo + j] = (T)((double)g[j] * xh + (double)b[j]);
            }
        }
    else
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < fo; j++) {
                double xh = ((double)z[i * fo + j] - (double)mu[j]) * (double)rstd[j];
                u[i * fo + j] = (T)((double)g[j] * xh + (double)b[j]);
            }
}

/* Layer norm's backward of rows i0 .. i0 + nr - 1 (see layer_stats_rows): the per-unit sums
 * of d and d * xhat (for dbeta, dgamma) in row order, then with g = gamma d the per-row means
 * of g and g * xhat, then dz = rstd (g - mean g - xhat mean(g xhat)). */
static inline __attribute__((always_inline)) void
SFX(layer_bwd_rows)(const NormView *v, const T *z, T *d, size_t i0, size_t nr, size_t fo)
{
    const T *gm = v->gamma, *mu = v->mu, *rstd = v->rstd;
    double *sb = v->acc, *sg = v->acc + fo;
    double s1[NORM_ROWS] = {0}, s2[NORM_ROWS] = {0};
    for (size_t r = 0; r < nr; r++) {
        const double mi = (double)mu[i0 + r], ri = (double)rstd[i0 + r];
        const T *zi = z + (i0 + r) * fo, *di = d + (i0 + r) * fo;
        for (size_t j = 0; j < fo; j++) {
            double dd = (double)di[j], xh = ((double)zi[j] - mi) * ri;
            sb[j] += dd;
            sg[j] += dd * xh;
        }
    }
    for (size_t j = 0; j < fo; j++)
        for (size_t r = 0; r < nr; r++) {
            size_t k = (i0 + r) * fo + j;
            double g = (double)gm[j] * (double)d[k];
            s1[r] += g;
            s2[r] += g * (((double)z[k] - (double)mu[i0 + r]) * (double)rstd[i0 + r]);
        }
    for (size_t r = 0; r < nr; r++) {
        const double mi = (double)mu[i0 + r], ri = (double)rstd[i0 + r];
        const double m1 = s1[r] / (double)fo, m2 = s2[r] / (double)fo;
        const T *zi = z + (i0 + r) * fo;
        T *di = d + (i0 + r) * fo;
        for (size_t j = 0; j < fo; j++)
            di[j] = (T)(ri * ((double)gm[j] * (double)di[j] - m1 - ((double)zi[j] - mi) * ri * m2));
    }
}

/* Batch norm: dz = gamma rstd (d - mean_i d - xhat mean_i(d xhat)) per unit. Layer norm:
 * with g = gamma d, dz = rstd (g - mean_j g - xhat mean_j(g xhat)) per row. */
GT_HOT static void SFX(backward)(const NormView *v, const T *z, T *d, size_t m, size_t fo,
                                 T *dgamma, T *dbeta)
{
    const T *gm = v->gamma, *mu = v->mu, *rstd = v->rstd;
    double *sb = v->acc, *sg = v->acc + fo; /* per unit: sum of d, of d * xhat; then means */
    memset(sb, 0, 2 * fo * sizeof *sb);
    if (v->kind == NORM_LAYER) {
        size_t i0 = 0;
        for (; i0 + NORM_ROWS <= m; i0 += NORM_ROWS) SFX(layer_bwd_rows)(v, z, d, i0, NORM_ROWS, fo);
        if (i0 < m) SFX(layer_bwd_rows)(v, z, d, i0, m - i0, fo);
        for (size_t j = 0; j < fo; j++) sb[j] /= (double)m, sg[j] /= (double)m;
    } else {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < fo; j++) {
                double dd = (double)d[i * fo + j];
                sb[j] += dd;
                sg[j] += dd * (((double)z[i * fo + j] - (double)mu[j]) * (double)rstd[j]);
            }
        for (size_t j = 0; j < fo; j++) sb[j] /= (double)m;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < fo; j++) {
                double c = (double)gm[j] * (double)rstd[j];
                double xh = ((double)z[i * fo + j] - (double)mu[j]) * (double)rstd[j];
                d[i * fo + j] = (T)(c * ((double)d[i * fo + j] - sb[j] - xh * sg[j] / (double)m));
            }
        for (size_t j = 0; j < fo; j++) sg[j] /= (double)m;
    }
    for (size_t j = 0; j < fo; j++) {
        dgamma[j] = (T)sg[j];
        dbeta[j] = (T)sb[j];
    }
}
