/* Fuzz target: what gradtrace reads back from directories it does not control while it
 * reads them (a resumed sweep, shards copied together, `gradtrace sweep --index DIR`, the
 * --force check of `gradtrace run`): sweep.json, a run's run.json, layers.csv and
 * census.csv, and its log. The input is those five files in that order, separated by
 * "\n#FILE#\n"; the run lives in DIR/runs/x (the seeds' sweep.json names point "x"). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "summary.h"
#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 18)) return 0;
    const uint8_t *part[5];
    size_t plen[5];
    fz_split(data, size, "\n#FILE#\n", part, plen, 5);
    char dir[FZ_PATH], run[FZ_PATH], p[FZ_PATH + 32];
    fz_path(dir, "sweep");
    fz_rmtree(dir);
    mkdir(dir, 0777);
    snprintf(p, sizeof p, "%s/runs", dir);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/logs", dir);
    mkdir(p, 0777);
    snprintf(run, sizeof run, "%s/runs/x", dir);
    mkdir(run, 0777);
    static const char *const names[] = {"sweep.json", "runs/x/run.json", "runs/x/layers.csv",
                                        "runs/x/census.csv", "logs/x.log"};
    for (int i = 0; i < 5; i++) {
        if (!plen[i] && i) continue; /* absent: as a run that never wrote it */
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        fz_write(p, part[i], plen[i]);
    }
    int fin = summary_finished(run);
    FZ_CHECK(fin == 0 || fin == 1);
    RunSummary s;
    summary_read(run, &s);
    FZ_CHECK(strcmp(s.status, "pending") == 0 || strcmp(s.status, "complete") == 0 ||
             strcmp(s.status, "diverged") == 0 || strcmp(s.status, "failed") == 0);
    FZ_CHECK(fin == (strcmp(s.status, "complete") == 0 || strcmp(s.status, "diverged") == 0));
    GtErr e = {0};
    int rc = sweep_index(dir, &e);
    if (rc) FZ_CHECK_ERR(rc, e);
    return 0;
}
