/* The IDX loader (data_idx.c): MNIST-format images/labels pairs, gzip'd or raw. Used by
 * data.c's dispatch (idx: and fashion-mnist); depends only on dataset.h. */
#ifndef GT_DATA_IDX_H
#define GT_DATA_IDX_H

#include "dataset.h"

/* Loads an IDX images/labels pair (each gzip'd or not). class_limit > 0 requires labels
 * < class_limit. Sets d->classes to max label + 1. */
int idx_load_pair(const char *images, const char *labels, int class_limit, Dataset *d,
                  GtErr *e);

#endif
