/* Tests for xnorm.c: normalisation, sums, scaling and log10 against independent long double
 * and hand computations, far below double's range (e2 = -3000) as well as in it; formatting
 * that matches printf for ordinary numbers and parses back to 1e-12 for tiny and huge ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xnorm.h"

/* An XNorm holding exactly |v|: sqrt(fl(m*m)) == m for a double m, so no rounding shows. */
static XNorm from_double(double v)
{
    int p;
    double m = frexp(v, &p);
    return xnorm_make(m * m, p);
}

/* log10(sqrt(ss) * 2^e2) in long double, independent of xnorm's split constant. */
static long double ref_log10(double ss, int e2)
{
    return 0.5L * log10l((long double)ss) + (long double)e2 * log10l(2.0L);
}

static void assert_normalised(XNorm a)
{
    assert_true(a.ss >= 0.25 && a.ss < 1.0);
}

static void assert_close(double got, long double want, double tol)
{
    if (!(fabsl((long double)got - want) <= tol)) {
        print_error("got %.17g want %.20Lg (tol %g)\n", got, want, tol);
        fail();
    }
}

static void test_make_normalises_without_changing_value(void **state)
{
    (void)state;
    const double ss[] = {1.0, 0.25, 0.5, 0.9999, 3.0, 4.0, 1e300, DBL_MAX, 1e-300,
                         DBL_MIN, 4.9406564584124654e-324, 1e-310, 12345.678};
    const int e2[] = {0, 7, -3000, 3000, -1};
    for (size_t i = 0; i < sizeof ss / sizeof *ss; i++)
        for (size_t j = 0; j < sizeof e2 / sizeof *e2; j++) {
            XNorm a = xnorm_make(ss[i], e2[j]);
            assert_normalised(a);
            /* ss' * 4^e2' == ss * 4^e2 exactly: compare in long double, which holds both. */
            long double want = ldexpl((long double)ss[i], 2 * e2[j]);
            long double got = ldexpl((long double)a.ss, 2 * a.e2);
            assert_true(got == want);
        }
}

static void test_make_zero_and_non_finite(void **state)
{
    (void)state;
    XNorm z = xnorm_make(0.0, -50);
    assert_true(z.ss == 0.0);
    assert_int_equal(z.e2, 0);
    assert_true(isinf(xnorm_make(INFINITY, 3).ss));
    assert_true(isnan(xnorm_make(NAN, 3).ss));
    assert_true(isnan(xnorm_make(-1.0, 3).ss)); /* a negative sum of squares is no norm */
}

static void test_value(void **state)
{
    (void)state;
    assert_true(xnorm_value(xnorm_make(9.0, 0)) == 3.0);
    assert_true(xnorm_value(xnorm_make(2.0, 10)) == ldexp(sqrt(2.0), 10));
    assert_true(xnorm_value(xnorm_make(1.0, -1074)) == ldexp(1.0, -1074)); /* subnormal */
    assert_true(xnorm_value(xnorm_make(2.0, -3000)) == 0.0);
    assert_true(isinf(xnorm_value(xnorm_make(1.0, 3000))));
    assert_true(xnorm_value(xnorm_make(0.0, 0)) == 0.0);
    const double v[] = {1.0, 0.1, 123.456, 1e-300, DBL_MIN, DBL_MAX, 7e-310};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_true(xnorm_value(from_double(v[i])) == v[i]);
}

static void test_log10(void **state)
{
    (void)state;
    assert_true(xnorm_log10(xnorm_make(100.0, 0)) == 1.0);
    assert_close(xnorm_log10(xnorm_make(2.0, -2000)), ref_log10(2.0, -2000), 2e-13);
    assert_close(xnorm_log10(xnorm_make(3.0, -3000)), ref_log10(3.0, -3000), 2e-13);
    assert_close(xnorm_log10(xnorm_make(3.0, 3000)), ref_log10(3.0, 3000), 2e-13);
    /* Far beyond any float: the split log10(2) keeps the error at the result's rounding. */
    assert_close(xnorm_log10(xnorm_make(5.0, -1000000)), ref_log10(5.0, -1000000), 1e-10);
    double z = xnorm_log10(xnorm_make(0.0, 0));
    assert_true(isinf(z) && z < 0);
    double i = xnorm_log10((XNorm){INFINITY, 0});
    assert_true(isinf(i) && i > 0);
    assert_true(isnan(xnorm_log10((XNorm){NAN, 0})));
}

static void test_add(void **state)
{
    (void)state;
    XNorm s = xnorm_add(xnorm_make(9.0, 0), xnorm_make(16.0, 0)); /* 3 (+) 4 = 5 */
    assert_normalised(s);
    assert_true(xnorm_value(s) == 5.0);

    /* The same triangle at 2^-3000: 5 * 2^-3000, checked through log10. */
    XNorm t = xnorm_add(xnorm_make(9.0, -3000), xnorm_make(16.0, -3000));
    assert_close(xnorm_log10(t), ref_log10(25.0, -3000), 2e-13);

    /* Different exponents: sqrt(1 + (2^-10)^2), both orders. */
    XNorm a = xnorm_make(1.0, 0), b = xnorm_make(1.0, -10);
    double want = sqrt(1.0 + ldexp(1.0, -20));
    assert_true(xnorm_value(xnorm_add(a, b)) == want);
    assert_true(xnorm_value(xnorm_add(b, a)) == want);

    /* A tiny norm added to a normal one changes nothing, in either order. */
    XNorm n = xnorm_make(0.7, 0), tiny = xnorm_make(0.9, -3000);
    XNorm r1 = xnorm_add(n, tiny), r2 = xnorm_add(tiny, n);
    assert_true(r1.ss == n.ss && r1.e2 == n.e2);
    assert_true(r2.ss == n.ss && r2.e2 == n.e2);

    /* Zeros: exact identity. */
    XNorm zero = xnorm_make(0.0, 0);
    XNorm r3 = xnorm_add(zero, tiny), r4 = xnorm_add(tiny, zero), r5 = xnorm_add(zero, zero);
    assert_true(r3.ss == tiny.ss && r3.e2 == tiny.e2);
    assert_true(r4.ss == tiny.ss && r4.e2 == tiny.e2);
    assert_true(r5.ss == 0.0);

    /* Non-finite propagates. */
    assert_true(isinf(xnorm_add(n, (XNorm){INFINITY, 0}).ss));
    assert_true(isnan(xnorm_add((XNorm){NAN, 0}, n).ss));

    /* Unnormalised inputs are accepted: 2^40 (+) 2^40 = 2^40.5. */
    XNorm u = xnorm_add((XNorm){ldexp(1.0, 80), 0}, (XNorm){ldexp(1.0, 80), 0});
    assert_normalised(u);
    assert_true(xnorm_value(u) == ldexp(sqrt(2.0), 40));
}

static void test_scale(void **state)
{
    (void)state;
    XNorm a = xnorm_make(0.5, 0);
    /* Powers of two are exact: only e2 moves. */
    XNorm p = xnorm_scale(a, ldexp(1.0, -1000));
    assert_true(p.ss == a.ss && p.e2 == a.e2 - 1000);
    XNorm q = xnorm_scale(a, -ldexp(1.0, 1000)); /* sign of c is ignored */
    assert_true(q.ss == a.ss && q.e2 == a.e2 + 1000);

    XNorm s = xnorm_scale(xnorm_make(9.0, 0), -2.5);
    assert_true(xnorm_value(s) == 7.5);

    /* Repeated tiny factors that would underflow a double: (1e-300)^10 * sqrt(2). */
    XNorm t = xnorm_make(2.0, 0);
    for (int i = 0; i < 10; i++)
        t = xnorm_scale(t, 1e-300);
    assert_normalised(t);
    long double want = 0.5L * log10l(2.0L) + 10.0L * log10l((long double)1e-300);
    assert_close(xnorm_log10(t), want, 1e-12);
    /* ... and back up with huge factors. */
    for (int i = 0; i < 10; i++)
        t = xnorm_scale(t, 1e300);
    assert_close(xnorm_value(t), sqrtl(2.0L), 1e-14);

    /* A subnormal factor keeps its exponent. */
    XNorm d = xnorm_scale(xnorm_make(1.0, 0), 4.9406564584124654e-324);
    assert_true(d.e2 == -1074 + 1 && xnorm_value(d) == 4.9406564584124654e-324);

    XNorm z = xnorm_scale(a, 0.0);
    assert_true(z.ss == 0.0);
    XNorm z2 = xnorm_scale(xnorm_make(0.0, 0), 1e300);
    assert_true(z2.ss == 0.0);
}

static void check_printf_text(double v, int digits)
{
    char got[128], want[128];
    XNorm a = from_double(v);
    int n = xnorm_format(got, sizeof got, a, digits);
    snprintf(want, sizeof want, "%.*g", digits, v);
    assert_string_equal(got, want);
    assert_int_equal(n, (int)strlen(want));
}

static void test_format_normal_matches_printf(void **state)
{
    (void)state;
    const double v[] = {1.0,  0.1,     123.456, 1e-300,  DBL_MIN, DBL_MAX,
                        1e20, 3.0e-5, 0.5,     2.5e300, 1e9,     123456789.0};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        check_printf_text(v[i], 9);
        check_printf_text(v[i], 17);
        check_printf_text(v[i], 3);
    }
}

/* Parses text with strtold (x87 long double reaches 1e-4951) and checks its relative error
 * against want. */
static void check_parse_back(const char *text, long double want, double tol)
{
    char *end;
    long double got = strtold(text, &end);
    assert_true(*end == '\0');
    long double rel = fabsl(got - want) / want;
    if (!(rel <= tol)) {
        print_error("'%s' vs %.20Le: relative error %Lg\n", text, want, rel);
        fail();
    }
}

static void test_format_tiny_and_huge(void **state)
{
    (void)state;
    char buf[128];
    /* Decimal references from an independent 60-digit computation. */
    xnorm_format(buf, sizeof buf, xnorm_make(2.0, -2000), 9);
    assert_string_equal(buf, "1.23175312e-602");
    xnorm_format(buf, sizeof buf, xnorm_make(25.0, -3000), 9);
    assert_string_equal(buf, "4.06427431e-903");
    xnorm_format(buf, sizeof buf, xnorm_make(3.0, 5000), 9);
    assert_string_equal(buf, "2.44646466e+1505");
    /* Subnormal: printf would show a 1-bit number; we show the exact value. */
    xnorm_format(buf, sizeof buf, xnorm_make(1.0, -1074), 9);
    assert_string_equal(buf, "4.94065646e-324");
    /* A deep subnormal keeps only a few bits: printf of the double would say 2.115e-321. */
    xnorm_format(buf, sizeof buf, xnorm_make(0.7, -1065), 9);
    assert_string_equal(buf, "2.11642868e-321");

    /* With an extended long double the 17th digit is right too (values whose 18th digit is
     * far from a rounding boundary); with a plain double it may be off by a few units. */
    if (LDBL_MANT_DIG >= 64) {
        xnorm_format(buf, sizeof buf, xnorm_make(2.0, -2000), 17);
        assert_string_equal(buf, "1.2317531167784702e-602");
        xnorm_format(buf, sizeof buf, xnorm_make(25.0, -3000), 17);
        assert_string_equal(buf, "4.0642743127788677e-903");
        xnorm_format(buf, sizeof buf, xnorm_make(3.0, 5000), 17);
        assert_string_equal(buf, "2.4464646636815082e+1505");
        xnorm_format(buf, sizeof buf, xnorm_make(1.0, -1074), 17);
        assert_string_equal(buf, "4.9406564584124654e-324");
        /* |D| ~ 3e5: only an exact hi - D keeps the mantissa's 17 digits. */
        xnorm_format(buf, sizeof buf, xnorm_make(0.3, -1000000), 17);
        assert_string_equal(buf, "5.5321843807126945e-301031");
        xnorm_format(buf, sizeof buf, xnorm_make(3.0, 1000000), 17);
        assert_string_equal(buf, "1.7148439617413796e+301030");
    }

    if (LDBL_MAX_EXP < 16384) {
        print_message("long double lacks range; skipping strtold checks\n");
        return;
    }
    struct { double ss; int e2; } cases[] = {
        {2.0, -2000}, {25.0, -3000}, {0.3, -10000}, {3.0, 5000}, {1.0, -1074},
        {0.7, -1030}, {0.999999, -2500}, {0.26, 1100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        xnorm_format(buf, sizeof buf, xnorm_make(cases[i].ss, cases[i].e2), 17);
        long double want = ldexpl(sqrtl((long double)cases[i].ss), cases[i].e2);
        check_parse_back(buf, want, 1e-12);
        /* And the coarse format is the right rounding of the same number. */
        xnorm_format(buf, sizeof buf, xnorm_make(cases[i].ss, cases[i].e2), 9);
        check_parse_back(buf, want, 1e-8);
    }
}

static void test_format_rounding_carry(void **state)
{
    (void)state;
    char buf[128];
    /* 9.9999999999e-400 to 3 digits rounds to 10.0: must read 1.00e-399, not 10.00e-400. */
    long double x = 9.9999999999e-400L;
    int p;
    double m = (double)frexpl(x, &p);
    XNorm a = xnorm_make(m * m, p);
    xnorm_format(buf, sizeof buf, a, 3);
    assert_string_equal(buf, "1.00e-399");
    xnorm_format(buf, sizeof buf, a, 1);
    assert_string_equal(buf, "1e-399");
    xnorm_format(buf, sizeof buf, a, 12);
    assert_string_equal(buf, "9.99999999990e-400");
    /* Exactly a power of ten below the range (as near as a double gets). */
    x = 1e-400L;
    m = (double)frexpl(x, &p);
    xnorm_format(buf, sizeof buf, xnorm_make(m * m, p), 6);
    assert_string_equal(buf, "1.00000e-400");
}

static void test_format_special_and_truncation(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(xnorm_format(buf, sizeof buf, xnorm_make(0.0, -5), 9), 1);
    assert_string_equal(buf, "0");
    xnorm_format(buf, sizeof buf, (XNorm){INFINITY, 0}, 9);
    assert_string_equal(buf, "inf");
    xnorm_format(buf, sizeof buf, (XNorm){NAN, 0}, 9);
    assert_string_equal(buf, "nan");
    /* snprintf semantics: the full length is returned even when the buffer is short. */
    char tiny[6];
    int n = xnorm_format(tiny, sizeof tiny, xnorm_make(2.0, -2000), 9);
    assert_int_equal(n, (int)strlen("1.23175312e-602"));
    assert_string_equal(tiny, "1.231");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_normalises_without_changing_value),
        cmocka_unit_test(test_make_zero_and_non_finite),
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_log10),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_format_normal_matches_printf),
        cmocka_unit_test(test_format_tiny_and_huge),
        cmocka_unit_test(test_format_rounding_carry),
        cmocka_unit_test(test_format_special_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
