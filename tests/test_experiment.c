/* Tests for experiment.c: INI parsing of [experiment], [run] and [sweep] (values checked by the
 * run option table, every error "FILE:LINE: key: what is wrong" with GT_EINPUT), and grid
 * expansion: point count, order (first axis outermost, seed innermost), run ids, seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment.h"
#include "tfiles.h"

static char g_tmp[PATHMAX];
static Experiment g_x, g_y; /* freed by the teardown, so a failed assertion leaks nothing */
static int g_nfile;

/* ---- files ------------------------------------------------------------------------------- */

/* Writes text to a fresh file under the scratch directory; returns its path (static). */
static const char *ini(const char *text)
{
    static char path[PATHMAX + 32];
    snprintf(path, sizeof path, "%s/exp%d.ini", g_tmp, ++g_nfile);
    write_text(path, text);
    return path;
}

static void load_ok(Experiment *x, const char *text)
{
    const char *path = ini(text);
    GtErr e = {0};
    int rc = experiment_load(x, path, &e);
    if (rc != GT_OK) fail_msg("experiment_load:\n%s\nrc %d: %s", text, rc, e.msg);
    assert_non_null(x->name);
}

/* experiment_load must refuse text with GT_EINPUT and a message that starts with
 * "PATH:LINE: " (lines: one of the 0-terminated list; none given: "PATH:" and any line or
 * none) followed, when key is given, by "key: ", and contains every needle (NULL-ended). */
static void expect_error_v(const char *text, const int *lines, const char *key, va_list ap)
{
    const char *path = ini(text);
    GtErr e = {0};
    Experiment x;
    int rc = experiment_load(&x, path, &e);
    if (rc != GT_EINPUT)
        fail_msg("experiment_load accepted or failed with %d (expected GT_EINPUT %d):\n%s\n-> %s", rc,
                 GT_EINPUT, text, e.msg);
    assert_int_equal(e.code, GT_EINPUT);
    /* a refused file leaves nothing allocated behind */
    assert_null(x.name);
    assert_null(x.keys);
    assert_int_equal(x.nkeys, 0);
    char want[PATHMAX + 256];
    int matched = 0;
    if (!lines || !lines[0]) {
        snprintf(want, sizeof want, "%s:", path);
        matched = strncmp(e.msg, want, strlen(want)) == 0;
    } else {
        for (const int *l = lines; *l && !matched; l++) {
            if (key) snprintf(want, sizeof want, "%s:%d: %s: ", path, *l, key);
            else snprintf(want, sizeof want, "%s:%d: ", path, *l);
            matched = strncmp(e.msg, want, strlen(want)) == 0;
            if (!matched && key) {
                /* the key may be the other one of a conflicting pair: check file:line only */
                snprintf(want, sizeof want, "%s:%d: ", path, *l);
                matched = strncmp(e.msg, want, strlen(want)) == 0 && strstr(e.msg, key);
            }
        }
    }
    if (!matched)
        fail_msg("error message does not start with \"%s\" (file:line: key:):\n%s\n-> %s", want,
                 text, e.msg);
    for (const char *s; (s = va_arg(ap, const char *));)
        if (!strstr(e.msg, s)) fail_msg("error message lacks '%s':\n%s\n-> %s", s, text, e.msg);
    if (strchr(e.msg, '\n')) fail_msg("error message is not one line: %s", e.msg);
}

static void expect_error(const char *text, int line, const char *key, ...)
{
    int lines[2] = {line, 0};
    va_list ap;
    va_start(ap, key);
    expect_error_v(text, lines, key, ap);
    va_end(ap);
}

/* The error is about two lines (a conflict): either may be named. */
static void expect_error2(const char *text, int line1, int line2, const char *key, ...)
{
    int lines[3] = {line1, line2, 0};
    va_list ap;
    va_start(ap, key);
    expect_error_v(text, lines, key, ap);
    va_end(ap);
}

static void id_of(const Experiment *x, size_t k, char *buf, size_t n)
{
    memset(buf, 'X', n);
    experiment_point_id(x, k, buf, n);
    if (!memchr(buf, 0, n)) fail_msg("point %zu: id not NUL-terminated", k);
}

static void expect_ids(const Experiment *x, const char *const *ids, size_t n)
{
    assert_int_equal(experiment_points(x), n);
    for (size_t k = 0; k < n; k++) {
        char id[1024];
        id_of(x, k, id, sizeof id);
        if (strcmp(id, ids[k]) != 0) fail_msg("point %zu: id '%s', expected '%s'", k, id, ids[k]);
    }
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    return scratch_dir(g_tmp, "exp");
}

static int group_teardown(void **state)
{
    (void)state;
    return g_tmp[0] ? rm_tree(g_tmp) : 0;
}

static int free_x(void **state)
{
    (void)state;
    experiment_free(&g_x);
    experiment_free(&g_y);
    return 0;
}

/* ---- parsing ----------------------------------------------------------------------------- */

static void test_minimal(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = tiny\n");
    assert_string_equal(g_x.name, "tiny");
    assert_null(g_x.title);
    assert_null(g_x.claim);
    assert_null(g_x.description);
    assert_int_equal(g_x.nkeys, 0);
    assert_int_equal(g_x.seeds, 1);
    assert_int_equal(g_x.seed0, 1);
    assert_int_equal(g_x.seed_axis, 0);
    assert_non_null(g_x.path);
    assert_int_equal(experiment_points(&g_x), 1);
    const char *ids[] = {"seed=1"};
    expect_ids(&g_x, ids, 1);
    char buf[64];
    assert_null(experiment_point_value(&g_x, 0, "depth", buf, sizeof buf));
    assert_string_equal(experiment_point_value(&g_x, 0, "seed", buf, sizeof buf), "1");
}

static void test_experiment_text(void **state)
{
    (void)state;
    load_ok(&g_x, "; a comment\n"
                  "# another\n"
                  "[experiment]\n"
                  "name = texts\n"
                  "title =   Gradient norms per layer   \n"
                  "claim = S1\n"
                  "description = first line\n"
                  "  second line\n"
                  "\tthird line\n"
                  "\n"
                  "[run]\n"
                  "depth = 3\n");
    assert_string_equal(g_x.name, "texts");
    assert_string_equal(g_x.title, "Gradient norms per layer");
    assert_string_equal(g_x.claim, "S1");
    assert_string_equal(g_x.description, "first line second line third line");
    assert_int_equal(g_x.nkeys, 1);
}

static void test_run_keys(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\n"
                  "name = keys\n"
                  "[run]\n"
                  "activation = sigmoid ,tanh,  relu\n"
                  "width = 8\n"
                  "normalize = true\n"
                  "lr = 0.1, 1e-3\n"
                  "save-weights = 0,10\n"
                  "data = csv:/x/y.csv\n"
                  "test-size = auto\n"
                  "[sweep]\n"
                  "seeds = 2\n");
    assert_int_equal(g_x.nkeys, 7);
    static const char *const names[] = {"activation", "width", "normalize", "lr",
                                        "save-weights", "data", "test-size"};
    static const int ns[] = {3, 1, 1, 2, 1, 1, 1};
    for (int i = 0; i < 7; i++) {
        assert_string_equal(g_x.keys[i].key, names[i]);
        assert_int_equal(g_x.keys[i].n, ns[i]);
    }
    assert_string_equal(g_x.keys[0].values[0], "sigmoid");
    assert_string_equal(g_x.keys[0].values[1], "tanh");
    assert_string_equal(g_x.keys[0].values[2], "relu");
    assert_string_equal(g_x.keys[3].values[1], "1e-3");
    /* save-weights takes a list itself: one value, not an axis */
    assert_string_equal(g_x.keys[4].values[0], "0,10");
    assert_int_equal(g_x.seeds, 2);
    assert_int_equal(experiment_points(&g_x), 3 * 2 * 2);
    char buf[64];
    assert_string_equal(experiment_point_value(&g_x, 0, "save-weights", buf, sizeof buf), "0,10");
    assert_string_equal(experiment_point_value(&g_x, 5, "data", buf, sizeof buf), "csv:/x/y.csv");
    assert_null(experiment_point_value(&g_x, 0, "depth", buf, sizeof buf));
    char id[256];
    id_of(&g_x, 0, id, sizeof id);
    assert_string_equal(id, "activation=sigmoid,lr=0.1,seed=1");
}

static void test_save_weights_list_is_one_value(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = sw\n[run]\nsave-weights = 0, 10, 100\nsteps = 100\n");
    assert_int_equal(experiment_points(&g_x), 1);
    assert_int_equal(g_x.keys[0].n, 1);
    const char *ids[] = {"seed=1"};
    expect_ids(&g_x, ids, 1);
    /* and its steps are still checked */
    expect_error("[experiment]\nname = sw\n[run]\nsave-weights = 0,x\n", 4, "save-weights",
                 "0,x", NULL);
}

/* idx:IMAGES,LABELS holds a comma of its own: it is one data set, not a two-value axis. */
static void test_idx_data_is_one_value(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = idx\n[run]\ndata = idx:/d/images.idx,/d/labels.idx\n");
    if (experiment_points(&g_x) != 1)
        fail_msg("data = idx:/d/images.idx,/d/labels.idx gives %zu points (split into an axis), "
                 "expected 1", experiment_points(&g_x));
    char buf[64];
    assert_string_equal(experiment_point_value(&g_x, 0, "data", buf, sizeof buf),
                        "idx:/d/images.idx,/d/labels.idx");
}

static void test_errors_per_line(void **state)
{
    (void)state;
#define HEAD "[experiment]\nname = e\n[run]\n" /* lines 1-3; the next line is 4 */
    expect_error(HEAD "relux = 1\n", 4, "relux", "not a gradtrace run option", NULL);
    expect_error(HEAD "width = 8\ndepth = 0\n", 5, "depth", "0", "1", NULL);
    expect_error(HEAD "depth = 3x\n", 4, "depth", "3x", NULL);
    expect_error(HEAD "activation = relu, relux\n", 4, "activation", "relux", "sigmoid",
                 "leaky_relu", NULL);
    expect_error(HEAD "\n; comment\n\nlr = 0.1, -1\n", 7, "lr", "-1", NULL);
    expect_error(HEAD "depth = 10,,20\n", 4, "depth", "empty", NULL);
    expect_error(HEAD "depth = 10,20,\n", 4, "depth", "empty", NULL);
    expect_error(HEAD "depth = \n", 4, "depth", "empty", NULL);
    expect_error(HEAD "width = 8\ndepth = 10, 20, 10\n", 5, "depth", "10", "repeated", NULL);
    expect_error(HEAD "depth = 3\nwidth = 8\ndepth = 4\n", 6, "depth", "twice", NULL);
    expect_error(HEAD "out = somewhere\n", 4, "out", "--out", NULL);
    expect_error(HEAD "threads = 2\n", 4, "threads", "-j", NULL);
    expect_error(HEAD "normalize = maybe\n", 4, "normalize", "maybe", NULL);
    expect_error(HEAD "batch = 64, 0\n", 4, "batch", "0", NULL);
    expect_error(HEAD "init = glorot\n", 4, "init", "glorot", "he-normal", NULL);
    expect_error(HEAD "dtype = float16\n", 4, "dtype", "float16", "float64", NULL);
    expect_error(HEAD "depth = 3\n[sweep]\nseeds = 0\n", 6, "seeds", "0", NULL);
    expect_error(HEAD "depth = 3\n[sweep]\nseeds = many\n", 6, "seeds", "many", NULL);
    expect_error(HEAD "depth = 3\n[sweep]\nrepeats = 2\n", 6, "repeats", "seeds", NULL);
    expect_error("[experiment]\nname = e\nauthor = me\n", 3, "author", "name", NULL);
    expect_error(HEAD "depth = 3\nthis line has no equals sign\n", 5, NULL, NULL);
    /* an unknown section: named with the line of its header or of its first key */
    expect_error2(HEAD "depth = 3\n[runs]\ndepth = 4\n", 5, 6, NULL, "[runs]", NULL);
    /* ... also with no key under it: at the end of the file, before another section, first */
    expect_error(HEAD "depth = 3\n[runs]\n", 5, NULL,
                 "[runs]: unknown section (experiment, run, sweep)", NULL);
    expect_error(HEAD "depth = 3\n[runs]\n; nothing\n\n[sweep]\nseeds = 2\n", 5, NULL, "[runs]",
                 NULL);
    expect_error("[notes]\n[experiment]\nname = e\n[run]\ndepth = 3\n", 1, NULL, "[notes]", NULL);
#undef HEAD
    /* the [experiment] name is required */
    expect_error("[experiment]\ntitle = no name\n[run]\ndepth = 3\n", 0, NULL, "name", NULL);
    /* a file that cannot be read */
    GtErr e = {0};
    Experiment x;
    char missing[PATHMAX + 32];
    snprintf(missing, sizeof missing, "%s/no-such.ini", g_tmp);
    assert_int_equal(experiment_load(&x, missing, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, missing));
    assert_null(x.name);
}

/* Conflicts between keys are refused too, naming the file, a line of the conflict and the
 * keys. */
static void test_errors_across_keys(void **state)
{
    (void)state;
    expect_error2("[experiment]\nname = e\n[run]\nsteps = 5\nwidth = 8\nepochs = 2\n", 4, 6,
                  "epochs", "steps", "epochs", NULL);
    /* also when only one point of the grid has the conflict */
    expect_error2("[experiment]\nname = e\n[run]\nsteps = 0, 5\nepochs = 2\n", 4, 5, "epochs",
                  "steps", "epochs", NULL);
    expect_error2("[experiment]\nname = e\n[run]\nseed = 1, 2\n[sweep]\nseeds = 3\n", 4, 6, "seed",
                  "seed", "seeds", NULL);
    /* the same with [sweep] first */
    expect_error2("[sweep]\nseeds = 3\n[experiment]\nname = e\n[run]\nwidth = 8\nseed = 4, 5\n", 2, 7,
                  "seed", "seeds", NULL);
}

/* A single seed with [sweep] seeds is fine, as is a seed axis with seeds = 1. */
static void test_seed_combinations_accepted(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = s\n[run]\nseed = 5\n[sweep]\nseeds = 3\n");
    assert_int_equal(g_x.seed0, 5);
    assert_int_equal(g_x.seed_axis, 0);
    const char *ids[] = {"seed=5", "seed=6", "seed=7"};
    expect_ids(&g_x, ids, 3);
    char buf[64];
    for (size_t k = 0; k < 3; k++) {
        char want[8];
        snprintf(want, sizeof want, "%zu", 5 + k);
        assert_string_equal(experiment_point_value(&g_x, k, "seed", buf, sizeof buf), want);
    }
    load_ok(&g_y, "[experiment]\nname = s\n[run]\nseed = 3, 9\n[sweep]\nseeds = 1\n");
    assert_int_equal(g_y.seed_axis, 1);
    const char *ids2[] = {"seed=3", "seed=9"};
    expect_ids(&g_y, ids2, 2);
    assert_string_equal(experiment_point_value(&g_y, 1, "seed", buf, sizeof buf), "9");
}

/* ---- grid expansion ---------------------------------------------------------------------- */

typedef struct {
    char keys[16][32];
    char vals[16][64];
    int n;
} Seen;

static void collect(void *ctx, const char *key, const char *val)
{
    Seen *s = ctx;
    assert_true(s->n < 16);
    snprintf(s->keys[s->n], sizeof s->keys[0], "%s", key);
    snprintf(s->vals[s->n], sizeof s->vals[0], "%s", val);
    s->n++;
}

static void test_grid_order_and_ids(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = grid\n[run]\n"
                  "activation = relu, tanh\n"
                  "width = 8\n"
                  "depth = 20, 30, 40\n"
                  "[sweep]\nseeds = 2\n");
    static const char *const acts[] = {"relu", "tanh"};
    static const char *const depths[] = {"20", "30", "40"};
    assert_int_equal(experiment_points(&g_x), 2 * 3 * 2);
    size_t k = 0;
    for (int a = 0; a < 2; a++)
        for (int d = 0; d < 3; d++)
            for (int s = 1; s <= 2; s++, k++) {
                char want[128], id[1024], buf[64];
                snprintf(want, sizeof want, "activation=%s,depth=%s,seed=%d", acts[a], depths[d], s);
                id_of(&g_x, k, id, sizeof id);
                if (strcmp(id, want) != 0) fail_msg("point %zu: id '%s', expected '%s'", k, id, want);
                assert_string_equal(experiment_point_value(&g_x, k, "activation", buf, sizeof buf), acts[a]);
                assert_string_equal(experiment_point_value(&g_x, k, "depth", buf, sizeof buf), depths[d]);
                assert_string_equal(experiment_point_value(&g_x, k, "width", buf, sizeof buf), "8");
                char seed[8];
                snprintf(seed, sizeof seed, "%d", s);
                assert_string_equal(experiment_point_value(&g_x, k, "seed", buf, sizeof buf), seed);
                /* foreach: every key in file order, seed last */
                Seen seen = {0};
                experiment_point_foreach(&g_x, k, collect, &seen);
                assert_int_equal(seen.n, 4);
                assert_string_equal(seen.keys[0], "activation");
                assert_string_equal(seen.vals[0], acts[a]);
                assert_string_equal(seen.keys[1], "width");
                assert_string_equal(seen.vals[1], "8");
                assert_string_equal(seen.keys[2], "depth");
                assert_string_equal(seen.vals[2], depths[d]);
                assert_string_equal(seen.keys[3], "seed");
                assert_string_equal(seen.vals[3], seed);
            }
}

static void test_ids_stable_and_unique(void **state)
{
    (void)state;
    static const char text[] = "[experiment]\nname = u\n[run]\n"
                               "init = he-normal, xavier-normal, gaussian\n"
                               "depth = 2, 3\n"
                               "lr = 0.1, 0.01\n"
                               "sigma-w2 = 1, 2\n"
                               "[sweep]\nseeds = 3\n";
    load_ok(&g_x, text);
    load_ok(&g_y, text);
    size_t n = experiment_points(&g_x);
    assert_int_equal(n, 3 * 2 * 2 * 2 * 3);
    assert_int_equal(experiment_points(&g_y), n);
    static char ids[72][256];
    for (size_t k = 0; k < n; k++) {
        char again[256];
        id_of(&g_x, k, ids[k], sizeof ids[k]);
        id_of(&g_y, k, again, sizeof again);
        assert_string_equal(ids[k], again);
        id_of(&g_x, k, again, sizeof again);
        assert_string_equal(ids[k], again);
        for (size_t j = 0; j < k; j++)
            if (strcmp(ids[j], ids[k]) == 0) fail_msg("points %zu and %zu share id %s", j, k, ids[k]);
    }
    assert_string_equal(ids[0], "init=he-normal,depth=2,lr=0.1,sigma-w2=1,seed=1");
    assert_string_equal(ids[n - 1], "init=gaussian,depth=3,lr=0.01,sigma-w2=2,seed=3");
}

static int safe_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr(".-+_=,", c) != NULL;
}

static void test_ids_sanitised(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = s\n[run]\ndata = csv:/x/y.csv, gaussian\n");
    const char *ids[] = {"data=csv__x_y.csv,seed=1", "data=gaussian,seed=1"};
    expect_ids(&g_x, ids, 2);
    char buf[64];
    /* the value itself is not changed, only the id */
    assert_string_equal(experiment_point_value(&g_x, 0, "data", buf, sizeof buf), "csv:/x/y.csv");

    load_ok(&g_y, "[experiment]\nname = s\n[run]\n"
                  "data = csv:/a b/\"q\"*?.csv, csv:../up.csv, spirals\n");
    for (size_t k = 0; k < experiment_points(&g_y); k++) {
        char id[256];
        id_of(&g_y, k, id, sizeof id);
        for (const char *c = id; *c; c++)
            if (!safe_char(*c)) fail_msg("id '%s' holds unsafe character '%c'", id, *c);
        assert_null(strstr(id, "/"));
        assert_true(strcmp(id, ".") && strcmp(id, ".."));
    }
}

/* Two values that differ only in unsafe characters must not share a run directory: either
 * the file is refused or the ids differ. */
static void test_sanitised_ids_do_not_collide(void **state)
{
    (void)state;
    const char *path = ini("[experiment]\nname = c\n[run]\ndata = csv:/x/y.csv, csv:/x_y.csv\n");
    GtErr e = {0};
    int rc = experiment_load(&g_x, path, &e);
    if (rc != GT_OK) {
        assert_int_equal(rc, GT_EINPUT);
        assert_non_null(strstr(e.msg, "data"));
        return;
    }
    char a[256], b[256];
    id_of(&g_x, 0, a, sizeof a);
    id_of(&g_x, 1, b, sizeof b);
    if (strcmp(a, b) == 0)
        fail_msg("data = csv:/x/y.csv and csv:/x_y.csv both get run id '%s' (one run directory "
                 "for two points)", a);
}

static void test_seed_axis_is_innermost(void **state)
{
    (void)state;
    /* a seed axis listed first still varies fastest, as [sweep] seeds does */
    load_ok(&g_x, "[experiment]\nname = s\n[run]\nseed = 1, 2\ndepth = 2, 3\n");
    const char *ids[] = {"depth=2,seed=1", "depth=2,seed=2", "depth=3,seed=1", "depth=3,seed=2"};
    expect_ids(&g_x, ids, 4);
    char buf[64];
    assert_string_equal(experiment_point_value(&g_x, 1, "seed", buf, sizeof buf), "2");
    assert_string_equal(experiment_point_value(&g_x, 1, "depth", buf, sizeof buf), "2");
}

/* A short buffer gets a truncated, terminated id and nothing written past it. */
static void test_id_truncation(void **state)
{
    (void)state;
    load_ok(&g_x, "[experiment]\nname = t\n[run]\nactivation = sigmoid, tanh\n");
    char buf[16];
    memset(buf, '#', sizeof buf);
    experiment_point_id(&g_x, 0, buf, 8);
    assert_int_equal(strlen(buf), 7);
    assert_memory_equal(buf, "activat", 7);
    for (size_t i = 8; i < sizeof buf; i++) assert_int_equal(buf[i], '#');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_minimal, free_x),
        cmocka_unit_test_teardown(test_experiment_text, free_x),
        cmocka_unit_test_teardown(test_run_keys, free_x),
        cmocka_unit_test_teardown(test_save_weights_list_is_one_value, free_x),
        cmocka_unit_test_teardown(test_idx_data_is_one_value, free_x),
        cmocka_unit_test_teardown(test_errors_per_line, free_x),
        cmocka_unit_test_teardown(test_errors_across_keys, free_x),
        cmocka_unit_test_teardown(test_seed_combinations_accepted, free_x),
        cmocka_unit_test_teardown(test_grid_order_and_ids, free_x),
        cmocka_unit_test_teardown(test_ids_stable_and_unique, free_x),
        cmocka_unit_test_teardown(test_ids_sanitised, free_x),
        cmocka_unit_test_teardown(test_sanitised_ids_do_not_collide, free_x),
        cmocka_unit_test_teardown(test_seed_axis_is_innermost, free_x),
        cmocka_unit_test_teardown(test_id_truncation, free_x),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
