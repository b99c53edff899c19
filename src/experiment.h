/* Experiment files (experiments/NAME.ini, read with inih): [experiment] name, title, claim,
 * description; [run] any `gradtrace run` option as a key, where a comma-separated value is
 * a sweep axis; [sweep] seeds = N repeats every grid point with N seeds. The grid is the
 * product of the axes, first axis outermost, seed innermost. */
#ifndef GT_EXPERIMENT_H
#define GT_EXPERIMENT_H

#include "common.h"
#include "config.h"

/* Limits that keep a grid enumerable and its run ids usable as directory names: a typo
 * such as 1..1000 on three axes would otherwise ask for 10^9 runs (or overflow the count)
 * and hang every check of the grid, and an id longer than NAME_MAX (255) cannot be made
 * into DIR/runs/<id>/ or DIR/logs/<id>.log. */
#define EXP_MAX_VALUES 1000   /* values of one key */
#define EXP_MAX_POINTS 100000 /* points of the grid, seeds included */
#define EXP_MAX_ID 200        /* characters of a run id */

typedef struct {
    char *key;
    char **values; /* n >= 1; n > 1 makes it an axis */
    int n;
    int line;      /* line of the key in the file */
} ExpKey;

typedef struct {
    char *path;
    char *name, *title, *claim, *description;
    ExpKey *keys;  /* the [run] section, in file order but seed last */
    int nkeys;
    long seeds;    /* [sweep] seeds (default 1) */
    int seeds_line;
    long seed0;    /* first seed: [run] seed when it is a single value, else 1 */
    int seed_axis; /* 1 when [run] seed itself is an axis */
} Experiment;

/* Reads and validates FILE (every value checked against the run options); errors are
 * "FILE:LINE: key: what is wrong". */
int experiment_load(Experiment *x, const char *path, GtErr *e);
void experiment_free(Experiment *x);

size_t experiment_points(const Experiment *x);
/* The run id of point k: the axes' key=value and the seed, e.g.
 * "activation=relu,depth=20,seed=1" (characters unsafe in a file name become '_'). */
void experiment_point_id(const Experiment *x, size_t k, char *buf, size_t n);
/* The value of key in point k (NULL when the file does not set it; seed always set). */
const char *experiment_point_value(const Experiment *x, size_t k, const char *key, char *buf,
                                   size_t n);
/* Calls fn for every key of point k, seed last, with its value as text. */
void experiment_point_foreach(const Experiment *x, size_t k,
                              void (*fn)(void *ctx, const char *key, const char *val), void *ctx);

#endif
