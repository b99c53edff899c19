/* Fuzz target: the IDX loader through data_load ("idx:IMAGES,LABELS"), raw or gzip'd.
 *   byte 0  bit 0 gzip the images, bit 1 gzip the labels, bit 2 --normalize,
 *           bit 3 --test-size given
 *   byte 1  --classes (0: from the labels)    byte 2  --train-size    byte 3  --test-size
 * The rest is the labels file, then "#IMAGES#", then the images file. Gzip here wraps the
 * fuzzer's bytes so that it explores the IDX structure inside gzip; raw inputs that start
 * with gzip's magic exercise zlib's own error paths. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data.h"
#include "fuzz_util.h"

static void write_gz(const char *path, const uint8_t *data, size_t len)
{
    gzFile g = gzopen(path, "wb1");
    if (!g) abort();
    if (len && gzwrite(g, data, (unsigned)len) != (int)len) abort();
    if (gzclose(g) != Z_OK) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > (1 << 20)) return 0;
    int flags = data[0];
    const uint8_t *part[2];
    size_t plen[2];
    fz_split(data + 4, size - 4, "#IMAGES#", part, plen, 2);
    char lab[FZ_PATH], img[FZ_PATH], spec[2 * FZ_PATH + 8];
    fz_path(lab, "labels.idx");
    fz_path(img, "images.idx");
    (flags & 2 ? write_gz : fz_write)(lab, part[0], plen[0]);
    (flags & 1 ? write_gz : fz_write)(img, part[1], plen[1]);
    snprintf(spec, sizeof spec, "idx:%s,%s", img, lab);
    DataSpec s = {
        .data = spec, .classes = data[1], .train_size = data[2], .test_size = data[3],
        .test_size_set = (flags & 8) != 0, .normalize = (flags & 4) != 0, .seed = 1,
    };
    Dataset tr, te;
    GtErr e = {0};
    int rc = data_load(&s, &tr, &te, &e);
    if (rc) {
        FZ_CHECK_ERR(rc, e);
        FZ_CHECK(tr.x == NULL && te.x == NULL);
        return 0;
    }
    FZ_CHECK(tr.n >= 1 && tr.dim >= 1 && tr.classes >= 1 && te.dim == tr.dim);
    if (s.classes) FZ_CHECK(tr.classes == s.classes);
    const Dataset *sets[2] = {&tr, &te};
    for (int k = 0; k < 2; k++) {
        const Dataset *d = sets[k];
        for (size_t i = 0; i < d->n; i++) FZ_CHECK(d->y[i] >= 0 && d->y[i] < tr.classes);
        for (size_t i = 0; i < d->n * d->dim; i++) FZ_CHECK(isfinite(d->x[i]));
    }
    dataset_free(&tr);
    dataset_free(&te);
    return 0;
}
