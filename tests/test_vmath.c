/* Tests for vmath.h: expf and tanhf against libm's double functions rounded to float over
 * a strided sweep of every float, the edge values, and the float sigmoid/tanh kernels
 * (multi-versioned, vectorised) bit for bit against the same formula evaluated one
 * element at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "vmath.h"

/* Distance in units in the last place, counting across zero. */
static long ulp_dist(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    long la = ia < 0 ? (long)INT32_MIN - ia : ia, lb = ib < 0 ? (long)INT32_MIN - ib : ib;
    return la > lb ? la - lb : lb - la;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every 61st bit pattern (70 million floats of both signs): at most 1 ulp from libm's
 * double result rounded to float, and that only where the double lands next to a
 * rounding boundary (a handful in the whole sweep). */
static void sweep(const char *name, float (*mine)(float), double (*ref)(double))
{
    long n = 0, off = 0, worst = 0;
    float worst_x = 0;
    for (uint64_t u = 0; u <= UINT32_MAX; u += 61) {
        uint32_t b = (uint32_t)u;
        float x;
        memcpy(&x, &b, sizeof x);
        if (isnan(x)) continue;
        float got = mine(x), want = (float)ref((double)x);
        n++;
        if (!same_bits(got, want)) {
            off++;
            long d = ulp_dist(got, want);
            if (d > worst) worst = d, worst_x = x;
        }
    }
    printf("  %s: %ld floats, %ld differ from libm rounded to float, worst %ld ulp (x = %a)\n",
           name, n, off, worst, (double)worst_x);
    assert_true(n > 60000000);
    if (worst > 1) fail_msg("%s(%a) is %ld ulp from libm", name, (double)worst_x, worst);
    assert_true(off <= 20);
}

static void test_expf_sweep(void **state)
{
    (void)state;
    sweep("expf", vmath_expf, exp);
}

static void test_tanhf_sweep(void **state)
{
    (void)state;
    sweep("tanhf", vmath_tanhf, tanh);
}

static void test_edges(void **state)
{
    (void)state;
    assert_true(vmath_expf(0.0f) == 1.0f);
    assert_true(vmath_expf(-0.0f) == 1.0f);
    assert_true(vmath_expf(-INFINITY) == 0.0f);
    assert_true(vmath_expf(INFINITY) == INFINITY);
    assert_true(isnan(vmath_expf(NAN)));
    assert_true(vmath_expf(88.72f) == (float)exp(88.72f) && isfinite(vmath_expf(88.72f)));
    assert_true(vmath_expf(88.73f) == INFINITY);
    /* subnormal results keep their value: exp(-100) = 3.7e-44 is 26 * 2^-149 */
    assert_true(vmath_expf(-100.0f) == (float)exp(-100.0));
    assert_true(vmath_expf(-100.0f) > 0 && vmath_expf(-100.0f) < FLT_MIN);
    assert_true(vmath_expf(-104.0f) == 0.0f);
    assert_true(same_bits(vmath_tanhf(0.0f), 0.0f));
    assert_true(same_bits(vmath_tanhf(-0.0f), -0.0f));
    assert_true(vmath_tanhf(1e-30f) == 1e-30f);
    assert_true(vmath_tanhf(-FLT_TRUE_MIN) == -FLT_TRUE_MIN);
    assert_true(vmath_tanhf(INFINITY) == 1.0f && vmath_tanhf(-INFINITY) == -1.0f);
    assert_true(vmath_tanhf(0x1p-6f) == (float)tanh(0x1p-6)); /* the switch between forms */
    assert_true(isnan(vmath_tanhf(NAN)));
}

/* Scalar evaluations the compiler may not vectorise or merge into a loop. */
__attribute__((noinline)) static float sigmoid_one(float x)
{
    float e = vmath_expf(-fabsf(x));
    return (x >= 0 ? 1 : e) / (1 + e);
}
__attribute__((noinline)) static float tanh_one(float x) { return vmath_tanhf(x); }

/* The float kernels run the widest clone this CPU has; they must give the bits of the
 * element-at-a-time formula. Lengths 1000 and 1003 cover the vector body and the tail. */
static void test_kernels_match_scalar(void **state)
{
    (void)state;
    enum { N = 1003 };
    static float z[N], a[N];
    for (int i = 0; i < N; i++) z[i] = (float)((i - N / 2) * 0.0371) * (i % 7 == 0 ? 9.5f : 1.0f);
    z[0] = -0.0f;
    z[1] = 1e-20f;
    z[2] = -90.0f;
    for (int len = 1000; len <= N; len += 3) {
        act_get(ACT_SIGMOID)->fwd_s(z, a, (size_t)len, NULL);
        for (int i = 0; i < len; i++)
            if (!same_bits(a[i], sigmoid_one(z[i])))
                fail_msg("sigmoid kernel at z=%a: %a, scalar %a", (double)z[i], (double)a[i],
                         (double)sigmoid_one(z[i]));
        act_get(ACT_TANH)->fwd_s(z, a, (size_t)len, NULL);
        for (int i = 0; i < len; i++)
            if (!same_bits(a[i], tanh_one(z[i])))
                fail_msg("tanh kernel at z=%a: %a, scalar %a", (double)z[i], (double)a[i],
                         (double)tanh_one(z[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expf_sweep),
        cmocka_unit_test(test_tanhf_sweep),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_kernels_match_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
