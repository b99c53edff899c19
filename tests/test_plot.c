/* Tests of gradtrace plot's library parts: CSV read back by header name (csvtab.h), run and
 * sweep directories collected, labels from the config keys in which runs differ, and the
 * data file and gnuplot script written for a kind (plot.h). gnuplot itself runs in
 * tests/plot/run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "csvtab.h"
#include "plot.h"
#include "testutil.h"
#include "tfiles.h"

static char g_tmp[PATHMAX];

static void mkdirs(const char *path)
{
    char buf[PATHMAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') *s = 0, mkdir(buf, 0777), *s = '/';
    mkdir(buf, 0777);
}

/* a run directory DIR with run.json's config {depth: D, width: W, lr: LR, activation: A} */
static void make_run(const char *dir, int depth, int width, const char *lr, const char *act)
{
    char path[PATHMAX], text[1024];
    mkdirs(dir);
    snprintf(text, sizeof text,
             "{\"config\": {\"depth\": %d, \"width\": %d, \"activation\": \"%s\", \"lr\": %s, "
             "\"out\": \"%s\", \"force\": false}, \"status\": \"complete\", "
             "\"summary\": {\"steps_done\": 4, \"final_test_acc\": 0.5}}\n",
             depth, width, act, lr, strrchr(dir, '/') + 1);
    write_text(join(path, dir, "run.json"), text);
}

static void test_csvtab_by_name(void **state)
{
    (void)state;
    char path[PATHMAX];
    join(path, g_tmp, "t.csv");
    write_text(path, "id,step,grad_w_log10,test_acc\n\"a=1,b=2\",0,-inf,\n\"c\",10,-1.5,0.25\r\n");
    CsvTab t;
    GtErr e = {0};
    assert_int_equal(csvtab_read(path, &t, &e), GT_OK);
    assert_int_equal(t.rows, 2);
    assert_int_equal(t.cols, 4);
    int g = csvtab_col(&t, "grad_w_log10"), s = csvtab_col(&t, "step"), a = csvtab_col(&t, "test_acc");
    assert_int_equal(g, 2);
    assert_int_equal(s, 1);
    assert_int_equal(csvtab_col(&t, "frac_dead"), -1);
    assert_string_equal(csvtab_str(&t, 0, 0), "a=1,b=2"); /* a quoted comma is no separator */
    assert_true(csvtab_num(&t, 0, g) == -INFINITY);
    assert_true(isnan(csvtab_num(&t, 0, a)));            /* empty: not measured */
    assert_near(csvtab_num(&t, 1, g), -1.5, 0);
    assert_near(csvtab_num(&t, 1, a), 0.25, 0);          /* \r\n line end */
    assert_near(csvtab_num(&t, 1, s), 10, 0);
    csvtab_free(&t);

    /* columns found by name whatever their order (a trace may gain columns) */
    write_text(path, "test_acc,new_col,step\n0.5,x,3\n");
    assert_int_equal(csvtab_read(path, &t, &e), GT_OK);
    assert_near(csvtab_num(&t, 0, csvtab_col(&t, "step")), 3, 0);
    assert_true(isnan(csvtab_num(&t, 0, csvtab_col(&t, "new_col"))));
    csvtab_free(&t);

    write_text(path, "step,layer\n0,1\n1\n");
    assert_int_equal(csvtab_read(path, &t, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "t.csv:3: 1 field, the header has 2"));
    write_text(path, "");
    assert_int_equal(csvtab_read(path, &t, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "empty"));
    join(path, g_tmp, "none.csv");
    assert_int_equal(csvtab_read(path, &t, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "none.csv"));
}

static void test_labels(void **state)
{
    (void)state;
    char a[PATHMAX], b[PATHMAX], c[PATHMAX];
    make_run(join(a, g_tmp, "lab/a"), 3, 8, "0.01", "relu");
    make_run(join(b, g_tmp, "lab/b"), 3, 16, "0.01", "relu");
    make_run(join(c, g_tmp, "lab/c"), 3, 16, "0.1", "relu");
    const char *dirs[] = {a, b, c};
    PlotSet s = {0};
    GtErr e = {0};
    assert_int_equal(plot_collect(&s, dirs, 3, &e), GT_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(plot_label(&s, NULL, &e), GT_OK);
    /* width and lr differ; depth and activation do not; out always differs but says nothing */
    assert_string_equal(s.run[0].label, "width=8, lr=0.01");
    assert_string_equal(s.run[2].label, "width=16, lr=0.1");
    assert_non_null(strstr(s.common, "depth 3"));
    assert_non_null(strstr(s.common, "activation relu"));
    assert_null(strstr(s.common, "width"));
    plot_free(&s);

    assert_int_equal(plot_collect(&s, dirs, 3, &e), GT_OK);
    assert_int_equal(plot_label(&s, "lr,depth", &e), GT_OK);
    assert_string_equal(s.run[1].label, "lr=0.01, depth=3");
    plot_free(&s);

    assert_int_equal(plot_collect(&s, dirs, 3, &e), GT_OK);
    assert_int_equal(plot_label(&s, "widht", &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--by widht"));
    assert_non_null(strstr(e.msg, "valid: depth, width, activation, lr"));
    assert_null(strstr(e.msg, "out")); /* not a key to label by */
    plot_free(&s);

    /* one run, or runs that differ in nothing: the directory's name */
    assert_int_equal(plot_collect(&s, dirs, 1, &e), GT_OK);
    assert_int_equal(plot_label(&s, NULL, &e), GT_OK);
    assert_string_equal(s.run[0].label, "a");
    plot_free(&s);
}

static void test_collect_sweep(void **state)
{
    (void)state;
    char sw[PATHMAX], path[PATHMAX], run[PATHMAX];
    join(sw, g_tmp, "sw");
    mkdirs(sw);
    write_text(join(path, sw, "sweep.json"),
               "{\"points\": [{\"id\": \"lr=0.1\", \"args\": {}}, {\"id\": \"lr=0.5\", \"args\": {}},"
               " {\"id\": \"lr=0.01\", \"args\": {}}]}\n");
    make_run(join(run, sw, "runs/lr=0.01"), 2, 4, "0.01", "tanh");
    make_run(join(run, sw, "runs/lr=0.1"), 2, 4, "0.1", "tanh");
    mkdirs(join(run, sw, "runs/lr=0.5")); /* pending: no run.json */
    const char *dirs[] = {sw};
    PlotSet s = {0};
    GtErr e = {0};
    assert_int_equal(plot_collect(&s, dirs, 1, &e), GT_OK);
    assert_int_equal(s.n, 2); /* the finished runs, in the sweep's order */
    assert_non_null(strstr(s.run[0].dir, "runs/lr=0.1"));
    assert_non_null(strstr(s.run[1].dir, "runs/lr=0.01"));
    plot_free(&s);

    const char *none[] = {g_tmp};
    assert_int_equal(plot_collect(&s, none, 1, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "neither a run directory"));
    plot_free(&s);
}

static void test_script_written(void **state)
{
    (void)state;
    char a[PATHMAX], b[PATHMAX], path[PATHMAX], out[PATHMAX], dat[PATH_MAX], gp[PATH_MAX];
    make_run(join(a, g_tmp, "scr/a"), 1, 8, "0.01", "relu");
    make_run(join(b, g_tmp, "scr/b"), 1, 8, "0.1", "relu\\\"x"); /* a quote in a value */
    const char *layers = "step,layer,grad_w_log10,delta_log10\n0,1,-3.5,-1\n0,2,-inf,-2\n4,1,-2.25,-1.5\n4,2,-1,-0.5\n";
    write_text(join(path, a, "layers.csv"), layers);
    write_text(join(path, b, "layers.csv"), layers);
    const char *dirs[] = {a, b};
    PlotSet s = {0};
    GtErr e = {0};
    assert_int_equal(plot_collect(&s, dirs, 2, &e), GT_OK);
    assert_int_equal(plot_label(&s, NULL, &e), GT_OK);
    PlotOptions o = {.kind = PLOT_PROFILE, .step = 0, .out = join(out, g_tmp, "scr/fig.png")};
    assert_int_equal(plot_write(&s, &o, dat, gp, &e), GT_OK);
    assert_non_null(strstr(dat, "scr/fig.dat"));
    assert_non_null(strstr(gp, "scr/fig.gp"));
    char *script = must_slurp(gp, NULL), *data = must_slurp(dat, NULL);
    assert_non_null(strstr(script, "set terminal pngcairo"));
    assert_non_null(strstr(script, "out = \"fig.png\""));
    assert_non_null(strstr(script, "DATA = \"fig.dat\""));
    assert_non_null(strstr(script, "array LABEL[2] = [\"activation=relu, lr=0.01\", \"activation=relu\\\"x, lr=0.1\"]"));
    assert_non_null(strstr(script, "at step 0"));
    /* an exact zero: below the lowest finite log10 value (-3.5), with its own clause */
    assert_non_null(strstr(script, "FLOOR = -5\n"));
    assert_non_null(strstr(script, "DATA index 2 using 1:(FLOOR)"));
    /* step 0 only; -inf as an undefined point in the run's block, listed in the zeros' */
    assert_non_null(strstr(data, "# index 0: layer, log10 value of run 1"));
    assert_non_null(strstr(data, "1 -3.5\n2 NaN\n"));
    assert_null(strstr(data, "-2.25"));
    assert_non_null(strstr(data, "zeros (log10 = -inf), drawn at FLOOR\n2 1\n2 2\n"));
    t_free(script);
    t_free(data);

    /* the last step, the delta column, svg */
    o = (PlotOptions){.kind = PLOT_PROFILE, .step = -1, .delta = 1, .out = join(out, g_tmp, "scr/d.svg")};
    assert_int_equal(plot_label(&s, "out", &e), GT_EINPUT); /* out labels nothing */
    assert_int_equal(plot_write(&s, &o, dat, gp, &e), GT_OK);
    script = must_slurp(gp, NULL);
    data = must_slurp(dat, NULL);
    assert_non_null(strstr(script, "set terminal svg"));
    assert_non_null(strstr(script, "Backpropagated error per layer at step 4"));
    assert_null(strstr(script, "FLOOR - 0.5")); /* no zero at step 4: no floor drawn */
    assert_non_null(strstr(data, "1 -1.5\n2 -0.5\n"));
    t_free(script);
    t_free(data);

    /* a step no run logged, a file the kind needs, an extension gnuplot has no terminal for */
    o = (PlotOptions){.kind = PLOT_PROFILE, .step = 2, .out = out};
    assert_int_equal(plot_write(&s, &o, dat, gp, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "no step 2 (logged: 0 to 4"));
    o = (PlotOptions){.kind = PLOT_DEAD, .step = -1, .out = out};
    assert_int_equal(plot_write(&s, &o, dat, gp, &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "census.csv: missing"));
    assert_non_null(strstr(e.msg, "--census-every"));
    o = (PlotOptions){.kind = PLOT_PROFILE, .step = -1, .out = "x.jpeg"};
    assert_int_equal(plot_write(&s, &o, dat, gp, &e), GT_EINPUT);
    assert_string_equal(plot_terminal("a/b.pdf"), "pdfcairo");
    assert_null(plot_terminal("a.png/b"));
    plot_free(&s);
}

static int group_setup(void **state)
{
    (void)state;
    return scratch_dir(g_tmp, "plot");
}

static int group_teardown(void **state)
{
    (void)state;
    return rm_tree(g_tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_csvtab_by_name, free_all),
        cmocka_unit_test_teardown(test_labels, free_all),
        cmocka_unit_test_teardown(test_collect_sweep, free_all),
        cmocka_unit_test_teardown(test_script_written, free_all),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
