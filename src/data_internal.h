/* Private glue between data.c (dispatch, synthetic sets, splits, normalisation) and the
 * file loaders data_csv.c and data_idx.c. Not part of the library's interface. */
#ifndef GT_DATA_INTERNAL_H
#define GT_DATA_INTERNAL_H

#include "data.h"

/* Largest label count inferred from a file when --classes is not given. A wrong label
 * column (a feature read as a label) would otherwise ask for a million-way output layer
 * and fail much later, obscurely. */
#define DATA_MAX_CLASSES 65536

/* Allocates d->x (n x dim) and d->y (n) for n >= 1, dim >= 1; "what" names the source
 * in the out-of-memory message. Leaves d zeroed on failure. */
int ds_alloc(Dataset *d, size_t n, size_t dim, const char *what, GtErr *e);

/* Loads a CSV file: numeric features, the last column an integer label.
 * want_fields > 0 requires that many columns (the message names like_name as the file
 * that set it). class_limit > 0 requires labels < class_limit. Sets d->classes to
 * max label + 1. */
int csv_load(const char *path, size_t want_fields, const char *like_name, int class_limit,
             Dataset *d, GtErr *e);

/* Loads an IDX images/labels pair (each gzip'd or not). class_limit as csv_load. */
int idx_load_pair(const char *images, const char *labels, int class_limit, Dataset *d,
                  GtErr *e);

#endif
