/* `gradtrace sweep FILE.ini --out DIR [-j N] [--shard I/N]` and `gradtrace sweep --index DIR`.
 * SIGINT/SIGTERM stop the sweep cleanly; running it again resumes. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "experiment.h"
#include "sweep.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) { g_stop = sig; }

static void help(FILE *f)
{
    fprintf(f,
            "usage: gradtrace sweep FILE.ini --out DIR [-j N] [--shard I/N]\n"
            "       gradtrace sweep --index DIR\n\n"
            "Runs every point of the experiment's grid as DIR/runs/<id>/ (a gradtrace run with\n"
            "one BLAS thread), N at a time, and writes DIR/index.csv. Running the same command\n"
            "again (after Ctrl-C, a crash or a failure) redoes only the unfinished points.\n\n"
            "  --out DIR      sweep directory (required)\n"
            "  -j N, --jobs N points run at a time [1]\n"
            "  --shard I/N    run only points k with k %% N == I-1 (I = 1..N), e.g. one per\n"
            "                 machine; copy the DIRs together and rebuild the index\n"
            "  --index DIR    rebuild DIR/index.csv from sweep.json and the run directories\n\n"
            "Exit status: 0 all points finished, 1 some runs failed (see DIR/logs/), 2 bad\n"
            "experiment file or option, 130/143 stopped by SIGINT/SIGTERM.\n");
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

int cmd_sweep(int argc, char **argv)
{
    const char *file = NULL, *out = NULL, *index = NULL;
    int jobs = 1, shard_i = 1, shard_n = 1;
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        const char *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return 0;
        }
        int takes = strcmp(a, "--out") == 0 || strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0 ||
                    strcmp(a, "--shard") == 0 || strcmp(a, "--index") == 0;
        if (takes && !v) {
            fprintf(stderr, "gradtrace sweep: %s: missing value\n", a);
            return 2;
        }
        if (strcmp(a, "--out") == 0) out = argv[++k];
        else if (strcmp(a, "--index") == 0) index = argv[++k];
        else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            char *end;
            long j = strtol(v, &end, 10);
            if (end == v || *end || j < 1 || j > 256) {
                fprintf(stderr, "gradtrace sweep: %s %s: expected an integer from 1 to 256\n", a, v);
                return 2;
            }
            jobs = (int)j;
            k++;
        } else if (strcmp(a, "--shard") == 0) {
            if (parse_shard(v, &shard_i, &shard_n)) {
                fprintf(stderr, "gradtrace sweep: --shard %s: expected I/N with 1 <= I <= N, e.g. 2/4\n", v);
                return 2;
            }
            k++;
        } else if (a[0] == '-') {
            fprintf(stderr, "gradtrace sweep: %s: unknown option (see gradtrace sweep --help)\n", a);
            return 2;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "gradtrace sweep: %s: one experiment file at a time (%s given)\n", a, file);
            return 2;
        }
    }
    GtErr e = {0};
    if (index) {
        if (file || out) {
            fprintf(stderr, "gradtrace sweep: --index DIR takes no experiment file or --out\n");
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
