/* Weight initialisers. Weights are drawn in double from the init stream and then
 * stored in the run's dtype, so float32 and float64 runs of one seed start alike. */
#ifndef GT_INIT_H
#define GT_INIT_H

#include "common.h"
#include "rng.h"

typedef enum {
    INIT_STANDARD,       /* U[-1/sqrt(fan_in), 1/sqrt(fan_in)] (Glorot & Bengio 2010's "standard") */
    INIT_XAVIER_UNIFORM, /* U[-a, a], a = sqrt(6/(fan_in+fan_out)) */
    INIT_XAVIER_NORMAL,  /* N(0, 2/(fan_in+fan_out)) */
    INIT_HE_UNIFORM,     /* U[-a, a], a = sqrt(6/fan_in) */
    INIT_HE_NORMAL,      /* N(0, 2/fan_in) */
    INIT_LECUN_NORMAL,   /* N(0, 1/fan_in) */
    INIT_ORTHOGONAL,     /* orthonormal rows or columns (QR of a Gaussian matrix, LAPACKE) */
    INIT_GAUSSIAN,       /* N(0, sigma_w2/fan_in) */
    INIT_RAI,            /* randomized asymmetric init (Lu et al. 2020): weights and bias
                          * together, so only init_layer draws it */
    INIT_COUNT
} InitKind;

const char *init_name(InitKind k);
int init_lookup(const char *name); /* InitKind, or -1 when unknown */
const char *init_valid_names(void);

/* Fills W (fan_in x fan_out, row-major: z = a.W + b) for kind k. sigma_w2 (> 0) sets the
 * scale of gaussian, N(0, sigma_w2/fan_in), and orthogonal, sqrt(sigma_w2)·Q; the other
 * kinds have their own. INIT_RAI is refused: it draws each unit's weights and bias
 * together (init_layer). */
int init_weights(InitKind k, double *W, size_t fan_in, size_t fan_out, double sigma_w2,
                 Rng *r, GtErr *e);

/* Standard deviation of rai's Gaussian entries is RAI_SIGMA / sqrt(fan_in). */
#define RAI_SIGMA 0.6007

/* Initialises one layer: W (fan_in x fan_out, row-major; column j holds unit j's incoming
 * weights) and b (fan_out), or no bias when b is NULL.
 * Every kind but rai: init_weights, then b_j ~ N(0, sigma_b2) — all of W first, then the
 * fan_out biases; with sigma_b2 == 0 the biases are 0 and nothing is drawn.
 * rai (Lu, Shin, Su & Karniadakis 2020), unit by unit: the fan_in weights, then the bias,
 * each ~ N(0, RAI_SIGMA^2 / fan_in); then one of these fan_in + 1 entries, chosen uniformly
 * (rng_below), is replaced by a Beta(2,1) draw, sqrt(1 - U) (inverse CDF, one uniform,
 * in (0, 1]). sigma_w2 and sigma_b2 are ignored; b must not be NULL (the bias is part of
 * the method: without it, a one-input layer would get only positive weights). */
int init_layer(InitKind k, double *W, double *b, size_t fan_in, size_t fan_out,
               double sigma_w2, double sigma_b2, Rng *r, GtErr *e);

#endif
