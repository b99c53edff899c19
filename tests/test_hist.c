/* histograms.csv rows: counts add up to the entries, bins tile [min, max], and exact-zero
 * gradients get their own -inf row. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "testutil.h"

static void test_hist_rows(void **state)
{
    (void)state;
    NetSpec s = {.dtype = DT_F64, .in_dim = 2, .width = 3, .out_dim = 2, .batch = 4,
                 .depth = 1, .act = ACT_RELU};
    Net n;
    GtErr e;
    assert_int_equal(net_create(&n, &s, &e), GT_OK);
    Layer *L = &n.layers[0];
    double *z = L->z, *dW = L->dW;
    for (int i = 0; i < 12; i++) z[i] = i - 5.5; /* -5.5 .. 5.5; outputs relu(z) */
    for (int i = 0; i < 6; i++) dW[i] = i < 2 ? 0.0 : ldexp(1.0, i); /* two exact zeros */
    L->e2 = -1000; /* gradients 2^(i-1000): far below double's range, still binned */
    char dir[] = "/tmp/gt-hist-XXXXXX";
    assert_non_null(mkdtemp(dir));
    CsvFile f = {0};
    assert_int_equal(csv_open(&f, dir, "h.csv", HIST_HEADER, 17, &e), GT_OK);
    hist_write(&n, 4, 7, &f);
    assert_int_equal(csv_close(&f, &e), GT_OK);

    char path[128], line[256], q[32];
    snprintf(path, sizeof path, "%s/h.csv", dir);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, HIST_HEADER "\n");
    long step, layer, count, pre = 0, act = 0, grad = 0, zero_rows = 0;
    double lo, hi, prev_hi = -1e300, glo = 1e300, ghi = -1e300;
    while (fgets(line, sizeof line, in)) {
        char lo_s[64], hi_s[64];
        assert_int_equal(sscanf(line, "%ld,%ld,%31[^,],%63[^,],%63[^,],%ld", &step, &layer, q,
                                lo_s, hi_s, &count), 6);
        lo = strtod(lo_s, NULL), hi = strtod(hi_s, NULL);
        assert_int_equal(step, 7);
        if (layer != 1) continue;
        if (strcmp(q, "preact") == 0) {
            pre += count;
            if (prev_hi > -1e300) assert_near(lo, prev_hi, 1e-12); /* bins tile */
            prev_hi = hi;
            if (lo < glo) glo = lo;
            if (hi > ghi) ghi = hi;
        } else if (strcmp(q, "act") == 0) {
            act += count;
        } else if (strcmp(q, "grad_w_log10") == 0) {
            if (strcmp(lo_s, "-inf") == 0) {
                zero_rows++;
                assert_int_equal(count, 2);
            } else {
                grad += count;
                assert_true(lo > -302 && hi < -299); /* log10 of 2^(2..5 - 1000) */
            }
        }
    }
    fclose(in);
    assert_int_equal(pre, 12);
    assert_int_equal(act, 12);
    assert_int_equal(grad, 4);
    assert_int_equal(zero_rows, 1);
    assert_near(glo, -5.5, 1e-12);
    assert_near(ghi, 5.5, 1e-12);
    unlink(path);
    rmdir(dir);
    net_free(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_hist_rows)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
