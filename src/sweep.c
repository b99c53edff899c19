/* Sweep execution: grid bookkeeping in sweep.json, one child process per point, resume by
 * run.json status (a point with a checkpoint continues from it), index.csv. */
#include "sweep.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "summary.h"
#include "trace.h"

#define PATH_LEN 4096
#define ARG_LEN (PATH_LEN + 64) /* "--out=" and a path */

static void add_arg(void *ctx, const char *key, const char *val)
{
    cJSON_AddStringToObject(ctx, key, val);
}

/* sweep.json: the experiment and every point of the grid with its options. */
static cJSON *grid_json(const Experiment *x)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "experiment", x->path);
    cJSON_AddStringToObject(doc, "name", x->name);
    cJSON_AddStringToObject(doc, "title", x->title ? x->title : "");
    cJSON_AddStringToObject(doc, "claim", x->claim ? x->claim : "");
    cJSON_AddStringToObject(doc, "description", x->description ? x->description : "");
    cJSON *axes = cJSON_AddArrayToObject(doc, "axes");
    for (int i = 0; i < x->nkeys; i++)
        if (x->keys[i].n > 1 && strcmp(x->keys[i].key, "seed") != 0)
            cJSON_AddItemToArray(axes, cJSON_CreateString(x->keys[i].key));
    cJSON_AddItemToArray(axes, cJSON_CreateString("seed"));
    cJSON *points = cJSON_AddArrayToObject(doc, "points");
    for (size_t k = 0; k < experiment_points(x); k++) {
        char id[1024];
        experiment_point_id(x, k, id, sizeof id);
        cJSON *p = cJSON_CreateObject(), *args = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "id", id);
        experiment_point_foreach(x, k, add_arg, args);
        cJSON_AddItemToObject(p, "args", args);
        cJSON_AddItemToArray(points, p);
    }
    return doc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes a stale run directory (an unfinished run without a checkpoint is started over
 * from nothing). */
static int remove_tree(const char *path)
{
    if (access(path, F_OK) != 0) return 0;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void run_dir(const char *out, const char *id, char *buf, size_t n)
{
    snprintf(buf, n, "%s/runs/%s", out, id);
}

static void log_path(const char *out, const char *id, char *buf, size_t n)
{
    snprintf(buf, n, "%s/logs/%s.log", out, id);
}

/* Status of a point from its files: the run's own, else "failed" when its log records a
 * failed exit, else "pending". */
static void point_summary(const char *out, const char *id, RunSummary *s)
{
    char dir[PATH_LEN], log[PATH_LEN];
    run_dir(out, id, dir, sizeof dir);
    summary_read(dir, s);
    if (strcmp(s->status, "pending") != 0) return;
    log_path(out, id, log, sizeof log);
    FILE *f = fopen(log, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "gradtrace sweep: exit status", 28) == 0) strcpy(s->status, "failed");
    (void)fclose(f); /* read only */
}

typedef struct {
    pid_t pid;
    size_t k;
    double t0;
    int killed;
} Slot;

static pid_t launch(const Experiment *x, const SweepOptions *o, size_t k, GtErr *e)
{
    char id[1024], dir[PATH_LEN], log[PATH_LEN];
    experiment_point_id(x, k, id, sizeof id);
    run_dir(o->out, id, dir, sizeof dir);
    log_path(o->out, id, log, sizeof log);
    /* an unfinished run with a checkpoint continues from it, any other starts over */
    int resume = ckpt_exists(dir);
    if (!resume && remove_tree(dir) != 0) {
        gt_fail(e, GT_EINPUT, "%s: cannot remove the unfinished run: %s", dir, strerror(errno));
        return -1;
    }
    /* argv: exe run --key=value ... --seed=S --threads=1 --out=DIR [--resume=DIR] */
    size_t nargs = (size_t)x->nkeys + 7, at = 0;
    char **argv = calloc(nargs, sizeof *argv);
    char *strs = calloc(nargs, ARG_LEN);
    if (!argv || !strs) {
        free(argv);
        free(strs);
        gt_fail(e, GT_ESYS, "out of memory");
        return -1;
    }
    argv[at++] = (char *)o->exe;
    argv[at++] = "run";
    char seed[64];
    for (int i = 0; i < x->nkeys; i++) {
        if (strcmp(x->keys[i].key, "seed") == 0) continue;
        char *s = strs + at * ARG_LEN;
        snprintf(s, ARG_LEN, "--%s=%s", x->keys[i].key,
                 experiment_point_value(x, k, x->keys[i].key, seed, sizeof seed));
        argv[at++] = s;
    }
    snprintf(strs + at * ARG_LEN, ARG_LEN, "--seed=%s",
             experiment_point_value(x, k, "seed", seed, sizeof seed));
    argv[at] = strs + at * ARG_LEN, at++;
    argv[at++] = "--threads=1";
    snprintf(strs + at * ARG_LEN, ARG_LEN, "--out=%s", dir);
    argv[at] = strs + at * ARG_LEN, at++;
    if (resume) {
        snprintf(strs + at * ARG_LEN, ARG_LEN, "--resume=%s", dir);
        argv[at] = strs + at * ARG_LEN, at++;
    }
    argv[at] = NULL;
    (void)fflush(NULL); /* else the child repeats buffered output; failing costs a line */
    pid_t pid = fork();
    if (pid == 0) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1); /* one BLAS thread: no idle pool to start */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(o->exe, argv);
        fprintf(stderr, "gradtrace sweep: cannot run %s: %s\n", o->exe, strerror(errno));
        _exit(127);
    }
    if (pid < 0) gt_fail(e, GT_ESYS, "cannot start a run: fork: %s", strerror(errno));
    free(argv);
    free(strs);
    return pid;
}

/* Records how a child ended; returns 1 when the point finished. A child stopped with the
 * sweep is not a failure: its point stays pending. */
static int reap(const SweepOptions *o, const char *id, int wstatus)
{
    char dir[PATH_LEN], log[PATH_LEN];
    run_dir(o->out, id, dir, sizeof dir);
    log_path(o->out, id, log, sizeof log);
    if (summary_finished(dir)) {
        struct stat sb;
        if (stat(log, &sb) == 0 && sb.st_size == 0) unlink(log); /* nothing said */
        return 1;
    }
    FILE *f = fopen(log, "a");
    if (f) {
        if (*o->stop)
            fprintf(f, "gradtrace sweep: stopped by signal %d; the point is run again on resume\n",
                    (int)*o->stop);
        else if (WIFEXITED(wstatus))
            fprintf(f, "gradtrace sweep: exit status %d\n", WEXITSTATUS(wstatus));
        else
            fprintf(f, "gradtrace sweep: exit status %d (killed by signal %d)\n",
                    128 + WTERMSIG(wstatus), WTERMSIG(wstatus));
        (void)fclose(f); /* a lost line only leaves the point pending: it runs again */
    }
    return 0;
}

/* ---- growing a sweep: the recorded grid against the new one ---------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct values of args[key] over points, sorted (NULL: out of memory). */
static const char **values_of(const cJSON *points, const char *key, size_t *n)
{
    size_t cap = (size_t)cJSON_GetArraySize(points), m = 0;
    const char **v = malloc((cap ? cap : 1) * sizeof *v);
    const cJSON *p;
    if (v)
        cJSON_ArrayForEach(p, points) {
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "args"), key);
            if (cJSON_IsString(s)) v[m++] = s->valuestring;
        }
    if (v) qsort(v, m, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || strcmp(v[u - 1], v[i]) != 0) v[u++] = v[i];
    *n = u;
    return v;
}

static int has(const char **sorted, size_t n, const char *s)
{
    return n && bsearch(&s, sorted, n, sizeof *sorted, cmp_str) != NULL;
}

static int in_array(const cJSON *a, const char *s)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, a) if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0) return 1;
    return 0;
}

/* The fixed value of key (the first point's), or NULL. */
static const char *first_value(const cJSON *points, const char *key)
{
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(points, 0), "args");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(args, key);
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

typedef struct {
    char *buf;
    size_t n, at;
    int listed, more; /* changes written, changes left out for room */
} Changes;

static void change(Changes *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void change(Changes *c, const char *fmt, ...)
{
    char one[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(one, sizeof one, fmt, ap);
    va_end(ap);
    size_t len = strlen(one) + (c->listed ? 2 : 0);
    if (c->at + len + 24 >= c->n) { /* room kept for "and N more" */
        c->more++;
        return;
    }
    c->at += (size_t)snprintf(c->buf + c->at, c->n - c->at, "%s%s", c->listed ? "; " : "", one);
    c->listed++;
}

/* Axis changes: new and removed axes, their order (it is the ids'), removed values. */
static void axis_changes(const cJSON *old, const cJSON *grid, Changes *c)
{
    const cJSON *oa = cJSON_GetObjectItemCaseSensitive(old, "axes");
    const cJSON *na = cJSON_GetObjectItemCaseSensitive(grid, "axes");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(old, "points");
    const cJSON *np = cJSON_GetObjectItemCaseSensitive(grid, "points");
    const cJSON *a;
    cJSON_ArrayForEach(a, na) if (cJSON_IsString(a) && !in_array(oa, a->valuestring)) {
        const char *was = first_value(op, a->valuestring);
        if (was) change(c, "new axis %s (was fixed at %s)", a->valuestring, was);
        else change(c, "new axis %s", a->valuestring);
    }
    cJSON_ArrayForEach(a, oa) if (cJSON_IsString(a) && !in_array(na, a->valuestring)) {
        const char *now = first_value(np, a->valuestring);
        if (now) change(c, "axis %s removed (now fixed at %s)", a->valuestring, now);
        else change(c, "axis %s removed", a->valuestring);
    }
    /* the axes both have, in each one's order */
    char before[512] = "", after[512] = "";
    size_t b = 0, f = 0;
    cJSON_ArrayForEach(a, oa) if (cJSON_IsString(a) && in_array(na, a->valuestring) && b < sizeof before)
        b += (size_t)snprintf(before + b, sizeof before - b, "%s%s", b ? "," : "", a->valuestring);
    cJSON_ArrayForEach(a, na) if (cJSON_IsString(a) && in_array(oa, a->valuestring) && f < sizeof after)
        f += (size_t)snprintf(after + f, sizeof after - f, "%s%s", f ? "," : "", a->valuestring);
    if (strcmp(before, after) != 0) change(c, "axes reordered: %s -> %s", before, after);
    cJSON_ArrayForEach(a, oa) {
        if (!cJSON_IsString(a) || !in_array(na, a->valuestring)) continue;
        size_t no, nn;
        const char **ov = values_of(op, a->valuestring, &no), **nv = values_of(np, a->valuestring, &nn);
        char gone[200] = "";
        size_t at = 0;
        int ngone = 0;
        for (size_t i = 0; ov && nv && i < no; i++)
            if (!has(nv, nn, ov[i])) {
                if (at + strlen(ov[i]) + 8 < sizeof gone)
                    at += (size_t)snprintf(gone + at, sizeof gone - at, "%s%s", ngone ? ", " : "", ov[i]);
                else if (at + 5 < sizeof gone && !strstr(gone, "..."))
                    at += (size_t)snprintf(gone + at, sizeof gone - at, ", ...");
                ngone++;
            }
        if (ngone) change(c, "axis %s: value%s %s removed", a->valuestring, ngone > 1 ? "s" : "", gone);
        free(ov);
        free(nv);
    }
}

/* Fixed keys (an axis in neither grid) that changed, appeared or went. */
static void fixed_changes(const cJSON *old, const cJSON *grid, Changes *c)
{
    const cJSON *oa = cJSON_GetObjectItemCaseSensitive(old, "axes");
    const cJSON *na = cJSON_GetObjectItemCaseSensitive(grid, "axes");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(old, "points");
    const cJSON *np = cJSON_GetObjectItemCaseSensitive(grid, "points");
    const cJSON *oargs = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(op, 0), "args");
    const cJSON *nargs = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(np, 0), "args");
    const cJSON *k;
    cJSON_ArrayForEach(k, oargs) {
        if (in_array(oa, k->string) || in_array(na, k->string)) continue;
        const char *was = first_value(op, k->string), *now = first_value(np, k->string);
        if (!now) change(c, "%s = %s removed (fixed key)", k->string, was ? was : "");
        else if (was && strcmp(was, now) != 0) change(c, "%s: %s -> %s (fixed key)", k->string, was, now);
    }
    cJSON_ArrayForEach(k, nargs)
        if (!in_array(oa, k->string) && !in_array(na, k->string) && !first_value(op, k->string))
            change(c, "new fixed key %s = %s", k->string, first_value(np, k->string));
}

static int cmp_point_id(const void *a, const void *b)
{
    const cJSON *pa = *(const cJSON *const *)a, *pb = *(const cJSON *const *)b;
    const cJSON *ia = cJSON_GetObjectItemCaseSensitive(pa, "id"), *ib = cJSON_GetObjectItemCaseSensitive(pb, "id");
    return strcmp(cJSON_IsString(ia) ? ia->valuestring : "", cJSON_IsString(ib) ? ib->valuestring : "");
}

/* The first recorded point that the new grid lacks or runs with other options, or NULL
 * (every recorded point is in the new grid unchanged: the new grid extends the old). */
static const char *lost_point(const cJSON *old, const cJSON *grid)
{
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(old, "points");
    const cJSON *np = cJSON_GetObjectItemCaseSensitive(grid, "points");
    size_t n = (size_t)cJSON_GetArraySize(np), m = 0;
    const cJSON **byid = malloc((n ? n : 1) * sizeof(const cJSON *)), *p;
    if (!byid) return "(out of memory)";
    cJSON_ArrayForEach(p, np) byid[m++] = p;
    qsort(byid, m, sizeof(const cJSON *), cmp_point_id);
    const char *lost = NULL;
    cJSON_ArrayForEach(p, op) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "id");
        const cJSON **q = bsearch(&p, byid, m, sizeof(const cJSON *), cmp_point_id);
        if (!cJSON_IsString(id) || !q ||
            !cJSON_Compare(cJSON_GetObjectItemCaseSensitive(p, "args"),
                           cJSON_GetObjectItemCaseSensitive(*q, "args"), 1)) {
            lost = cJSON_IsString(id) ? id->valuestring : "(a point without an id)";
            break;
        }
    }
    free(byid);
    return lost;
}

/* GT_OK when DIR holds no sweep or one whose every point the new grid keeps unchanged (it
 * may add points: values on an axis, seeds); else what changed, in one line. */
static int check_extends(const char *out, const cJSON *grid, GtErr *e)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/sweep.json", out);
    cJSON *old = json_read(path);
    if (!old) return access(path, F_OK) == 0
                        ? gt_fail(e, GT_EINPUT, "%s: unreadable; use --force to replace the sweep, "
                                  "or another --out", path)
                        : GT_OK;
    static const char fix[] = "; use --force to replace the sweep, or another --out";
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(old, "experiment");
    char head[sizeof e->msg], list[sizeof e->msg];
    snprintf(head, sizeof head, "%.300s: holds a different sweep (from %.120s): ", path,
             cJSON_IsString(src) ? src->valuestring : "another experiment");
    /* the changes get the room the rest leaves, so that the fix is always on the line */
    size_t used = strlen(head) + sizeof fix, room = used + 64 < sizeof list ? sizeof list - used : 64;
    Changes c = {list, room, 0, 0, 0};
    list[0] = 0;
    axis_changes(old, grid, &c);
    fixed_changes(old, grid, &c);
    int listed = c.listed + c.more;
    const char *lost = listed ? NULL : lost_point(old, grid);
    if (lost) change(&c, "point %s changed", lost);
    if (c.more) snprintf(list + c.at, room - c.at, "; and %d more", c.more);
    int rc = (c.listed + c.more) ? gt_fail(e, GT_EINPUT, "%s%s%s", head, list, fix) : GT_OK;
    cJSON_Delete(old);
    return rc;
}

/* An id from sweep.json names a directory under DIR/runs: nothing that leads elsewhere. */
static int safe_id(const char *id)
{
    return *id && !strchr(id, '/') && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

/* Removes point id's run directory and log. */
static int remove_point(const char *out, const char *id, GtErr *e)
{
    char dir[PATH_LEN], log[PATH_LEN];
    if (!safe_id(id)) return GT_OK;
    run_dir(out, id, dir, sizeof dir);
    log_path(out, id, log, sizeof log);
    if (remove_tree(dir) != 0) return gt_fail(e, GT_ESYS, "%s: cannot remove: %s", dir, strerror(errno));
    if (unlink(log) != 0 && errno != ENOENT)
        return gt_fail(e, GT_ESYS, "%s: cannot remove: %s", log, strerror(errno));
    return GT_OK;
}

int sweep_replace(const Experiment *x, const char *out, GtErr *e)
{
    char path[PATH_LEN], id[1024];
    int rc = GT_OK;
    snprintf(path, sizeof path, "%s/sweep.json", out);
    int sweep_dir = access(path, F_OK) == 0; /* else index.csv may be someone else's */
    cJSON *old = json_read(path);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(old, "points")) {
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(p, "id");
        if (!rc && cJSON_IsString(pid)) rc = remove_point(out, pid->valuestring, e);
    }
    cJSON_Delete(old);
    /* the new grid's own ids too: a directory left without a sweep.json must not count */
    for (size_t k = 0; k < experiment_points(x) && !rc; k++) {
        experiment_point_id(x, k, id, sizeof id);
        rc = remove_point(out, id, e);
    }
    static const char *const own[] = {"index.csv", "sweep.json"};
    for (size_t i = 0; i < sizeof own / sizeof *own && !rc && sweep_dir; i++) {
        snprintf(path, sizeof path, "%s/%s", out, own[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = gt_fail(e, GT_ESYS, "%s: cannot remove: %s", path, strerror(errno));
    }
    return rc;
}

int sweep_check(const Experiment *x, const char *out, GtErr *e)
{
    cJSON *grid = grid_json(x);
    if (!grid) return gt_fail(e, GT_ESYS, "out of memory");
    int rc = check_extends(out, grid, e);
    cJSON_Delete(grid);
    return rc;
}

int sweep_prepare(const Experiment *x, const char *out, GtErr *e)
{
    char path[PATH_LEN];
    int rc;
    snprintf(path, sizeof path, "%s/runs", out);
    if ((rc = trace_mkdir(path, e))) return rc;
    snprintf(path, sizeof path, "%s/logs", out);
    if ((rc = trace_mkdir(path, e))) return rc;
    cJSON *grid = grid_json(x);
    if (!grid) return gt_fail(e, GT_ESYS, "out of memory");
    rc = check_extends(out, grid, e);
    if (!rc) rc = json_write(out, "sweep.json", grid, e);
    cJSON_Delete(grid);
    return rc;
}

size_t sweep_unfinished(const Experiment *x, const char *out, size_t *ks)
{
    size_t n = 0;
    char id[1024], dir[PATH_LEN];
    for (size_t k = 0; k < experiment_points(x); k++) {
        experiment_point_id(x, k, id, sizeof id);
        run_dir(out, id, dir, sizeof dir);
        if (summary_finished(dir)) continue;
        if (ks) ks[n] = k;
        n++;
    }
    return n;
}

int sweep_run(const Experiment *x, const SweepOptions *o, GtErr *e)
{
    int rc = sweep_prepare(x, o->out, e);
    if (rc) return rc;

    size_t npts = experiment_points(x), nq = 0, qi = 0;
    size_t *queue = malloc((npts ? npts : 1) * sizeof *queue);
    Slot *slots = calloc((size_t)o->jobs, sizeof *slots);
    if (!queue || !slots) {
        free(queue);
        free(slots);
        return gt_fail(e, GT_ESYS, "out of memory");
    }
    SweepProgress pr = {.eta = -1};
    char id[1024], dir[PATH_LEN];
    for (size_t k = 0; k < npts; k++) {
        if ((int)(k % (size_t)o->shard_n) != o->shard_i - 1) continue;
        pr.total++;
        experiment_point_id(x, k, id, sizeof id);
        run_dir(o->out, id, dir, sizeof dir);
        if (summary_finished(dir)) pr.done++;
        else queue[nq++] = k;
    }
    double t0 = gt_now(), busy = 0;
    size_t ended = 0;
    if (o->progress) o->progress(o->ctx, &pr);
    rc = GT_OK;
    while ((qi < nq && !*o->stop) || pr.running) {
        for (int s = 0; s < o->jobs && qi < nq && !*o->stop && !rc; s++) {
            if (slots[s].pid) continue;
            pid_t pid = launch(x, o, queue[qi], e);
            if (pid < 0) {
                rc = e->code;
                break;
            }
            slots[s] = (Slot){.pid = pid, .k = queue[qi++], .t0 = gt_now()};
            pr.running++;
            experiment_point_id(x, slots[s].k, id, sizeof id);
            pr.started = id;
            pr.elapsed = gt_now() - t0;
            if (o->progress) o->progress(o->ctx, &pr); /* running counts from the start */
            pr.started = NULL;
        }
        if (rc && !pr.running) break;
        /* also when the signal came outside waitpid: else the sweep waits for its runs */
        if (*o->stop)
            for (int s = 0; s < o->jobs; s++)
                if (slots[s].pid && !slots[s].killed) {
                    kill(slots[s].pid, SIGTERM);
                    slots[s].killed = 1;
                }
        int wstatus;
        pid_t pid = waitpid(-1, &wstatus, 0);
        if (pid < 0) {
            if (errno == ECHILD) break;
            continue;
        }
        for (int s = 0; s < o->jobs; s++) {
            if (slots[s].pid != pid) continue;
            experiment_point_id(x, slots[s].k, id, sizeof id);
            int ok = reap(o, id, wstatus);
            slots[s].pid = 0;
            pr.running--;
            if (*o->stop && !ok) break; /* stopped, not failed: resumed next time */
            ended++;
            busy += gt_now() - slots[s].t0;
            ok ? pr.done++ : pr.failed++;
            run_dir(o->out, id, dir, sizeof dir);
            RunSummary sum;
            summary_read(dir, &sum);
            pr.id = id;
            pr.status = ok ? sum.status : "failed";
            pr.elapsed = gt_now() - t0;
            size_t left = nq - qi + pr.running;
            pr.eta = ended ? busy / (double)ended * (double)left / (double)o->jobs : -1;
            if (o->progress) o->progress(o->ctx, &pr);
            pr.id = NULL;
        }
    }
    free(queue);
    free(slots);
    int irc = sweep_index(o->out, rc ? NULL : e);
    if (rc) return rc;
    if (*o->stop) return 128 + (int)*o->stop;
    if (irc) return irc;
    if (pr.failed)
        return gt_fail(e, GT_ESYS, "%zu of %zu runs failed; their logs are in %s/logs/", pr.failed,
                       pr.total, o->out);
    return GT_OK;
}

static void csv_text(CsvFile *f, const cJSON *v)
{
    if (cJSON_IsString(v)) csv_str(f, v->valuestring);
    else csv_empty(f);
}

int sweep_index(const char *out, GtErr *e)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/sweep.json", out);
    cJSON *grid = json_read(path);
    if (!grid) return gt_fail(e, GT_EINPUT, "%s: missing or unreadable (is %s a sweep directory?)", path, out);
    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(grid, "axes");
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(grid, "points");
    char header[8192];
    size_t at = (size_t)snprintf(header, sizeof header, "id");
    const cJSON *a;
    cJSON_ArrayForEach(a, axes) if (cJSON_IsString(a) && at < sizeof header)
        at += (size_t)snprintf(header + at, sizeof header - at, ",%s", a->valuestring);
    if (at < sizeof header) snprintf(header + at, sizeof header - at, ",%s", SUMMARY_HEADER);
    CsvFile f = {0};
    int rc = csv_open(&f, out, "index.csv", header, 17, e);
    const cJSON *p;
    if (!rc) {
        cJSON_ArrayForEach(p, points) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "id");
            const cJSON *args = cJSON_GetObjectItemCaseSensitive(p, "args");
            if (!cJSON_IsString(id)) continue;
            csv_quoted(&f, id->valuestring); /* ids hold commas */
            cJSON_ArrayForEach(a, axes) csv_text(&f, cJSON_GetObjectItemCaseSensitive(args, a->valuestring));
            RunSummary s;
            point_summary(out, id->valuestring, &s);
            csv_str(&f, s.status);
            f.digits = s.digits; /* each run's numbers as its own CSVs print them */
            double v[] = {s.final_loss,    s.final_test_acc, s.g_first_start, s.g_last_start,
                          s.g_first_end,   s.g_last_end,     s.frac_dead_end};
            for (size_t i = 0; i < sizeof v / sizeof *v; i++)
                isnan(v[i]) ? csv_empty(&f) : csv_real(&f, v[i]);
            csv_end_row(&f);
        }
        rc = csv_close(&f, e);
    }
    csv_abort(&f);
    cJSON_Delete(grid);
    return rc;
}
