/* Per-layer statistics of one training step (the columns of layers.csv). The net and the
 * optimiser leave their raw material in place; these functions reduce it. Sums are
 * accumulated in double; gradient norms are XNorms, exact beyond the dtype's range. */
#ifndef GT_PROBE_H
#define GT_PROBE_H

#include "net.h"
#include "xnorm.h"

typedef struct {
    size_t fan_in, fan_out;
    double weight_l2;        /* ||W|| before the step's update */
    XNorm grad_w, grad_b;    /* ||dL/dW||, ||dL/db|| of the batch-mean loss */
    int has_norm;            /* the layer has a norm layer: grad_gamma, grad_beta are set */
    XNorm grad_gamma, grad_beta; /* ||dL/dgamma||, ||dL/dbeta|| */
    XNorm delta;             /* sqrt(sum over the batch of ||B dL/dz||^2): the per-sample
                              * ||dl/dz|| without batch norm */
    size_t batch;            /* rows: delta_rms = delta / sqrt(batch) */
    double act_mean, act_std;
    double frac_zero;        /* outputs exactly 0 */
    /* these four read the activation's input u (z without norm) */
    double frac_dead_batch;  /* units with f'(u) = 0 on every row of the batch (no gradient) */
    double frac_nonpositive_batch; /* units with u <= 0 on every row (dead for relu only) */
    double frac_saturated;   /* (unit, row) entries with f'(u) < 0.01 max f' */
    double frac_preact_zero; /* activation inputs exactly 0 */
    double sign_coherence;   /* mean over units of |sum_i sign(dW_ij)| / fan_in */
    double update_ratio;     /* ||dW applied|| / ||W|| */
    double frac_update_zero; /* entries of W whose applied update was exactly 0 */
    double resid_ratio;      /* residual block's last layer: ||alpha f(u)|| / ||h in||
                              * over the batch (how much the block changes its input);
                              * NaN on other layers */
} LayerStats;

/* Doubles of scratch probe_layers needs for n. */
#define PROBE_SCRATCH(n) (6 * (n)->max_width)

/* Fills everything but the update columns from the net's buffers after net_backward(m,
 * want_stats=1) (n is not const: the outputs a are computed from u, see net_act).
 * scratch: PROBE_SCRATCH(n) doubles. */
void probe_layers(Net *n, size_t m, LayerStats *st, double *scratch);
/* The same a layer at a time, from net_backward's NetLayerDone, while the data is in
 * cache: when backward is done with layer l, the gradient columns of st[l], and the output
 * columns of st[l - 1] (backward has just computed those outputs again from z, for dW of
 * layer l) — and of st[l] for the output layer, whose call comes first. */
void probe_layer_done(Net *n, int l, size_t m, LayerStats *st, double *scratch);

/* Global gradient norm over all layers (grad_w, grad_b, and grad_gamma, grad_beta with
 * norm, of st[0..nlayers)). */
XNorm probe_grad_l2(const LayerStats *st, int nlayers);

#endif
