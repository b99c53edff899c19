/* Normalization layers (issue 11): between a hidden layer's dense output z and its
 * activation, u = gamma * (z - mu) / sqrt(var + eps) + beta. Batch norm takes mu and the
 * biased var per unit over the batch (running statistics as PyTorch's BatchNorm1d, used in
 * evaluation); layer norm per sample over the units (as LayerNorm). Free functions over
 * one layer's buffers, in the net's dtype; statistics are summed in double. */
#ifndef GT_NORM_H
#define GT_NORM_H

#include <stddef.h>

#include "common.h"

typedef enum { NORM_NONE, NORM_BATCH, NORM_LAYER } NormKind;

#define NORM_MOMENTUM 0.1 /* running = (1 - m) running + m batch, as BatchNorm1d */

const char *norm_name(int k);
int norm_lookup(const char *s); /* -1 when unknown */
const char *norm_valid_names(void);

/* The statistics a norm layer keeps per forward: batch norm (fan_out), layer norm (rows). */
static inline size_t norm_stat_len(NormKind k, size_t rows, size_t fo)
{
    return k == NORM_BATCH ? fo : k == NORM_LAYER ? rows : 0;
}

/* One layer's views (T = the net's dtype); run_mean/run_var only for batch norm. */
typedef struct {
    NormKind kind;
    double eps;
    const void *gamma, *beta; /* (fo) */
    void *mu, *rstd;          /* norm_stat_len: the mean and 1/sqrt(var + eps) forward used */
    void *run_mean, *run_var; /* (fo): batch norm's running statistics */
    double *acc;              /* 2 * fo doubles of scratch */
} NormView;

/* u = gamma * (z - mu) * rstd + beta for m rows of fo units. train: batch norm uses the
 * batch's statistics and updates the running ones (running_var from the unbiased variance,
 * m >= 2); otherwise it uses the running ones. Layer norm is the same in both modes. */
void norm_forward(Dtype dt, const NormView *v, const void *z, void *u, size_t m, size_t fo,
                  int train);

/* Backward of a training forward: d holds dL/du (any fixed scale) and becomes dL/dz at the
 * same scale (linear in d); dgamma, dbeta get (1/m) sum over rows of d * xhat and of d. */
void norm_backward(Dtype dt, const NormView *v, const void *z, void *d, size_t m, size_t fo,
                   void *dgamma, void *dbeta);

#endif
