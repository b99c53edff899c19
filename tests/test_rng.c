/* Tests for rng.c: the xoshiro256** reference vector, reproducibility per (seed, stream),
 * and distribution checks with ~5-standard-error bounds (fixed seeds, so they cannot
 * flake; the bounds are wide enough to hold for almost any seed a correct generator gets). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define NDRAW 1000000

/* Published first outputs of xoshiro256** from state {1, 2, 3, 4}; catches a wrong
 * shift or rotation constant that every statistical test could miss. */
static void test_reference_vector(void **state)
{
    (void)state;
    Rng r = {{1, 2, 3, 4}};
    const uint64_t want[] = {11520u, 0u, 1509978240u, 1215971899390074240u};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(rng_u64(&r), want[i]);
}

static void test_same_seed_same_sequence(void **state)
{
    (void)state;
    Rng a, b;
    rng_seed(&a, 12345, RNG_INIT);
    rng_seed(&b, 12345, RNG_INIT);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(rng_u64(&a), rng_u64(&b));
    /* The mixed draws must be reproducible too, not only the raw words. */
    rng_seed(&a, 7, RNG_DATA);
    rng_seed(&b, 7, RNG_DATA);
    for (int i = 0; i < 1000; i++) {
        assert_true(rng_normal(&a) == rng_normal(&b));
        assert_true(rng_uniform(&a) == rng_uniform(&b));
        assert_int_equal(rng_below(&a, 1000), rng_below(&b, 1000));
    }
}

static int count_equal(uint64_t s1, uint64_t t1, uint64_t s2, uint64_t t2, int n)
{
    Rng a, b;
    rng_seed(&a, s1, t1);
    rng_seed(&b, s2, t2);
    int eq = 0;
    for (int i = 0; i < n; i++)
        eq += rng_u64(&a) == rng_u64(&b);
    return eq;
}

static void test_streams_and_seeds_differ(void **state)
{
    (void)state;
    for (uint64_t t = RNG_INIT; t <= RNG_TEACHER; t++)
        for (uint64_t u = t + 1; u <= RNG_TEACHER; u++)
            assert_int_equal(count_equal(42, t, 42, u, 1000), 0);
    assert_int_equal(count_equal(1, RNG_INIT, 2, RNG_INIT, 1000), 0);
    assert_int_equal(count_equal(0, 0, 0, 1, 1000), 0);
    /* A naive seed ^ stream*C scheme would make these two the same generator. */
    assert_int_equal(count_equal(0x9E3779B97F4A7C15u, 0, 0, 1, 1000), 0);
    /* Stream 0 and seed 0 are legal and must not give a stuck (all-zero) state. */
    Rng r;
    rng_seed(&r, 0, 0);
    assert_false(r.s[0] == 0 && r.s[1] == 0 && r.s[2] == 0 && r.s[3] == 0);
}

static void test_uniform_moments(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 2024, RNG_DATA);
    double s1 = 0, s2 = 0;
    int low = 0; /* draws below 2^-10: checks the small end is reachable and not lumped */
    int odd = 0; /* draws using the 53rd bit: a 52-bit generator would have none */
    for (int i = 0; i < NDRAW; i++) {
        double u = rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        /* 53-bit grid: u * 2^53 must be an integer. */
        double g = u * 0x1.0p53;
        assert_true(g == floor(g));
        odd += fmod(g, 2.0) == 1.0;
        low += u < 0x1.0p-10;
        double d = u - 0.5;
        s1 += d;
        s2 += d * d;
    }
    double mean = s1 / NDRAW, var = s2 / NDRAW;
    /* U[0,1): var 1/12, E(u-1/2)^4 = 1/80 → sd of (u-1/2)^2 is sqrt(1/80 - 1/144). */
    assert_true(fabs(mean) < 5.0 * sqrt(1.0 / 12.0 / NDRAW));
    assert_true(fabs(var - 1.0 / 12.0) < 5.0 * sqrt((1.0 / 80.0 - 1.0 / 144.0) / NDRAW));
    double p = 0x1.0p-10, sd = sqrt(NDRAW * p * (1 - p));
    assert_true(fabs(low - NDRAW * p) < 5.0 * sd);
    assert_true(fabs(odd - NDRAW * 0.5) < 5.0 * sqrt(NDRAW * 0.25));
}

static void test_normal_moments(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 99, RNG_INIT);
    double s1 = 0, s2 = 0, s4 = 0;
    int tail = 0;
    for (int i = 0; i < NDRAW; i++) {
        double x = rng_normal(&r);
        assert_true(isfinite(x));
        s1 += x;
        s2 += x * x;
        s4 += x * x * x * x;
        tail += fabs(x) > 3.0;
    }
    double n = NDRAW;
    /* Standard errors from N(0,1) moments: Var x = 1, Var x^2 = 3-1, Var x^4 = 105-9. */
    assert_true(fabs(s1 / n) < 5.0 * sqrt(1.0 / n));
    assert_true(fabs(s2 / n - 1.0) < 5.0 * sqrt(2.0 / n));
    assert_true(fabs(s4 / n - 3.0) < 5.0 * sqrt(96.0 / n));
    /* P(|x| > 3) = 0.0026998: the tails, which the moments weigh only lightly. */
    double p = 0.0026997960632601866;
    assert_true(fabs(tail - n * p) < 5.0 * sqrt(n * p * (1 - p)));
}

/* "No cached state": a normal costs exactly two words, so the stream position after k
 * normals is known and nothing carries over between calls. */
static void test_normal_is_stateless(void **state)
{
    (void)state;
    Rng a, b;
    rng_seed(&a, 5, RNG_PROBE);
    rng_seed(&b, 5, RNG_PROBE);
    for (int i = 0; i < 3; i++)
        (void)rng_normal(&a);
    for (int i = 0; i < 6; i++)
        (void)rng_u64(&b);
    assert_memory_equal(a.s, b.s, sizeof a.s);
    /* A copy of the generator gives the same next normal as the original. */
    Rng c = a;
    assert_true(rng_normal(&a) == rng_normal(&c));
}

static void test_below_range_and_uniformity(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 31337, RNG_SHUFFLE);
    enum { BINS = 10, N = 200000 };
    long cnt[BINS] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t v = rng_below(&r, BINS);
        assert_true(v < BINS);
        cnt[v]++;
    }
    double chi2 = 0, e = (double)N / BINS;
    for (int b = 0; b < BINS; b++)
        chi2 += (cnt[b] - e) * (cnt[b] - e) / e;
    /* chi-square, 9 degrees of freedom: P(chi2 > 40) ≈ 7e-6. */
    assert_true(chi2 < 40.0);

    for (int i = 0; i < 100; i++)
        assert_int_equal(rng_below(&r, 1), 0);
    for (int i = 0; i < 1000; i++)
        assert_true(rng_below(&r, 3) < 3);
}

/* n = 3*2^62: plain u64 % n would land below n/2 with probability 5/8, not 1/2.
 * Lemire's method must be exact here, and also cover the top of the range. */
static void test_below_unbiased_large_n(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 8, RNG_DATA);
    const uint64_t n = 3ull << 62;
    enum { N = 100000 };
    int lowhalf = 0, top = 0;
    for (int i = 0; i < N; i++) {
        uint64_t v = rng_below(&r, n);
        assert_true(v < n);
        lowhalf += v < n / 2;
        top += v >= n - n / 8;
    }
    double sd = sqrt(N * 0.25);
    assert_true(fabs(lowhalf - N * 0.5) < 5.0 * sd);
    assert_true(fabs(top - N / 8.0) < 5.0 * sqrt(N * (1.0 / 8) * (7.0 / 8)));
}

static void test_shuffle_permutation(void **state)
{
    (void)state;
    enum { N = 1000 };
    uint32_t a[N], b[N];
    for (uint32_t i = 0; i < N; i++)
        a[i] = b[i] = i;
    Rng r1, r2;
    rng_seed(&r1, 77, RNG_SHUFFLE);
    rng_seed(&r2, 77, RNG_SHUFFLE);
    rng_shuffle(&r1, a, N);
    rng_shuffle(&r2, b, N);
    assert_memory_equal(a, b, sizeof a);

    unsigned char seen[N] = {0};
    int fixed = 0;
    for (uint32_t i = 0; i < N; i++) {
        assert_true(a[i] < N);
        assert_false(seen[a[i]]);
        seen[a[i]] = 1;
        fixed += a[i] == i;
    }
    /* A uniform permutation has Poisson(1) fixed points; 10 or more is a broken shuffle. */
    assert_true(fixed < 10);

    rng_shuffle(&r1, a, 0); /* empty and single-element input are no-ops */
    uint32_t one = 5;
    rng_shuffle(&r1, &one, 1);
    assert_int_equal(one, 5);
}

/* All 6 orders of 3 items equally often: catches off-by-one Fisher-Yates variants
 * (Sattolo's j < i gives only the 2 cyclic orders; j over [0, n) is biased). */
static void test_shuffle_uniform(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 4, RNG_SHUFFLE);
    enum { N = 60000 };
    long cnt[6] = {0};
    for (int t = 0; t < N; t++) {
        uint32_t p[3] = {0, 1, 2};
        rng_shuffle(&r, p, 3);
        /* Rank of the permutation: first element and whether the rest is in order. */
        cnt[p[0] * 2 + (p[1] > p[2])]++;
    }
    double chi2 = 0, e = N / 6.0;
    for (int i = 0; i < 6; i++)
        chi2 += (cnt[i] - e) * (cnt[i] - e) / e;
    assert_true(chi2 < 30.0); /* 5 dof: P(chi2 > 30) ≈ 1.5e-5 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_vector),
        cmocka_unit_test(test_same_seed_same_sequence),
        cmocka_unit_test(test_streams_and_seeds_differ),
        cmocka_unit_test(test_uniform_moments),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_normal_is_stateless),
        cmocka_unit_test(test_below_range_and_uniformity),
        cmocka_unit_test(test_below_unbiased_large_n),
        cmocka_unit_test(test_shuffle_permutation),
        cmocka_unit_test(test_shuffle_uniform),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
