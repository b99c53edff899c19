/* Parameter updates. The net's gradients are stored scaled by 2^-e2 per layer; each
 * update loop multiplies by that power of two as it reads them (exact), so the optimiser
 * sees the true gradient in the dtype's arithmetic. */
#include "optim.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <tgmath.h> /* sqrt on a float is sqrtf: float32 updates stay in float */

int optim_create(Optim *o, const Net *n, OptKind kind, double lr, double momentum, GtErr *e)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = lr;
    o->momentum = momentum;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    size_t copies = kind == OPT_ADAM ? 2 : kind == OPT_MOMENTUM ? 1 : 0;
    if (copies) {
        o->state = calloc(copies * n->nparams, dtype_size(n->dtype));
        if (!o->state) return gt_fail(e, GT_ESYS, "out of memory for the optimiser state");
    }
    return GT_OK;
}

void optim_free(Optim *o)
{
    free(o->state);
    o->state = NULL;
}

#define T float
#define SFX(name) name##_s
#define MIN_EXP FLT_MIN_EXP
#define MAX_EXP FLT_MAX_EXP
#define MANT_DIG FLT_MANT_DIG
#include "optim_tmpl.h"
#undef T
#undef SFX
#undef MIN_EXP
#undef MAX_EXP
#undef MANT_DIG

#define T double
#define SFX(name) name##_d
#define MIN_EXP DBL_MIN_EXP
#define MAX_EXP DBL_MAX_EXP
#define MANT_DIG DBL_MANT_DIG
#include "optim_tmpl.h"
#undef T
#undef SFX
#undef MIN_EXP
#undef MAX_EXP
#undef MANT_DIG

void optim_begin(Optim *o) { o->t++; }

void optim_layer(const Optim *o, Net *n, int l, LayerStats *st)
{
    if (n->dtype == DT_F32) layer_s(o, n, l, st);
    else layer_d(o, n, l, st);
}

void optim_step(Optim *o, Net *n, LayerStats *st)
{
    optim_begin(o);
    for (int l = 0; l < n->nlayers; l++) optim_layer(o, n, l, st ? &st[l] : NULL);
}

int optim_clip(Net *n, double max_norm, XNorm *norm)
{
    XNorm g = xnorm_make(0, 0);
    for (int l = 0; l < n->nlayers; l++) {
        g = xnorm_add(g, xnorm_make(net_grad_ss(n, l), n->layers[l].e2));
        if (n->layers[l].gamma)
            g = xnorm_add(g, xnorm_make(net_norm_grad_ss(n, l), n->layers[l].e2n));
    }
    if (norm) *norm = g;
    /* torch.nn.utils.clip_grad_norm_: coef = max_norm / (total_norm + 1e-6), applied when
     * below 1; the stored gradients are scaled by powers of two, so scaling them is the same */
    double coef = max_norm / (xnorm_value(g) + 1e-6);
    if (!(coef < 1)) return 0;
    net_grad_mul(n, coef);
    return 1;
}
