/* Tests for progress.c: the line's exact text (test accuracy only when known, ETA once a
 * rate is known, hours/minutes/seconds), --progress lines (a line per logged step, the
 * evaluated accuracy on its own step only), off, and auto on a stream that is not a
 * terminal (nothing). The redrawn terminal line is tested on a pty by tests/live/run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "progress.h"

static void test_format(void **state)
{
    (void)state;
    char b[256];
    progress_format(b, sizeof b, 120, 1000, 1, 2.302585, NAN, 85.34);
    assert_string_equal(b, "step 120/1000  epoch 1  loss 2.303  85.3 steps/s  ETA 11s");
    progress_format(b, sizeof b, 120, 1000, 1, 2.302585, 0.11201, 850.4);
    assert_string_equal(b, "step 120/1000  epoch 1  loss 2.303  test_acc 0.1120  850 steps/s  "
                           "ETA 2s");
    progress_format(b, sizeof b, 1, 1000000, 0, 0.5, NAN, 10);
    assert_string_equal(b, "step 1/1000000  epoch 0  loss 0.5  10.0 steps/s  ETA 27h46m");
    progress_format(b, sizeof b, 1, 1000, 0, INFINITY, NAN, 10);
    assert_string_equal(b, "step 1/1000  epoch 0  loss inf  10.0 steps/s  ETA 1m39s");
    progress_format(b, sizeof b, 1000, 1000, 3, 0.25, NAN, 0); /* no rate yet: no ETA */
    assert_string_equal(b, "step 1000/1000  epoch 3  loss 0.25");
    progress_format(b, 20, 120, 1000, 1, 2.302585, 0.5, 85.34); /* truncated, terminated */
    assert_int_equal(strlen(b), 19);
}

static char *drive(ProgressMode mode, char *buf, size_t n)
{
    FILE *f = fmemopen(buf, n, "w");
    assert_non_null(f);
    Progress p;
    progress_start(&p, mode, f, 30, 0);
    for (long s = 0; s < 30; s++)
        progress_step(&p, s, s / 10, 1.0 / (double)(s + 1), s == 10 ? 0.75 : NAN,
                      s % 10 == 0 || s == 29);
    progress_end(&p);
    fclose(f);
    return buf;
}

static void test_modes(void **state)
{
    (void)state;
    char buf[4096] = {0};
    drive(PROGRESS_LINES, buf, sizeof buf);
    const char *l = buf;
    int lines = 0;
    for (const char *nl; (nl = strchr(l, '\n')); l = nl + 1) {
        assert_memory_equal(l, "gradtrace run: step ", 20);
        lines++;
    }
    assert_int_equal(lines, 4); /* steps 0, 10, 20, 29 */
    assert_non_null(strstr(buf, "gradtrace run: step 1/30  epoch 0  loss 1"));
    assert_non_null(strstr(buf, "gradtrace run: step 11/30  epoch 1  loss 0.09091  test_acc 0.7500"));
    assert_non_null(strstr(buf, "gradtrace run: step 30/30  epoch 2  loss 0.03333"));
    /* the accuracy on its own step only */
    assert_null(strstr(buf, "step 21/30  epoch 2  loss 0.04762  test_acc"));
    assert_null(strchr(buf, '\r'));
    memset(buf, 0, sizeof buf);
    drive(PROGRESS_OFF, buf, sizeof buf);
    assert_string_equal(buf, "");
    drive(PROGRESS_AUTO, buf, sizeof buf); /* fmemopen is no terminal */
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
