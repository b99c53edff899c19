/* Exact norms beyond double's range (DESIGN.md §3): value = sqrt(ss) * 2^e2 with ss kept in
 * [0.25, 1), so every rescaling is an exact power of four and only sums and products round.
 * Formatting goes through log10 only where printf cannot see the number. */
#include "xnorm.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* log10(2) split so that e2 * LOG10_2_HI is exact for every int e2 (the high part has 20
 * significant bits), keeping the decimal exponent of 2^e2 accurate to ~1e-16 even where
 * |e2| * log10(2) alone would lose 1e-13 to rounding. */
static const double LOG10_2_HI = 631306.0 / 2097152.0;
static const long double LOG10_2_LO = -1.6333260083603626110527550697323181e-07L;

XNorm xnorm_make(double ss, int e2)
{
    if (ss == 0)
        return (XNorm){0, 0};
    if (!(ss > 0)) /* NaN, or negative: not a sum of squares */
        return (XNorm){NAN, 0};
    if (isinf(ss))
        return (XNorm){INFINITY, 0};
    int p;
    double m = frexp(ss, &p); /* ss = m 2^p, m in [0.5, 1) */
    /* Move an even power 2^(2k) into e2 (as 2^k) so the value is unchanged. */
    int k = (p % 2 == 0) ? p / 2 : (p + 1) / 2;
    return (XNorm){ldexp(m, p - 2 * k), e2 + k};
}

XNorm xnorm_add(XNorm a, XNorm b)
{
    a = xnorm_make(a.ss, a.e2);
    b = xnorm_make(b.ss, b.e2);
    if (!isfinite(a.ss) || !isfinite(b.ss))
        return (XNorm){a.ss + b.ss, 0};
    if (b.ss == 0)
        return a;
    if (a.ss == 0)
        return b;
    if (a.e2 < b.e2) {
        XNorm t = a;
        a = b;
        b = t;
    }
    /* b's share is below 4^-d of a's ss >= 0.25: past d = 64 it is under half an ulp, and
     * stopping there keeps 2*d from overflowing an int. */
    long long d = (long long)a.e2 - b.e2;
    if (d > 64)
        return a;
    return xnorm_make(a.ss + ldexp(b.ss, (int)(-2 * d)), a.e2);
}

XNorm xnorm_scale(XNorm a, double c)
{
    a = xnorm_make(a.ss, a.e2);
    if (!isfinite(c) || !isfinite(a.ss))
        return xnorm_make(a.ss * c * c, a.e2);
    if (c == 0 || a.ss == 0)
        return (XNorm){0, 0};
    /* Squaring c itself could underflow or overflow; only its mantissa is squared. */
    int p;
    double m = fabs(frexp(c, &p));
    return xnorm_make(a.ss * m * m, a.e2 + p);
}

double xnorm_log10(XNorm a)
{
    a = xnorm_make(a.ss, a.e2);
    if (a.ss == 0)
        return -INFINITY;
    if (!isfinite(a.ss))
        return a.ss;
    return (0.5 * log10(a.ss) + a.e2 * (double)LOG10_2_LO) + a.e2 * LOG10_2_HI;
}

double xnorm_value(XNorm a)
{
    a = xnorm_make(a.ss, a.e2);
    if (a.ss == 0 || !isfinite(a.ss))
        return a.ss;
    return ldexp(sqrt(a.ss), a.e2);
}

int xnorm_format(char *buf, size_t n, XNorm a, int digits)
{
    if (digits < 1)
        digits = 1;
    a = xnorm_make(a.ss, a.e2);
    if (a.ss == 0)
        return snprintf(buf, n, "0");
    if (isnan(a.ss))
        return snprintf(buf, n, "nan");
    if (isinf(a.ss))
        return snprintf(buf, n, "inf");
    double v = xnorm_value(a);
    if (v >= DBL_MIN && v <= DBL_MAX) /* printf sees it exactly: ordinary numbers look ordinary */
        return snprintf(buf, n, "%.*g", digits, v);

    /* log10(value) = D + f, D an integer. Taking f as (hi - D) + lo, with hi exact and
     * hi - D exact, keeps f (hence the mantissa) accurate to a few ulps for any D. Long
     * double (64-bit mantissa on x86) makes the 17th digit of float64 traces right too;
     * where it is only a double, the error stays near 1e-16. */
    if (digits > 40) /* a double has no more to show, and mant[] stays bounded */
        digits = 40;
    long double hi = a.e2 * LOG10_2_HI;
    long double lo = 0.5L * log10l(a.ss) + a.e2 * LOG10_2_LO;
    long double D = floorl(hi + lo);
    long double m = powl(10.0L, (hi - D) + lo);
    if (m >= 10) { /* floorl() saw the sum on the other side of an integer */
        m /= 10;
        D += 1;
    } else if (m < 1) {
        m *= 10;
        D -= 1;
    }
    char mant[64];
    snprintf(mant, sizeof mant, "%.*Lf", digits - 1, m);
    if (strncmp(mant, "10", 2) == 0) { /* 9.9996 rounded up to 10.000: carry into D */
        m /= 10;
        D += 1;
        snprintf(mant, sizeof mant, "%.*Lf", digits - 1, m);
    }
    return snprintf(buf, n, "%se%+ld", mant, (long)D);
}
