/* `gradtrace sweep FILE.ini --out DIR [-j N] [--shard I/N]`, `gradtrace sweep --index DIR`, and
 * `--slurm`, which submits the shards as a Slurm job array instead of running them here.
 * SIGINT/SIGTERM stop the sweep cleanly; running it again resumes. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "experiment.h"
#include "slurm.h"
#include "suggest.h"
#include "sweep.h"
#include "trace.h"

#define PATH_LEN 4096
#define SLURM_DEFAULT_TASKS 64 /* one task per point up to this; a few points each beyond */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) { g_stop = sig; }

static void help(FILE *f)
{
    fprintf(f,
            "usage: gradtrace sweep FILE.ini --out DIR [-j N] [--shard I/N] [--force]\n"
            "       gradtrace sweep FILE.ini --out DIR --slurm [--array-size N] [--force]\n"
            "                       [--sbatch-args ARGS] [--dry-run]\n"
            "       gradtrace sweep --index DIR\n\n"
            "Runs every point of the experiment's grid as DIR/runs/<id>/ (a gradtrace run with\n"
            "one BLAS thread), N at a time, and writes DIR/index.csv. Running the same command\n"
            "again (after Ctrl-C, a crash or a failure) redoes only the unfinished points; after\n"
            "adding values to an axis or raising [sweep] seeds it runs only the new points. Any\n"
            "other change to the grid (a fixed key, a new or removed axis, a removed value) is\n"
            "refused with the list of changes.\n\n"
            "  --out DIR      sweep directory (required)\n"
            "  -j N, --jobs N points run at a time [1]\n"
            "  --shard I/N    run only points k with k %% N == I-1 (I = 1..N), e.g. one per\n"
            "                 machine; copy the DIRs together and rebuild the index\n"
            "  --force        replace the sweep in DIR: remove its runs, logs, index.csv and\n"
            "                 sweep.json (nothing else in DIR), then run the grid anew\n"
            "  --index DIR    rebuild DIR/index.csv from sweep.json and the run directories\n\n"
            "Slurm (DIR must be on a file system every node sees):\n"
            "  --slurm        copy FILE.ini to DIR/experiment.ini; write\n"
            "                 DIR/slurm/sweep.sbatch, a job array whose task I runs\n"
            "                 --shard I/N with -j $SLURM_CPUS_PER_TASK [1], and\n"
            "                 DIR/slurm/index.sbatch, which runs --index DIR once the array\n"
            "                 has ended; submit both with sbatch --parsable and print the job\n"
            "                 ids (also kept in DIR/slurm/jobs.txt; task logs go to\n"
            "                 DIR/slurm/). The same command again submits only the unfinished\n"
            "                 points, once the earlier jobs have left the queue (squeue is\n"
            "                 asked).\n"
            "  --array-size N array tasks [at most %d: the fewest that give the most tasks\n"
            "                 points left to run; on a fresh grid one task per point]\n"
            "  --sbatch-args ARGS  more sbatch options for both jobs, split as a shell would\n"
            "                 (e.g. \"--partition=cpu --time=2:00:00 --cpus-per-task=4\")\n"
            "  --dry-run      write the scripts and print the sbatch commands, submit nothing\n\n"
            "Exit status: 0 all points finished (--slurm: submitted), 1 some runs failed (see\n"
            "DIR/logs/) or sbatch failed, 2 bad experiment file or option, or DIR holds a sweep\n"
            "that the grid changes (--slurm: also no sbatch on PATH, or earlier jobs still\n"
            "queued), 130/143 stopped by SIGINT or SIGTERM.\n",
            SLURM_DEFAULT_TASKS);
}

typedef struct {
    int tty;
    int width; /* characters of the last progress line */
} Progress;

static void fmt_time(char *buf, size_t n, double s)
{
    if (s < 0) snprintf(buf, n, "?");
    else if (s < 90) snprintf(buf, n, "%.0fs", s);
    else if (s < 5400) snprintf(buf, n, "%.0fm%02.0fs", s / 60 - 0.5, fmod(s, 60));
    else snprintf(buf, n, "%.1fh", s / 3600);
}

static void show(void *ctx, const SweepProgress *p)
{
    Progress *pg = ctx;
    char eta[32];
    fmt_time(eta, sizeof eta, p->eta);
    if (!pg->tty) {
        if (p->started) return; /* a log gets one line per point, when it ends */
        if (p->id)
            fprintf(stderr, "sweep: %zu/%zu done, %zu failed: %s %s\n", p->done, p->total,
                    p->failed, p->id, p->status);
        else
            fprintf(stderr, "sweep: %zu points, %zu already done\n", p->total, p->done);
        return;
    }
    int bar = 30, fill = p->total ? (int)((double)bar * (double)(p->done + p->failed) / (double)p->total) : bar;
    char line[256];
    int len = snprintf(line, sizeof line, "[%.*s%.*s] %zu/%zu done, %zu failed, %zu running, ETA %s",
                       fill, "##############################", bar - fill,
                       "..............................", p->done, p->total, p->failed, p->running, eta);
    fprintf(stderr, "\r%s%*s", line, pg->width > len ? pg->width - len : 0, "");
    pg->width = len;
    (void)fflush(stderr); /* a progress line: nothing to do if it fails */
}

static int parse_shard(const char *s, int *i, int *n)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || *end != '/') return -1;
    const char *t = end + 1;
    long b = strtol(t, &end, 10);
    if (end == t || *end || b < 1 || b > 1000000 || a < 1 || a > b) return -1;
    *i = (int)a;
    *n = (int)b;
    return 0;
}

typedef struct {
    int on, dry_run, force;
    long tasks;             /* --array-size (0: the default) */
    const char *args;       /* --sbatch-args, or NULL */
    const char *shard, *jobs; /* given with --slurm: refused */
} SlurmCli;

static int say_error(const GtErr *e)
{
    fprintf(stderr, "gradtrace sweep: %s\n", e->msg);
    return e->code;
}

/* DIR as an absolute path (without resolving links: the name the user gave, from cwd). */
static int absolute(const char *cwd, const char *path, char *buf, size_t n)
{
    int w = path[0] == '/' ? snprintf(buf, n, "%s", path) : snprintf(buf, n, "%s/%s", cwd, path);
    if (w < 0 || (size_t)w >= n) return -1;
    for (size_t len = strlen(buf); len > 1 && buf[len - 1] == '/';) buf[--len] = 0;
    return 0;
}

static void print_command(const SbatchArgv *a)
{
    char q[4 * PATH_LEN + 3];
    for (int i = 0; i < a->n; i++) {
        slurm_shell_quote(i ? a->v[i] : "sbatch", q, sizeof q);
        printf("%s%s", i ? " " : "", q);
    }
    putchar('\n');
}

/* --slurm: everything the jobs need goes into DIR first (a copy of FILE, sweep.json, the
 * scripts), then the array and the index job are submitted; an index job that could not be
 * submitted is reported with the array's id, so nothing runs unreported. */
static int slurm_sweep(const char *file, const char *out, const SlurmCli *c)
{
    GtErr e = {0};
    if (c->shard || c->jobs) {
        fprintf(stderr, "gradtrace sweep: %s: not with --slurm (%s)\n", c->shard ? "--shard" : c->jobs,
                c->shard ? "every shard becomes one array task"
                         : "each task runs $SLURM_CPUS_PER_TASK points at a time; set "
                           "--cpus-per-task in --sbatch-args");
        return 2;
    }
    SlurmPlan plan = {0};
    if (c->args && slurm_split_args(c->args, &plan.args, &plan.nargs, &e)) return say_error(&e);
    char sbatch[PATH_LEN] = "sbatch", exe[PATH_LEN], cwd[PATH_LEN], dir[PATH_LEN], ini[PATH_LEN + 32];
    int rc = 2;
    Experiment x = {0}, copy = {0};
    if (!c->dry_run && slurm_find("sbatch", sbatch, sizeof sbatch) != 0) {
        fprintf(stderr, "gradtrace sweep: sbatch not found: --slurm needs a Slurm client (or use "
                        "--dry-run)\n");
        goto done;
    }
    if ((rc = experiment_load(&x, file, &e))) {
        say_error(&e);
        goto done;
    }
    rc = 1;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "gradtrace sweep: cannot find its own binary or working directory: %s\n",
                strerror(errno));
        goto done;
    }
    exe[n] = 0;
    rc = 2;
    size_t points = experiment_points(&x);
    if (absolute(cwd, out, dir, sizeof dir) != 0) {
        fprintf(stderr, "gradtrace sweep: --out %s: path too long\n", out);
        goto done;
    }
    if (c->tasks > (long)points) {
        fprintf(stderr, "gradtrace sweep: --array-size %ld: the grid has only %zu point%s\n", c->tasks,
                points, points == 1 ? "" : "s");
        goto done;
    }
    /* not while an earlier submission still runs: its tasks and the new ones would each
     * take the other's unfinished points for stale runs and start them over */
    char squeue[PATH_LEN], queued[256], qerr[2048];
    int busy_rc = c->dry_run || slurm_find("squeue", squeue, sizeof squeue) != 0
                      ? 0
                      : slurm_still_queued(dir, squeue, queued, sizeof queued, qerr, sizeof qerr, &e);
    if (busy_rc < 0) {
        fprintf(stderr, "%sgradtrace sweep: cannot tell whether this sweep's jobs still run: %s\n",
                qerr, e.msg);
        rc = 1;
        goto done;
    }
    if (busy_rc > 0) {
        int many = strchr(queued, ',') != NULL;
        fprintf(stderr,
                "gradtrace sweep: %s: job%s %s of an earlier submission %s still queued or running "
                "(squeue -j %s); wait for %s to end or scancel %s, then submit again\n",
                dir, many ? "s" : "", queued, many ? "are" : "is", queued, many ? "them" : "it",
                many ? "them" : "it");
        goto done;
    }
    if (c->force && c->dry_run) {
        fprintf(stderr, "gradtrace sweep: --force: not with --dry-run (a dry run replaces "
                        "nothing; try the dry run with another --out)\n");
        goto done;
    }
    snprintf(ini, sizeof ini, "%s/slurm", dir);
    if ((rc = slurm_check_path("--out", dir, &e)) || (c->force && (rc = sweep_replace(&x, dir, &e))) ||
        (rc = sweep_check(&x, dir, &e)) ||
        (rc = trace_mkdir(ini, &e)) || (rc = slurm_copy_file(file, dir, "experiment.ini", &e))) {
        say_error(&e);
        goto done;
    }
    /* the jobs read the copy: from here on the copy is the experiment, and it must still be
     * the grid checked above (the file may have changed in between) */
    snprintf(ini, sizeof ini, "%s/experiment.ini", dir);
    if ((rc = experiment_load(&copy, ini, &e)) || (rc = sweep_prepare(&copy, dir, &e))) {
        say_error(&e);
        goto done;
    }
    size_t *left = malloc((points ? points : 1) * sizeof *left);
    if (!left) {
        fprintf(stderr, "gradtrace sweep: out of memory\n");
        rc = 1;
        goto done;
    }
    size_t todo = sweep_unfinished(&copy, dir, left);
    int busy = 0;
    if (todo) plan.tasks = slurm_array_size(left, todo, SLURM_DEFAULT_TASKS, (int)c->tasks, &busy);
    free(left);
    if (todo == 0) {
        printf("gradtrace sweep: all %zu points in %s are finished: nothing to submit "
               "(gradtrace sweep --index %s rebuilds the index)\n", points, dir, dir);
        rc = 0;
        goto done;
    }
    plan.exe = exe, plan.ini = ini, plan.out = dir, plan.cwd = cwd, plan.name = copy.name;
    SbatchArgv arr = {0}, idx = {0};
    if ((rc = slurm_write_scripts(&plan, &e)) ||
        (rc = slurm_sbatch_argv(&plan, SLURM_ARRAY, sbatch, NULL, &arr, &e))) {
        say_error(&e);
        goto done;
    }
    printf("gradtrace sweep: %s/slurm/sweep.sbatch: %d array tasks, %d with points to run, for the "
           "%zu of %zu points left\n", dir, plan.tasks, busy, todo, points);
    if (c->dry_run) {
        slurm_sbatch_argv(&plan, SLURM_INDEX, sbatch, "<array job id>", &idx, &e);
        printf("dry run: submit with\n  ");
        print_command(&arr);
        printf("  ");
        print_command(&idx);
        rc = 0;
        goto done;
    }
    SbatchResult r;
    rc = slurm_submit(arr.v, &r, &e);
    fputs(r.err, stderr); /* sbatch's own words, warnings included */
    if (rc) {
        fprintf(stderr, "gradtrace sweep: %s: nothing submitted\n", e.msg);
        goto done;
    }
    char array_id[sizeof r.id];
    memcpy(array_id, r.id, sizeof array_id);
    slurm_sbatch_argv(&plan, SLURM_INDEX, sbatch, array_id, &idx, &e);
    rc = slurm_submit(idx.v, &r, &e);
    fputs(r.err, stderr);
    GtErr re = {0}; /* the jobs run either way: a lost record is said, not fatal */
    if (slurm_record(dir, array_id, plan.tasks, rc ? NULL : r.id, &re))
        fprintf(stderr, "gradtrace sweep: %s\n", re.msg);
    if (rc) {
        fprintf(stderr,
                "gradtrace sweep: the array was submitted as job %s, but not the index job: %s; "
                "once job %s has ended, run gradtrace sweep --index %s\n",
                array_id, e.msg, array_id, dir);
        goto done;
    }
    printf("submitted: array job %s (%d tasks), index job %s (starts when the array has ended)\n"
           "  follow:   squeue -j %s,%s\n"
           "  results:  sacct -j %s,%s --format=JobID,JobName%%30,State,ExitCode,Elapsed\n"
           "  logs:     %s/slurm/ (job ids: jobs.txt)\n",
           array_id, plan.tasks, r.id, array_id, r.id, array_id, r.id, dir);
done:
    if (x.path) experiment_free(&x);
    if (copy.path) experiment_free(&copy);
    slurm_free_args(plan.args, plan.nargs);
    return rc;
}

/* for "did you mean" on a misspelled option */
static const char SWEEP_OPTIONS[] =
    "--out, --jobs, --shard, --force, --index, --slurm, --array-size, --sbatch-args, --dry-run, "
    "--help";

int cmd_sweep(int argc, char **argv)
{
    const char *file = NULL, *out = NULL, *index = NULL;
    int jobs = 1, shard_i = 1, shard_n = 1;
    SlurmCli sl = {0};
    const char *slurm_only = NULL; /* a --slurm option given */
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        const char *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return 0;
        }
        int takes = strcmp(a, "--out") == 0 || strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0 ||
                    strcmp(a, "--shard") == 0 || strcmp(a, "--index") == 0 ||
                    strcmp(a, "--array-size") == 0 || strcmp(a, "--sbatch-args") == 0;
        if (takes && !v) {
            fprintf(stderr, "gradtrace sweep: %s: missing value\n", a);
            return 2;
        }
        if (strcmp(a, "--out") == 0) out = argv[++k];
        else if (strcmp(a, "--index") == 0) index = argv[++k];
        else if (strcmp(a, "--slurm") == 0) sl.on = 1;
        else if (strcmp(a, "--force") == 0) sl.force = 1;
        else if (strcmp(a, "--dry-run") == 0) sl.dry_run = 1, slurm_only = a;
        else if (strcmp(a, "--sbatch-args") == 0) sl.args = argv[++k], slurm_only = a;
        else if (strcmp(a, "--array-size") == 0) {
            char *end;
            long t = strtol(v, &end, 10);
            if (end == v || *end || t < 1 || t > EXP_MAX_POINTS) {
                fprintf(stderr, "gradtrace sweep: --array-size %s: expected an integer from 1 to %d\n",
                        v, EXP_MAX_POINTS);
                return 2;
            }
            sl.tasks = t, slurm_only = a;
            k++;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            char *end;
            long j = strtol(v, &end, 10);
            if (end == v || *end || j < 1 || j > 256) {
                fprintf(stderr, "gradtrace sweep: %s %s: expected an integer from 1 to 256\n", a, v);
                return 2;
            }
            jobs = (int)j;
            sl.jobs = a;
            k++;
        } else if (strcmp(a, "--shard") == 0) {
            if (parse_shard(v, &shard_i, &shard_n)) {
                fprintf(stderr, "gradtrace sweep: --shard %s: expected I/N with 1 <= I <= N, e.g. 2/4\n", v);
                return 2;
            }
            sl.shard = a;
            k++;
        } else if (a[0] == '-') {
            char hint[256];
            fprintf(stderr, "gradtrace sweep: %.80s: unknown option%s (see gradtrace sweep --help)\n",
                    a, suggest_among(a, SWEEP_OPTIONS, hint, sizeof hint));
            return 2;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "gradtrace sweep: %s: one experiment file at a time (%s given)\n", a, file);
            return 2;
        }
    }
    if (slurm_only && !sl.on) {
        fprintf(stderr, "gradtrace sweep: %s: only with --slurm\n", slurm_only);
        return 2;
    }
    GtErr e = {0};
    if (index) {
        if (file || out || sl.on || sl.force) {
            fprintf(stderr, "gradtrace sweep: --index DIR takes no experiment file, --out, --force "
                            "or --slurm\n");
            return 2;
        }
        int rc = sweep_index(index, &e);
        if (rc) fprintf(stderr, "gradtrace sweep: %s\n", e.msg);
        return rc;
    }
    if (!file || !out) {
        fprintf(stderr, "gradtrace sweep: %s (usage: gradtrace sweep FILE.ini --out DIR [-j N])\n",
                !file ? "missing the experiment file" : "--out DIR is required");
        return 2;
    }
    if (sl.on) return slurm_sweep(file, out, &sl);
    Experiment x;
    int rc = experiment_load(&x, file, &e);
    if (rc) {
        fprintf(stderr, "gradtrace sweep: %s\n", e.msg);
        return rc;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "gradtrace sweep: cannot find its own binary (/proc/self/exe)\n");
        experiment_free(&x);
        return 1;
    }
    exe[n] = 0;
    if (sl.force && (rc = sweep_replace(&x, out, &e))) {
        fprintf(stderr, "gradtrace sweep: %s\n", e.msg);
        experiment_free(&x);
        return rc;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: waitpid returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    Progress pg = {.tty = isatty(2)};
    SweepOptions o = {.out = out, .exe = exe, .jobs = jobs, .shard_i = shard_i,
                      .shard_n = shard_n, .stop = &g_stop, .progress = show, .ctx = &pg};
    rc = sweep_run(&x, &o, &e);
    if (pg.tty) fputc('\n', stderr);
    if (rc > 128) fprintf(stderr, "gradtrace sweep: stopped; run the same command again to resume\n");
    else if (rc) fprintf(stderr, "gradtrace sweep: %s\n", e.msg);
    else fprintf(stderr, "gradtrace sweep: done: %s/index.csv\n", out);
    experiment_free(&x);
    return rc;
}
