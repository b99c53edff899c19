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

/* Per row over fo units: mu and rstd of layer norm. */
static void SFX(layer_stats)(const NormView *v, const T *z, size_t m, size_t fo)
{
    T *mu = v->mu, *rstd = v->rstd;
    for (size_t i = 0; i < m; i++) {
        const T *zi = z + i * fo;
        double s = 0, q = 0;
        for (size_t j = 0; j < fo; j++) s += (double)zi[j];
        s /= (double)fo;
        for (size_t j = 0; j < fo; j++) q += ((double)zi[j] - s) * ((double)zi[j] - s);
        mu[i] = (T)s;
        rstd[i] = (T)(1.0 / sqrt(q / (double)fo + v->eps));
    }
}

static void SFX(forward)(const NormView *v, const T *z, T *u, size_t m, size_t fo, int train)
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
    int per_row = v->kind == NORM_LAYER;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < fo; j++) {
            size_t k = per_row ? i : j;
            double xh = ((double)z[i * fo + j] - (double)mu[k]) * (double)rstd[k];
            u[i * fo + j] = (T)((double)g[j] * xh + (double)b[j]);
        }
}

/* Batch norm: dz = gamma rstd (d - mean_i d - xhat mean_i(d xhat)) per unit. Layer norm:
 * with g = gamma d, dz = rstd (g - mean_j g - xhat mean_j(g xhat)) per row. */
static void SFX(backward)(const NormView *v, const T *z, T *d, size_t m, size_t fo, T *dgamma,
                          T *dbeta)
{
    const T *gm = v->gamma, *mu = v->mu, *rstd = v->rstd;
    double *sb = v->acc, *sg = v->acc + fo; /* per unit: sum of d, of d * xhat */
    memset(sb, 0, 2 * fo * sizeof *sb);
    int per_row = v->kind == NORM_LAYER;
#define XHAT(i, j) (((double)z[(i) * fo + (j)] - (double)mu[per_row ? (i) : (j)]) *      \
                    (double)rstd[per_row ? (i) : (j)])
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < fo; j++) {
            double di = (double)d[i * fo + j];
            sb[j] += di;
            sg[j] += di * XHAT(i, j);
        }
    if (per_row) {
        for (size_t i = 0; i < m; i++) {
            T *di = d + i * fo;
            double s1 = 0, s2 = 0;
            for (size_t j = 0; j < fo; j++) {
                double g = (double)gm[j] * (double)di[j];
                s1 += g;
                s2 += g * XHAT(i, j);
            }
            s1 /= (double)fo;
            s2 /= (double)fo;
            for (size_t j = 0; j < fo; j++)
                di[j] = (T)((double)rstd[i] * ((double)gm[j] * (double)di[j] - s1 - XHAT(i, j) * s2));
        }
    } else {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < fo; j++) {
                double c = (double)gm[j] * (double)rstd[j];
                d[i * fo + j] = (T)(c * ((double)d[i * fo + j] - sb[j] / (double)m -
                                         XHAT(i, j) * sg[j] / (double)m));
            }
    }
#undef XHAT
    for (size_t j = 0; j < fo; j++) {
        dgamma[j] = (T)(sg[j] / (double)m);
        dbeta[j] = (T)(sb[j] / (double)m);
    }
}
