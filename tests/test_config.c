/* Tests for config.c: the documented defaults (DESIGN.md §4) and that they validate; bad
 * values refused with GT_EINPUT and a message naming "--option"; command lines in both
 * --key value and --key=value forms, flags, unknown options, missing values, --steps with
 * --epochs; and the config_foreach round trip that experiment files (INI) rely on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "config.h"
#include "init.h"

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_defaults(void **state)
{
    (void)state;
    Config c;
    config_init(&c);
    assert_int_equal(c.depth, 10);
    assert_int_equal(c.width, 128);
    assert_int_equal(c.activation, ACT_RELU);
    assert_true(c.alpha == 0.01);
    assert_true(c.relu_grad_at_zero == 0);
    assert_int_equal(c.init, INIT_HE_NORMAL);
    assert_true(c.sigma_b2 == 0);
    assert_string_equal(c.data, "gaussian");
    assert_string_equal(c.test_csv, "");
    assert_int_equal(c.normalize, 0);
    assert_int_equal(c.histograms, 0);
    assert_int_equal(c.loss, LOSS_XENT);
    assert_int_equal(c.optimizer, OPT_SGD);
    assert_true(c.lr == 0.01);
    assert_true(c.momentum == 0.9);
    assert_int_equal(c.batch, 64);
    assert_int_equal(c.steps, 0);
    assert_int_equal(c.epochs, 0);
    assert_int_equal(c.dtype, DT_F32);
    assert_int_equal(c.seed, 1);
    assert_int_equal(c.threads, 1);
    assert_int_equal(c.every, 10);
    assert_int_equal(c.jacobian_every, 0); /* the Jacobian probe is off unless asked for */
    assert_int_equal(c.jacobian_samples, 8);
    assert_int_equal(c.n_save_weights, 0);
    assert_int_equal(c.test_size_set, 0);
    assert_non_null(c.out);
    assert_true(c.out[0] != 0);
    GtErr e = {0};
    assert_int_equal(config_validate(&c, &e), GT_OK);
    config_free(&c);
    assert_null(c.data);
}

typedef struct {
    const char *key, *value;
} KV;

static void test_bad_values(void **state)
{
    (void)state;
    static const KV bad[] = {
        {"depth", "0"},          {"depth", "abc"},        {"depth", "10x"},
        {"depth", ""},           {"depth", "1e3"},        {"width", "-1"},
        {"activation", "relux"}, {"activation", ""},      {"alpha", "2"},
        {"alpha", "nan"},        {"alpha", "-0.5"},       {"lr", "0"},
        {"lr", "-1"},            {"lr", "inf"},           {"lr", "0.1x"},
        {"batch", "0"},          {"dtype", "float16"},    {"optimizer", "rmsprop"},
        {"loss", "hinge"},       {"init", "he"},          {"normalize", "maybe"},
        {"save-weights", "1,,2"}, {"save-weights", "1,"}, {"save-weights", "-1"},
        {"save-weights", "a"},   {"seed", "-1"},          {"threads", "0"},
        {"every", "0"},          {"probe-size", "-5"},    {"momentum", "1.5"},
        {"sigma-w2", "0"},       {"relu-grad-at-zero", "2"},
        {"jacobian-every", "-1"}, {"jacobian-samples", "0"}, {"jacobian-samples", "2.5"},
        {"depth", "99999999999999999999999"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        Config c, ref;
        config_init(&c);
        config_init(&ref);
        GtErr e = {0};
        int rc = config_set(&c, bad[i].key, bad[i].value, &e);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "--%s", bad[i].key);
        if (rc != GT_EINPUT || e.code != GT_EINPUT || !starts_with(e.msg, prefix)) {
            print_error("--%s '%s': rc %d, message '%s'\n", bad[i].key, bad[i].value, rc, e.msg);
            fail();
        }
        /* a refused value leaves the option as it was (save-weights aside: see below) */
        if (strcmp(bad[i].key, "save-weights") != 0) {
            assert_memory_equal(&c.depth, &ref.depth, sizeof c.depth);
            assert_true(c.lr == ref.lr && c.alpha == ref.alpha && c.batch == ref.batch);
            assert_int_equal(c.activation, ref.activation);
            assert_int_equal(c.dtype, ref.dtype);
        }
        config_free(&c);
        config_free(&ref);
    }
    Config c;
    config_init(&c);
    GtErr e = {0};
    assert_int_equal(config_set(&c, "nope", "1", &e), GT_EINPUT);
    assert_true(starts_with(e.msg, "--nope"));
    assert_int_equal(config_is_flag("nope"), -1);
    assert_int_equal(config_is_flag("normalize"), 1);
    assert_int_equal(config_is_flag("histograms"), 1);
    assert_int_equal(config_is_flag("depth"), 0);
    config_free(&c);
}

static void test_good_values(void **state)
{
    (void)state;
    Config c;
    config_init(&c);
    GtErr e = {0};
    assert_int_equal(config_set(&c, "save-weights", "0,100,1000", &e), GT_OK);
    assert_int_equal(c.n_save_weights, 3);
    assert_int_equal(c.save_weights[2], 1000);
    assert_int_equal(config_set(&c, "save-weights", "", &e), GT_OK);
    assert_int_equal(c.n_save_weights, 0);
    assert_int_equal(config_set(&c, "activation", "leaky_relu", &e), GT_OK);
    assert_int_equal(c.activation, ACT_LEAKY_RELU);
    assert_int_equal(config_set(&c, "init", "xavier-uniform", &e), GT_OK);
    assert_int_equal(c.init, INIT_XAVIER_UNIFORM);
    assert_int_equal(config_set(&c, "dtype", "float64", &e), GT_OK);
    assert_int_equal(c.dtype, DT_F64);
    assert_int_equal(config_set(&c, "alpha", "1", &e), GT_OK); /* bounds are inclusive */
    assert_true(c.alpha == 1);
    assert_int_equal(config_set(&c, "normalize", "yes", &e), GT_OK);
    assert_int_equal(c.normalize, 1);
    assert_int_equal(config_set(&c, "normalize", "false", &e), GT_OK);
    assert_int_equal(c.normalize, 0);
    assert_int_equal(config_set(&c, "data", "csv:/tmp/a b.csv", &e), GT_OK);
    assert_string_equal(c.data, "csv:/tmp/a b.csv");
    assert_int_equal(config_set(&c, "test-size", "0", &e), GT_OK);
    assert_int_equal(c.test_size_set, 1); /* an explicit 0 means "no test set" */
    assert_int_equal(config_set(&c, "jacobian-every", "25", &e), GT_OK);
    assert_int_equal(c.jacobian_every, 25);
    assert_int_equal(config_set(&c, "jacobian-samples", "1", &e), GT_OK);
    assert_int_equal(c.jacobian_samples, 1);
    config_free(&c);
}

/* ---- command lines */

#define ARGV(...) (char *[]){"run", __VA_ARGS__}
#define ARGC(...) ((int)(sizeof((char *[]){"run", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(c, e, ...) config_parse_args(c, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), e)

static void expect_error(int rc, const GtErr *e, const char *prefix)
{
    if (rc != GT_EINPUT || !starts_with(e->msg, prefix)) {
        print_error("rc %d, message '%s', want it to start with '%s'\n", rc, e->msg, prefix);
        fail();
    }
}

static void test_parse_args(void **state)
{
    (void)state;
    Config c;
    GtErr e = {0};
    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "--depth", "20", "--width=64", "--normalize", "--activation",
                           "sigmoid", "--lr=0.1", "--save-weights", "0,5", "--out", "o/dir"),
                     GT_OK);
    assert_int_equal(c.depth, 20);
    assert_int_equal(c.width, 64);
    assert_int_equal(c.normalize, 1);
    assert_int_equal(c.activation, ACT_SIGMOID);
    assert_true(c.lr == 0.1);
    assert_int_equal(c.n_save_weights, 2);
    assert_string_equal(c.out, "o/dir");
    assert_int_equal(c.batch, 64); /* untouched options keep their defaults */
    config_free(&c);

    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "--histograms", "--normalize=false", "--steps", "5"), GT_OK);
    assert_int_equal(c.histograms, 1);
    assert_int_equal(c.normalize, 0);
    assert_int_equal(c.steps, 5);
    config_free(&c);

    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "--epochs=3"), GT_OK);
    assert_int_equal(c.epochs, 3);
    config_free(&c);

    /* every error names its option first */
    config_init(&c);
    expect_error(PARSE(&c, &e, "--bogus", "1"), &e, "--bogus");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--bogus=1"), &e, "--bogus");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--depth", "20", "--width"), &e, "--width");
    assert_non_null(strstr(e.msg, "missing value"));
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--steps", "5", "--epochs", "2"), &e, "--steps");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--depth=-3"), &e, "--depth");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--normalize=maybe"), &e, "--normalize");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--out="), &e, "--out");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--test-csv", "t.csv"), &e, "--test-csv");
    config_free(&c);
    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "--data", "csv:a.csv", "--test-csv", "t.csv"), GT_OK);
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "depth", "3"), &e, "depth");
    config_free(&c);
    config_init(&c);
    expect_error(PARSE(&c, &e, "--"), &e, "--");
    config_free(&c);
    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "--depth", "3", "--help"), -1);
    config_free(&c);
    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "-h"), -1);
    config_free(&c);
    config_init(&c);
    assert_int_equal(config_parse_args(&c, 1, ARGV(NULL), &e), GT_OK); /* bare "run" */
    config_free(&c);
}

/* ---- config_foreach round trip */

enum { MAXKV = 128 };
typedef struct {
    int n;
    char key[MAXKV][64];
    char val[MAXKV][4096];
} Dump;

static void collect(void *ctx, const char *key, const char *val)
{
    Dump *d = ctx;
    assert_true(d->n < MAXKV);
    snprintf(d->key[d->n], sizeof d->key[d->n], "%s", key);
    snprintf(d->val[d->n], sizeof d->val[d->n], "%s", val);
    d->n++;
}

/* Feeds every (key, value) of c's dump to config_set on a fresh Config, then checks the
 * fresh one dumps the same text. Returns the fresh Config in *out. */
static void round_trip(const Config *c, Config *out)
{
    static Dump a, b;
    a.n = b.n = 0;
    config_foreach(c, collect, &a);
    assert_true(a.n >= 30);
    config_init(out);
    for (int i = 0; i < a.n; i++) {
        GtErr e = {0};
        if (config_set(out, a.key[i], a.val[i], &e) != GT_OK) {
            print_error("config_set(%s, '%s'): %s\n", a.key[i], a.val[i], e.msg);
            fail();
        }
    }
    config_foreach(out, collect, &b);
    assert_int_equal(a.n, b.n);
    for (int i = 0; i < a.n; i++) {
        assert_string_equal(a.key[i], b.key[i]);
        if (strcmp(a.val[i], b.val[i]) != 0) {
            print_error("--%s: '%s' came back as '%s'\n", a.key[i], a.val[i], b.val[i]);
            fail();
        }
    }
}

static void test_foreach_round_trip(void **state)
{
    (void)state;
    Config c, back;
    config_init(&c);
    round_trip(&c, &back);
    GtErr e = {0};
    assert_int_equal(config_validate(&back, &e), GT_OK);
    config_free(&back);

    /* awkward values: reals that need 17 digits, tiny ones, strings with spaces and
     * commas, flags on, a list of steps */
    static const KV set[] = {
        {"lr", "0.1"},           {"alpha", "1e-300"},        {"momentum", "0.3333333333333333"},
        {"sigma-w2", "2.5e-7"},  {"sigma-b2", "1e10"},       {"relu-grad-at-zero", "0.5"},
        {"data", "csv:/tmp/x, y.csv"}, {"test-csv", "/tmp/t t.csv"}, {"normalize", "true"},
        {"histograms", "1"},     {"save-weights", "0,7,100000"}, {"dtype", "float64"},
        {"optimizer", "adam"},   {"loss", "mse"},            {"seed", "9007199254740991"},
        {"test-size", "12"},     {"out", "runs/a=b"},        {"epochs", "4"},
    };
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        assert_int_equal(config_set(&c, set[i].key, set[i].value, &e), GT_OK);
    round_trip(&c, &back);
    assert_true(back.lr == 0.1 && back.alpha == 1e-300 && back.momentum == c.momentum);
    assert_string_equal(back.data, "csv:/tmp/x, y.csv");
    assert_int_equal(back.n_save_weights, 3);
    assert_int_equal(back.test_size_set, 1);
    config_free(&back);

    /* every activation and initialiser name comes back as itself */
    for (int k = 0; k < ACT_COUNT; k++) {
        c.activation = k;
        round_trip(&c, &back);
        assert_int_equal(back.activation, k);
        config_free(&back);
    }
    for (int k = 0; k < INIT_COUNT; k++) {
        c.init = k;
        round_trip(&c, &back);
        assert_int_equal(back.init, k);
        config_free(&back);
    }
    config_free(&c);
}

/* The round trip must reproduce the Config itself, not only its text: in particular it must
 * not turn "default test set" into "no test set". test-size 0 after config_init means the
 * default (1024 synthetic samples), an explicit --test-size 0 means none, and run.json's
 * config (or an INI file written from it) must replay as the run that wrote it.
 * Compared byte for byte (config_init zeroes the struct first, so padding agrees), strings
 * by content, so any representation of "default" passes. */
static void assert_same_config(const Config *a, const Config *b)
{
    Config x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    assert_string_equal(x.data, y.data);
    assert_string_equal(x.test_csv, y.test_csv);
    assert_string_equal(x.out, y.out);
    x.data = y.data = x.test_csv = y.test_csv = x.out = y.out = NULL;
    if (memcmp(&x, &y, sizeof x) != 0) {
        print_error("the round trip changed a field the foreach text does not show "
                    "(test_size_set: %d -> %d)\n", a->test_size_set, b->test_size_set);
        fail();
    }
}

static void test_round_trip_reproduces_config(void **state)
{
    (void)state;
    Config c, back;
    GtErr e = {0};
    config_init(&c);
    round_trip(&c, &back);
    assert_same_config(&c, &back);
    config_free(&back);
    assert_int_equal(config_set(&c, "test-size", "0", &e), GT_OK);
    round_trip(&c, &back);
    assert_same_config(&c, &back);
    config_free(&back);
    config_free(&c);

    config_init(&c);
    assert_int_equal(PARSE(&c, &e, "--depth", "3", "--lr=0.3", "--normalize", "--test-size", "7",
                           "--save-weights", "1,2", "--dtype", "float64"),
                     GT_OK);
    round_trip(&c, &back);
    assert_same_config(&c, &back);
    config_free(&back);
    config_free(&c);
}

/* --help lists every option of the table and its default. */
static void test_help_lists_every_option(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    config_print_help(f);
    fclose(f);
    static Dump d;
    d.n = 0;
    Config c;
    config_init(&c);
    config_foreach(&c, collect, &d);
    for (int i = 0; i < d.n; i++) {
        char opt[80];
        snprintf(opt, sizeof opt, "--%s", d.key[i]);
        if (!strstr(text, opt)) {
            print_error("%s missing from --help\n", opt);
            fail();
        }
    }
    assert_non_null(strstr(text, "[he-normal]"));
    assert_non_null(strstr(text, "[0.01]"));
    config_free(&c);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_good_values),
        cmocka_unit_test(test_parse_args),
        cmocka_unit_test(test_foreach_round_trip),
        cmocka_unit_test(test_round_trip_reproduces_config),
        cmocka_unit_test(test_help_lists_every_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
