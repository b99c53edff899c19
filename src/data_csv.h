/* The CSV loader (data_csv.c): numeric feature columns and an integer label in the last
 * column. Used by data.c's dispatch; depends only on dataset.h. */
#ifndef GT_DATA_CSV_H
#define GT_DATA_CSV_H

#include "dataset.h"

/* Loads a CSV file: numeric features, the last column an integer label.
 * want_fields > 0 requires that many columns (the message names like_name as the file
 * that set it). class_limit > 0 requires labels < class_limit. Sets d->classes to
 * max label + 1. */
int csv_load(const char *path, size_t want_fields, const char *like_name, int class_limit,
             Dataset *d, GtErr *e);

#endif
