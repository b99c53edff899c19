/* A sweep as Slurm jobs: the batch scripts (a job array whose task I runs shard I/N, and an
 * index job that waits for the whole array), the sbatch command lines, and running sbatch
 * with its output captured. Never prints: `gradtrace sweep --slurm` (cmd_sweep.c) shows it. */
#ifndef GT_SLURM_H
#define GT_SLURM_H

#include <stddef.h>

#include "common.h"

typedef struct {
    const char *exe;  /* absolute path of the gradtrace binary the jobs run */
    const char *ini;  /* absolute path of the experiment file they read (DIR's copy) */
    const char *out;  /* absolute sweep directory DIR; the scripts go to DIR/slurm/ */
    const char *cwd;  /* the jobs' working directory: relative paths in the file resolve there */
    const char *name; /* experiment name, for the job names */
    int tasks;        /* array tasks; task I (1..tasks) runs shard I/tasks */
    char **args;      /* --sbatch-args, split into words; given to both sbatch calls */
    int nargs;
} SlurmPlan;

/* Splits --sbatch-args into words as a shell would (blanks separate; '…', "…" and \ quote;
 * nothing is expanded). Refuses --array and --dependency, which gradtrace sets itself. */
int slurm_split_args(const char *s, char ***words, int *n, GtErr *e);
void slurm_free_args(char **words, int n);

/* The array size: task I runs the points k with k mod N == I-1, so after a failure the points
 * left (ks, nk of them) may crowd into few residues, e.g. 5 and 9 both in task 2 of 2.
 * Returns the smallest N <= max_tasks that gives the most tasks work (a fresh grid:
 * min(points, max_tasks)), or fixed when it is not 0; *busy is how many tasks have work. */
int slurm_array_size(const size_t *ks, size_t nk, int max_tasks, int fixed, int *busy);

/* GT_EINPUT when path cannot stand in an #SBATCH line (blanks, quotes, backslashes and control
 * characters: sbatch reads those lines itself, without a shell). */
int slurm_check_path(const char *what, const char *path, GtErr *e);

/* Copies the file src to DIR/NAME atomically (temporary name, then rename). */
int slurm_copy_file(const char *src, const char *dir, const char *name, GtErr *e);

/* Writes DIR/slurm/sweep.sbatch and DIR/slurm/index.sbatch, each atomically, executable. */
int slurm_write_scripts(const SlurmPlan *p, GtErr *e);

enum { SLURM_ARRAY, SLURM_INDEX };
#define SLURM_MAX_ARGV 200

typedef struct {
    const char *v[SLURM_MAX_ARGV + 8]; /* NULL-terminated; v[0] is the sbatch given */
    int n;
    char dep[64];      /* --dependency=afterany:ID */
    char script[4200]; /* DIR/slurm/NAME.sbatch */
} SbatchArgv;

/* The sbatch command line for the array job or for the index job; the index job depends on
 * array_id (a job id, or a placeholder in a dry run). GT_EINPUT when the args do not fit. */
int slurm_sbatch_argv(const SlurmPlan *p, int which, const char *sbatch, const char *array_id,
                      SbatchArgv *a, GtErr *e);

/* The first executable TOOL (sbatch, squeue) on $PATH into buf; -1 when there is none. */
int slurm_find(const char *tool, char *buf, size_t n);

typedef struct {
    int status;     /* sbatch's exit status (128 + signal when killed) */
    char id[32];    /* the job id it printed (--parsable: "ID" or "ID;CLUSTER"), or "" */
    char out[1024]; /* what it printed on stdout and stderr, cut to fit */
    char err[4096];
} SbatchResult;

/* Runs argv (argv[0] an absolute path) and waits, capturing stdout and stderr. Returns
 * GT_OK when it exited 0 and printed a job id; else GT_ESYS, with r->status and r->err
 * telling what sbatch said. */
int slurm_submit(const char *const *argv, SbatchResult *r, GtErr *e);

/* Whether a job recorded in DIR/slurm/jobs.txt is still pending or running, by squeue: a
 * second array on the same points would remove each other's unfinished runs. Returns 1 (ids:
 * "ID,ID"), 0, or -1 when squeue failed (e set, err: what it said). */
int slurm_still_queued(const char *out, const char *squeue, char *ids, size_t nids, char *err,
                       size_t nerr, GtErr *e);

/* Appends "TIME array ID tasks N index ID" to DIR/slurm/jobs.txt (index_id NULL: "index not
 * submitted"), so that the job ids of every submission outlive the terminal that saw them. */
int slurm_record(const char *out, const char *array_id, int tasks, const char *index_id, GtErr *e);

/* s quoted for a POSIX shell when it needs it ('…' with '\'' for a quote). */
void slurm_shell_quote(const char *s, char *buf, size_t n);

#endif
