/* Optimisers (sgd, momentum, adam) over the net's parameter buffer, with their state in
 * one buffer of the same layout. The update follows the dtype's arithmetic; on logged
 * steps it also measures what it applied (update_ratio, frac_update_zero, weight_l2). */
#ifndef GT_OPTIM_H
#define GT_OPTIM_H

#include "config.h"
#include "net.h"
#include "probe.h"

typedef struct {
    OptKind kind;
    double lr, momentum, beta1, beta2, eps;
    long t;          /* updates applied so far */
    void *state;     /* momentum: velocity (nparams); adam: m then v (2 nparams) */
} Optim;

int optim_create(Optim *o, const Net *n, OptKind kind, double lr, double momentum, GtErr *e);
void optim_free(Optim *o);
/* One update from the net's scaled gradients. With st non-NULL fills weight_l2,
 * update_ratio and frac_update_zero of st[0..nlayers). */
void optim_step(Optim *o, Net *n, LayerStats *st);
/* The same, a layer at a time (from net_backward's NetLayerDone): optim_begin once per
 * step, then optim_layer for every layer l in any order, st_l = &st[l] or NULL. */
void optim_begin(Optim *o);
void optim_layer(const Optim *o, Net *n, int l, LayerStats *st_l);
/* Gradient clipping as torch.nn.utils.clip_grad_norm_: when the global L2 norm of all
 * gradients exceeds max_norm, multiplies them by max_norm / (norm + 1e-6). Returns 1 when
 * it did; *norm (when not NULL) gets the norm before clipping. Call between net_backward
 * (without an updating NetLayerDone) and optim_step. */
int optim_clip(Net *n, double max_norm, XNorm *norm);

#endif
