/* Forward, loss and backward for one dtype. Included twice by net.c with
 * T = float / double, SFX(name) = name##_s / name##_d and the matching cblas routines. */

static void SFX(load_input)(Net *n, const Dataset *d, const uint32_t *idx, size_t first,
                            size_t m)
{
    T *x = n->x;
    for (size_t i = 0; i < m; i++) {
        const double *row = d->x + (size_t)(idx ? idx[i] : first + i) * d->dim;
        for (size_t j = 0; j < d->dim; j++) x[i * d->dim + j] = (T)row[j];
    }
}

/* Layer l's norm (when it has one) from z into u; see net_forward for train. */
static void SFX(norm_fwd)(const Net *n, int l, size_t m, int train)
{
    const Layer *L = &n->layers[l];
    if (!L->gamma) return;
    NormView v = net_norm_view(n, l);
    norm_forward(n->dtype, &v, L->z, L->u, m, L->fan_out, train);
}

/* dn = dL/da of hidden layer P = l - 1 (scale 2^e) becomes dL/du (f'(u)), and with norm
 * dL/dz; P's outputs a = f(u) are left in abuf[(l - 1) % 2] for dW and the probes. */
static void SFX(act_norm_bwd)(Net *n, int l, T *dn, size_t m, int e)
{
    Layer *P = &n->layers[l - 1];
    int k = (l - 1) % 2;
    size_t len = m * P->fan_out;
    if (n->abuf_layer[k] == l - 1 && n->abuf_rows[k] == m) {
        P->n_sat = n->act->SFX(bwd)(P->u, dn, len, &n->ap, n->sat_thr);
    } else {
        P->n_sat = n->act->SFX(fwd_bwd)(P->u, n->abuf[k], dn, len, &n->ap, n->sat_thr);
        n->abuf_layer[k] = l - 1;
        n->abuf_rows[k] = m;
    }
    if (P->gamma) {
        NormView v = net_norm_view(n, l - 1);
        norm_backward(n->dtype, &v, P->z, dn, m, P->fan_out, P->dgamma, P->dbeta);
        P->e2n = e;
    }
}

static void SFX(forward)(Net *n, size_t m, int train)
{
    const T *in = n->x;
    n->abuf_layer[0] = n->abuf_layer[1] = -1; /* every z changes */
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        size_t fi = L->fan_in, fo = L->fan_out;
        T *z = L->z;
        for (size_t i = 0; i < m; i++) memcpy(z + i * fo, L->b, fo * sizeof(T));
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)fo, (int)fi, 1, in,
             (int)fi, L->W, (int)fo, 1, z, (int)fo);
        SFX(norm_fwd)(n, l, m, train);
        in = net_act(n, l, m); /* a = f(u) into abuf[l % 2]: the next layer's input */
    }
}

static double SFX(loss)(Net *n, LossKind k, const int32_t *y, size_t m, size_t *correct,
                        int want_delta)
{
    const Layer *out = &n->layers[n->nlayers - 1];
    size_t K = out->fan_out;
    const T *z = out->z;
    T *d = n->dbuf[0];
    double total = 0;
    size_t right = 0;
    for (size_t i = 0; i < m; i++) {
        const T *zi = z + i * K;
        size_t best = 0;
        for (size_t c = 0; c < K; c++) {
            if (!isfinite(zi[c])) return NAN;
            if (zi[c] > zi[best]) best = c;
        }
        right += (int32_t)best == y[i];
        if (k == LOSS_XENT) {
            /* log-sum-exp around the max: no overflow, exact for huge logits */
            double mx = zi[best], s = 0;
            for (size_t c = 0; c < K; c++) s += exp((double)zi[c] - mx);
            /* cppcheck-suppress invalidFunctionArg ; s >= 1: the term c == best is exp(0) */
            total += log(s) + mx - (double)zi[y[i]];
            if (want_delta)
                for (size_t c = 0; c < K; c++)
                    d[i * K + c] = (T)(exp((double)zi[c] - mx) / s - (c == (size_t)y[i]));
        } else {
            /* l = 1/2 sum_c (z_c - t_c)^2 against the one-hot target */
            for (size_t c = 0; c < K; c++) {
                double r = (double)zi[c] - (c == (size_t)y[i]);
                total += 0.5 * r * r;
                if (want_delta) d[i * K + c] = (T)r;
            }
        }
    }
    if (correct) *correct = right;
    return total / (double)m;
}

/* Multiplies v by 2^-k exactly (in two steps when 2^-k itself is out of T's range). */
static void SFX(scale_pow2)(T *v, size_t len, int k)
{
    if (k > 100 || k < -100) {
        SCAL((int)len, (T)ldexp(1.0, -k / 2), v, 1);
        k -= k / 2;
    }
    SCAL((int)len, (T)ldexp(1.0, -k), v, 1);
}

/* Sum of squares in double, in 8 independent lanes in a fixed order: vectorises, and the
 * bits do not depend on the vector width. */
GT_HOT static double SFX(sumsq)(const T *d, size_t len)
{
    double lane[8] = {0}, ss = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        for (size_t k = 0; k < 8; k++) lane[k] += (double)d[i + k] * (double)d[i + k];
    for (; i < len; i++) ss += (double)d[i] * (double)d[i];
    for (size_t k = 0; k < 8; k++) ss += lane[k];
    return ss;
}

/* s[j] = sum over rows i of d[i][j], rows added in order. */
GT_HOT static void SFX(col_sums)(const T *restrict d, size_t m, size_t fo, T *restrict s)
{
    memset(s, 0, fo * sizeof(T));
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < fo; j++) s[j] += d[i * fo + j];
}

static void SFX(backward)(Net *n, size_t m, int want_stats, NetLayerDone done, void *ctx)
{
    int cur = 0, e2 = 0;
    T *d = n->dbuf[cur];
    for (int l = n->nlayers - 1; l >= 0; l--) {
        Layer *L = &n->layers[l];
        size_t fi = L->fan_in, fo = L->fan_out, len = m * fo;
        /* Keep the largest |delta| near 1: backprop is linear in delta, so a power-of-two
         * rescale is exact and the true delta is d * 2^e2 however small it gets. */
        double amax = fabs((double)d[IAMAX((int)len, d, 1)]);
        if (!isfinite(amax)) {
            n->nonfinite = 1;
        } else if (amax > 0) {
            int k;
            frexp(amax, &k);
            if (k < -16 || k > 16) {
                SFX(scale_pow2)(d, len, k);
                e2 += k;
            }
        }
        L->e2 = e2;
        if (want_stats) L->delta_ss = SFX(sumsq)(d, len);
        const T *ain = n->x;
        T *dn = NULL;
        if (l > 0) {
            /* delta of layer l-1 first: its pass of f' can then also write a = f(u) of
             * layer l-1, which dW below reads (one exp for both; the net keeps z and u only).
             * The top two hidden layers' outputs are still there from forward. */
            dn = n->dbuf[1 - cur];
            GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)fi, (int)fo, 1, d,
                 (int)fo, L->W, (int)fo, 0, dn, (int)fi);
            SFX(act_norm_bwd)(n, l, dn, m, e2);
            ain = n->abuf[(l - 1) % 2];
        }
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)fi, (int)fo, (int)m,
             (T)(1.0 / (double)m), ain, (int)fi, d, (int)fo, 0, L->dW, (int)fo);
        SFX(col_sums)(d, m, fo, L->db);
        SCAL((int)fo, (T)(1.0 / (double)m), L->db, 1);
        if (dn) {
            cur = 1 - cur;
            d = dn;
        }
        if (done) done(ctx, n, l);
    }
}

#include "net_resid_tmpl.h"
