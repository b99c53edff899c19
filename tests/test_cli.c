/* Tests of the real `gradtrace` binary (path in $GRADTRACE): exit statuses and one-line errors,
 * the run directory of DESIGN.md §4 (headers copied here as literals: this file guards the
 * contract), determinism, .npy weights, divergence and exact tiny gradient norms. */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "proc.h"
#include "tfiles.h"

#define RUN_TIMEOUT_S 120

/* The contract's headers (DESIGN.md §4), verbatim. */
static const char STEPS_HDR[] = "step,epoch,loss,train_acc,test_loss,test_acc,lr,grad_l2,seconds,clipped";
static const char LAYERS_HDR[] =
    "step,layer,fan_in,fan_out,weight_l2,grad_w_l2,grad_w_log10,grad_b_l2,"
    "delta_rms,delta_log10,act_mean,act_std,frac_zero,frac_dead_batch,frac_saturated,"
    "frac_preact_zero,sign_coherence,update_ratio,frac_update_zero,frac_nonpositive_batch,grad_gamma_l2,grad_beta_l2,resid_ratio";
static const char CENSUS_HDR[] =
    "step,layer,frac_dead,frac_revived,frac_saturated,born_dead,frac_nonpositive";

/* layers.csv columns used below */
enum { L_STEP = 0, L_LAYER = 1, L_FAN_IN = 2, L_FAN_OUT = 3, L_GRAD_W_LOG10 = 6,
       L_DELTA_LOG10 = 9 };

static const char *g_bin;       /* $GRADTRACE */
static char g_tmp[PATHMAX];     /* mkdtemp working directory */

/* ---- running the binary ------------------------------------------------------------------ */

/* The small run every test builds on: a few milliseconds per run. */
static void args_tiny(ProcArgs *a)
{
    proc_args_add(a, "--width", "8", "--steps", "5", "--train-size", "256", "--test-size", "64",
                  "--batch", "16", "--probe-size", "64", NULL);
}

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

/* Runs and requires exit status 0. */
static void run_ok(ProcRes *r, const ProcArgs *a)
{
    run(r, a);
    if (r->status != 0) {
        char cmd[2048];
        proc_args_show(a, cmd, sizeof cmd);
        fail_msg("gradtrace%s: exit %d, stderr: %s", cmd, r->status, r->err);
    }
}

/* ---- files ------------------------------------------------------------------------------- */

static char *sub(char *buf, const char *name) { return join(buf, g_tmp, name); }

static cJSON *load_json(const char *dir)
{
    char p[PATHMAX];
    return load_json_file(join(p, dir, "run.json"));
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(it)) fail_msg("run.json: \"%s\" is not a string", key);
    return it->valuestring;
}

static double json_num(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(it)) fail_msg("run.json: \"%s\" is not a number", key);
    return it->valuedouble;
}

static const cJSON *json_obj(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsObject(it)) fail_msg("run.json: \"%s\" is not an object", key);
    return it;
}

/* A failed run leaves nothing under a final name and no hidden temporary file in dir. */
static void assert_nothing_left(const char *dir)
{
    static const char *const finals[] = {"steps.csv", "layers.csv", "census.csv", "run.json"};
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT && errno != ENOTDIR) fail_msg("%s: %s", dir, strerror(errno));
        return; /* never created: nothing left */
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
        if (n[0] == '.') {
            closedir(d);
            fail_msg("%s: temporary file %s left behind", dir, n);
        }
        for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++)
            if (strcmp(n, finals[i]) == 0) {
                closedir(d);
                fail_msg("%s: %s exists after a failed run", dir, n);
            }
    }
    closedir(d);
}

static void assert_no_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            closedir(d);
            fail_msg("%s: temporary file %s left behind", dir, de->d_name);
        }
    closedir(d);
}

/* ---- CSV --------------------------------------------------------------------------------- */

typedef struct {
    char **lines;  /* pointers into text, '\n' replaced by NUL */
    size_t n;
    char *text;
} Lines;

static void lines_load(Lines *L, const char *dir, const char *name)
{
    char p[PATHMAX];
    size_t len;
    L->text = must_slurp(join(p, dir, name), &len);
    if (len == 0 || L->text[len - 1] != '\n') fail_msg("%s: does not end in a newline", p);
    L->n = 0;
    for (size_t i = 0; i < len; i++) L->n += L->text[i] == '\n';
    L->lines = t_alloc((L->n ? L->n : 1) * sizeof *L->lines);
    char *s = L->text;
    for (size_t k = 0; k < L->n; k++) {
        char *nl = strchr(s, '\n');
        *nl = '\0';
        if (nl > s && nl[-1] == '\r') fail_msg("%s:%zu: CRLF line end", p, k + 1);
        L->lines[k] = s;
        s = nl + 1;
    }
}

static void lines_free(Lines *L)
{
    t_free(L->lines);
    t_free(L->text);
    memset(L, 0, sizeof *L);
}

static size_t nfields(const char *line)
{
    size_t n = 1;
    for (; *line; line++) n += *line == ',';
    return n;
}

/* Field k of a line as a number (the whole field must parse); NAN if empty. */
static double field_num(const char *line, size_t k)
{
    const char *s = line;
    for (size_t i = 0; i < k; i++) {
        s = strchr(s, ',');
        if (!s) fail_msg("line '%s' has no field %zu", line, k);
        s++;
    }
    if (*s == ',' || *s == '\0') return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || (*end && *end != ','))
        fail_msg("line '%s': field %zu is not a number", line, k);
    return v;
}

/* Header exactly as given; every data row with as many fields as the header. */
static void check_csv(const Lines *L, const char *name, const char *header)
{
    if (L->n < 1) fail_msg("%s: empty", name);
    if (strcmp(L->lines[0], header) != 0)
        fail_msg("%s: header\n  %s\nexpected\n  %s", name, L->lines[0], header);
    size_t want = nfields(header);
    if (L->n < 2) fail_msg("%s: no data rows", name);
    for (size_t i = 1; i < L->n; i++)
        if (nfields(L->lines[i]) != want)
            fail_msg("%s:%zu: %zu fields, header has %zu", name, i + 1, nfields(L->lines[i]),
                     want);
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (!(g_bin = proc_binary("test_cli"))) return -1;
    return scratch_dir(g_tmp, "cli");
}

static int group_teardown(void **state)
{
    (void)state;
    return g_tmp[0] ? rm_tree(g_tmp) : 0;
}

/* ---- 1. version and help ----------------------------------------------------------------- */

static void test_version_and_help(void **state)
{
    (void)state;
    ProcRes r;
    ProcArgs a = {0};
    proc_args_add(&a, "--version", NULL);
    run_ok(&r, &a);
    assert_true(strncmp(r.out, "gradtrace ", 10) == 0);
    assert_true(r.out[10] >= '0' && r.out[10] <= '9');
    assert_int_equal(r.errlen, 0);
    res_free(&r);

    ProcArgs h = {0};
    proc_args_add(&h, "run", "--help", NULL);
    run_ok(&r, &h);
    assert_int_equal(r.errlen, 0);
    /* every option of the contract, as --name at the start of a help entry */
    static const char *const opts[] = {
        "depth", "width", "activation", "alpha", "relu-grad-at-zero", "init", "sigma-w2",
        "sigma-b2", "data", "test-csv", "normalize", "input-dim", "classes", "train-size",
        "test-size", "eval-every", "loss", "optimizer", "lr", "momentum", "batch", "steps",
        "epochs", "dtype", "seed", "threads", "every", "census-every", "probe-size",
        "histograms", "save-weights", "out"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\n  --%s ", opts[i]);
        if (!strstr(r.out, needle)) fail_msg("run --help does not list --%s", opts[i]);
    }
    /* defaults shown in brackets on the option's own entry */
    static const char *const defs[][2] = {
        {"--depth ", "[10]"}, {"--width ", "[128]"}, {"--lr ", "[0.01]"},
        {"--dtype ", "[float32]"}, {"--activation ", "[relu]"}, {"--alpha ", "[0.01]"}};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\n  %s", defs[i][0]);
        const char *p = strstr(r.out, needle);
        assert_non_null(p);
        p++;
        /* the entry runs to the next line that starts a new option */
        const char *next = strstr(p, "\n  --");
        size_t len = next ? (size_t)(next - p) : strlen(p);
        char entry[1024];
        snprintf(entry, sizeof entry, "%.*s", (int)(len < 1000 ? len : 1000), p);
        if (!strstr(entry, defs[i][1]))
            fail_msg("run --help entry '%s' does not show default %s", entry, defs[i][1]);
    }
    static const char *const acts[] = {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                       "gelu", "softplus", "swish", "softsign", "linear"};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (!strstr(r.out, acts[i])) fail_msg("run --help does not name activation %s", acts[i]);
    res_free(&r);
}

/* ---- 2. CLI errors ----------------------------------------------------------------------- */

/* Exit status 2, exactly one non-empty line on stderr containing every needle (NULL-ended),
 * and nothing left in outdir. */
static void expect_usage_error(const char *outdir, const ProcArgs *a, ...)
{
    char cmd[2048];
    proc_args_show(a, cmd, sizeof cmd);
    ProcRes r;
    run(&r, a);
    if (r.status != 2)
        fail_msg("gradtrace%s: exit %d, expected 2; stderr: %s", cmd, r.status, r.err);
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
    assert_nothing_left(outdir);
}

static void test_cli_errors(void **state)
{
    (void)state;
    char out[PATHMAX];
    sub(out, "err");
#define BASE(a) ProcArgs a = {0}; proc_args_add(&a, "run", "--depth", "3", "--out", out, NULL); args_tiny(&a)
    { BASE(a); proc_args_add(&a, "--relux", NULL); expect_usage_error(out, &a, "--relux", "unknown", "--help", NULL); }
    { BASE(a); proc_args_add(&a, "--depth", "0", NULL); expect_usage_error(out, &a, "--depth 0", "1 to", NULL); }
    { BASE(a); proc_args_add(&a, "--width", "-3", NULL); expect_usage_error(out, &a, "--width -3", "1 to", NULL); }
    { BASE(a); proc_args_add(&a, "--activation", "relux", NULL);
      expect_usage_error(out, &a, "--activation relux", "sigmoid", "leaky_relu", "softsign", NULL); }
    { BASE(a); proc_args_add(&a, "--lr", "nan", NULL); expect_usage_error(out, &a, "--lr nan", "> 0", NULL); }
    { BASE(a); proc_args_add(&a, "--lr", "0", NULL); expect_usage_error(out, &a, "--lr 0", "> 0", NULL); }
    { BASE(a); proc_args_add(&a, "--dtype", "float16", NULL);
      expect_usage_error(out, &a, "--dtype float16", "float32", "float64", NULL); }
    { BASE(a); proc_args_add(&a, "--depth", NULL); expect_usage_error(out, &a, "--depth", "missing", NULL); }
    { BASE(a); proc_args_add(&a, "--epochs", "1", NULL); expect_usage_error(out, &a, "--steps", "--epochs", NULL); }
    { BASE(a); proc_args_add(&a, "--batch", "100000", NULL); expect_usage_error(out, &a, "--batch 100000", "256", NULL); }
    { BASE(a); proc_args_add(&a, "--data", "csv:/nonexistent.csv", NULL);
      expect_usage_error(out, &a, "/nonexistent.csv", NULL); }
    { BASE(a); proc_args_add(&a, "--save-weights", "999", NULL);
      expect_usage_error(out, &a, "--save-weights 999", "5", NULL); }
    { BASE(a); proc_args_add(&a, "--init", "glorot", NULL); expect_usage_error(out, &a, "--init glorot", "he-normal", NULL); }
    { BASE(a); proc_args_add(&a, "--save-weights", "1,", NULL); expect_usage_error(out, &a, "--save-weights", NULL); }
    { BASE(a); proc_args_add(&a, "--depth", "3x", NULL); expect_usage_error(out, &a, "--depth 3x", NULL); }
    { BASE(a); proc_args_add(&a, "depth", NULL); expect_usage_error(out, &a, "depth", NULL); }
    { BASE(a); proc_args_add(&a, "--probe-size", "100000", NULL);
      expect_usage_error(out, &a, "--probe-size 100000", "256", NULL); }
    { BASE(a); proc_args_add(&a, "--test-size", "many", NULL);
      expect_usage_error(out, &a, "--test-size many", "auto", NULL); }
#undef BASE
    /* an unknown command */
    {
        ProcArgs a = {0};
        proc_args_add(&a, "frobnicate", NULL);
        expect_usage_error(out, &a, "frobnicate", "run", NULL);
    }
}

/* A rejected value's message must state the bound it broke: --lr has an upper one. */
static void test_lr_upper_bound_message(void **state)
{
    (void)state;
    char out[PATHMAX];
    sub(out, "lrbound");
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "3", "--out", out, "--lr", "1e20", NULL);
    args_tiny(&a);
    ProcRes r;
    run(&r, &a);
    if (r.status != 0 && r.status != 2)
        fail_msg("--lr 1e20: exit %d; stderr: %s", r.status, r.err);
    if (r.status == 2 && !strstr(r.err, "1e+15") && !strstr(r.err, "1000000000000000"))
        fail_msg("--lr 1e20 is rejected but the message does not give the upper bound: %s",
                 r.err);
    res_free(&r);
    if (r.status == 2) assert_nothing_left(out);
}

static void test_csv_errors(void **state)
{
    (void)state;
    char out[PATHMAX], csv[PATHMAX], spec[PATHMAX + 8], where[PATHMAX + 8];
    sub(out, "csverr");
    static const struct { const char *name, *text, *classes, *line, *word; } cases[] = {
        {"ragged.csv", "1,2,0\n3,4,1\n5,1\n6,7,0\n", "0", ":3", "fields"},
        {"nonnum.csv", "x1,x2,y\n1,2,0\n3,abc,1\n", "0", ":3", "abc"},
        {"label.csv", "1,2,0\n3,4,1\n5,6,7\n", "3", ":3", "7"},
        {"neglabel.csv", "1,2,0\n3,4,-1\n", "0", ":2", "-1"},
        {"nanfeat.csv", "1,2,0\nnan,4,1\n", "0", ":2", "nan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(sub(csv, cases[i].name), cases[i].text);
        snprintf(spec, sizeof spec, "csv:%s", csv);
        snprintf(where, sizeof where, "%s%s", csv, cases[i].line);
        ProcArgs a = {0};
        proc_args_add(&a, "run", "--depth", "2", "--width", "4", "--steps", "2", "--batch", "1",
                      "--probe-size", "1", "--data", spec, "--classes", cases[i].classes,
                      "--out", out, NULL);
        expect_usage_error(out, &a, where, cases[i].word, NULL);
    }
}

static void test_out_under_a_file(void **state)
{
    (void)state;
    char file[PATHMAX], out[PATHMAX];
    write_text(sub(file, "plainfile"), "keep me\n");
    join(out, file, "run");
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "3", NULL);
    args_tiny(&a);
    proc_args_add(&a, "--out", out, NULL);
    expect_usage_error(out, &a, file, NULL);
    char *text = must_slurp(file, NULL);
    assert_string_equal(text, "keep me\n");
    t_free(text);
    /* --out naming the file itself */
    ProcArgs b = {0};
    proc_args_add(&b, "run", "--depth", "3", NULL);
    args_tiny(&b);
    proc_args_add(&b, "--out", file, NULL);
    expect_usage_error(file, &b, file, NULL);
}

/* ---- 3. a good run ----------------------------------------------------------------------- */

static void test_good_run_files(void **state)
{
    (void)state;
    char out[PATHMAX];
    sub(out, "good");
    const long depth = 4;
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "4", "--dtype", "float64", "--seed", "7", "--every", "2",
                  "--out", out, NULL);
    args_tiny(&a);
    ProcRes r;
    run_ok(&r, &a);
    res_free(&r);
    assert_no_tmp_files(out);

    cJSON *doc = load_json(out);
    assert_string_equal(json_str(doc, "status"), "complete");
    const cJSON *cfg = json_obj(doc, "config");
    assert_true(json_num(cfg, "depth") == (double)depth);
    assert_true(json_num(cfg, "width") == 8);
    assert_true(json_num(cfg, "steps") == 5);
    assert_string_equal(json_str(doc, "dtype"), "float64");
    assert_true(json_num(doc, "seed") == 7);
    const cJSON *blas = json_obj(doc, "blas");
    assert_true(strlen(json_str(blas, "core")) > 0);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(doc, "gradtrace_version"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(doc, "timings"));
    t_json_delete(doc);

    Lines st, ly, ce;
    lines_load(&st, out, "steps.csv");
    lines_load(&ly, out, "layers.csv");
    lines_load(&ce, out, "census.csv");
    check_csv(&st, "steps.csv", STEPS_HDR);
    check_csv(&ly, "layers.csv", LAYERS_HDR);
    check_csv(&ce, "census.csv", CENSUS_HDR);

    /* --every 2 --steps 5: steps 0, 2, 4 (the last step is logged) */
    static const long want[] = {0, 2, 4};
    const size_t nwant = sizeof want / sizeof want[0];
    assert_int_equal(st.n - 1, nwant);
    for (size_t i = 0; i < nwant; i++) {
        assert_true(field_num(st.lines[1 + i], 0) == (double)want[i]);
        assert_true(isfinite(field_num(st.lines[1 + i], 2))); /* loss */
    }
    /* layers.csv: (depth + 1) rows per logged step, layers 1..L+1 in order, every field a
     * number, fan_in of layer l+1 = fan_out of layer l */
    assert_int_equal(ly.n - 1, nwant * (size_t)(depth + 1));
    for (size_t i = 0; i < nwant; i++)
        for (long l = 1; l <= depth + 1; l++) {
            const char *line = ly.lines[1 + i * (size_t)(depth + 1) + (size_t)(l - 1)];
            assert_true(field_num(line, L_STEP) == (double)want[i]);
            assert_true(field_num(line, L_LAYER) == (double)l);
            /* the last three (grad_gamma_l2, grad_beta_l2, resid_ratio) are empty here */
            for (size_t k = 0; k + 3 < nfields(LAYERS_HDR); k++)
                if (isnan(field_num(line, k))) fail_msg("layers.csv: '%s': field %zu empty or nan", line, k);
            if (l > 1) {
                const char *prev = ly.lines[1 + i * (size_t)(depth + 1) + (size_t)(l - 2)];
                assert_true(field_num(line, L_FAN_IN) == field_num(prev, L_FAN_OUT));
            } else {
                assert_true(field_num(line, L_FAN_IN) == 32); /* gaussian data: 32 features */
            }
            if (l <= depth) assert_true(field_num(line, L_FAN_OUT) == 8);
            else assert_true(field_num(line, L_FAN_OUT) == 10); /* 10 classes */
        }
    lines_free(&st);
    lines_free(&ly);
    lines_free(&ce);
}

/* The default --probe-size must suit a small training set (the probe set is drawn from it). */
static void test_default_probe_size_small_train_set(void **state)
{
    (void)state;
    char out[PATHMAX];
    sub(out, "probe-default");
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "2", "--width", "8", "--steps", "2", "--train-size", "256",
                  "--test-size", "64", "--batch", "16", "--out", out, NULL);
    ProcRes r;
    run_ok(&r, &a);
    res_free(&r);
    cJSON *doc = load_json(out);
    double probe = json_num(json_obj(doc, "resolved"), "probe_size");
    assert_true(probe >= 1 && probe <= 256);
    t_json_delete(doc);
}

/* Removes field k (0-based) of a CSV line in place, its comma with it. */
static void drop_field(char *line, int k)
{
    char *start = line;
    for (int i = 0; i < k; i++) {
        start = strchr(start, ',');
        assert_non_null(start);
        start++;
    }
    char *end = strchr(start, ',');
    assert_non_null(end);
    memmove(start, end + 1, strlen(end + 1) + 1);
}

/* ---- 4. determinism ---------------------------------------------------------------------- */

static void determinism(const char *dtype)
{
    char dirs[3][PATHMAX], name[64], p1[PATHMAX], p2[PATHMAX];
    const char *d1 = dirs[0], *d2 = dirs[1], *d3 = dirs[2];
    const char *seeds[3] = {"3", "3", "4"};
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "det-%s-%d", dtype, i);
        sub(dirs[i], name);
        ProcArgs a = {0};
        proc_args_add(&a, "run", "--depth", "3", "--dtype", dtype, "--seed", seeds[i],
                      "--every", "1", "--census-every", "2", "--activation", "tanh",
                      "--out", dirs[i], NULL);
        args_tiny(&a);
        ProcRes r;
        run_ok(&r, &a);
        res_free(&r);
    }
    if (!files_equal(join(p1, d1, "layers.csv"), join(p2, d2, "layers.csv")))
        fail_msg("%s: layers.csv differs between two runs with the same seed", dtype);
    if (!files_equal(join(p1, d1, "census.csv"), join(p2, d2, "census.csv")))
        fail_msg("%s: census.csv differs between two runs with the same seed", dtype);
    Lines s1, s2;
    lines_load(&s1, d1, "steps.csv");
    lines_load(&s2, d2, "steps.csv");
    check_csv(&s1, "steps.csv", STEPS_HDR);
    assert_int_equal(s1.n, s2.n);
    assert_int_equal(s1.n, 6); /* header + steps 0..4 */
    for (size_t i = 0; i < s1.n; i++) {
        drop_field(s1.lines[i], 8); /* seconds: wall-clock */
        drop_field(s2.lines[i], 8);
        if (strcmp(s1.lines[i], s2.lines[i]) != 0)
            fail_msg("%s: steps.csv line %zu differs:\n%s\n%s", dtype, i + 1, s1.lines[i],
                     s2.lines[i]);
    }
    lines_free(&s1);
    lines_free(&s2);
    if (files_equal(join(p1, d1, "layers.csv"), join(p2, d3, "layers.csv")))
        fail_msg("%s: --seed 4 gives the same layers.csv as --seed 3", dtype);
}

/* Evaluation reads the weights and never changes training: the same run with and without
 * --eval-every has byte-identical layers.csv and census.csv, and the same losses. */
static void test_eval_keeps_trajectory(void **state)
{
    (void)state;
    char d1[PATHMAX], d2[PATHMAX], p1[PATHMAX], p2[PATHMAX];
    sub(d1, "eval-off");
    sub(d2, "eval-on");
    for (int i = 0; i < 2; i++) {
        ProcArgs a = {0};
        proc_args_add(&a, "run", "--depth", "3", "--every", "1", "--census-every", "1",
                      "--out", i ? d2 : d1, NULL);
        if (i) proc_args_add(&a, "--eval-every", "2", NULL);
        args_tiny(&a);
        ProcRes r;
        run_ok(&r, &a);
        res_free(&r);
    }
    if (!files_equal(join(p1, d1, "layers.csv"), join(p2, d2, "layers.csv")))
        fail_msg("--eval-every changed layers.csv");
    if (!files_equal(join(p1, d1, "census.csv"), join(p2, d2, "census.csv")))
        fail_msg("--eval-every changed census.csv");
    Lines s1, s2;
    lines_load(&s1, d1, "steps.csv");
    lines_load(&s2, d2, "steps.csv");
    assert_int_equal(s1.n, s2.n);
    size_t evaluated = 0;
    for (size_t i = 1; i < s1.n; i++) {
        assert_true(field_num(s1.lines[i], 2) == field_num(s2.lines[i], 2)); /* loss */
        assert_true(isnan(field_num(s1.lines[i], 4)));                       /* test_loss */
        evaluated += !isnan(field_num(s2.lines[i], 4));
    }
    assert_int_equal(evaluated, 3); /* steps 0, 2, 4 */
    lines_free(&s1);
    lines_free(&s2);
}

/* A step updates each layer as backward finishes it (probes first), except on a step
 * that writes histograms, which takes the long way: backward, then probes, histograms
 * and the update over all layers. Both ways must give the same bits: the run with
 * --histograms on every step and the one without have identical layers.csv. */
static void fused_same_bits(const char *dtype)
{
    char d1[PATHMAX], d2[PATHMAX], p1[PATHMAX], p2[PATHMAX], name[64];
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "fused-%s-%d", dtype, i);
        sub(i ? d2 : d1, name);
        ProcArgs a = {0};
        proc_args_add(&a, "run", "--depth", "4", "--dtype", dtype, "--optimizer", "adam", "--lr",
                      "0.003", "--every", "1", "--activation", "leaky_relu", "--out", i ? d2 : d1,
                      NULL);
        if (i) proc_args_add(&a, "--histograms", NULL);
        args_tiny(&a);
        ProcRes r;
        run_ok(&r, &a);
        res_free(&r);
    }
    assert_true(exists(join(p2, d2, "histograms.csv")));
    if (!files_equal(join(p1, d1, "layers.csv"), join(p2, d2, "layers.csv")))
        fail_msg("%s: the fused step and the long way give different layers.csv", dtype);
    if (!files_equal(join(p1, d1, "census.csv"), join(p2, d2, "census.csv")))
        fail_msg("%s: the fused step and the long way give different census.csv", dtype);
}

static void test_fused_step_f32(void **state) { (void)state; fused_same_bits("float32"); }
static void test_fused_step_f64(void **state) { (void)state; fused_same_bits("float64"); }

static void test_determinism_f32(void **state) { (void)state; determinism("float32"); }
static void test_determinism_f64(void **state) { (void)state; determinism("float64"); }

/* ---- 5. .npy weights --------------------------------------------------------------------- */

typedef struct {
    unsigned char *buf;
    size_t len, data_off;
    int elem, ndim;
    long shape[2];
} Npy;

/* Parses a .npy file and checks its framing: magic, version, dict header ending in '\n',
 * 64-byte alignment of the data, C order, and file size = header + data. */
static void npy_load(Npy *n, const char *path)
{
    memset(n, 0, sizeof *n);
    n->buf = (unsigned char *)must_slurp(path, &n->len);
    if (n->len < 10 || memcmp(n->buf, "\x93NUMPY", 6) != 0) fail_msg("%s: no .npy magic", path);
    size_t hlen, pre;
    if (n->buf[6] == 1) {
        hlen = (size_t)n->buf[8] | (size_t)n->buf[9] << 8;
        pre = 10;
    } else if (n->buf[6] == 2 || n->buf[6] == 3) {
        if (n->len < 12) fail_msg("%s: truncated", path);
        hlen = (size_t)n->buf[8] | (size_t)n->buf[9] << 8 | (size_t)n->buf[10] << 16 |
               (size_t)n->buf[11] << 24;
        pre = 12;
    } else {
        fail_msg("%s: .npy version %d.%d", path, n->buf[6], n->buf[7]);
        return;
    }
    if (n->buf[7] != 0) fail_msg("%s: .npy minor version %d", path, n->buf[7]);
    if (pre + hlen > n->len) fail_msg("%s: header longer than the file", path);
    n->data_off = pre + hlen;
    if (n->data_off % 64 != 0) fail_msg("%s: data start at %zu, not 64-aligned", path, n->data_off);
    char *hdr = t_alloc(hlen + 1);
    memcpy(hdr, n->buf + pre, hlen);
    hdr[hlen] = '\0';
    if (hlen == 0 || hdr[hlen - 1] != '\n' || hdr[0] != '{')
        fail_msg("%s: header is not a dict ending in newline: %s", path, hdr);
    const char *d = strstr(hdr, "'descr': '");
    if (!d) fail_msg("%s: no descr in %s", path, hdr);
    d += strlen("'descr': '");
    if (strncmp(d, "<f4'", 4) == 0) n->elem = 4;
    else if (strncmp(d, "<f8'", 4) == 0) n->elem = 8;
    else fail_msg("%s: descr %.8s", path, d);
    if (!strstr(hdr, "'fortran_order': False")) fail_msg("%s: not C order: %s", path, hdr);
    const char *s = strstr(hdr, "'shape': (");
    if (!s) fail_msg("%s: no shape in %s", path, hdr);
    s += strlen("'shape': (");
    for (;;) {
        while (*s == ' ') s++;
        if (*s == ')') break;
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || n->ndim == 2) fail_msg("%s: bad shape in %s", path, hdr);
        n->shape[n->ndim++] = v;
        s = end;
        while (*s == ' ') s++;
        if (*s == ',') s++;
    }
    t_free(hdr);
    size_t count = 1;
    for (int i = 0; i < n->ndim; i++) count *= (size_t)n->shape[i];
    if (n->len != n->data_off + count * (size_t)n->elem)
        fail_msg("%s: %zu bytes, expected header %zu + data %zu", path, n->len, n->data_off,
                 count * (size_t)n->elem);
}

static double npy_at(const Npy *n, size_t i)
{
    const unsigned char *p = n->buf + n->data_off + i * (size_t)n->elem;
    if (n->elem == 4) {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    double v;
    memcpy(&v, p, 8);
    return v;
}

static void save_weights(const char *dtype, int elem)
{
    char out[PATHMAX], name[64], p0[PATHMAX], p5[PATHMAX], dir0[PATHMAX], dir5[PATHMAX];
    snprintf(name, sizeof name, "weights-%s", dtype);
    sub(out, name);
    const int depth = 3, width = 8, in_dim = 12, classes = 5;
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "3", "--dtype", dtype, "--input-dim", "12",
                  "--classes", "5", "--activation", "tanh", "--save-weights", "0,5",
                  "--out", out, NULL);
    args_tiny(&a);
    ProcRes r;
    run_ok(&r, &a);
    res_free(&r);
    join(dir0, out, "weights/step-0");
    join(dir5, out, "weights/step-5");
    assert_no_tmp_files(dir0);
    assert_no_tmp_files(dir5);
    for (int l = 1; l <= depth + 1; l++) {
        long fan_in = l == 1 ? in_dim : width, fan_out = l == depth + 1 ? classes : width;
        for (int isb = 0; isb < 2; isb++) {
            snprintf(name, sizeof name, "%s%d.npy", isb ? "b" : "W", l);
            Npy n0, n5;
            npy_load(&n0, join(p0, dir0, name));
            npy_load(&n5, join(p5, dir5, name));
            for (int k = 0; k < 2; k++) {
                const Npy *n = k ? &n5 : &n0;
                const char *p = k ? p5 : p0;
                if (n->elem != elem) fail_msg("%s: element size %d, expected %d", p, n->elem, elem);
                if (isb ? n->ndim != 1 || n->shape[0] != fan_out
                        : n->ndim != 2 || n->shape[0] != fan_in || n->shape[1] != fan_out)
                    fail_msg("%s: shape (%ld, %ld) ndim %d, expected %s(%ld, %ld)", p,
                             n->shape[0], n->shape[1], n->ndim, isb ? "1-D " : "", isb ? fan_out : fan_in,
                             fan_out);
            }
            size_t count = isb ? (size_t)fan_out : (size_t)(fan_in * fan_out);
            int nonzero = 0;
            for (size_t i = 0; i < count; i++) {
                if (!isfinite(npy_at(&n0, i)) || !isfinite(npy_at(&n5, i)))
                    fail_msg("%s: non-finite value", name);
                nonzero |= npy_at(&n0, i) != 0;
            }
            if (!isb && !nonzero) fail_msg("%s: initial weights are all zero", p0);
            if (isb && nonzero) fail_msg("%s: initial biases not zero with --sigma-b2 0", p0);
            if (n0.len == n5.len &&
                memcmp(n0.buf + n0.data_off, n5.buf + n5.data_off, n0.len - n0.data_off) == 0)
                fail_msg("%s: step-0 and step-5 weights are identical", name);
            t_free(n0.buf);
            t_free(n5.buf);
        }
    }
    char extra[PATHMAX];
    snprintf(name, sizeof name, "W%d.npy", depth + 2);
    assert_false(exists(join(extra, dir0, name)));
    assert_false(exists(join(extra, out, "weights/step-1")));
}

static void test_save_weights_f32(void **state) { (void)state; save_weights("float32", 4); }
static void test_save_weights_f64(void **state) { (void)state; save_weights("float64", 8); }

/* ---- 6. divergence ----------------------------------------------------------------------- */

static void divergence(const char *dtype)
{
    char out[PATHMAX], name[64];
    snprintf(name, sizeof name, "diverge-%s", dtype);
    sub(out, name);
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "3", "--dtype", dtype, "--optimizer", "sgd", "--lr", "1e6",
                  "--activation", "linear", "--out", out, NULL);
    args_tiny(&a);
    ProcRes r;
    run(&r, &a);
    if (r.status != 0) fail_msg("diverged run: exit %d, expected 0; stderr: %s", r.status, r.err);
    res_free(&r);
    assert_no_tmp_files(out);
    cJSON *doc = load_json(out);
    assert_string_equal(json_str(doc, "status"), "diverged");
    double at = json_num(json_obj(doc, "summary"), "diverged_at_step");
    t_json_delete(doc);
    Lines st;
    lines_load(&st, out, "steps.csv");
    check_csv(&st, "steps.csv", STEPS_HDR);
    assert_true(field_num(st.lines[1], 0) == 0);
    assert_true(st.n - 1 < 5); /* it stopped before the last step */
    /* the last row is the step that diverged: its loss, no gradient norm, no update */
    const char *last = st.lines[st.n - 1];
    if (field_num(last, 0) != at) fail_msg("steps.csv ends at '%s', run.json says diverged at step %g", last, at);
    assert_true(isnan(field_num(last, 7)) && isnan(field_num(last, 9)));
    lines_free(&st);
    char p[PATHMAX];
    assert_true(exists(join(p, out, "layers.csv")));
}

static void test_divergence_f32(void **state) { (void)state; divergence("float32"); }
static void test_divergence_f64(void **state) { (void)state; divergence("float64"); }

/* ---- 7. exact tiny norms ----------------------------------------------------------------- */

static void layer1_norms(const char *dtype, double *gw, double *dl)
{
    char out[PATHMAX], name[64];
    snprintf(name, sizeof name, "tiny-%s", dtype);
    sub(out, name);
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "60", "--width", "32", "--activation", "sigmoid",
                  "--init", "standard", "--steps", "1", "--dtype", dtype, "--seed", "1",
                  "--train-size", "256", "--test-size", "64", "--batch", "16",
                  "--probe-size", "64", "--out", out, NULL);
    ProcRes r;
    run_ok(&r, &a);
    res_free(&r);
    Lines ly;
    lines_load(&ly, out, "layers.csv");
    check_csv(&ly, "layers.csv", LAYERS_HDR);
    assert_int_equal(ly.n - 1, 61);
    const char *row = ly.lines[1];
    assert_true(field_num(row, L_STEP) == 0);
    assert_true(field_num(row, L_LAYER) == 1);
    *gw = field_num(row, L_GRAD_W_LOG10);
    *dl = field_num(row, L_DELTA_LOG10);
    /* and the gradient shrinks from the output towards the input */
    double out_gw = field_num(ly.lines[61], L_GRAD_W_LOG10);
    assert_true(isfinite(out_gw) && out_gw > *gw + 10);
    lines_free(&ly);
    if (!isfinite(*gw) || !isfinite(*dl))
        fail_msg("%s: layer 1 grad_w_log10 %g, delta_log10 %g: not finite", dtype, *gw, *dl);
    if (*gw >= -15 || *dl >= -15)
        fail_msg("%s: layer 1 grad_w_log10 %g, delta_log10 %g: expected < -15", dtype, *gw, *dl);
}

static void test_exact_tiny_norms(void **state)
{
    (void)state;
    double gw32, dl32, gw64, dl64;
    layer1_norms("float32", &gw32, &dl32);
    layer1_norms("float64", &gw64, &dl64);
    if (fabs(gw32 - gw64) > 1e-3)
        fail_msg("grad_w_log10: float32 %.9g vs float64 %.9g", gw32, gw64);
    if (fabs(dl32 - dl64) > 1e-3)
        fail_msg("delta_log10: float32 %.9g vs float64 %.9g", dl32, dl64);
}

/* ---- 8. csv data ------------------------------------------------------------------------- */

static void test_csv_data_with_header(void **state)
{
    (void)state;
    char csv[PATHMAX], spec[PATHMAX + 8], out[PATHMAX];
    sub(csv, "train.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fprintf(f, "x1,x2,x3,label\n");
    for (int i = 0; i < 120; i++) {
        int y = i % 3;
        fprintf(f, "%.3f,%.3f,%.3f,%d\n", y + 0.1 * (i % 7), -y + 0.05 * (i % 5), 0.01 * i, y);
    }
    assert_int_equal(fclose(f), 0);
    snprintf(spec, sizeof spec, "csv:%s", csv);
    sub(out, "csvrun");
    ProcArgs a = {0};
    proc_args_add(&a, "run", "--depth", "3", "--width", "8", "--steps", "5", "--batch", "16",
                  "--probe-size", "32", "--test-size", "20", "--data", spec, "--out", out, NULL);
    ProcRes r;
    run_ok(&r, &a);
    res_free(&r);
    cJSON *doc = load_json(out);
    assert_string_equal(json_str(doc, "status"), "complete");
    const cJSON *res = json_obj(doc, "resolved");
    assert_true(json_num(res, "classes") == 3);
    assert_true(json_num(res, "input_dim") == 3);
    assert_true(json_num(res, "train_size") == 100);
    assert_true(json_num(res, "test_size") == 20);
    t_json_delete(doc);
    Lines ly;
    lines_load(&ly, out, "layers.csv");
    check_csv(&ly, "layers.csv", LAYERS_HDR);
    assert_true(field_num(ly.lines[1], L_FAN_IN) == 3);
    assert_true(field_num(ly.lines[4], L_FAN_OUT) == 3);
    lines_free(&ly);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_version_and_help, free_all),
        cmocka_unit_test_teardown(test_cli_errors, free_all),
        cmocka_unit_test_teardown(test_lr_upper_bound_message, free_all),
        cmocka_unit_test_teardown(test_csv_errors, free_all),
        cmocka_unit_test_teardown(test_out_under_a_file, free_all),
        cmocka_unit_test_teardown(test_good_run_files, free_all),
        cmocka_unit_test_teardown(test_default_probe_size_small_train_set, free_all),
        cmocka_unit_test_teardown(test_eval_keeps_trajectory, free_all),
        cmocka_unit_test_teardown(test_determinism_f32, free_all),
        cmocka_unit_test_teardown(test_determinism_f64, free_all),
        cmocka_unit_test_teardown(test_fused_step_f32, free_all),
        cmocka_unit_test_teardown(test_fused_step_f64, free_all),
        cmocka_unit_test_teardown(test_save_weights_f32, free_all),
        cmocka_unit_test_teardown(test_save_weights_f64, free_all),
        cmocka_unit_test_teardown(test_divergence_f32, free_all),
        cmocka_unit_test_teardown(test_divergence_f64, free_all),
        cmocka_unit_test_teardown(test_exact_tiny_norms, free_all),
        cmocka_unit_test_teardown(test_csv_data_with_header, free_all),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
