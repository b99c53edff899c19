/* Network layout (one buffer each for parameters, gradients and activations, with
 * per-layer views), the table of layer kinds and the forward and backward walks over the
 * net's op sequence. */
#include "net.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN_ELEMS 16 /* every view starts on a 64-byte boundary (for float) */

static size_t round_up(size_t v) { return (v + ALIGN_ELEMS - 1) / ALIGN_ELEMS * ALIGN_ELEMS; }

/* a*b + c with saturation at SIZE_MAX, so absurd sizes are refused rather than wrapped. */
static size_t mul_add(size_t a, size_t b, size_t c)
{
    if (a && b > (SIZE_MAX - c) / a) return SIZE_MAX;
    return a * b + c;
}

static size_t maxw_of(const NetSpec *s) { return s->out_dim > s->width ? s->out_dim : s->width; }

/* net_is_stream before the net exists. */
static int spec_is_stream(const NetSpec *s, long l)
{
    return s->resid_k > 0 && l < s->depth && (l == 0 || l % s->resid_k == 0);
}

/* Element counts of the buffers; returns 0 on overflow. Walks the layers exactly as
 * net_create lays them out. */
static int layout_sizes(const NetSpec *s, size_t *np, size_t *na, size_t *nd, size_t *nr)
{
    size_t p = 0, a = round_up(mul_add(s->batch, s->in_dim, 0)), r = 0;
    size_t fi = s->in_dim, maxw = maxw_of(s);
    for (long l = 0; l <= s->depth; l++) {
        size_t fo = l == s->depth ? s->out_dim : s->width;
        p = round_up(mul_add(fi, fo, p));
        p = round_up(mul_add(fo, 1, p));
        a = round_up(mul_add(s->batch, fo, a)); /* z */
        if (spec_is_stream(s, l)) a = round_up(mul_add(s->batch, fo, a)); /* h */
        if (s->norm != NORM_NONE && l < s->depth) {
            size_t st = norm_stat_len(s->norm, s->batch, fo);
            p = round_up(mul_add(fo, 2, p));                   /* gamma, beta */
            a = round_up(mul_add(s->batch, fo, a));            /* u */
            a = round_up(mul_add(st, 2, a));                   /* mu, rstd */
            if (s->norm == NORM_BATCH) r = mul_add(fo, 2, r); /* running mean, var */
        }
        if (p == SIZE_MAX || a == SIZE_MAX || r == SIZE_MAX) return 0;
        fi = fo;
    }
    *np = p;
    *na = a;
    *nr = r;
    *nd = round_up(mul_add(s->batch, maxw, 0));
    return *nd != SIZE_MAX;
}

size_t net_bytes(const NetSpec *s)
{
    size_t np, na, nd, nr;
    if (!layout_sizes(s, &np, &na, &nd, &nr)) return SIZE_MAX;
    /* params, grads, acts, dbuf, abuf (and gbuf when residual, running with batch norm) */
    size_t elems = mul_add(np, 2, mul_add(nd, s->resid_k > 0 ? 5 : 4, mul_add(nr, 1, na)));
    size_t bytes = mul_add(elems, dtype_size(s->dtype), 0);
    if (s->norm != NORM_NONE) bytes = mul_add(2 * sizeof(double), maxw_of(s), bytes);
    return mul_add((size_t)s->depth + 1, sizeof(Layer) + 4 * sizeof(NetOp), bytes);
}

void net_free(Net *n)
{
    free(n->layers);
    free(n->ops);
    free(n->params);
    free(n->grads);
    free(n->acts);
    free(n->dbuf[0]);
    free(n->running);
    free(n->norm_acc);
    memset(n, 0, sizeof *n);
}

static void *alloc_zero(size_t elems, size_t esz)
{
    /* 64-byte aligned; calloc-like so never-written padding is defined */
    size_t bytes = (elems * esz + 63) / 64 * 64;
    void *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p) memset(p, 0, bytes ? bytes : 64);
    return p;
}

int net_create(Net *n, const NetSpec *s, GtErr *e)
{
    memset(n, 0, sizeof *n);
    size_t np, na, nd, nr;
    if (!layout_sizes(s, &np, &na, &nd, &nr))
        return gt_fail(e, GT_EINPUT, "network too large: its size overflows the address space");
    size_t esz = dtype_size(s->dtype);
    n->dtype = s->dtype;
    n->nlayers = (int)s->depth + 1;
    n->batch = s->batch;
    n->in_dim = s->in_dim;
    n->out_dim = s->out_dim;
    n->max_width = maxw_of(s);
    n->act = act_get(s->act);
    n->ap = s->ap;
    n->sat_thr = 0.01 * n->act->max_df(&s->ap);
    n->dead = act_dead_range(n->act, &s->ap, s->dtype == DT_F32);
    n->nparams = np;
    n->layers = calloc((size_t)n->nlayers, sizeof(Layer));
    n->ops = calloc(4 * (size_t)n->nlayers, sizeof(NetOp));
    n->params = alloc_zero(np, esz);
    n->grads = alloc_zero(np, esz);
    n->acts = alloc_zero(na, esz);
    n->resid_k = (int)s->resid_k;
    n->resid_scale = s->resid_scale;
    n->dbuf[0] = alloc_zero((s->resid_k > 0 ? 5 : 4) * nd, esz);
    n->norm = s->norm;
    n->norm_eps = s->norm_eps;
    n->nrunning = nr;
    if (nr) n->running = alloc_zero(nr, esz);
    if (s->norm != NORM_NONE) n->norm_acc = alloc_zero(2 * n->max_width, sizeof(double));
    if (!n->layers || !n->ops || !n->params || !n->grads || !n->acts || !n->dbuf[0] ||
        (nr && !n->running) || (s->norm != NORM_NONE && !n->norm_acc)) {
        net_free(n);
        return gt_fail(e, GT_ESYS, "out of memory allocating the network (%zu bytes)", net_bytes(s));
    }
    n->dbuf[1] = (char *)n->dbuf[0] + nd * esz;
    n->abuf[0] = (char *)n->dbuf[0] + 2 * nd * esz;
    n->abuf[1] = (char *)n->dbuf[0] + 3 * nd * esz;
    if (s->resid_k > 0) n->gbuf = (char *)n->dbuf[0] + 4 * nd * esz;
    n->abuf_layer[0] = n->abuf_layer[1] = -1;
    n->x = n->acts;
    size_t p = 0, a = round_up(s->batch * s->in_dim), r = 0, fi = s->in_dim;
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        size_t fo = l + 1 == n->nlayers ? s->out_dim : s->width;
        L->fan_in = fi;
        L->fan_out = fo;
        L->W = (char *)n->params + p * esz;
        L->dW = (char *)n->grads + p * esz;
        p = round_up(p + fi * fo);
        L->b = (char *)n->params + p * esz;
        L->db = (char *)n->grads + p * esz;
        p = round_up(p + fo);
        const Layer *below = l > 0 ? &n->layers[l - 1] : NULL;
        L->in = !below ? n->x : below->h ? below->h : n->abuf[(l - 1) % 2];
        L->z = L->u = (char *)n->acts + a * esz;
        a = round_up(a + s->batch * fo);
        if (spec_is_stream(s, l)) {
            L->h = (char *)n->acts + a * esz;
            if (l > 0) L->skip = n->layers[l - s->resid_k].h;
            a = round_up(a + s->batch * fo);
        }
        n->ops[n->nops++] = (NetOp){LK_DENSE, l};
        if (s->norm != NORM_NONE && l + 1 < n->nlayers) {
            n->ops[n->nops++] = (NetOp){LK_NORM, l};
            size_t st = norm_stat_len(s->norm, s->batch, fo);
            L->gamma = (char *)n->params + p * esz;
            L->dgamma = (char *)n->grads + p * esz;
            L->beta = (char *)n->params + (p + fo) * esz;
            L->dbeta = (char *)n->grads + (p + fo) * esz;
            p = round_up(p + 2 * fo);
            L->u = (char *)n->acts + a * esz;
            a = round_up(a + s->batch * fo);
            L->mu = (char *)n->acts + a * esz;
            L->rstd = (char *)n->acts + (a + st) * esz;
            a = round_up(a + 2 * st);
            if (s->norm == NORM_BATCH) {
                L->run_mean = (char *)n->running + r * esz;
                L->run_var = (char *)n->running + (r + fo) * esz;
                r += 2 * fo;
            }
        }
        if (l + 1 < n->nlayers) n->ops[n->nops++] = (NetOp){LK_ACT, l};
        if (L->h) n->ops[n->nops++] = (NetOp){LK_RESID, l};
        fi = fo;
    }
    return GT_OK;
}

int net_init_params(Net *n, InitKind k, double sigma_w2, double sigma_b2, Rng *r, GtErr *e)
{
    size_t maxw = 0;
    for (int l = 0; l < n->nlayers; l++) {
        size_t c = (n->layers[l].fan_in + 1) * n->layers[l].fan_out;
        if (c > maxw) maxw = c;
    }
    double *tmp = malloc(maxw * sizeof(double)); /* W, then b */
    if (!tmp) return gt_fail(e, GT_ESYS, "out of memory initialising weights");
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        size_t cnt = L->fan_in * L->fan_out;
        int rc = init_layer(k, tmp, tmp + cnt, L->fan_in, L->fan_out, sigma_w2, sigma_b2, r, e);
        if (rc) {
            free(tmp);
            return rc;
        }
        for (size_t i = 0; i < cnt + L->fan_out; i++) { /* drawn in double, stored in dtype */
            void *dst = i < cnt ? L->W : L->b;
            size_t at = i < cnt ? i : i - cnt;
            /* cppcheck-suppress unreadVariable ; dst points into the net's parameters */
            if (n->dtype == DT_F32) ((float *)dst)[at] = (float)tmp[i];
            /* cppcheck-suppress unreadVariable */
            else ((double *)dst)[at] = tmp[i];
        }
    }
    free(tmp);
    for (int l = 0; l < n->nlayers; l++) { /* gamma = 1, beta = 0; running mean 0, var 1 */
        const Layer *L = &n->layers[l];
        for (size_t j = 0; L->gamma && j < L->fan_out; j++) {
            dtype_set(n->dtype, L->gamma, j, 1.0);
            dtype_set(n->dtype, L->beta, j, 0.0);
        }
        for (size_t j = 0; L->run_mean && j < L->fan_out; j++) {
            dtype_set(n->dtype, L->run_mean, j, 0.0);
            dtype_set(n->dtype, L->run_var, j, 1.0);
        }
    }
    return GT_OK;
}

NormView net_norm_view(const Net *n, int l)
{
    const Layer *L = &n->layers[l];
    NormView v = {
        .kind = n->norm, .eps = n->norm_eps, .gamma = L->gamma, .beta = L->beta, .mu = L->mu,
        .rstd = L->rstd, .run_mean = L->run_mean, .run_var = L->run_var, .acc = n->norm_acc,
    };
    return v;
}

/* What one pass carries from op to op. */
typedef struct {
    size_t m;       /* rows */
    int train;      /* forward: batch norm uses (and updates) the batch's statistics */
    int want_stats; /* backward: delta_ss */
    int e2;         /* backward: scale of the gradient flowing down (true = stored * 2^e2) */
    int e2g;        /* backward: scale of dL/dh in gbuf; starts so low that the first
                     * reader's GEMM overwrites gbuf (beta 0) */
} NetPass;

/* A layer kind: forward and backward of one layer's op; grads, when the kind has
 * parameters whose gradients read the op's input (dense: dW = in^T.delta), runs once the
 * ops below have run backward, as those recompute the input (act's fused f' pass writes
 * a = f(u) again): at the next op down that has grads, or at the walk's end. */
typedef struct {
    void (*forward)(Net *n, int l, NetPass *p);
    void (*backward)(Net *n, int l, NetPass *p);
    void (*grads)(Net *n, int l, NetPass *p);
} LayerKind;

/* backward starts in dbuf[0] at the output layer and swaps buffers at every layer */
static void *delta_buf(const Net *n, int l) { return n->dbuf[(n->nlayers - 1 - l) % 2]; }
const void *net_delta(const Net *n, int l) { return delta_buf(n, l); }

/* The kinds whose work dispatches on the dtype itself: one definition for both tables. */
static void norm_fwd(Net *n, int l, NetPass *p)
{
    const Layer *L = &n->layers[l];
    NormView v = net_norm_view(n, l);
    norm_forward(n->dtype, &v, L->z, L->u, p->m, L->fan_out, p->train);
}

static void norm_bwd(Net *n, int l, NetPass *p)
{
    Layer *L = &n->layers[l];
    NormView v = net_norm_view(n, l);
    norm_backward(n->dtype, &v, L->z, delta_buf(n, l), p->m, L->fan_out, L->dgamma, L->dbeta);
    L->e2n = p->e2;
}

static void act_fwd(Net *n, int l, NetPass *p) { net_act(n, l, p->m); }

#define T float
#define SFX(name) name##_s
#define GEMM cblas_sgemm
#define SCAL cblas_sscal
#define IAMAX cblas_isamax
#include "net_tmpl.h"
#undef T
#undef SFX
#undef GEMM
#undef SCAL
#undef IAMAX

#define T double
#define SFX(name) name##_d
#define GEMM cblas_dgemm
#define SCAL cblas_dscal
#define IAMAX cblas_idamax
#include "net_tmpl.h"
#undef T
#undef SFX
#undef GEMM
#undef SCAL
#undef IAMAX

void net_load_input(Net *n, const Dataset *d, const uint32_t *idx, size_t first, size_t m)
{
    if (n->dtype == DT_F32) load_input_s(n, d, idx, first, m);
    else load_input_d(n, d, idx, first, m);
}

static const LayerKind *kinds(Dtype dt) { return dt == DT_F32 ? kinds_s : kinds_d; }

static void forward(Net *n, size_t m, int train)
{
    const LayerKind *k = kinds(n->dtype);
    NetPass p = {.m = m, .train = train};
    n->abuf_layer[0] = n->abuf_layer[1] = -1; /* every z changes */
    for (int i = 0; i < n->nops; i++) k[n->ops[i].kind].forward(n, n->ops[i].layer, &p);
}

void net_forward(Net *n, size_t m) { forward(n, m, 1); }
void net_forward_eval(Net *n, size_t m) { forward(n, m, 0); }

const void *net_act(Net *n, int l, size_t m)
{
    const Layer *L = &n->layers[l];
    if (l + 1 == n->nlayers) return L->z;
    int k = l % 2;
    if (n->abuf_layer[k] != l || n->abuf_rows[k] != m) {
        if (n->dtype == DT_F32) n->act->fwd_s(L->u, n->abuf[k], m * L->fan_out, &n->ap);
        else n->act->fwd_d(L->u, n->abuf[k], m * L->fan_out, &n->ap);
        n->abuf_layer[k] = l;
        n->abuf_rows[k] = m;
    }
    return n->abuf[k];
}

double net_loss(Net *n, LossKind k, const int32_t *y, size_t m, size_t *correct, int want_delta)
{
    return n->dtype == DT_F32 ? loss_s(n, k, y, m, correct, want_delta)
                              : loss_d(n, k, y, m, correct, want_delta);
}

/* The op's grads; its layer is then done (the op with grads, dense, is a layer's last
 * going down), so done may read and update it (net.h). */
static void finish(Net *n, const NetOp *op, NetPass *p, NetLayerDone done, void *ctx)
{
    kinds(n->dtype)[op->kind].grads(n, op->layer, p);
    if (done) done(ctx, n, op->layer);
}

void net_backward(Net *n, size_t m, int want_stats, NetLayerDone done, void *ctx)
{
    const LayerKind *k = kinds(n->dtype);
    NetPass p = {.m = m, .want_stats = want_stats, .e2g = INT_MIN / 2};
    const NetOp *pending = NULL; /* the op whose grads wait for its input */
    n->nonfinite = 0;
    for (int i = n->nops - 1; i >= 0; i--) {
        const NetOp *op = &n->ops[i];
        if (k[op->kind].grads && pending) finish(n, pending, &p, done, ctx);
        k[op->kind].backward(n, op->layer, &p);
        if (k[op->kind].grads) pending = op;
    }
    if (pending) finish(n, pending, &p, done, ctx);
}

double net_sumsq(Dtype dt, const void *v, size_t len)
{
    return dt == DT_F32 ? sumsq_s(v, len) : sumsq_d(v, len);
}

double net_grad_ss(const Net *n, int l)
{
    const Layer *L = &n->layers[l];
    return net_sumsq(n->dtype, L->dW, L->fan_in * L->fan_out) +
           net_sumsq(n->dtype, L->db, L->fan_out);
}

double net_norm_grad_ss(const Net *n, int l)
{
    const Layer *L = &n->layers[l];
    if (!L->dgamma) return 0;
    return net_sumsq(n->dtype, L->dgamma, L->fan_out) +
           net_sumsq(n->dtype, L->dbeta, L->fan_out);
}

static void scal(Dtype dt, size_t len, double c, void *v)
{
    if (!v) return;
    if (dt == DT_F32) cblas_sscal((int)len, (float)c, v, 1);
    else cblas_dscal((int)len, c, v, 1);
}

void net_grad_mul(Net *n, double c)
{
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        scal(n->dtype, L->fan_in * L->fan_out, c, L->dW);
        scal(n->dtype, L->fan_out, c, L->db);
        scal(n->dtype, L->fan_out, c, L->dgamma);
        scal(n->dtype, L->fan_out, c, L->dbeta);
    }
}
