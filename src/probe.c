/* Reductions behind layers.csv: activation statistics, dead and saturated units and the
 * sign coherence and norms of the (scaled) gradients, in one pass over each buffer. */
#include "probe.h"

#include <math.h>
#include <string.h>

#define PB 16      /* columns per tile: one cache line of float */
#define PB_ROWS 16 /* rows per tile */

#define T float
#define SFX(name) name##_s
#include "probe_tmpl.h"
#undef T
#undef SFX

#define T double
#define SFX(name) name##_d
#include "probe_tmpl.h"
#undef T
#undef SFX

/* ||alpha a|| / ||h|| over len values, in double. */
static double resid_ratio(Dtype dt, double alpha, const void *a, const void *h, size_t len)
{
    double sa = 0, sh = 0;
    for (size_t i = 0; i < len; i++) {
        double ai = dtype_get(dt, a, i), hi = dtype_get(dt, h, i);
        sa += ai * ai;
        sh += hi * hi;
    }
    return sh > 0 ? fabs(alpha) * sqrt(sa / sh) : (sa > 0 ? INFINITY : 0.0);
}

/* The columns read from layer l's pre-activations and outputs. */
static void outputs(Net *n, int l, size_t m, LayerStats *s, double *scratch)
{
    const Layer *L = &n->layers[l];
    const void *a = net_act(n, l, m);
    s->resid_ratio = L->skip ? resid_ratio(n->dtype, n->resid_scale, a, L->skip, m * L->fan_out)
                             : NAN;
    /* the output layer has no activation: every unit passes its gradient */
    int hidden = l + 1 < n->nlayers;
    ActDead none = {-INFINITY, INFINITY, 0};
    const ActDead *dead = hidden ? &n->dead : &none;
    if (n->dtype == DT_F32) acts_s(L, a, m, dead, s, scratch);
    else acts_d(L, a, m, dead, s, scratch);
}

/* The columns read from layer l's gradients and backward's bookkeeping. */
static void gradients(const Net *n, int l, size_t m, LayerStats *s, double *scratch)
{
    const Layer *L = &n->layers[l];
    s->fan_in = L->fan_in;
    s->fan_out = L->fan_out;
    s->batch = m;
    if (n->dtype == DT_F32) grads_s(L, s, scratch);
    else grads_d(L, s, scratch);
    s->delta = xnorm_make(L->delta_ss, L->e2);
    s->has_norm = L->dgamma != NULL;
    if (s->has_norm) {
        s->grad_gamma = xnorm_make(net_sumsq(n->dtype, L->dgamma, L->fan_out), L->e2n);
        s->grad_beta = xnorm_make(net_sumsq(n->dtype, L->dbeta, L->fan_out), L->e2n);
    }
    s->frac_saturated = l + 1 < n->nlayers ? (double)L->n_sat / (double)(m * L->fan_out) : 0.0;
}

void probe_layer_done(Net *n, int l, size_t m, LayerStats *st, double *scratch)
{
    if (l + 1 == n->nlayers) outputs(n, l, m, &st[l], scratch);
    if (l > 0) outputs(n, l - 1, m, &st[l - 1], scratch);
    gradients(n, l, m, &st[l], scratch);
}

void probe_layers(Net *n, size_t m, LayerStats *st, double *scratch)
{
    for (int l = 0; l < n->nlayers; l++) {
        outputs(n, l, m, &st[l], scratch);
        gradients(n, l, m, &st[l], scratch);
    }
}

XNorm probe_grad_l2(const LayerStats *st, int nlayers)
{
    XNorm g = xnorm_make(0, 0);
    for (int l = 0; l < nlayers; l++) {
        g = xnorm_add(xnorm_add(g, st[l].grad_w), st[l].grad_b);
        if (st[l].has_norm) g = xnorm_add(xnorm_add(g, st[l].grad_gamma), st[l].grad_beta);
    }
    return g;
}
