/* Fuzz target: the CSV loader through data_load ("csv:PATH", optionally --test-csv), with
 * the size options, --classes and --normalize taken from the first four bytes:
 *   byte 0  bit 0 --normalize, bit 1 a --test-csv file, bit 2 --test-size given
 *   byte 1  --classes (0: from the labels)      byte 2  --train-size (0: all)
 *   byte 3  --test-size
 * The rest is the training file; with bit 1 the text after "\n#TEST#\n" is the test file.
 * A load that succeeds must give a data set the net can use. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "fuzz_util.h"

/* finite: whether every feature must be finite. The file's values are (NaN and Inf are
 * rejected), and so are the training set's after --normalize; a test value far outside the
 * training range may overflow when divided by a small training spread. */
static void check_set(const Dataset *d, int classes, size_t dim, int finite)
{
    FZ_CHECK(d->dim == dim);
    FZ_CHECK(d->classes == classes);
    for (size_t i = 0; i < d->n; i++) FZ_CHECK(d->y[i] >= 0 && d->y[i] < classes);
    if (finite)
        for (size_t i = 0; i < d->n * d->dim; i++) FZ_CHECK(isfinite(d->x[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > (1 << 20)) return 0;
    int flags = data[0], classes = data[1];
    const uint8_t *part[2];
    size_t plen[2];
    int nparts = fz_split(data + 4, size - 4, "\n#TEST#\n", part, plen, 2);
    char train[FZ_PATH], test[FZ_PATH], spec[FZ_PATH + 8];
    fz_write(fz_path(train, "train.csv"), part[0], plen[0]);
    int has_test = (flags & 2) && nparts == 2;
    if (has_test) fz_write(fz_path(test, "test.csv"), part[1], plen[1]);
    snprintf(spec, sizeof spec, "csv:%s", train);
    DataSpec s = {
        .data = spec, .test_csv = has_test ? test : NULL, .classes = classes,
        .train_size = data[2], .test_size = data[3], .test_size_set = (flags & 4) != 0,
        .normalize = flags & 1, .seed = 1,
    };
    Dataset tr, te;
    GtErr e = {0};
    int rc = data_load(&s, &tr, &te, &e);
    if (rc) {
        FZ_CHECK_ERR(rc, e);
        FZ_CHECK(tr.x == NULL && te.x == NULL && tr.n == 0 && te.n == 0);
        return 0;
    }
    FZ_CHECK(tr.n >= 1 && tr.dim >= 1 && tr.classes >= 1);
    if (classes) FZ_CHECK(tr.classes == classes);
    if (s.train_size) FZ_CHECK(tr.n == s.train_size);
    if (s.test_size_set && s.test_size) FZ_CHECK(te.n == s.test_size);
    check_set(&tr, tr.classes, tr.dim, 1);
    check_set(&te, tr.classes, tr.dim, !s.normalize);
    dataset_free(&tr);
    dataset_free(&te);
    return 0;
}
