/* The layer kinds (forward and backward over one layer's views) and the loss for one
 * dtype. Included twice by net.c with T = float / double, SFX(name) = name##_s / name##_d
 * and the matching cblas routines; net.c's table and walks sit above. */

static void SFX(load_input)(Net *n, const Dataset *d, const uint32_t *idx, size_t first,
                            size_t m)
{
    T *x = n->x;
    for (size_t i = 0; i < m; i++) {
        const double *row = d->x + (size_t)(idx ? idx[i] : first + i) * d->dim;
        for (size_t j = 0; j < d->dim; j++) x[i * d->dim + j] = (T)row[j];
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

/* Keeps the largest |v| near 1: backprop is linear in delta, so a power-of-two rescale is
 * exact and the true value is v * 2^e2 however small it gets (*e2 tracks the scale). */
static void SFX(renorm)(Net *n, T *v, size_t len, int *e2)
{
    double amax = fabs((double)v[IAMAX((int)len, v, 1)]);
    if (!isfinite(amax)) {
        n->nonfinite = 1;
    } else if (amax > 0) {
        int k;
        frexp(amax, &k);
        if (k < -16 || k > 16) {
            SFX(scale_pow2)(v, len, k);
            *e2 += k;
        }
    }
}

/* 2^(e - E) for e <= E, or 0 when the term is beyond any dtype's precision (both operands
 * are renormalised to |max| near 1, so it is then below the larger one's last bit). */
static T SFX(rel_scale)(int e, int E) { return E - e > 100 ? (T)0 : (T)ldexp(1.0, e - E); }

static void SFX(dense_fwd)(Net *n, int l, NetPass *p)
{
    const Layer *L = &n->layers[l];
    size_t fi = L->fan_in, fo = L->fan_out, m = p->m;
    T *z = L->z;
    for (size_t i = 0; i < m; i++) memcpy(z + i * fo, L->b, fo * sizeof(T));
    GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)fo, (int)fi, 1, L->in,
         (int)fi, L->W, (int)fo, 1, z, (int)fo);
}

/* Renormalises layer l's delta, then dL/d(in) = delta.W^T: into the delta buffer of layer
 * l - 1, which its act and norm turn into its delta; when in is the stream, added (in the
 * larger of the two scales) to the skip's share in gbuf, which the output layer, the
 * stream's first reader going down, overwrites. */
static void SFX(dense_bwd)(Net *n, int l, NetPass *p)
{
    Layer *L = &n->layers[l];
    size_t fi = L->fan_in, fo = L->fan_out, m = p->m, len = m * fo;
    T *d = delta_buf(n, l);
    SFX(renorm)(n, d, len, &p->e2);
    L->e2 = p->e2;
    if (p->want_stats) L->delta_ss = SFX(sumsq)(d, len);
    if (l == 0) return;
    if (n->layers[l - 1].h) {
        int E = p->e2 > p->e2g ? p->e2 : p->e2g;
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)fi, (int)fo,
             SFX(rel_scale)(p->e2, E), d, (int)fo, L->W, (int)fo, SFX(rel_scale)(p->e2g, E),
             n->gbuf, (int)fi);
        p->e2g = E;
    } else {
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)fi, (int)fo, 1, d, (int)fo,
             L->W, (int)fo, 0, delta_buf(n, l - 1), (int)fi);
    }
}

/* dW = in^T.delta / m, db = column sums / m; in is final again here (see NetPass). */
static void SFX(dense_grads)(Net *n, int l, NetPass *p)
{
    const Layer *L = &n->layers[l];
    size_t fi = L->fan_in, fo = L->fan_out, m = p->m;
    const T *d = delta_buf(n, l);
    GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)fi, (int)fo, (int)m,
         (T)(1.0 / (double)m), L->in, (int)fi, d, (int)fo, 0, L->dW, (int)fo);
    SFX(col_sums)(d, m, fo, L->db);
    SCAL((int)fo, (T)(1.0 / (double)m), L->db, 1);
}

/* dL/da becomes dL/du (times f'(u)) in one pass that also writes a = f(u) into abuf for
 * the dense layer above's dW and the probes (one exp for both; the net keeps z and u
 * only), unless abuf still holds it: the top two hidden layers' outputs from forward. */
static void SFX(act_bwd)(Net *n, int l, NetPass *p)
{
    Layer *L = &n->layers[l];
    int k = l % 2;
    size_t len = p->m * L->fan_out;
    if (n->abuf_layer[k] == l && n->abuf_rows[k] == p->m) {
        L->n_sat = n->act->SFX(bwd)(L->u, delta_buf(n, l), len, &n->ap, n->sat_thr);
    } else {
        L->n_sat = n->act->SFX(fwd_bwd)(L->u, n->abuf[k], delta_buf(n, l), len, &n->ap,
                                         n->sat_thr);
        n->abuf_layer[k] = l;
        n->abuf_rows[k] = p->m;
    }
}

static void SFX(resid_fwd)(Net *n, int l, NetPass *p)
{
    const Layer *L = &n->layers[l];
    size_t len = p->m * L->fan_out;
    const T *a = n->abuf[l % 2], *hp = L->skip;
    const T alpha = (T)n->resid_scale;
    T *h = L->h;
    if (!hp) memcpy(h, a, len * sizeof(T));
    else for (size_t i = 0; i < len; i++) h[i] = hp[i] + alpha * a[i];
}

/* gbuf holds dL/dh (the next layer's share and the skip's, scale 2^e2g); the branch's
 * delta starts from alpha * dL/dh (from dL/dh at hidden layer 1, whose h = a). */
static void SFX(resid_bwd)(Net *n, int l, NetPass *p)
{
    const Layer *L = &n->layers[l];
    size_t len = p->m * L->fan_out;
    T *g = n->gbuf, *d = delta_buf(n, l);
    SFX(renorm)(n, g, len, &p->e2g);
    const T c = L->skip ? (T)n->resid_scale : (T)1;
    for (size_t i = 0; i < len; i++) d[i] = c * g[i];
    p->e2 = p->e2g;
}

/* The table of layer kinds, indexed by LayerKindId. */
static const LayerKind SFX(kinds)[LK_COUNT] = {
    [LK_DENSE] = {SFX(dense_fwd), SFX(dense_bwd), SFX(dense_grads)},
    [LK_NORM] = {norm_fwd, norm_bwd, NULL},
    [LK_ACT] = {act_fwd, SFX(act_bwd), NULL},
    [LK_RESID] = {SFX(resid_fwd), SFX(resid_bwd), NULL},
};
