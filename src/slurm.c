/* Slurm job arrays for a sweep: script text, sbatch command lines, and sbatch itself run with
 * its output captured. A task is an ordinary `gradtrace sweep --shard I/N`, which skips
 * finished points, so a resubmission after a failure redoes only what is left. */
#include "slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PATH_LEN 4096

/* ---- --sbatch-args ------------------------------------------------------------------------ */

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

/* The options gradtrace sets itself: a second --array would run shards the tasks do not
 * know about, a second --dependency would let the index job start before the array ends. */
static const char *reserved(const char *w)
{
    if (strncmp(w, "--array", 7) == 0 && (!w[7] || w[7] == '=')) return "--array";
    if (strncmp(w, "--dependency", 12) == 0 && (!w[12] || w[12] == '=')) return "--dependency";
    if (w[0] == '-' && w[1] == 'a') return "--array";
    if (w[0] == '-' && w[1] == 'd') return "--dependency";
    return NULL;
}

void slurm_free_args(char **words, int n)
{
    for (int i = 0; i < n; i++) free(words[i]);
    free(words);
}

int slurm_split_args(const char *s, char ***words, int *n, GtErr *e)
{
    *words = NULL;
    *n = 0;
    char *w = malloc(strlen(s) + 1); /* one word at a time: never longer than s */
    char **v = calloc(SLURM_MAX_ARGV, sizeof *v);
    int nv = 0, rc = GT_OK;
    if (!w || !v) {
        free(w);
        free(v);
        return gt_fail(e, GT_ESYS, "out of memory");
    }
    for (const char *p = s; !rc;) {
        while (is_blank(*p)) p++;
        if (!*p) break;
        size_t at = 0;
        while (*p && !is_blank(*p) && !rc) {
            char q = *p;
            if (q == '\'' || q == '"') {
                for (p++; *p && *p != q; p++) {
                    /* inside "…" a backslash quotes only what the shell lets it quote */
                    if (q == '"' && *p == '\\' && p[1] && strchr("\"\\$`", p[1])) p++;
                    w[at++] = *p;
                }
                if (!*p) rc = gt_fail(e, GT_EINPUT, "--sbatch-args %s: unterminated %c quote", s, q);
                else p++;
            } else if (q == '\\') {
                if (!p[1]) rc = gt_fail(e, GT_EINPUT, "--sbatch-args %s: ends in a backslash", s);
                else w[at++] = p[1], p += 2;
            } else {
                w[at++] = *p++;
            }
        }
        if (rc) break;
        w[at] = 0;
        const char *r = reserved(w);
        if (r)
            rc = gt_fail(e, GT_EINPUT, "--sbatch-args: %s: gradtrace sets %s itself (%s)", w, r,
                         strcmp(r, "--array") == 0 ? "use --array-size N"
                                                   : "the index job waits for the array");
        else if (nv == SLURM_MAX_ARGV)
            rc = gt_fail(e, GT_EINPUT, "--sbatch-args: more than %d words", SLURM_MAX_ARGV);
        else if (!(v[nv++] = strdup(w)))
            rc = gt_fail(e, GT_ESYS, "out of memory");
    }
    free(w);
    if (rc) {
        slurm_free_args(v, nv);
        return rc;
    }
    *words = v;
    *n = nv;
    return GT_OK;
}

int slurm_check_path(const char *what, const char *path, GtErr *e)
{
    for (const unsigned char *c = (const unsigned char *)path; *c; c++)
        if (*c <= ' ' || *c == 0x7f || *c == '"' || *c == '\'' || *c == '\\')
            return gt_fail(e, GT_EINPUT,
                           "%s %s: an #SBATCH line cannot hold a path with blanks, quotes or "
                           "backslashes; choose another",
                           what, path);
    return GT_OK;
}

/* Distinct residues k mod n among ks: the tasks of an n-task array that have points to run
 * (hit: n bytes of scratch). */
static int busy_tasks(const size_t *ks, size_t nk, int n, unsigned char *hit)
{
    memset(hit, 0, (size_t)n);
    int b = 0;
    for (size_t i = 0; i < nk && b < n; i++)
        if (!hit[ks[i] % (size_t)n]) hit[ks[i] % (size_t)n] = 1, b++;
    return b;
}

int slurm_array_size(const size_t *ks, size_t nk, int max_tasks, int fixed, int *busy)
{
    unsigned char *hit = calloc((size_t)(fixed > max_tasks ? fixed : max_tasks), 1);
    if (!hit) { /* out of memory: one task runs everything, still correct */
        *busy = nk > 0;
        return fixed ? fixed : 1;
    }
    int best = fixed ? fixed : 1, best_busy = busy_tasks(ks, nk, best, hit);
    for (int n = 2; !fixed && n <= max_tasks && (size_t)best_busy < nk; n++) {
        int b = busy_tasks(ks, nk, n, hit);
        if (b > best_busy) best = n, best_busy = b;
    }
    free(hit);
    *busy = best_busy;
    return best;
}

/* ---- files -------------------------------------------------------------------------------- */

/* DIR/NAME via DIR/.NAME.tmp.PID, trace.c's spelling, so that a killed writer's leftover is
 * recognised and cleaned like any other. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len,
                        mode_t mode, GtErr *e)
{
    char path[PATH_LEN], tmp[PATH_LEN];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid()) >= (int)sizeof tmp)
        return gt_fail(e, GT_EINPUT, "%s: path too long", dir);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return gt_fail(e, GT_EINPUT, "%s: cannot open for writing: %s", path, strerror(errno));
    int err = 0;
    for (size_t at = 0; at < len && !err;) {
        ssize_t w = write(fd, data + at, len - at);
        if (w < 0 && errno != EINTR) err = errno;
        else if (w > 0) at += (size_t)w;
    }
    if (close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err) {
        unlink(tmp);
        return gt_fail(e, GT_EINPUT, "%s: write failed: %s", path, strerror(err));
    }
    return GT_OK;
}

int slurm_copy_file(const char *src, const char *dir, const char *name, GtErr *e)
{
    FILE *f = fopen(src, "rb");
    if (!f) return gt_fail(e, GT_EINPUT, "%s: cannot read: %s", src, strerror(errno));
    size_t len = 0, cap = 0;
    char *buf = NULL;
    int rc = GT_OK;
    for (;;) {
        if (len == cap) {
            char *b = realloc(buf, cap = cap ? 2 * cap : 1 << 16);
            if (!b) {
                rc = gt_fail(e, GT_ESYS, "out of memory");
                break;
            }
            buf = b;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (ferror(f)) {
            rc = gt_fail(e, GT_EINPUT, "%s: read failed: %s", src, strerror(errno ? errno : EIO));
            break;
        }
        if (feof(f)) break;
    }
    (void)fclose(f); /* read only */
    if (!rc) rc = write_atomic(dir, name, buf, len, 0644, e);
    free(buf);
    return rc;
}

/* ---- scripts ------------------------------------------------------------------------------ */

void slurm_shell_quote(const char *s, char *buf, size_t n)
{
    int plain = *s != 0;
    for (const char *c = s; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-",
                       *c) != NULL;
    if (plain) {
        snprintf(buf, n, "%s", s);
        return;
    }
    size_t at = 0;
    if (n < 3) {
        if (n) *buf = 0;
        return;
    }
    buf[at++] = '\'';
    for (const char *c = s; *c && at + 6 < n; c++) {
        if (*c == '\'') memcpy(buf + at, "'\\''", 4), at += 4;
        else buf[at++] = *c;
    }
    buf[at++] = '\'';
    buf[at] = 0;
}

typedef struct {
    char s[4 * 16384];
    size_t n;
    int cut;
} Text;

static void put(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof t->s - t->n) t->cut = 1;
    else t->n += (size_t)w;
}

/* path with Slurm's filename patterns kept literal: sbatch reads %x in --output */
static void pattern_literal(const char *path, char *buf, size_t n)
{
    size_t at = 0;
    for (const char *c = path; *c && at + 3 < n; c++) {
        if (*c == '%') buf[at++] = '%';
        buf[at++] = *c;
    }
    buf[at] = 0;
}

/* The job name: the experiment's name in the characters every tool shows unchanged. */
static void job_name(const char *name, char *buf, size_t n)
{
    int w = snprintf(buf, n, "gradtrace-%s", name);
    for (char *c = buf + 10; w > 0 && *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c)) *c = '_';
}

int slurm_write_scripts(const SlurmPlan *p, GtErr *e)
{
    char dir[PATH_LEN], out_pat[2 * PATH_LEN], name[128];
    char q_exe[4 * PATH_LEN + 3], q_ini[4 * PATH_LEN + 3], q_out[4 * PATH_LEN + 3],
        q_cwd[4 * PATH_LEN + 3];
    if (snprintf(dir, sizeof dir, "%s/slurm", p->out) >= (int)sizeof dir)
        return gt_fail(e, GT_EINPUT, "%s: path too long", p->out);
    pattern_literal(dir, out_pat, sizeof out_pat);
    job_name(p->name, name, sizeof name);
    slurm_shell_quote(p->exe, q_exe, sizeof q_exe);
    slurm_shell_quote(p->ini, q_ini, sizeof q_ini);
    slurm_shell_quote(p->out, q_out, sizeof q_out);
    slurm_shell_quote(p->cwd, q_cwd, sizeof q_cwd);
    static Text t; /* 64 KiB: off the stack */
    t.n = 0, t.cut = 0;
    put(&t,
        "#!/bin/sh\n"
        "# gradtrace sweep of %s as a Slurm job array (written by gradtrace sweep --slurm).\n"
        "# Task I of %d runs shard I/%d: the points k with k %% %d == I-1 that are not finished\n"
        "# yet, so submitting it again redoes only what a failed or cancelled task left.\n"
        "#SBATCH --job-name=%s\n"
        "#SBATCH --array=1-%d\n"
        "#SBATCH --output=%s/sweep-%%A_%%a.out\n"
        ": \"${SLURM_ARRAY_TASK_ID:?is unset: submit this script with sbatch}\"\n"
        "# relative paths in the experiment file (data = csv:...) mean what they meant at submission\n"
        "cd %s || echo \"gradtrace sweep: cannot enter %s: relative paths will not resolve\" >&2\n"
        "exec %s sweep %s --out %s --shard \"$((SLURM_ARRAY_TASK_ID))/%d\" -j \"${SLURM_CPUS_PER_TASK:-1}\"\n",
        p->name, p->tasks, p->tasks, p->tasks, name, p->tasks, out_pat, q_cwd, q_cwd, q_exe, q_ini,
        q_out, p->tasks);
    int rc = t.cut ? gt_fail(e, GT_EINPUT, "%s: paths too long for a batch script", p->out)
                   : write_atomic(dir, "sweep.sbatch", t.s, t.n, 0755, e);
    if (rc) return rc;
    t.n = 0;
    put(&t,
        "#!/bin/sh\n"
        "# Rebuilds the sweep's index.csv once its job array has ended, however it ended\n"
        "# (submitted with --dependency=afterany:<array job id> by gradtrace sweep --slurm).\n"
        "#SBATCH --job-name=%s-index\n"
        "#SBATCH --output=%s/index-%%j.out\n"
        "exec %s sweep --index %s\n",
        name, out_pat, q_exe, q_out);
    return t.cut ? gt_fail(e, GT_EINPUT, "%s: paths too long for a batch script", p->out)
                 : write_atomic(dir, "index.sbatch", t.s, t.n, 0755, e);
}

int slurm_sbatch_argv(const SlurmPlan *p, int which, const char *sbatch, const char *array_id,
                      SbatchArgv *a, GtErr *e)
{
    const char *script = which == SLURM_ARRAY ? "sweep" : "index";
    if (snprintf(a->script, sizeof a->script, "%s/slurm/%s.sbatch", p->out, script) >=
        (int)sizeof a->script)
        return gt_fail(e, GT_EINPUT, "%s: path too long", p->out);
    if (p->nargs > SLURM_MAX_ARGV)
        return gt_fail(e, GT_EINPUT, "--sbatch-args: more than %d words", SLURM_MAX_ARGV);
    a->n = 0;
    a->v[a->n++] = sbatch;
    a->v[a->n++] = "--parsable"; /* stdout is the job id alone */
    if (which == SLURM_INDEX) {
        snprintf(a->dep, sizeof a->dep, "--dependency=afterany:%s", array_id);
        a->v[a->n++] = a->dep;
    }
    for (int i = 0; i < p->nargs; i++) a->v[a->n++] = p->args[i];
    a->v[a->n++] = a->script;
    a->v[a->n] = NULL;
    return GT_OK;
}

/* ---- sbatch ------------------------------------------------------------------------------- */

int slurm_find(const char *tool, char *buf, size_t n)
{
    const char *path = getenv("PATH");
    if (!path) return -1;
    for (const char *s = path; *s;) {
        size_t len = strcspn(s, ":");
        struct stat st;
        /* an empty entry would mean the working directory: not a place to find Slurm */
        if (len && snprintf(buf, n, "%.*s/%s", (int)len, s, tool) < (int)n && stat(buf, &st) == 0 &&
            S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
            return 0;
        s += len;
        if (*s == ':') s++;
    }
    return -1;
}

/* Appends what fd has to buf (cut at n - 1); 0 at end of file. */
static int drain(int fd, char *buf, size_t n, size_t *len)
{
    char tmp[4096];
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (r == 0) return 0;
    size_t take = (size_t)r < n - 1 - *len ? (size_t)r : n - 1 - *len;
    memcpy(buf + *len, tmp, take);
    *len += take;
    buf[*len] = 0;
    return 1;
}

/* The job id from --parsable's "ID" or "ID;CLUSTER" line; -1 when there is none. */
static int parse_id(const char *out, char *id, size_t n)
{
    while (is_blank(*out)) out++;
    size_t len = strspn(out, "0123456789");
    if (len == 0 || len >= n || (out[len] && out[len] != ';' && !is_blank(out[len]))) return -1;
    memcpy(id, out, len);
    id[len] = 0;
    return 0;
}

/* Runs argv (argv[0] an absolute path) with stdin from /dev/null and waits, capturing stdout
 * and stderr (each cut to fit, NUL-terminated); *status is its exit status or 128 + signal. */
static int run_capture(const char *const *argv, char *out, size_t nout, char *err, size_t nerr,
                       int *status, GtErr *e)
{
    out[0] = err[0] = 0;
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0) return gt_fail(e, GT_ESYS, "pipe: %s", strerror(errno));
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]), close(po[1]);
        return gt_fail(e, GT_ESYS, "pipe: %s", strerror(errno));
    }
    (void)fflush(NULL); /* else the child repeats buffered output; failing costs a line */
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]), close(pe[0]);
        return gt_fail(e, GT_ESYS, "cannot run %s: fork: %s", argv[0], strerror(errno));
    }
    /* both pipes at once: the child blocks when the one not being read fills */
    struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
    size_t lo = 0, le = 0;
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            if (!(i == 0 ? drain(fds[i].fd, out, nout, &lo) : drain(fds[i].fd, err, nerr, &le))) {
                close(fds[i].fd);
                fds[i].fd = -1;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0) close(fds[i].fd);
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return gt_fail(e, GT_ESYS, "%s: waitpid: %s", argv[0], strerror(errno));
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return GT_OK;
}

int slurm_submit(const char *const *argv, SbatchResult *r, GtErr *e)
{
    memset(r, 0, sizeof *r);
    int rc = run_capture(argv, r->out, sizeof r->out, r->err, sizeof r->err, &r->status, e);
    if (rc) return rc;
    if (r->status != 0) return gt_fail(e, GT_ESYS, "sbatch failed (exit status %d)", r->status);
    if (parse_id(r->out, r->id, sizeof r->id) != 0)
        return gt_fail(e, GT_ESYS, "sbatch exited 0 but printed no job id (stdout: %.200s)", r->out);
    return GT_OK;
}

/* 1 when word (a job id) is one of the whitespace-separated words of list */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *s = list; (s = strstr(s, word)); s += n)
        if ((s == list || is_blank(s[-1])) && (!s[n] || is_blank(s[n]))) return 1;
    return 0;
}

int slurm_still_queued(const char *out, const char *squeue, char *ids, size_t nids, char *err,
                       size_t nerr, GtErr *e)
{
    char path[PATH_LEN], line[256];
    ids[0] = err[0] = 0;
    snprintf(path, sizeof path, "%s/slurm/jobs.txt", out);
    FILE *f = fopen(path, "r");
    if (!f) return 0; /* never submitted */
    static char queue[1 << 16];
    int status = 0, rc = GT_OK, asked = 0, found = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        char job[2][32];
        if (sscanf(line, "%*s array %31s tasks %*d index %31s", job[0], job[1]) != 2) continue;
        if (!asked) {
            /* the user's pending and running jobs, an array as its base id (%F): no error for
             * ids Slurm has forgotten, as `squeue -j` would give */
            const char *argv[] = {squeue, "--me", "--noheader", "--format=%F", NULL};
            rc = run_capture(argv, queue, sizeof queue, err, nerr, &status, e);
            if (!rc && status != 0) rc = gt_fail(e, GT_ESYS, "squeue failed (exit status %d)", status);
            asked = 1;
        }
        for (int j = 0; j < 2 && !rc; j++)
            if (strspn(job[j], "0123456789") == strlen(job[j]) && has_word(queue, job[j]) &&
                !strstr(ids, job[j])) {
                size_t at = strlen(ids);
                snprintf(ids + at, nids - at, "%s%s", at ? "," : "", job[j]);
                found = 1;
            }
    }
    (void)fclose(f); /* read only */
    return rc ? -1 : found;
}

int slurm_record(const char *out, const char *array_id, int tasks, const char *index_id, GtErr *e)
{
    char path[PATH_LEN], when[32], line[256];
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(when, sizeof when, "?");
    snprintf(path, sizeof path, "%s/slurm/jobs.txt", out);
    int len = snprintf(line, sizeof line, "%s array %s tasks %d index %s\n", when, array_id, tasks,
                       index_id ? index_id : "not submitted");
    /* one write of one short line with O_APPEND: concurrent submissions do not interleave */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, (size_t)len) != len) {
        int err = errno;
        if (fd >= 0) close(fd);
        return gt_fail(e, GT_EINPUT, "%s: cannot append: %s", path, strerror(err));
    }
    return close(fd) == 0 ? GT_OK : gt_fail(e, GT_EINPUT, "%s: %s", path, strerror(errno));
}
