/* `gradtrace run`: trains one network and writes its run directory (run.json, steps.csv,
 * layers.csv, census.csv, weights/). The training loop is the only place where data,
 * net, probes and traces meet. */
#ifndef GT_RUN_H
#define GT_RUN_H

#include "common.h"
#include "config.h"

typedef struct {
    const char *status; /* "complete" or "diverged" when run_train returns GT_OK */
    long steps_done;
    double final_loss, final_test_acc;
} RunResult;

/* Runs the configuration c (already validated). On failure its temporary files are
 * removed and nothing new is written under a final name (no run.json). */
int run_train(const Config *c, RunResult *res, GtErr *e);

#endif
