/* Data sets: picks the source named by --data, the synthetic generators (gaussian teacher,
 * spirals), the test split, subsets and normalisation; the file loaders (data_csv.h,
 * data_idx.h) and the Dataset type (dataset.h) sit below. Features are kept in double;
 * the net converts a batch to its dtype when it gathers it. (The per-epoch batch order is
 * run.c's.) */
#ifndef GT_DATA_H
#define GT_DATA_H

#include "common.h"
#include "dataset.h"
#include "rng.h"

typedef struct {
    const char *data;     /* "gaussian" | "spirals" | "csv:PATH" | "fashion-mnist[:DIR]" | "idx:IMAGES,LABELS" */
    const char *test_csv; /* csv only: held-out file (NULL: split --test-size off the end) */
    size_t input_dim;     /* gaussian: features (0 = default 32); ignored by loaders */
    int classes;          /* synthetic: classes / spiral arms (0 = default: 10 gaussian, 3 spirals) */
    size_t train_size;    /* 0 = default (synthetic 4096; files: all) ; else first N, error if > available */
    size_t test_size;     /* 0 = default (synthetic 1024; files: all of the test file, or none) */
    int test_size_set;    /* 1 when --test-size was given (0 then means "no test set") */
    int normalize;        /* standardise features with training-set mean/std */
    uint64_t seed;        /* synthetic data come from the data/teacher streams of this seed */
} DataSpec;

/* Loads or generates train and test sets. test->n may be 0 (no held-out set). */
int data_load(const DataSpec *s, Dataset *train, Dataset *test, GtErr *e);

#endif
