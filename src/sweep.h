/* `gradtrace sweep`: runs every point of an experiment's grid as its own run directory
 * DIR/runs/<id>/, N at a time (each a `gradtrace run` child with one BLAS thread),
 * resumably: a point counts as done only when its run.json says complete or diverged; an
 * unfinished point with a checkpoint (checkpoint-every) continues from it (--resume).
 * DIR/sweep.json records the grid; DIR/index.csv lists every point with its status and
 * summary numbers; DIR/logs/<id>.log keeps what a failed run said. A sweep grows: a grid
 * that keeps every recorded point unchanged (values added to an axis, more seeds) runs only
 * its new points; any other change is refused, and sweep_replace starts over. */
#ifndef GT_SWEEP_H
#define GT_SWEEP_H

#include <signal.h>

#include "common.h"
#include "experiment.h"

typedef struct {
    size_t total;    /* points in this shard */
    size_t done;     /* finished (now or before) */
    size_t failed;
    size_t running;
    double elapsed;  /* seconds since the sweep started */
    double eta;      /* seconds left, estimated (< 0: unknown) */
    const char *id;  /* the point that just ended, or NULL */
    const char *started; /* the point that just started, or NULL */
    const char *status;
} SweepProgress;

typedef struct {
    const char *out;                   /* DIR */
    const char *exe;                   /* the gradtrace binary to run points with */
    int jobs;                          /* points at a time */
    int shard_i, shard_n;              /* this invocation runs points k with k % n == i-1 */
    volatile sig_atomic_t *stop;       /* set (to the signal number) to stop cleanly */
    void (*progress)(void *ctx, const SweepProgress *p);
    void *ctx;
} SweepOptions;

/* GT_EINPUT when DIR/sweep.json records a point that x's grid lacks or runs with other
 * options (a fixed key changed, an axis added, removed or reordered, a value removed); the
 * message lists the changes. Writes nothing. */
int sweep_check(const Experiment *x, const char *out, GtErr *e);
/* `--force`: removes what the sweep in DIR owns (the run directories and logs of the points
 * DIR/sweep.json records and of x's points; index.csv and sweep.json when DIR has a
 * sweep.json), so that it starts over. Other files in DIR stay. */
int sweep_replace(const Experiment *x, const char *out, GtErr *e);
/* Makes DIR/runs and DIR/logs and records x's grid in DIR/sweep.json (rewritten atomically
 * when the grid grew), after the same check
 * (sweep_run starts with it; `--slurm` calls it before submitting, so that `--index DIR`
 * works even when no task ever starts). */
int sweep_prepare(const Experiment *x, const char *out, GtErr *e);
/* How many points of the whole grid (every shard) have no finished run in DIR; their
 * indices k go to ks (room for every point; NULL: only count). */
size_t sweep_unfinished(const Experiment *x, const char *out, size_t *ks);
/* Runs the shard's unfinished points. Returns GT_OK when every point of the shard is
 * finished, GT_ESYS when some failed (the others still ran), 128+signal when stopped. */
int sweep_run(const Experiment *x, const SweepOptions *o, GtErr *e);
/* Rebuilds DIR/index.csv from DIR/sweep.json and the run directories. */
int sweep_index(const char *dir, GtErr *e);

#endif
