/* Forward and backward of residual nets (Net.resid_k > 0, the layout in net.h) for one
 * dtype; included by net_tmpl.h after the plain passes, whose helpers it shares. The plain
 * passes stay as they are, so plain traces keep their bits and their speed. */

static void SFX(forward_resid)(Net *n, size_t m, int train)
{
    const T *in = n->x;
    const T alpha = (T)n->resid_scale;
    const int K = n->resid_k;
    n->abuf_layer[0] = n->abuf_layer[1] = -1; /* every z changes */
    for (int l = 0; l < n->nlayers; l++) {
        Layer *L = &n->layers[l];
        size_t fi = L->fan_in, fo = L->fan_out, len = m * fo;
        T *z = L->z;
        for (size_t i = 0; i < m; i++) memcpy(z + i * fo, L->b, fo * sizeof(T));
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)fo, (int)fi, 1, in,
             (int)fi, L->W, (int)fo, 1, z, (int)fo);
        if (l + 1 == n->nlayers) break;
        SFX(norm_fwd)(n, l, m, train);
        const T *a = net_act(n, l, m);
        if (!L->h) {
            in = a;
            continue;
        }
        T *h = L->h;
        if (l == 0) {
            memcpy(h, a, len * sizeof(T));
        } else { /* the block's end: h_l = h_{l-K} + alpha * F(h_{l-K}) */
            const T *hp = n->layers[l - K].h;
            for (size_t i = 0; i < len; i++) h[i] = hp[i] + alpha * a[i];
        }
        in = h;
    }
}

/* Keeps the largest |v| near 1 by a power-of-two rescale, as the plain backward does;
 * *e2 tracks the scale (true value = v * 2^e2). */
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

/* Backprop through the blocks: g = dL/dh of the stream, scaled by 2^e2g, flows down the
 * skip connections; at a block's first layer the branch's contribution d.W^T joins it (in
 * the larger of the two scales), at a block's last layer the branch starts from
 * alpha * g * f'(z). delta of every layer is the plain one, dL/dz per sample. */
static void SFX(backward_resid)(Net *n, size_t m, int want_stats, NetLayerDone done, void *ctx)
{
    int cur = 0, e2 = 0, e2g = 0;
    const T alpha = (T)n->resid_scale;
    T *d = n->dbuf[cur], *g = n->gbuf;
    for (int l = n->nlayers - 1; l >= 0; l--) {
        Layer *L = &n->layers[l];
        size_t fi = L->fan_in, fo = L->fan_out, len = m * fo;
        SFX(renorm)(n, d, len, &e2);
        L->e2 = e2;
        if (want_stats) L->delta_ss = SFX(sumsq)(d, len);
        const T *ain = n->x;
        T *dn = NULL;
        if (l > 0) {
            Layer *P = &n->layers[l - 1];
            int k = (l - 1) % 2;
            size_t plen = m * fi;
            dn = n->dbuf[1 - cur];
            if (P->h) { /* layer l reads the stream: dL/dh_{l-1} = g (skip) + d.W^T */
                if (l + 1 == n->nlayers) {
                    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)fi, (int)fo, 1,
                         d, (int)fo, L->W, (int)fo, 0, g, (int)fi);
                    e2g = e2;
                } else {
                    int E = e2 > e2g ? e2 : e2g;
                    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)fi, (int)fo,
                         SFX(rel_scale)(e2, E), d, (int)fo, L->W, (int)fo,
                         SFX(rel_scale)(e2g, E), g, (int)fi);
                    e2g = E;
                }
                SFX(renorm)(n, g, plen, &e2g);
                /* delta of l - 1: alpha * g * f'(z) at a block's end, g * f'(z) at layer 1 */
                T c = l - 1 > 0 ? alpha : (T)1;
                for (size_t i = 0; i < plen; i++) dn[i] = c * g[i];
                ain = P->h;
            } else {
                GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)fi, (int)fo, 1, d,
                     (int)fo, L->W, (int)fo, 0, dn, (int)fi);
                ain = n->abuf[k];
            }
            /* f' (and norm) of layer l - 1, and its outputs a = f(u) for dW (inner layers)
             * and probes */
            SFX(act_norm_bwd)(n, l, dn, m, P->h ? e2g : e2);
        }
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)fi, (int)fo, (int)m,
             (T)(1.0 / (double)m), ain, (int)fi, d, (int)fo, 0, L->dW, (int)fo);
        SFX(col_sums)(d, m, fo, L->db);
        SCAL((int)fo, (T)(1.0 / (double)m), L->db, 1);
        if (dn) {
            cur = 1 - cur;
            d = dn;
            if (n->layers[l - 1].h) e2 = e2g;
        }
        if (done) done(ctx, n, l);
    }
}
