/* Tests for suggest.c ("did you mean"): case and '-'/'_' differences, prefixes, edit
 * distance with transpositions, ties listed, nothing for far-off words; and the messages of
 * the run option table and of the init/activation lookups that use it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "config.h"
#include "init.h"
#include "suggest.h"

static const char *among(const char *typo, const char *names)
{
    static char buf[256];
    return suggest_among(typo, names, buf, sizeof buf);
}

static const char ACTS[] = "sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, softplus, swish, "
                           "softsign, linear";
static const char INITS[] = "standard, xavier-uniform, xavier-normal, he-uniform, he-normal, "
                            "lecun-normal, orthogonal, gaussian, rai";

static void test_case_and_separators(void **state)
{
    (void)state;
    assert_string_equal(among("ReLU", ACTS), "; did you mean relu?");
    assert_string_equal(among("leaky-relu", ACTS), "; did you mean leaky_relu?");
    assert_string_equal(among("HE_NORMAL", INITS), "; did you mean he-normal?");
}

static void test_prefix_and_ties(void **state)
{
    (void)state;
    assert_string_equal(among("he", INITS), "; did you mean he-uniform or he-normal?");
    assert_string_equal(among("orth", INITS), "; did you mean orthogonal?");
    assert_string_equal(among("soft", ACTS), "; did you mean softplus or softsign?");
    /* one letter is not a prefix worth naming; an exact-when-folded name beats prefixes */
    assert_string_equal(among("s", ACTS), "");
    assert_string_equal(among("Elu", ACTS), "; did you mean elu?");
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_string_equal(among("rleu", ACTS), "; did you mean relu?");   /* transposition */
    assert_string_equal(among("sigmiod", ACTS), "; did you mean sigmoid?");
    assert_string_equal(among("tahn", ACTS), "; did you mean tanh?");
    assert_string_equal(among("orthogonl", INITS), "; did you mean orthogonal?");
    /* four names at distance 1 from "delu" (relu, elu, selu, gelu): the first three */
    assert_string_equal(among("delu", ACTS), "; did you mean relu, elu or selu?");
    assert_string_equal(among("banana", ACTS), "");
    assert_string_equal(among("", ACTS), "");
    assert_string_equal(among("xyz", ""), "");
}

static void test_prefix_text(void **state)
{
    (void)state;
    Suggest s;
    char buf[128];
    suggest_begin(&s, "widht");
    suggest_offer(&s, "depth");
    suggest_offer(&s, "width");
    assert_string_equal(suggest_end(&s, "--", buf, sizeof buf), "; did you mean --width?");
    /* a short buffer is cut, never overrun */
    char tiny[8];
    suggest_end(&s, "--", tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 7);
}

static void test_config_messages(void **state)
{
    (void)state;
    Config c;
    config_init(&c);
    GtErr e;
    assert_int_equal(config_set(&c, "activation", "ReLU", &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "expected one of sigmoid"));
    assert_non_null(strstr(e.msg, "did you mean relu?"));
    assert_int_equal(config_set(&c, "widht", "5", &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "--widht: unknown option; did you mean --width?"));
    assert_int_equal(config_set(&c, "init", "he", &e), GT_EINPUT);
    assert_non_null(strstr(e.msg, "he-normal"));
    assert_int_equal(config_set(&c, "frobnicate", "1", &e), GT_EINPUT);
    assert_null(strstr(e.msg, "did you mean"));
    config_free(&c);
}

static void test_init_aliases(void **state)
{
    (void)state;
    assert_int_equal(init_lookup("kaiming-normal"), INIT_HE_NORMAL);
    assert_int_equal(init_lookup("kaiming-uniform"), INIT_HE_UNIFORM);
    assert_int_equal(init_lookup("glorot-normal"), INIT_XAVIER_NORMAL);
    assert_int_equal(init_lookup("glorot-uniform"), INIT_XAVIER_UNIFORM);
    /* run.json records the canonical name */
    assert_string_equal(init_name((InitKind)init_lookup("kaiming-normal")), "he-normal");
    assert_int_equal(init_lookup("kaiming"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_and_separators), cmocka_unit_test(test_prefix_and_ties),
        cmocka_unit_test(test_edit_distance),       cmocka_unit_test(test_prefix_text),
        cmocka_unit_test(test_config_messages),     cmocka_unit_test(test_init_aliases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
