/* `gradtrace run`: trains one network and writes its run directory (run.json, steps.csv,
 * layers.csv, census.csv, weights/). The training loop is the only place where data,
 * net, probes and traces meet. */
#ifndef GT_RUN_H
#define GT_RUN_H

#include <signal.h>

#include "common.h"
#include "config.h"

typedef struct {
    const char *status; /* "complete" or "diverged" when run_train returns GT_OK */
    long steps_done;
    double final_loss, final_test_acc;
} RunResult;

/* Runs the configuration c (already validated). When *stop becomes non-zero (a signal
 * number) the run ends at the next step boundary, keeps its traces so far, says
 * "interrupted" in run.json and returns 128 + *stop. On failure its temporary files are
 * removed and nothing in --out changes (an earlier complete run there stays as it was). */
int run_train(const Config *c, volatile sig_atomic_t *stop, RunResult *res, GtErr *e);

#endif
