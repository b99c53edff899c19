/* Tests of `gradtrace sweep` through the real binary (path in $GRADTRACE): the sweep directory
 * (sweep.json, runs/<id>/, index.csv and its numbers), -j determinism, resume after SIGINT and
 * after a crash, shards and `--index`, failed points, a foreign sweep directory, sweeps that grow
 * (new axis values and seeds run alone; other changes refused, listed; --force), CLI errors, and
 * `--slurm`: the batch scripts run as Slurm would run them, sbatch's answers from a stand-in, and
 * (linked from the library) the array sizing and the splitting of --sbatch-args. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "slurm.h"
#include "testutil.h"
#include "tfiles.h"

#define RUN_TIMEOUT_S 300

static const char SUMMARY_COLS[] =
    "status,final_loss,final_test_acc,grad_log10_first_start,grad_log10_last_start,"
    "grad_log10_first_end,grad_log10_last_end,frac_dead_end";

/* layers.csv / census.csv columns used below (DESIGN.md §4) */
enum { L_STEP = 0, L_LAYER = 1, L_GRAD_W_LOG10 = 6 };
enum { C_STEP = 0, C_LAYER = 1, C_FRAC_DEAD = 2 };
/* index.csv columns after id and the axes */
enum { I_STATUS, I_FINAL_LOSS, I_FINAL_TEST_ACC, I_G_FIRST_START, I_G_LAST_START, I_G_FIRST_END,
       I_G_LAST_END, I_FRAC_DEAD_END, I_NCOLS };

static const char *g_bin;   /* $GRADTRACE */
static char g_tmp[PATHMAX]; /* mkdtemp working directory */

/* The tiny run every point builds on (a few milliseconds each). */
#define TINY                                                                                   \
    "width = 8\ntrain-size = 256\ntest-size = 64\nbatch = 16\nprobe-size = 32\n"

/* The reference grid: 2 depths x 2 dtypes x 2 seeds, first axis outermost, seed innermost. */
static const char REF_INI[] = "; reference sweep of test_sweep\n"
                              "[experiment]\n"
                              "name = ref\n"
                              "title = reference grid\n"
                              "[run]\n"
                              "depth = 2, 3\n"
                              "dtype = float32, float64\n"
                              "steps = 6\n"
                              "every = 2\n"
                              "census-every = 3\n" TINY
                              "[sweep]\n"
                              "seeds = 2\n";
#define REF_N 8
static const char *const REF_IDS[REF_N] = {
    "depth=2,dtype=float32,seed=1", "depth=2,dtype=float32,seed=2",
    "depth=2,dtype=float64,seed=1", "depth=2,dtype=float64,seed=2",
    "depth=3,dtype=float32,seed=1", "depth=3,dtype=float32,seed=2",
    "depth=3,dtype=float64,seed=1", "depth=3,dtype=float64,seed=2"};
static const char REF_HDR[] =
    "id,depth,dtype,seed,status,final_loss,final_test_acc,grad_log10_first_start,"
    "grad_log10_last_start,grad_log10_first_end,grad_log10_last_end,frac_dead_end";

static char g_ref_ini[PATHMAX + 16];
static char g_ref_dir[PATHMAX]; /* the reference sweep at -j 2, made once */

/* ---- files ------------------------------------------------------------------------------- */

static char *sub(char *buf, const char *name) { return join(buf, g_tmp, name); }

/* DIR/runs/ID/NAME (NAME may be NULL: the run directory) */
static char *run_file(char *buf, const char *dir, const char *id, const char *name)
{
    int n = snprintf(buf, PATHMAX, "%s/runs/%s%s%s", dir, id, name ? "/" : "", name ? name : "");
    if (n < 0 || n >= PATHMAX) fail_msg("path too long: %s/runs/%s", dir, id);
    return buf;
}

static void must_mkdir(const char *path)
{
    if (mkdir(path, 0755) != 0) fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* Byte-identical files (both must exist). */
static void assert_same_file(const char *a, const char *b)
{
    if (!files_equal(a, b)) fail_msg("%s and %s differ", a, b);
}

static const char *run_status(const char *dir, const char *id)
{
    static char status[64];
    char p[PATHMAX];
    cJSON *doc = load_json_file(run_file(p, dir, id, "run.json"));
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "status");
    if (!cJSON_IsString(st)) fail_msg("%s: no status", p);
    snprintf(status, sizeof status, "%s", st->valuestring);
    t_json_delete(doc);
    return status;
}

/* Names of the entries of dir (not . and ..), sorted; returns how many. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_dir(const char *dir, char names[][256], size_t max)
{
    DIR *d = opendir(dir);
    if (!d) fail_msg("%s: %s", dir, strerror(errno));
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == max) {
            closedir(d);
            fail_msg("%s: more than %zu entries", dir, max);
        }
        snprintf(names[n++], 256, "%s", de->d_name);
    }
    closedir(d);
    char *ptrs[64];
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) ptrs[i] = names[i];
    qsort(ptrs, n, sizeof *ptrs, cmp_str);
    char sorted[64][256];
    for (size_t i = 0; i < n; i++) memcpy(sorted[i], ptrs[i], 256);
    for (size_t i = 0; i < n; i++) memcpy(names[i], sorted[i], 256);
    return n;
}

/* ---- running the binary ------------------------------------------------------------------ */

/* Runs g_bin with a->v (argv[1..]) in g_tmp, capturing stdout, stderr and the exit status. */
static void run(ProcRes *r, const ProcArgs *a)
{
    proc_run(r, g_bin, a, g_tmp, RUN_TIMEOUT_S, t_realloc);
    if (r->timed_out) fail_msg("gradtrace did not finish within %d s", RUN_TIMEOUT_S);
}

static void res_free(ProcRes *r)
{
    t_free(r->out);
    t_free(r->err);
    r->out = r->err = NULL;
}

/* Runs and requires the given exit status. */
static void run_expect(const ProcArgs *a, int status)
{
    ProcRes r;
    run(&r, a);
    if (r.status != status) {
        char cmd[2048];
        proc_args_show(a, cmd, sizeof cmd);
        fail_msg("gradtrace%s: exit %d, expected %d; stderr:\n%s", cmd, r.status, status, r.err);
    }
    res_free(&r);
}

static void sweep(const char *ini, const char *out, const char *jobs, int status)
{
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", out, "-j", jobs, NULL);
    run_expect(&a, status);
}

/* ---- index.csv --------------------------------------------------------------------------- */

typedef struct {
    char *text;
    char *header;
    size_t n; /* data rows */
    struct {
        char *id;        /* unquoted */
        char *f[32];     /* fields after the id */
        int nf;
    } row[64];
} Index;

/* Reads DIR/index.csv; every row must start with the quoted id and have as many fields as
 * the header. */
static void index_load(Index *ix, const char *dir)
{
    char p[PATHMAX];
    size_t len;
    memset(ix, 0, sizeof *ix);
    ix->text = must_slurp(join(p, dir, "index.csv"), &len);
    if (len == 0 || ix->text[len - 1] != '\n') fail_msg("%s: does not end in a newline", p);
    char *s = ix->text, *nl = strchr(s, '\n');
    *nl = 0;
    ix->header = s;
    int hfields = 1;
    for (const char *c = ix->header; *c; c++) hfields += *c == ',';
    for (s = nl + 1; *s; s = nl + 1) {
        nl = strchr(s, '\n');
        *nl = 0;
        if (ix->n == 64) fail_msg("%s: too many rows", p);
        if (s[0] != '"') fail_msg("%s: row '%s': id field not quoted", p, s);
        char *q = strchr(s + 1, '"');
        if (!q || q[1] != ',') fail_msg("%s: row '%s': bad quoted id", p, s);
        *q = 0;
        ix->row[ix->n].id = s + 1;
        int nf = 0;
        for (char *f = q + 2;; ) {
            assert_true(nf < 32);
            ix->row[ix->n].f[nf++] = f;
            char *c = strchr(f, ',');
            if (!c) break;
            *c = 0;
            f = c + 1;
        }
        ix->row[ix->n].nf = nf;
        if (nf + 1 != hfields)
            fail_msg("%s: row of %s has %d fields, header %d", p, ix->row[ix->n].id, nf + 1, hfields);
        ix->n++;
    }
}

static void index_free(Index *ix)
{
    t_free(ix->text);
    ix->text = NULL;
}

/* Row of id, or -1. */
static int index_find(const Index *ix, const char *id)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->row[i].id, id) == 0) return (int)i;
    return -1;
}

/* Summary field k (I_*) of row i; naxes: number of axis columns (seed included). */
static const char *index_field(const Index *ix, int i, int naxes, int k)
{
    return ix->row[i].f[naxes + k];
}

static double num_field(const char *s)
{
    if (!*s) return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end) fail_msg("'%s' is not a number", s);
    return v;
}

static void index_status(const char *dir, const char *id, int naxes, char *buf, size_t n)
{
    Index ix;
    index_load(&ix, dir);
    int i = index_find(&ix, id);
    if (i < 0) fail_msg("%s/index.csv: no row for %s", dir, id);
    snprintf(buf, n, "%s", index_field(&ix, i, naxes, I_STATUS));
    index_free(&ix);
}

/* ---- a run's own numbers ----------------------------------------------------------------- */

static double csv_num(const char *line, int k)
{
    const char *s = line;
    for (int i = 0; i < k; i++) {
        s = strchr(s, ',');
        if (!s) fail_msg("line '%s' has no field %d", line, k);
        s++;
    }
    if (*s == ',' || !*s || *s == '\n') return NAN;
    return strtod(s, NULL);
}

typedef struct {
    double g_first_start, g_last_start, g_first_end, g_last_end, frac_dead_end;
    double final_loss, final_test_acc;
} Expect;

static void expect_from_run(const char *dir, const char *id, long depth, Expect *x)
{
    char p[PATHMAX];
    x->g_first_start = x->g_last_start = x->g_first_end = x->g_last_end = NAN;
    /* layers.csv: step 0 and the last logged step, layer 1 and layer `depth` */
    char *text = must_slurp(run_file(p, dir, id, "layers.csv"), NULL);
    long last = -1;
    for (char *s = strchr(text, '\n') + 1; *s; s = strchr(s, '\n') + 1) {
        long step = (long)csv_num(s, L_STEP);
        if (step > last) last = step;
    }
    assert_true(last > 0);
    for (char *s = strchr(text, '\n') + 1; *s; s = strchr(s, '\n') + 1) {
        long step = (long)csv_num(s, L_STEP), layer = (long)csv_num(s, L_LAYER);
        double g = csv_num(s, L_GRAD_W_LOG10);
        if (step == 0 && layer == 1) x->g_first_start = g;
        if (step == 0 && layer == depth) x->g_last_start = g;
        if (step == last && layer == 1) x->g_first_end = g;
        if (step == last && layer == depth) x->g_last_end = g;
    }
    t_free(text);
    /* census.csv: mean frac_dead over the hidden layers at the last census */
    text = must_slurp(run_file(p, dir, id, "census.csv"), NULL);
    last = -1;
    for (char *s = strchr(text, '\n') + 1; *s; s = strchr(s, '\n') + 1) {
        long step = (long)csv_num(s, C_STEP);
        if (step > last) last = step;
    }
    double sum = 0;
    int n = 0;
    for (char *s = strchr(text, '\n') + 1; *s; s = strchr(s, '\n') + 1)
        if ((long)csv_num(s, C_STEP) == last && (long)csv_num(s, C_LAYER) <= depth) {
            sum += csv_num(s, C_FRAC_DEAD);
            n++;
        }
    t_free(text);
    assert_int_equal(n, depth);
    x->frac_dead_end = sum / n;
    cJSON *doc = load_json_file(run_file(p, dir, id, "run.json"));
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(sm, "last_loss");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(sm, "final_test_acc");
    if (!cJSON_IsNumber(l) || !cJSON_IsNumber(a))
        fail_msg("%s: summary.last_loss / summary.final_test_acc missing", p);
    x->final_loss = l->valuedouble;
    x->final_test_acc = a->valuedouble;
    t_json_delete(doc);
}

/* index.csv must give the very number the run's files hold, at the digits the run's own CSVs
 * print: 17 (round trip) for float64 runs, 9 for float32 runs. */
static void same_number(const char *what, const char *id, const char *text, double want,
                        int digits)
{
    double got = num_field(text);
    char shown[64];
    snprintf(shown, sizeof shown, "%.*g", digits, want);
    if (isnan(want) ? !isnan(got) : strcmp(text, shown) != 0)
        fail_msg("index.csv %s of %s: '%s' (%.17g), the run's files say %.17g (%s at %d digits)",
                 what, id, text, got, want, shown, digits);
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (!(g_bin = proc_binary("test_sweep"))) return -1;
    if (scratch_dir(g_tmp, "sweep") != 0) return -1;
    snprintf(g_ref_ini, sizeof g_ref_ini, "%s/ref.ini", g_tmp);
    FILE *f = fopen(g_ref_ini, "w");
    if (!f || fputs(REF_INI, f) == EOF || fclose(f) != 0) return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return g_tmp[0] ? rm_tree(g_tmp) : 0;
}

/* The reference sweep (REF_INI at -j 2), run by the first test that needs it. */
static const char *ref_dir(void)
{
    if (!g_ref_dir[0]) {
        char d[PATHMAX];
        sub(d, "ref-j2");
        sweep(g_ref_ini, d, "2", 0);
        snprintf(g_ref_dir, sizeof g_ref_dir, "%s", d);
    }
    return g_ref_dir;
}

/* ---- 1. the sweep directory and index.csv ------------------------------------------------ */

static void test_layout_and_index(void **state)
{
    (void)state;
    const char *dir = ref_dir();
    char p[PATHMAX];
    /* sweep.json: a JSON object */
    cJSON *sj = load_json_file(join(p, dir, "sweep.json"));
    assert_true(cJSON_IsObject(sj));
    t_json_delete(sj);
    /* runs/<id>/ for every point and nothing else, each complete */
    char names[64][256];
    size_t n = list_dir(join(p, dir, "runs"), names, 64);
    assert_int_equal(n, REF_N);
    for (int k = 0; k < REF_N; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++) found |= strcmp(names[i], REF_IDS[k]) == 0;
        if (!found) fail_msg("%s/runs: no directory %s", dir, REF_IDS[k]);
        assert_string_equal(run_status(dir, REF_IDS[k]), "complete");
        assert_true(exists(run_file(p, dir, REF_IDS[k], "layers.csv")));
        assert_true(exists(run_file(p, dir, REF_IDS[k], "census.csv")));
        assert_true(exists(run_file(p, dir, REF_IDS[k], "steps.csv")));
    }
    /* index.csv: id, the axes, seed, the summary columns; one row per point in grid order */
    Index ix;
    index_load(&ix, dir);
    char want_hdr[512];
    snprintf(want_hdr, sizeof want_hdr, "id,depth,dtype,seed,%s", SUMMARY_COLS);
    assert_string_equal(want_hdr, REF_HDR);
    if (strcmp(ix.header, REF_HDR) != 0)
        fail_msg("index.csv header\n  %s\nexpected\n  %s", ix.header, REF_HDR);
    assert_int_equal(ix.n, REF_N);
    for (int k = 0; k < REF_N; k++) {
        const char *id = REF_IDS[k];
        assert_string_equal(ix.row[k].id, id);
        long depth = k < 4 ? 2 : 3;
        char want[16];
        snprintf(want, sizeof want, "%ld", depth);
        assert_string_equal(ix.row[k].f[0], want);
        assert_string_equal(ix.row[k].f[1], (k / 2) % 2 ? "float64" : "float32");
        assert_string_equal(ix.row[k].f[2], k % 2 ? "2" : "1");
        assert_string_equal(index_field(&ix, k, 3, I_STATUS), "complete");
        Expect x;
        expect_from_run(dir, id, depth, &x);
        int digits = (k / 2) % 2 ? 17 : 9;
        same_number("final_loss", id, index_field(&ix, k, 3, I_FINAL_LOSS), x.final_loss, digits);
        same_number("final_test_acc", id, index_field(&ix, k, 3, I_FINAL_TEST_ACC), x.final_test_acc, digits);
        same_number("grad_log10_first_start", id, index_field(&ix, k, 3, I_G_FIRST_START),
                    x.g_first_start, digits);
        same_number("grad_log10_last_start", id, index_field(&ix, k, 3, I_G_LAST_START),
                    x.g_last_start, digits);
        same_number("grad_log10_first_end", id, index_field(&ix, k, 3, I_G_FIRST_END), x.g_first_end, digits);
        same_number("grad_log10_last_end", id, index_field(&ix, k, 3, I_G_LAST_END), x.g_last_end, digits);
        same_number("frac_dead_end", id, index_field(&ix, k, 3, I_FRAC_DEAD_END), x.frac_dead_end, digits);
        /* the guard against a vacuous comparison: real, distinct numbers */
        assert_true(isfinite(x.g_first_start) && isfinite(x.g_last_end) && isfinite(x.final_loss));
        assert_true(x.g_first_start != x.g_last_start);
    }
    index_free(&ix);
}

/* -j 1 and -j 2 give byte-identical traces per run and the same index. */
static void test_jobs_deterministic(void **state)
{
    (void)state;
    const char *a = ref_dir();
    char b[PATHMAX], pa[PATHMAX], pb[PATHMAX];
    sub(b, "ref-j1");
    sweep(g_ref_ini, b, "1", 0);
    for (int k = 0; k < REF_N; k++) {
        assert_same_file(run_file(pa, a, REF_IDS[k], "layers.csv"), run_file(pb, b, REF_IDS[k], "layers.csv"));
        assert_same_file(run_file(pa, a, REF_IDS[k], "census.csv"), run_file(pb, b, REF_IDS[k], "census.csv"));
    }
    assert_same_file(join(pa, a, "index.csv"), join(pb, b, "index.csv"));
    /* and the seeds differ: the second seed is not a copy of the first */
    size_t l1, l2;
    char *t1 = must_slurp(run_file(pa, a, REF_IDS[0], "layers.csv"), &l1);
    char *t2 = must_slurp(run_file(pb, a, REF_IDS[1], "layers.csv"), &l2);
    assert_false(l1 == l2 && memcmp(t1, t2, l1) == 0);
    t_free(t1);
    t_free(t2);
}

/* ---- 2. resume after SIGINT -------------------------------------------------------------- */

/* Two quick points (steps 20) run first, then two slow ones (steps 40000, a second or more
 * of CPU time each) that SIGINT stops as soon as both are seen running: the test acts on
 * observed state, not after a sleep, so a fast idle machine cannot finish them first. */
static const char SLOW_INI[] = "[experiment]\n"
                               "name = slow\n"
                               "[run]\n"
                               "steps = 20, 40000\n"
                               "depth = 2\n"
                               "width = 64\n"
                               "every = 5000\n"
                               "train-size = 256\ntest-size = 64\nbatch = 16\nprobe-size = 32\n"
                               "[sweep]\n"
                               "seeds = 2\n";
static const char *const SLOW_IDS[] = {"steps=20,seed=1", "steps=20,seed=2", "steps=40000,seed=1",
                                       "steps=40000,seed=2"};

/* A run directory whose run is under way: its traces are open under temporary names
 * (steps.csv.partial) and it has no run.json yet. */
static int run_running(const char *dir, const char *id)
{
    char p[PATHMAX];
    if (exists(run_file(p, dir, id, "run.json"))) return 0;
    DIR *d = opendir(run_file(p, dir, id, NULL));
    if (!d) return 0;
    int found = 0;
    for (struct dirent *de; !found && (de = readdir(d));)
        found = strcmp(de->d_name, "steps.csv.partial") == 0;
    closedir(d);
    return found;
}

static void test_interrupt_and_resume(void **state)
{
    (void)state;
    char ini[PATHMAX], dir[PATHMAX], ref[PATHMAX], p[PATHMAX], q[PATHMAX], errf[PATHMAX];
    write_text(sub(ini, "slow.ini"), SLOW_INI);
    sub(dir, "slow");
    sub(ref, "slow-ref");
    sub(errf, "slow.err");
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", dir, "-j", "2", NULL);
    int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    pid_t pid = proc_spawn(g_bin, &a, g_tmp, fd, fd);
    close(fd);
    /* wait until both slow points are running, then stop the sweep as Ctrl-C would */
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (run_running(dir, SLOW_IDS[2]) && run_running(dir, SLOW_IDS[3])) break;
        int ws;
        if (waitpid(pid, &ws, WNOHANG) == pid) fail_msg("the sweep ended before its slow points ran");
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > 60) {
            kill(pid, SIGKILL);
            proc_wait(pid);
            fail_msg("the slow points did not start within 60 s");
        }
        usleep(2000);
    }
    assert_int_equal(kill(pid, SIGINT), 0);
    int status = proc_wait(pid);
    char *err = must_slurp(errf, NULL);
    if (status != 130) fail_msg("sweep stopped by SIGINT: exit %d, expected 130; stderr:\n%s", status, err);
    t_free(err);
    /* the quick points are complete; the stopped ones pending, not failed nor finished */
    Index ix;
    index_load(&ix, dir);
    assert_int_equal(ix.n, 4);
    int pending = 0;
    for (int k = 0; k < 4; k++) {
        int i = index_find(&ix, SLOW_IDS[k]);
        if (i < 0) fail_msg("index.csv: no row for %s", SLOW_IDS[k]);
        const char *st = index_field(&ix, i, 2, I_STATUS);
        if (k < 2) assert_string_equal(st, "complete");
        else if (strcmp(st, "pending") == 0) pending++;
        else
            fail_msg("after SIGINT, index.csv says %s for %s: a stopped point is pending", st,
                     SLOW_IDS[k]);
    }
    index_free(&ix);
    assert_int_equal(pending, 2);
    /* the same command again finishes the sweep */
    sweep(ini, dir, "2", 0);
    sweep(ini, ref, "2", 0);
    for (int k = 0; k < 4; k++) {
        assert_string_equal(run_status(dir, SLOW_IDS[k]), "complete");
        assert_same_file(run_file(p, dir, SLOW_IDS[k], "layers.csv"), run_file(q, ref, SLOW_IDS[k], "layers.csv"));
        assert_same_file(run_file(p, dir, SLOW_IDS[k], "census.csv"), run_file(q, ref, SLOW_IDS[k], "census.csv"));
        char st[32];
        index_status(dir, SLOW_IDS[k], 2, st, sizeof st);
        assert_string_equal(st, "complete");
    }
    assert_same_file(join(p, dir, "index.csv"), join(q, ref, "index.csv"));
}

/* ---- 3. resume after a crash ------------------------------------------------------------- */

typedef struct {
    ino_t ino;
    struct timespec mtime;
} Stamp;

static Stamp stamp(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) fail_msg("%s: %s", path, strerror(errno));
    return (Stamp){st.st_ino, st.st_mtim};
}

static int same_stamp(Stamp a, Stamp b)
{
    return a.ino == b.ino && a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec;
}

static void test_resume_after_crash(void **state)
{
    (void)state;
    const char *ref = ref_dir();
    char dir[PATHMAX], p[PATHMAX], q[PATHMAX];
    sub(dir, "crash");
    sweep(g_ref_ini, dir, "2", 0);
    /* point 1 lost its run.json; point 6 died half-way: only steps.csv and a .partial trace */
    const int lost = 1, half = 6;
    assert_int_equal(unlink(run_file(p, dir, REF_IDS[lost], "run.json")), 0);
    static const char *const gone[] = {"run.json", "layers.csv", "census.csv"};
    for (size_t i = 0; i < 3; i++) assert_int_equal(unlink(run_file(p, dir, REF_IDS[half], gone[i])), 0);
    write_text(run_file(p, dir, REF_IDS[half], "layers.csv.partial"), "step,layer\n0,1\n");
    Stamp before[REF_N][2];
    for (int k = 0; k < REF_N; k++)
        if (k != lost && k != half) {
            before[k][0] = stamp(run_file(p, dir, REF_IDS[k], "run.json"));
            before[k][1] = stamp(run_file(p, dir, REF_IDS[k], "layers.csv"));
        }
    sweep(g_ref_ini, dir, "2", 0);
    for (int k = 0; k < REF_N; k++) {
        if (k == lost || k == half) {
            assert_string_equal(run_status(dir, REF_IDS[k]), "complete");
            assert_same_file(run_file(p, dir, REF_IDS[k], "layers.csv"), run_file(q, ref, REF_IDS[k], "layers.csv"));
            assert_same_file(run_file(p, dir, REF_IDS[k], "census.csv"), run_file(q, ref, REF_IDS[k], "census.csv"));
            continue;
        }
        if (!same_stamp(before[k][0], stamp(run_file(p, dir, REF_IDS[k], "run.json"))) ||
            !same_stamp(before[k][1], stamp(run_file(q, dir, REF_IDS[k], "layers.csv"))))
            fail_msg("resume touched the finished point %s", REF_IDS[k]);
    }
    if (exists(run_file(p, dir, REF_IDS[half], "layers.csv.partial")))
        fail_msg("the crashed run's .partial trace survived its rerun");
    assert_same_file(join(p, dir, "index.csv"), join(q, ref, "index.csv"));
    /* nothing to do: every point untouched */
    Stamp all[REF_N];
    for (int k = 0; k < REF_N; k++) all[k] = stamp(run_file(p, dir, REF_IDS[k], "run.json"));
    sweep(g_ref_ini, dir, "1", 0);
    for (int k = 0; k < REF_N; k++)
        if (!same_stamp(all[k], stamp(run_file(p, dir, REF_IDS[k], "run.json"))))
            fail_msg("a finished sweep run again redid %s", REF_IDS[k]);
}

/* ---- 4. shards and --index --------------------------------------------------------------- */

static void test_shards_and_index(void **state)
{
    (void)state;
    const char *ref = ref_dir();
    char shard[3][PATHMAX], merged[PATHMAX], p[PATHMAX], q[PATHMAX];
    int owner[REF_N];
    for (int k = 0; k < REF_N; k++) owner[k] = -1;
    for (int s = 0; s < 3; s++) {
        char name[32], spec[8];
        snprintf(name, sizeof name, "shard%d", s + 1);
        snprintf(spec, sizeof spec, "%d/3", s + 1);
        sub(shard[s], name);
        ProcArgs a = {0};
        proc_args_add(&a, "sweep", g_ref_ini, "--out", shard[s], "--shard", spec, "-j", "2", NULL);
        run_expect(&a, 0);
        char names[64][256];
        size_t n = list_dir(join(p, shard[s], "runs"), names, 64);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            int k = 0;
            while (k < REF_N && strcmp(REF_IDS[k], names[i]) != 0) k++;
            if (k == REF_N) fail_msg("shard %s ran %s, not a point of the grid", spec, names[i]);
            if (owner[k] >= 0) fail_msg("%s ran by shards %d/3 and %s", names[i], owner[k] + 1, spec);
            owner[k] = s;
            assert_string_equal(run_status(shard[s], names[i]), "complete");
        }
        /* the shard's index lists the whole grid, its own points complete, others pending */
        Index ix;
        index_load(&ix, shard[s]);
        assert_int_equal(ix.n, REF_N);
        for (int k = 0; k < REF_N; k++) {
            int i = index_find(&ix, REF_IDS[k]);
            assert_true(i >= 0);
            int mine = 0;
            for (size_t j = 0; j < n; j++) mine |= strcmp(names[j], REF_IDS[k]) == 0;
            assert_string_equal(index_field(&ix, i, 3, I_STATUS), mine ? "complete" : "pending");
        }
        index_free(&ix);
    }
    for (int k = 0; k < REF_N; k++)
        if (owner[k] < 0) fail_msg("no shard ran %s", REF_IDS[k]);
    /* copy the shards together and rebuild the index */
    sub(merged, "merged");
    must_mkdir(merged);
    must_mkdir(join(p, merged, "runs"));
    char *sj = must_slurp(join(p, shard[0], "sweep.json"), NULL);
    write_text(join(p, merged, "sweep.json"), sj);
    t_free(sj);
    for (int k = 0; k < REF_N; k++)
        if (rename(run_file(p, shard[owner[k]], REF_IDS[k], NULL), run_file(q, merged, REF_IDS[k], NULL)))
            fail_msg("rename %s: %s", p, strerror(errno));
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", "--index", merged, NULL);
    run_expect(&a, 0);
    assert_same_file(join(p, merged, "index.csv"), join(q, ref, "index.csv"));
}

/* ---- 5. a failed point ------------------------------------------------------------------- */

static void test_failed_point(void **state)
{
    (void)state;
    char ini[PATHMAX], dir[PATHMAX], p[PATHMAX];
    write_text(sub(ini, "fail.ini"), "[experiment]\nname = fail\n[run]\n"
                                     "data = gaussian, csv:/nonexistent-gt/missing.csv\n"
                                     "depth = 2\nsteps = 5\n" TINY "[sweep]\nseeds = 2\n");
    sub(dir, "fail");
    sweep(ini, dir, "2", 1);
    static const char *const ids[] = {"data=gaussian,seed=1", "data=gaussian,seed=2",
                                      "data=csv__nonexistent-gt_missing.csv,seed=1",
                                      "data=csv__nonexistent-gt_missing.csv,seed=2"};
    Index ix;
    index_load(&ix, dir);
    if (strncmp(ix.header, "id,data,seed,status,", 20) != 0) fail_msg("index.csv header: %s", ix.header);
    assert_int_equal(ix.n, 4);
    for (int k = 0; k < 4; k++) {
        int i = index_find(&ix, ids[k]);
        if (i < 0) fail_msg("index.csv: no row for %s", ids[k]);
        assert_string_equal(index_field(&ix, i, 2, I_STATUS), k < 2 ? "complete" : "failed");
        if (k < 2) assert_string_equal(run_status(dir, ids[k]), "complete");
        else {
            char name[300];
            snprintf(name, sizeof name, "logs/%s.log", ids[k]);
            char *log = slurp(join(p, dir, name), NULL);
            if (!log) fail_msg("%s: no log for the failed point", p);
            if (!strstr(log, "/nonexistent-gt/missing.csv"))
                fail_msg("%s does not hold the run's error line:\n%s", p, log);
            t_free(log);
        }
    }
    index_free(&ix);
    /* run again: the failed points are tried again and fail again, the others stay */
    sweep(ini, dir, "2", 1);
}

/* ---- 5b. the progress line on a terminal ------------------------------------------------- */

/* On a terminal the sweep redraws one line; it counts the points running from the moment
 * they start: with -j 2 both are running before the first one can end. */
static void test_progress_on_terminal(void **state)
{
    (void)state;
    char ini[PATHMAX], dir[PATHMAX];
    write_text(sub(ini, "tty.ini"), "[experiment]\nname = tty\n[run]\ndepth = 2\nsteps = 5\n" TINY
                                    "[sweep]\nseeds = 3\n");
    sub(dir, "tty");
    int master, slave;
    if (openpty(&master, &slave, NULL, NULL, NULL) != 0) fail_msg("openpty: %s", strerror(errno));
    int null = open("/dev/null", O_WRONLY);
    assert_true(null >= 0);
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", dir, "-j", "2", NULL);
    pid_t pid = proc_spawn(g_bin, &a, g_tmp, null, slave);
    close(slave);
    close(null);
    char out[16384];
    size_t len = 0;
    ssize_t n;
    /* EIO once the child has closed the terminal */
    while (len + 1 < sizeof out && (n = read(master, out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = 0;
    close(master);
    assert_int_equal(proc_wait(pid), 0);
    const char *first_done = strstr(out, "1/3 done");
    const char *two_running = strstr(out, "0/3 done, 0 failed, 2 running");
    if (!two_running || !first_done || two_running > first_done)
        fail_msg("the progress line should show 2 running before the first point ends:\n%s", out);
    if (!strstr(out, "3/3 done, 0 failed, 0 running"))
        fail_msg("no final progress line:\n%s", out);
}

/* ---- 6. a different experiment into the same directory ----------------------------------- */

static void test_other_sweep_same_out(void **state)
{
    (void)state;
    char ini1[PATHMAX], ini2[PATHMAX], dir[PATHMAX], p[PATHMAX];
    write_text(sub(ini1, "one.ini"), "[experiment]\nname = one\n[run]\ndepth = 2\nsteps = 5\n" TINY);
    write_text(sub(ini2, "two.ini"), "[experiment]\nname = two\n[run]\ndepth = 3\nsteps = 5\n" TINY);
    sub(dir, "shared-out");
    sweep(ini1, dir, "1", 0);
    char *index_before = must_slurp(join(p, dir, "index.csv"), NULL);
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini2, "--out", dir, NULL);
    ProcRes r;
    run(&r, &a);
    if (r.status != 2) fail_msg("second experiment into %s: exit %d, expected 2; stderr: %s", dir, r.status, r.err);
    char *nl = strchr(r.err, '\n');
    if (!nl || nl[1]) fail_msg("stderr is not one line: %s", r.err);
    if (!strstr(r.err, dir)) fail_msg("the error does not name %s: %s", dir, r.err);
    if (!strstr(r.err, "depth: 2 -> 3 (fixed key)") || !strstr(r.err, "--force"))
        fail_msg("the error does not say what changed and how to replace the sweep: %s", r.err);
    res_free(&r);
    char *index_after = must_slurp(join(p, dir, "index.csv"), NULL);
    assert_string_equal(index_before, index_after);
    char names[64][256];
    assert_int_equal(list_dir(join(p, dir, "runs"), names, 64), 1);
    assert_string_equal(names[0], "seed=1");
    t_free(index_before);
    t_free(index_after);
}

/* ---- 7. CLI errors ----------------------------------------------------------------------- */

/* Exit status 2, exactly one stderr line containing every needle, and no out dir created. */
static void expect_usage_error(const char *out, const ProcArgs *a, ...)
{
    char cmd[2048];
    proc_args_show(a, cmd, sizeof cmd);
    ProcRes r;
    run(&r, a);
    if (r.status != 2) fail_msg("gradtrace%s: exit %d, expected 2; stderr: %s", cmd, r.status, r.err);
    char *nl = strchr(r.err, '\n');
    if (r.errlen < 2 || !nl || nl[1] != '\0')
        fail_msg("gradtrace%s: stderr is not exactly one line:\n%s", cmd, r.err);
    va_list ap;
    va_start(ap, a);
    for (const char *s; (s = va_arg(ap, const char *));)
        if (!strstr(r.err, s)) {
            va_end(ap);
            fail_msg("gradtrace%s: error line does not mention '%s': %s", cmd, s, r.err);
        }
    va_end(ap);
    res_free(&r);
    if (out && exists(out)) fail_msg("gradtrace%s: created %s", cmd, out);
}

static void test_cli_errors(void **state)
{
    (void)state;
    char out[PATHMAX], bad[PATHMAX], missing[PATHMAX], notsweep[PATHMAX];
    sub(out, "never");
    sub(missing, "no-such.ini");
    sub(bad, "bad.ini");
    write_text(bad, "[experiment]\nname = bad\n[run]\nwidth = 8\ndepth = 0\n");
#define SW(a, ...) ProcArgs a = {0}; proc_args_add(&a, "sweep", __VA_ARGS__, NULL)
    { SW(a, "--out", out); expect_usage_error(out, &a, "experiment file", NULL); }
    { SW(a, missing, "--out", out); expect_usage_error(out, &a, missing, NULL); }
    { SW(a, g_ref_ini); expect_usage_error(out, &a, "--out", NULL); }
    { SW(a, g_ref_ini, "--out"); expect_usage_error(out, &a, "--out", NULL); }
    { SW(a, g_ref_ini, "--out", out, "-j", "0"); expect_usage_error(out, &a, "-j", NULL); }
    { SW(a, g_ref_ini, "--out", out, "-j", "two"); expect_usage_error(out, &a, "-j", NULL); }
    { SW(a, g_ref_ini, "--out", out, "--shard", "4/3"); expect_usage_error(out, &a, "--shard", "4/3", NULL); }
    { SW(a, g_ref_ini, "--out", out, "--shard", "0/3"); expect_usage_error(out, &a, "--shard", NULL); }
    { SW(a, g_ref_ini, "--out", out, "--shard", "x"); expect_usage_error(out, &a, "--shard", NULL); }
    { SW(a, g_ref_ini, "--out", out, "--shard", "1/3x"); expect_usage_error(out, &a, "--shard", NULL); }
    { SW(a, g_ref_ini, "--out", out, "--frobnicate"); expect_usage_error(out, &a, "--frobnicate", NULL); }
    { SW(a, g_ref_ini, g_ref_ini, "--out", out); expect_usage_error(out, &a, "one", NULL); }
    { SW(a, bad, "--out", out); expect_usage_error(out, &a, "bad.ini:5:", "depth", NULL); }
    { SW(a, "--index", out, "--force"); expect_usage_error(out, &a, "--index", "--force", NULL); }
#undef SW
    /* --index on a directory that is not a sweep */
    sub(notsweep, "not-a-sweep");
    must_mkdir(notsweep);
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", "--index", notsweep, NULL);
    expect_usage_error(NULL, &a, notsweep, NULL);
    rm_tree(notsweep);
}

/* ---- 7b. sweeps that grow ----------------------------------------------------------------- */

/* A finished point's files as they are now: where they live (inode, mtime) and their bytes. */
#define POINT_NFILES 4
static const char *const POINT_FILES[POINT_NFILES] = {"run.json", "steps.csv", "layers.csv", "census.csv"};
typedef struct {
    char id[256];
    Stamp st[POINT_NFILES];
    char *text[POINT_NFILES];
    size_t len[POINT_NFILES];
} PointSnap;

static void point_snap(PointSnap *s, const char *dir, const char *id)
{
    char p[PATHMAX];
    snprintf(s->id, sizeof s->id, "%s", id);
    for (int i = 0; i < POINT_NFILES; i++) {
        s->st[i] = stamp(run_file(p, dir, id, POINT_FILES[i]));
        s->text[i] = must_slurp(p, &s->len[i]);
    }
}

static void assert_point_kept(const PointSnap *s, const char *dir)
{
    char p[PATHMAX];
    for (int i = 0; i < POINT_NFILES; i++) {
        run_file(p, dir, s->id, POINT_FILES[i]);
        size_t len;
        char *now = must_slurp(p, &len);
        if (!same_stamp(s->st[i], stamp(p)) || len != s->len[i] || memcmp(now, s->text[i], len) != 0)
            fail_msg("%s: a recorded point's file was rewritten", p);
        t_free(now);
    }
}

/* The ids DIR/sweep.json records, in grid order; returns how many. */
static size_t recorded_ids(const char *dir, char ids[][256], size_t max)
{
    char p[PATHMAX];
    cJSON *sj = load_json_file(join(p, dir, "sweep.json"));
    const cJSON *pt;
    size_t n = 0;
    cJSON_ArrayForEach(pt, cJSON_GetObjectItemCaseSensitive(sj, "points")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(pt, "id");
        if (!cJSON_IsString(id) || n == max) fail_msg("%s: a point without an id, or too many", p);
        snprintf(ids[n++], 256, "%s", id->valuestring);
    }
    t_json_delete(sj);
    return n;
}

/* text with its one occurrence of from replaced by to (tracked). */
static char *edited(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at || strstr(at + 1, from)) fail_msg("'%s' is not in the experiment text once", from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *s = t_alloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return s;
}

/* Sweeps FROM (written as NAME.ini) into NAME/, rewrites NAME.ini as TO and sweeps again
 * (shards > 1: as --shard 1/S ... S/S, one after the other): the n_from recorded points keep
 * their files (inode, mtime, bytes), the new points run, and the directory ends as a fresh
 * sweep of TO does, sweep.json and index.csv byte for byte, n_to rows in grid order. */
static void check_growth(const char *name, const char *from, const char *to, int shards,
                         size_t n_from, size_t n_to)
{
    char ini[PATHMAX], dir[PATHMAX], fresh[PATHMAX], p[PATHMAX], q[PATHMAX], fname[64];
    snprintf(fname, sizeof fname, "%s.ini", name);
    sub(ini, fname);
    sub(dir, name);
    snprintf(fname, sizeof fname, "%s-fresh", name);
    sub(fresh, fname);
    write_text(ini, from);
    sweep(ini, dir, "2", 0);
    static char old[64][256];
    size_t n = recorded_ids(dir, old, 64);
    assert_int_equal(n, n_from);
    static PointSnap snap[64];
    for (size_t k = 0; k < n; k++) point_snap(&snap[k], dir, old[k]);

    write_text(ini, to);
    if (shards <= 1) sweep(ini, dir, "2", 0);
    for (int s = 1; shards > 1 && s <= shards; s++) {
        char spec[16];
        snprintf(spec, sizeof spec, "%d/%d", s, shards);
        ProcArgs a = {0};
        proc_args_add(&a, "sweep", ini, "--out", dir, "--shard", spec, NULL);
        run_expect(&a, 0);
    }
    for (size_t k = 0; k < n; k++) assert_point_kept(&snap[k], dir);
    static char now[64][256];
    assert_int_equal(recorded_ids(dir, now, 64), n_to);
    for (size_t k = 0; k < n_to; k++) assert_string_equal(run_status(dir, now[k]), "complete");
    char names[64][256];
    assert_int_equal(list_dir(join(p, dir, "runs"), names, 64), n_to);

    sweep(ini, fresh, "2", 0);
    assert_same_file(join(p, dir, "sweep.json"), join(q, fresh, "sweep.json"));
    assert_same_file(join(p, dir, "index.csv"), join(q, fresh, "index.csv"));
    Index ix;
    index_load(&ix, dir);
    assert_int_equal(ix.n, n_to);
    for (size_t k = 0; k < n_to; k++) assert_string_equal(ix.row[k].id, now[k]);
    index_free(&ix);
    /* and the guard: the new points are new, run by the second sweep */
    for (size_t k = 0; k < n_to; k++) {
        int recorded = 0;
        for (size_t j = 0; j < n; j++) recorded |= strcmp(now[k], old[j]) == 0;
        if (!recorded)
            assert_same_file(run_file(p, dir, now[k], "layers.csv"), run_file(q, fresh, now[k], "layers.csv"));
    }
}

/* A value added to an axis, in the middle: the new points interleave with the old ones. */
static void test_grow_axis(void **state)
{
    (void)state;
    check_growth("grow-axis", REF_INI, edited(REF_INI, "depth = 2, 3\n", "depth = 2, 4, 3\n"), 1,
                 REF_N, REF_N + 4);
}

#define GROW_INI "[experiment]\nname = grow\n[run]\nactivation = relu, tanh\ndepth = 2\nsteps = 5\n" TINY

/* [sweep] seeds raised: new seeds inside every point's group. */
static void test_grow_seeds(void **state)
{
    (void)state;
    check_growth("grow-seeds", GROW_INI "[sweep]\nseeds = 2\n", GROW_INI "[sweep]\nseeds = 4\n", 1, 4, 8);
}

/* A grown grid run as shards: each shard takes its share of the new points. */
static void test_grow_shards(void **state)
{
    (void)state;
    check_growth("grow-shards", GROW_INI,
                 edited(GROW_INI "[sweep]\nseeds = 2\n", "relu, tanh", "relu, sigmoid, tanh"), 3, 2, 6);
}

/* Any other change is refused, listing what changed, and leaves the sweep as it was;
 * --force replaces the sweep and leaves the other files in DIR alone. */
static void test_grow_refused_and_force(void **state)
{
    (void)state;
    static const char BASE[] = "[experiment]\nname = base\n[run]\ndepth = 2, 3\nsteps = 5\n" TINY;
    char ini[PATHMAX], dir[PATHMAX], fresh[PATHMAX], sj[PATHMAX], p[PATHMAX], q[PATHMAX];
    sub(ini, "changed.ini");
    sub(dir, "refused");
    write_text(sub(p, "base.ini"), BASE);
    sweep(p, dir, "2", 0);
    join(sj, dir, "sweep.json");
    char *sweep_before = must_slurp(sj, NULL), *index_before = must_slurp(join(p, dir, "index.csv"), NULL);
    PointSnap snap[2];
    point_snap(&snap[0], dir, "depth=2,seed=1");
    point_snap(&snap[1], dir, "depth=3,seed=1");
    static const struct {
        const char *from, *to, *want1, *want2;
    } changes[] = {
        {"steps = 5", "steps = 6", "steps: 5 -> 6 (fixed key)", NULL},
        {"width = 8", "width = 8, 16", "new axis width (was fixed at 8)", NULL},
        {"depth = 2, 3", "depth = 3, 4", "axis depth: value 2 removed", NULL},
        {"depth = 2, 3", "depth = 2", "axis depth removed (now fixed at 2)", NULL},
        {"steps = 5\n", "steps = 5\nlr = 0.5\n", "new fixed key lr = 0.5", NULL},
        {"steps = 5\n", "steps = 6\nactivation = relu, tanh\n", "new axis activation",
         "steps: 5 -> 6 (fixed key)"},
    };
    for (size_t i = 0; i < sizeof changes / sizeof *changes; i++) {
        write_text(ini, edited(BASE, changes[i].from, changes[i].to));
        ProcArgs a = {0};
        proc_args_add(&a, "sweep", ini, "--out", dir, NULL);
        expect_usage_error(NULL, &a, sj, changes[i].want1, changes[i].want2 ? changes[i].want2 : "--force",
                           "use --force to replace the sweep, or another --out", NULL);
    }
    char *sweep_after = must_slurp(sj, NULL), *index_after = must_slurp(join(p, dir, "index.csv"), NULL);
    assert_string_equal(sweep_before, sweep_after);
    assert_string_equal(index_before, index_after);
    for (int k = 0; k < 2; k++) assert_point_kept(&snap[k], dir);

    /* --force: depth 3 and 4, seed 2; depth=3,seed=1 is in both grids and still runs anew */
    write_text(join(p, dir, "notes.txt"), "mine\n");
    write_text(ini, edited(BASE, "depth = 2, 3\n", "depth = 3, 4\n"));
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", dir, "--force", NULL);
    run_expect(&a, 0);
    char names[64][256];
    assert_int_equal(list_dir(join(p, dir, "runs"), names, 64), 2);
    assert_string_equal(names[0], "depth=3,seed=1");
    assert_string_equal(names[1], "depth=4,seed=1");
    if (same_stamp(snap[1].st[0], stamp(run_file(p, dir, "depth=3,seed=1", "run.json"))))
        fail_msg("--force kept the old run of depth=3,seed=1");
    assert_string_equal(must_slurp(join(p, dir, "notes.txt"), NULL), "mine\n");
    sub(fresh, "refused-fresh");
    sweep(ini, fresh, "1", 0);
    assert_same_file(join(p, dir, "sweep.json"), join(q, fresh, "sweep.json"));
    assert_same_file(join(p, dir, "index.csv"), join(q, fresh, "index.csv"));

    /* an unreadable sweep.json: refused, and --force, which the message names, replaces it */
    write_text(sj, "{\"points\": [\n");
    ProcArgs b = {0};
    proc_args_add(&b, "sweep", ini, "--out", dir, NULL);
    expect_usage_error(NULL, &b, sj, "unreadable", "--force", NULL);
    run_expect(&a, 0);
    assert_same_file(join(p, dir, "sweep.json"), join(q, fresh, "sweep.json"));
    assert_same_file(join(p, dir, "index.csv"), join(q, fresh, "index.csv"));
}

/* ---- 8. --slurm: the scripts, run as Slurm would run them, and sbatch's answers ----------- */

/* needle in hay, or the test fails showing both */
static void assert_has(const char *what, const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("%s does not hold '%s':\n%s", what, needle, hay);
}

/* Runs /bin/sh SCRIPT in g_tmp with the environment as it is; returns the exit status. */
static int run_script(const char *script, ProcRes *r)
{
    ProcArgs a = {0};
    proc_args_add(&a, script, NULL);
    proc_run(r, "/bin/sh", &a, g_tmp, RUN_TIMEOUT_S, t_realloc);
    if (r->timed_out) fail_msg("sh %s did not finish within %d s", script, RUN_TIMEOUT_S);
    return r->status;
}

/* gradtrace sweep INI --out DIR --slurm ARGS... (NULL-ended); stdout and stderr in *r. */
static void slurm_sweep(ProcRes *r, const char *ini, const char *dir, ...)
{
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", dir, "--slurm", NULL);
    va_list ap;
    va_start(ap, dir);
    for (const char *s; (s = va_arg(ap, const char *));) proc_args_add(&a, s, NULL);
    va_end(ap);
    run(r, &a);
}

static void test_slurm_dry_run(void **state)
{
    (void)state;
    const char *ref = ref_dir();
    char dir[PATHMAX], p[PATHMAX], q[PATHMAX], exe[PATHMAX], want[5 * PATHMAX];
    if (!realpath(g_bin, exe)) fail_msg("realpath %s: %s", g_bin, strerror(errno));
    sub(dir, "slurm-dry");
    ProcRes r;
    slurm_sweep(&r, g_ref_ini, dir, "--dry-run", NULL);
    if (r.status != 0) fail_msg("--slurm --dry-run: exit %d; stderr:\n%s", r.status, r.err);
    assert_has("stdout", r.out, "8 array tasks, 8 with points to run, for the 8 of 8 points left");
    snprintf(want, sizeof want, "  sbatch --parsable %s/slurm/sweep.sbatch\n", dir);
    assert_has("stdout", r.out, want);
    snprintf(want, sizeof want,
             "  sbatch --parsable '--dependency=afterany:<array job id>' %s/slurm/index.sbatch\n", dir);
    assert_has("stdout", r.out, want);
    res_free(&r);
    /* the copy the jobs read, and sweep.json already there for --index */
    assert_same_file(join(p, dir, "experiment.ini"), g_ref_ini);
    assert_true(exists(join(p, dir, "sweep.json")));
    char names[64][256];
    assert_int_equal(list_dir(join(p, dir, "slurm"), names, 64), 2); /* no temporary file */
    struct stat st;
    assert_int_equal(stat(join(p, dir, "slurm/sweep.sbatch"), &st), 0);
    assert_true(st.st_mode & S_IXUSR);

    /* an array of 3 into the same directory: the scripts follow */
    slurm_sweep(&r, g_ref_ini, dir, "--array-size", "3", "--dry-run", NULL);
    if (r.status != 0) fail_msg("--array-size 3 --dry-run: exit %d; stderr:\n%s", r.status, r.err);
    res_free(&r);
    char *s = must_slurp(join(p, dir, "slurm/sweep.sbatch"), NULL);
    if (strncmp(s, "#!/bin/sh\n", 10) != 0) fail_msg("sweep.sbatch: no #!/bin/sh line:\n%s", s);
    assert_has("sweep.sbatch", s, "\n#SBATCH --job-name=gradtrace-ref\n#SBATCH --array=1-3\n");
    snprintf(want, sizeof want, "\n#SBATCH --output=%s/slurm/sweep-%%A_%%a.out\n", dir);
    assert_has("sweep.sbatch", s, want);
    snprintf(want, sizeof want, "\ncd %s || ", g_tmp);
    assert_has("sweep.sbatch", s, want);
    snprintf(want, sizeof want,
             "\nexec %s sweep %s/experiment.ini --out %s --shard \"$((SLURM_ARRAY_TASK_ID))/3\" "
             "-j \"${SLURM_CPUS_PER_TASK:-1}\"\n", exe, dir, dir);
    assert_has("sweep.sbatch", s, want);
    t_free(s);
    s = must_slurp(join(p, dir, "slurm/index.sbatch"), NULL);
    assert_has("index.sbatch", s, "\n#SBATCH --job-name=gradtrace-ref-index\n");
    snprintf(want, sizeof want, "\n#SBATCH --output=%s/slurm/index-%%j.out\nexec %s sweep --index %s\n",
             dir, exe, dir);
    assert_has("index.sbatch", s, want);
    t_free(s);

    /* outside Slurm the array script refuses to guess its task */
    unsetenv("SLURM_ARRAY_TASK_ID");
    if (run_script(join(p, dir, "slurm/sweep.sbatch"), &r) == 0)
        fail_msg("sweep.sbatch without SLURM_ARRAY_TASK_ID exited 0");
    assert_has("its stderr", r.err, "sbatch");
    res_free(&r);
    /* the three tasks and the index job, run as Slurm runs them, give the -j 2 sweep's bytes */
    for (int t = 1; t <= 3; t++) {
        char id[8];
        snprintf(id, sizeof id, "%d", t);
        setenv("SLURM_ARRAY_TASK_ID", id, 1);
        if (t == 2) setenv("SLURM_CPUS_PER_TASK", "2", 1);
        int rc = run_script(join(p, dir, "slurm/sweep.sbatch"), &r);
        unsetenv("SLURM_ARRAY_TASK_ID");
        unsetenv("SLURM_CPUS_PER_TASK");
        if (rc != 0) fail_msg("task %d: exit %d; stderr:\n%s", t, rc, r.err);
        res_free(&r);
    }
    if (run_script(join(p, dir, "slurm/index.sbatch"), &r) != 0)
        fail_msg("index.sbatch: exit %d; stderr:\n%s", r.status, r.err);
    res_free(&r);
    assert_same_file(join(p, dir, "index.csv"), join(q, ref, "index.csv"));
    for (int k = 0; k < REF_N; k++)
        assert_same_file(run_file(p, dir, REF_IDS[k], "layers.csv"), run_file(q, ref, REF_IDS[k], "layers.csv"));

    /* nothing left: nothing to submit; one point lost: an array of one for it */
    slurm_sweep(&r, g_ref_ini, dir, "--dry-run", NULL);
    if (r.status != 0) fail_msg("finished sweep, --dry-run: exit %d; stderr:\n%s", r.status, r.err);
    assert_has("stdout", r.out, "nothing to submit");
    res_free(&r);
    if (unlink(run_file(p, dir, REF_IDS[5], "run.json")) != 0) fail_msg("unlink %s: %s", p, strerror(errno));
    slurm_sweep(&r, g_ref_ini, dir, "--dry-run", NULL);
    if (r.status != 0) fail_msg("one point left, --dry-run: exit %d; stderr:\n%s", r.status, r.err);
    assert_has("stdout", r.out, "1 array tasks, 1 with points to run, for the 1 of 8 points left");
    res_free(&r);
    s = must_slurp(join(p, dir, "slurm/sweep.sbatch"), NULL);
    assert_has("sweep.sbatch", s, "\n#SBATCH --array=1-1\n");
    t_free(s);
}

/* A stand-in for sbatch: records its arguments (one line per call, each followed by '|') and
 * answers as $FAKE_SBATCH says: ok (job ids 4001;gtest then 4002), fail (the first call
 * fails), second (the second call fails). */
static const char FAKE_SBATCH[] =
    "#!/bin/sh\n"
    "d=$FAKE_SBATCH_DIR\n"
    "n=1; [ -e \"$d/called1\" ] && n=2\n"
    ": > \"$d/called$n\"\n"
    "for a in \"$@\"; do printf '%s|' \"$a\"; done >> \"$d/args$n\"\n"
    "case \"$FAKE_SBATCH:$n\" in\n"
    "ok:1|second:1) echo '4001;gtest'; echo 'sbatch: warning: a fake' >&2; exit 0 ;;\n"
    "ok:2) echo 4002; exit 0 ;;\n"
    "*) echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1 ;;\n"
    "esac\n";

/* A stand-in for squeue --me --format=%F: job 4001 still queued when $FAKE_SQUEUE is
 * "running", Slurm unreachable when it is "fail", else only someone else's job 77. */
static const char FAKE_SQUEUE[] =
    "#!/bin/sh\n"
    "case \"$FAKE_SQUEUE\" in\n"
    "running) echo 77; echo 4001 ;;\n"
    "fail) echo 'squeue: error: Unable to contact slurm controller' >&2; exit 1 ;;\n"
    "*) echo 77 ;;\n"
    "esac\n";

/* Runs --slurm (not a dry run) with the fake sbatch and squeue first on PATH, sbatch in mode;
 * returns the fake's state directory (g_tmp/fake-TAG) in state. */
static void fake_submit(ProcRes *r, const char *mode, const char *tag, const char *dir, char *state)
{
    char bin[PATHMAX], p[PATHMAX], path[2 * PATHMAX];
    sub(bin, "fakebin");
    if (!exists(bin)) {
        must_mkdir(bin);
        write_text(join(p, bin, "sbatch"), FAKE_SBATCH);
        if (chmod(p, 0755) != 0) fail_msg("chmod %s: %s", p, strerror(errno));
        write_text(join(p, bin, "squeue"), FAKE_SQUEUE);
        if (chmod(p, 0755) != 0) fail_msg("chmod %s: %s", p, strerror(errno));
    }
    char name[64];
    snprintf(name, sizeof name, "fake-%s", tag);
    must_mkdir(sub(state, name));
    const char *old = getenv("PATH");
    char *saved = t_alloc(strlen(old ? old : "") + 1);
    strcpy(saved, old ? old : "");
    snprintf(path, sizeof path, "%s:%s", bin, saved);
    setenv("PATH", path, 1);
    setenv("FAKE_SBATCH", mode, 1);
    setenv("FAKE_SBATCH_DIR", state, 1);
    slurm_sweep(r, g_ref_ini, dir, "--sbatch-args", "--time=5 --account='a b'", NULL);
    setenv("PATH", saved, 1);
    t_free(saved);
}

/* A resubmission into dir with the fake squeue in mode: exit status, a line naming needle, and
 * sbatch never called. */
static void refused_by_squeue(const char *mode, const char *dir, int status, const char *needle)
{
    char st[PATHMAX], p[PATHMAX], tag[32];
    ProcRes r;
    snprintf(tag, sizeof tag, "squeue-%s", mode);
    setenv("FAKE_SQUEUE", mode, 1);
    fake_submit(&r, "ok", tag, dir, st);
    unsetenv("FAKE_SQUEUE");
    if (r.status != status)
        fail_msg("squeue %s: exit %d, expected %d; stderr:\n%s", mode, r.status, status, r.err);
    assert_has("stderr", r.err, needle);
    assert_false(exists(join(p, st, "called1")));
    res_free(&r);
}

static void test_slurm_submit(void **state)
{
    (void)state;
    char dir[PATHMAX], st[PATHMAX], p[PATHMAX], want[3 * PATHMAX];
    ProcRes r;
    /* both submitted: the ids, the commands to follow them, sbatch's arguments */
    fake_submit(&r, "ok", "ok", sub(dir, "slurm-ok"), st);
    if (r.status != 0) fail_msg("fake sbatch ok: exit %d; stderr:\n%s", r.status, r.err);
    assert_has("stdout", r.out, "submitted: array job 4001 (8 tasks), index job 4002");
    assert_has("stdout", r.out, "squeue -j 4001,4002");
    assert_has("stdout", r.out, "sacct -j 4001,4002");
    assert_has("stderr", r.err, "sbatch: warning: a fake"); /* sbatch's words pass through */
    res_free(&r);
    char *args = must_slurp(join(p, st, "args1"), NULL);
    snprintf(want, sizeof want, "--parsable|--time=5|--account=a b|%s/slurm/sweep.sbatch|", dir);
    assert_string_equal(args, want);
    t_free(args);
    args = must_slurp(join(p, st, "args2"), NULL);
    snprintf(want, sizeof want,
             "--parsable|--dependency=afterany:4001|--time=5|--account=a b|%s/slurm/index.sbatch|", dir);
    assert_string_equal(args, want);
    t_free(args);
    char *jobs = must_slurp(join(p, dir, "slurm/jobs.txt"), NULL);
    assert_has("jobs.txt", jobs, "Z array 4001 tasks 8 index 4002\n");
    t_free(jobs);
    /* again while array 4001 is still queued, or with squeue failing: refused before anything
     * is submitted */
    refused_by_squeue("running", dir, 2, "job 4001 of an earlier submission is still queued or running");
    refused_by_squeue("fail", dir, 1, "Unable to contact slurm controller");
    /* once 4001 has left the queue, the same command submits again */
    fake_submit(&r, "ok", "ok-later", dir, st);
    if (r.status != 0) fail_msg("submission after 4001 ended: exit %d; stderr:\n%s", r.status, r.err);
    res_free(&r);
    jobs = must_slurp(join(p, dir, "slurm/jobs.txt"), NULL);
    char *second = strchr(jobs, '\n');
    assert_non_null(second);
    assert_has("jobs.txt's second line", second, "Z array 4001 tasks 8 index 4002\n");
    t_free(jobs);
    /* the array refused: sbatch's words, exit 1, no second call */
    fake_submit(&r, "fail", "fail", sub(dir, "slurm-fail"), st);
    if (r.status != 1) fail_msg("fake sbatch fail: exit %d, expected 1; stderr:\n%s", r.status, r.err);
    assert_has("stderr", r.err, "Invalid partition name specified");
    assert_has("stderr", r.err, "nothing submitted");
    assert_false(exists(join(p, st, "args2")));
    assert_false(exists(join(p, dir, "slurm/jobs.txt")));
    res_free(&r);
    /* the array submitted, the index job refused: the array's id is reported */
    fake_submit(&r, "second", "second", sub(dir, "slurm-second"), st);
    if (r.status != 1) fail_msg("fake sbatch second: exit %d, expected 1; stderr:\n%s", r.status, r.err);
    assert_has("stderr", r.err, "Invalid partition name specified");
    assert_has("stderr", r.err, "submitted as job 4001");
    snprintf(want, sizeof want, "gradtrace sweep --index %s", dir);
    assert_has("stderr", r.err, want);
    res_free(&r);
    jobs = must_slurp(join(p, dir, "slurm/jobs.txt"), NULL);
    assert_has("jobs.txt", jobs, "Z array 4001 tasks 8 index not submitted\n");
    t_free(jobs);
    /* no sbatch at all: exit 2, this line, nothing written */
    const char *old = getenv("PATH");
    char *saved = t_alloc(strlen(old ? old : "") + 1);
    strcpy(saved, old ? old : "");
    setenv("PATH", "", 1);
    sub(dir, "slurm-none");
    slurm_sweep(&r, g_ref_ini, dir, NULL);
    setenv("PATH", saved, 1);
    t_free(saved);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "gradtrace sweep: sbatch not found: --slurm needs a Slurm client (or "
                               "use --dry-run)\n");
    assert_false(exists(dir));
    res_free(&r);
}

/* A directory that holds another sweep is refused before anything is copied into it. */
static void test_slurm_other_sweep(void **state)
{
    (void)state;
    char ini[PATHMAX], dir[PATHMAX], p[PATHMAX];
    write_text(sub(ini, "other.ini"), "[experiment]\nname = other\n[run]\ndepth = 3\nsteps = 5\n" TINY);
    sub(dir, "slurm-other");
    sweep(g_ref_ini, dir, "2", 0);
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", dir, "--slurm", "--dry-run", NULL);
    expect_usage_error(NULL, &a, dir, "different sweep", "--force", NULL);
    assert_false(exists(join(p, dir, "experiment.ini")));
    assert_false(exists(join(p, dir, "slurm")));
}

/* --slurm on a grown grid submits only the new points (and records the grown grid for
 * --index); --force replaces, but not on a dry run. */
static void test_slurm_grown(void **state)
{
    (void)state;
    char ini[PATHMAX], dir[PATHMAX], p[PATHMAX];
    sub(ini, "slurm-grown.ini");
    sub(dir, "slurm-grown");
    write_text(ini, GROW_INI);
    sweep(ini, dir, "2", 0);
    write_text(ini, GROW_INI "[sweep]\nseeds = 3\n");
    ProcRes r;
    slurm_sweep(&r, ini, dir, "--dry-run", NULL);
    if (r.status != 0) fail_msg("grown grid, --slurm --dry-run: exit %d; stderr:\n%s", r.status, r.err);
    assert_has("stdout", r.out, "5 array tasks, 4 with points to run, for the 4 of 6 points left");
    res_free(&r);
    char ids[64][256];
    assert_int_equal(recorded_ids(dir, ids, 64), 6);
    /* the tasks, run as Slurm runs them, leave the recorded points alone */
    PointSnap snap[2];
    point_snap(&snap[0], dir, "activation=relu,seed=1");
    point_snap(&snap[1], dir, "activation=tanh,seed=1");
    for (int t = 1; t <= 5; t++) {
        char id[8];
        snprintf(id, sizeof id, "%d", t);
        setenv("SLURM_ARRAY_TASK_ID", id, 1);
        int rc = run_script(join(p, dir, "slurm/sweep.sbatch"), &r);
        unsetenv("SLURM_ARRAY_TASK_ID");
        if (rc != 0) fail_msg("task %d: exit %d; stderr:\n%s", t, rc, r.err);
        res_free(&r);
    }
    if (run_script(join(p, dir, "slurm/index.sbatch"), &r) != 0)
        fail_msg("index.sbatch: exit %d; stderr:\n%s", r.status, r.err);
    res_free(&r);
    for (int k = 0; k < 2; k++) assert_point_kept(&snap[k], dir);
    for (int k = 0; k < 6; k++) assert_string_equal(run_status(dir, ids[k]), "complete");
    Index ix;
    index_load(&ix, dir);
    assert_int_equal(ix.n, 6);
    index_free(&ix);
    ProcArgs a = {0};
    proc_args_add(&a, "sweep", ini, "--out", dir, "--slurm", "--dry-run", "--force", NULL);
    expect_usage_error(NULL, &a, "--force", "--dry-run", NULL);
    assert_true(exists(run_file(p, dir, "activation=relu,seed=1", "run.json")));
}

/* The library's pieces on their own: array sizing and the splitting of --sbatch-args. */
static void test_slurm_units(void **state)
{
    (void)state;
    int busy;
    static const size_t two[] = {5, 9}, three[] = {1, 5, 9};
    /* 5 and 9 share a residue mod 2 and mod 4: 3 tasks, two of them busy */
    assert_int_equal(slurm_array_size(two, 2, 64, 0, &busy), 3);
    assert_int_equal(busy, 2);
    assert_int_equal(slurm_array_size(three, 3, 64, 0, &busy), 3);
    assert_int_equal(busy, 3);
    assert_int_equal(slurm_array_size(two, 2, 64, 4, &busy), 4); /* --array-size is obeyed */
    assert_int_equal(busy, 1);
    size_t all[100];
    for (size_t k = 0; k < 100; k++) all[k] = k;
    assert_int_equal(slurm_array_size(all, 12, 64, 0, &busy), 12);
    assert_int_equal(busy, 12);
    assert_int_equal(slurm_array_size(all, 100, 64, 0, &busy), 64);
    assert_int_equal(busy, 64);

    char **w;
    int n;
    GtErr e = {0};
    assert_int_equal(slurm_split_args("  a 'b c'\t\"d\\\"e$x\" f\\ g '' ", &w, &n, &e), 0);
    assert_int_equal(n, 5);
    assert_string_equal(w[0], "a");
    assert_string_equal(w[1], "b c");
    assert_string_equal(w[2], "d\"e$x"); /* nothing expanded */
    assert_string_equal(w[3], "f g");
    assert_string_equal(w[4], "");
    slurm_free_args(w, n);
    assert_int_equal(slurm_split_args("", &w, &n, &e), 0);
    assert_int_equal(n, 0);
    slurm_free_args(w, n);
    assert_int_equal(slurm_split_args("--time=5 -a 1-3", &w, &n, &e), 2);
    assert_non_null(strstr(e.msg, "--array-size"));
    assert_int_equal(slurm_split_args("--dependency=afterok:1", &w, &n, &e), 2);
    assert_int_equal(slurm_split_args("x\\", &w, &n, &e), 2);
    assert_non_null(strstr(e.msg, "backslash"));

    char q[64];
    slurm_shell_quote("/a/b-c_d.sbatch", q, sizeof q);
    assert_string_equal(q, "/a/b-c_d.sbatch");
    slurm_shell_quote("it's here", q, sizeof q);
    assert_string_equal(q, "'it'\\''s here'");
    slurm_shell_quote("", q, sizeof q);
    assert_string_equal(q, "''");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_cli_errors, free_all),
        cmocka_unit_test_teardown(test_layout_and_index, free_all),
        cmocka_unit_test_teardown(test_jobs_deterministic, free_all),
        cmocka_unit_test_teardown(test_resume_after_crash, free_all),
        cmocka_unit_test_teardown(test_shards_and_index, free_all),
        cmocka_unit_test_teardown(test_failed_point, free_all),
        cmocka_unit_test_teardown(test_progress_on_terminal, free_all),
        cmocka_unit_test_teardown(test_other_sweep_same_out, free_all),
        cmocka_unit_test_teardown(test_grow_axis, free_all),
        cmocka_unit_test_teardown(test_grow_seeds, free_all),
        cmocka_unit_test_teardown(test_grow_shards, free_all),
        cmocka_unit_test_teardown(test_grow_refused_and_force, free_all),
        cmocka_unit_test_teardown(test_interrupt_and_resume, free_all),
        cmocka_unit_test_teardown(test_slurm_units, free_all),
        cmocka_unit_test_teardown(test_slurm_dry_run, free_all),
        cmocka_unit_test_teardown(test_slurm_submit, free_all),
        cmocka_unit_test_teardown(test_slurm_other_sweep, free_all),
        cmocka_unit_test_teardown(test_slurm_grown, free_all),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
