/* Fuzz target: experiment files (experiment_load: inih, every value checked with the run
 * option table, cross-option checks per grid point), then grid expansion as the sweep
 * does it: points, run ids (1024-byte buffers, as sweep.c), values and the argv keys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "fuzz_util.h"

#define CHECK_POINTS 64

static void sink(void *ctx, const char *key, const char *val)
{
    int *n = ctx;
    FZ_CHECK(key && *key && val);
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    char path[FZ_PATH];
    fz_write(fz_path(path, "exp.ini"), data, size);
    Experiment x;
    GtErr e = {0};
    int rc = experiment_load(&x, path, &e);
    if (rc) {
        FZ_CHECK_ERR(rc, e);
        /* errors name the file */
        FZ_CHECK(strncmp(e.msg, path, strlen(path)) == 0 || rc == GT_ESYS);
        return 0;
    }
    FZ_CHECK(x.name != NULL && x.seeds >= 1);
    size_t n = experiment_points(&x);
    FZ_CHECK(n >= 1);
    size_t m = n < CHECK_POINTS ? n : CHECK_POINTS;
    static char ids[CHECK_POINTS][1024];
    for (size_t k = 0; k < m; k++) {
        experiment_point_id(&x, k, ids[k], sizeof ids[k]);
        FZ_CHECK(ids[k][0] != 0 && strchr(ids[k], '/') == NULL);
        /* every point has its own run directory */
        for (size_t j = 0; j < k; j++) FZ_CHECK(strcmp(ids[j], ids[k]) != 0);
        int keys = 0;
        experiment_point_foreach(&x, k, sink, &keys);
        FZ_CHECK(keys >= 1);
        char buf[64];
        FZ_CHECK(experiment_point_value(&x, k, "seed", buf, sizeof buf) != NULL);
        for (int i = 0; i < x.nkeys; i++)
            FZ_CHECK(experiment_point_value(&x, k, x.keys[i].key, buf, sizeof buf) != NULL);
    }
    experiment_free(&x);
    return 0;
}
