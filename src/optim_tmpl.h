/* Update loops for one dtype; included by optim.c with T and SFX defined. */

typedef struct {
    T lr, mu, b1, b2, c1, c2, eps; /* c1, c2: adam's bias corrections 1 - beta^t */
} SFX(Coef);

/* Updates len parameters w from scaled gradients g (true gradient g * scale). With
 * stats, accumulates ||w before||^2, ||applied update||^2 and exact-zero updates.
 * Always inlined into update() with constant kind and stats, so each of the six loops is
 * branch-free. */
#define LANES 16 /* independent accumulators: the stats loop vectorises, in a fixed order */

static inline __attribute__((always_inline)) T SFX(step_one)(int kind, const SFX(Coef) *c,
                                                             T gi, T *s1, T *s2, size_t i)
{
    if (kind == OPT_SGD) return c->lr * gi;
    if (kind == OPT_MOMENTUM) {
        T v = c->mu * s1[i] + gi;
        s1[i] = v;
        return c->lr * v;
    }
    T m = c->b1 * s1[i] + (1 - c->b1) * gi, v = c->b2 * s2[i] + (1 - c->b2) * gi * gi;
    s1[i] = m;
    s2[i] = v;
    return c->lr * (m / c->c1) / (sqrt(v / c->c2) + c->eps);
}

static inline __attribute__((always_inline)) void
SFX(update_loop)(int kind, int stats, const SFX(Coef) *c, T *restrict w, const T *restrict g,
                 T sa, T sb, T *restrict s1, T *restrict s2, size_t len, double *w_ss,
                 double *d_ss, size_t *zero)
{
    if (!stats) {
        for (size_t i = 0; i < len; i++) w[i] -= SFX(step_one)(kind, c, g[i] * sa * sb, s1, s2, i);
        return;
    }
    double ws[LANES] = {0}, ds[LANES] = {0};
    int32_t nz[LANES] = {0}; /* exact in any order; per lane at most len / LANES */
    size_t i = 0;
    for (; i + LANES <= len; i += LANES)
        for (size_t k = 0; k < LANES; k++) {
            T old = w[i + k], nw = old - SFX(step_one)(kind, c, g[i + k] * sa * sb, s1, s2, i + k);
            w[i + k] = nw;
            double d = (double)nw - (double)old;
            ws[k] += (double)old * (double)old;
            ds[k] += d * d;
            nz[k] += d == 0;
        }
    double tw = 0, td = 0;
    size_t tz = 0;
    for (size_t k = 0; k < LANES; k++) tw += ws[k], td += ds[k], tz += (size_t)nz[k];
    for (; i < len; i++) {
        T old = w[i], nw = old - SFX(step_one)(kind, c, g[i] * sa * sb, s1, s2, i);
        w[i] = nw;
        double d = (double)nw - (double)old;
        tw += (double)old * (double)old;
        td += d * d;
        tz += d == 0;
    }
    *w_ss = tw;
    *d_ss = td;
    *zero = tz;
}
#undef LANES

/* restrict: parameters, gradients and optimiser state are distinct buffers; without it
 * gcc versions the loops for aliasing and keeps the statistics lanes on the stack. */
GT_HOT static void SFX(update)(OptKind kind, int stats, const SFX(Coef) *c, T *restrict w,
                               const T *restrict g, T sa, T sb, T *restrict s1,
                               T *restrict s2, size_t len, double *w_ss, double *d_ss,
                               size_t *zero)
{
#define CALL(K, S) SFX(update_loop)(K, S, c, w, g, sa, sb, s1, s2, len, w_ss, d_ss, zero)
    switch (kind) {
    case OPT_SGD: stats ? CALL(OPT_SGD, 1) : CALL(OPT_SGD, 0); break;
    case OPT_MOMENTUM: stats ? CALL(OPT_MOMENTUM, 1) : CALL(OPT_MOMENTUM, 0); break;
    case OPT_ADAM: stats ? CALL(OPT_ADAM, 1) : CALL(OPT_ADAM, 0); break;
    }
#undef CALL
}

/* 2^e2 as two factors sa * sb that T can hold: 2^e2 alone overflows T (e2 > 127 in
 * float, reachable as e2 adds up over layers) or flushes to 0 (e2 < -149) where
 * g * 2^e2 need not, and inf * 0 would make an exactly-zero gradient NaN. Past the
 * clamp, g * 2^e2 is inf or 0 in T whatever g is (|g| <= 2^17 or so). */
static void SFX(scale_pair)(int e2, T *sa, T *sb)
{
    int lim_lo = 2 * (MIN_EXP - MANT_DIG), lim_hi = 2 * (MAX_EXP - 1);
    e2 = e2 < lim_lo ? lim_lo : e2 > lim_hi ? lim_hi : e2;
    *sa = (T)ldexp(1.0, e2 / 2);
    *sb = (T)ldexp(1.0, e2 - e2 / 2);
}

/* Updates len parameters at p (gradient g) without statistics. */
static void SFX(update_plain)(const Optim *o, const SFX(Coef) *c, const Net *n, T *p,
                              const T *g, T sa, T sb, size_t len)
{
    T *s1 = o->state, *s2 = s1 ? s1 + n->nparams : NULL;
    size_t off = (size_t)(p - (T *)n->params);
    SFX(update)(o->kind, 0, c, p, g, sa, sb, s1 ? s1 + off : NULL, s2 ? s2 + off : NULL, len,
                NULL, NULL, NULL);
}

/* Updates layer l (W, b, and gamma, beta with norm); with st, fills its weight_l2,
 * update_ratio and frac_update_zero (of W). */
static void SFX(layer)(const Optim *o, Net *n, int l, LayerStats *st)
{
    SFX(Coef) c = {
        .lr = (T)o->lr, .mu = (T)o->momentum, .b1 = (T)o->beta1, .b2 = (T)o->beta2,
        .c1 = (T)(1 - pow(o->beta1, (double)o->t)), .c2 = (T)(1 - pow(o->beta2, (double)o->t)),
        .eps = (T)o->eps,
    };
    T *s1 = o->state, *s2 = s1 ? s1 + n->nparams : NULL;
    Layer *L = &n->layers[l];
    size_t off_w = (size_t)((T *)L->W - (T *)n->params);
    size_t nw = L->fan_in * L->fan_out;
    T sa, sb;
    SFX(scale_pair)(L->e2, &sa, &sb);
    double w_ss = 0, d_ss = 0;
    size_t zero = 0;
    SFX(update)(o->kind, st != NULL, &c, L->W, L->dW, sa, sb, s1 ? s1 + off_w : NULL,
                s2 ? s2 + off_w : NULL, nw, &w_ss, &d_ss, &zero);
    SFX(update_plain)(o, &c, n, L->b, L->db, sa, sb, L->fan_out);
    if (L->gamma) {
        SFX(scale_pair)(L->e2n, &sa, &sb);
        SFX(update_plain)(o, &c, n, L->gamma, L->dgamma, sa, sb, L->fan_out);
        SFX(update_plain)(o, &c, n, L->beta, L->dbeta, sa, sb, L->fan_out);
    }
    if (st) {
        st->weight_l2 = sqrt(w_ss);
        st->update_ratio = w_ss > 0 ? sqrt(d_ss / w_ss) : (d_ss > 0 ? INFINITY : 0.0);
        st->frac_update_zero = (double)zero / (double)nw;
    }
}
