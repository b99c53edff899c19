/* The Dataset type: n samples of dim double features and an int32 label each, with its
 * allocation and release. The bottom of the data modules: the loaders (data_csv, data_idx)
 * fill one, data.c (dispatch, generators, subsets) builds on both. */
#ifndef GT_DATASET_H
#define GT_DATASET_H

#include "common.h"

/* Largest label count inferred from a file when --classes is not given. A wrong label
 * column (a feature read as a label) would otherwise ask for a million-way output layer
 * and fail much later, obscurely. */
#define DATA_MAX_CLASSES 65536

typedef struct {
    size_t n;     /* samples */
    size_t dim;   /* features per sample */
    int classes;  /* labels are 0..classes-1 */
    double *x;    /* (n, dim) row-major */
    int32_t *y;   /* (n) */
} Dataset;

/* Allocates d->x (n x dim) and d->y (n) for n >= 1, dim >= 1; "what" names the source
 * in the out-of-memory message. Leaves d zeroed on failure. */
int ds_alloc(Dataset *d, size_t n, size_t dim, const char *what, GtErr *e);
/* Frees d's arrays and zeroes it (d may be NULL or already freed). */
void dataset_free(Dataset *d);

#endif
