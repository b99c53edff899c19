/* `gradtrace run`: trains one network and writes its run directory (run.json, steps.csv,
 * layers.csv, census.csv, weights/). The training loop is the only place where data,
 * net, probes and traces meet. */
#ifndef GT_RUN_H
#define GT_RUN_H

#include <signal.h>

#include "common.h"
#include "config.h"
#include "progress.h"

typedef struct {
    const char *status; /* "complete" or "diverged" when run_train returns GT_OK */
    long steps_done;
    double final_loss, final_test_acc;
} RunResult;

/* How the command line runs it (not part of the configuration). */
typedef struct {
    ProgressMode progress;
    int resume; /* continue the run in c->out from its checkpoint (--resume) */
} RunOpts;

/* The configuration recorded in DIR's checkpoint, into c (after config_init): what
 * `gradtrace run --resume DIR` runs, with c->out = DIR. */
int run_checkpoint_config(Config *c, const char *dir, GtErr *e);

/* Runs the configuration c (already validated); with o->resume, continues the run in
 * c->out from its checkpoint (refused when the checkpoint's configuration differs), so that
 * the traces end up as an uninterrupted run's. With c->checkpoint_every = K it writes a
 * checkpoint every K steps and at an interruption; a failed run that has one keeps its
 * .partial traces for --resume. When *stop becomes non-zero (a signal
 * number) the run ends at the next step boundary, keeps its traces so far, says
 * "interrupted" in run.json and returns 128 + *stop. On failure its temporary files are
 * removed and nothing in --out changes (an earlier complete run there stays as it was). */
int run_train(const Config *c, const RunOpts *o, volatile sig_atomic_t *stop, RunResult *res,
              GtErr *e);

#endif
