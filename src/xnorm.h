/* Exact norms beyond the dtype's range (DESIGN.md §3). A norm is kept as a sum of
 * squares of scaled values plus a power-of-two exponent: value = sqrt(ss) * 2^e2.
 * Backprop is linear in delta, so scaling by powers of two is exact. */
#ifndef GT_XNORM_H
#define GT_XNORM_H

#include <stddef.h>

typedef struct {
    double ss; /* sum of squares of the scaled values; 0 means the norm is exactly 0 */
    int e2;    /* the values were scaled by 2^-e2 */
} XNorm;

XNorm xnorm_make(double ss, int e2);     /* normalises ss into [0.25, 1) or 0 */
XNorm xnorm_add(XNorm a, XNorm b);        /* sqrt(a^2 + b^2) */
XNorm xnorm_scale(XNorm a, double c);     /* |c| * a, c a finite double */
double xnorm_log10(XNorm a);              /* -inf for an exact zero */
double xnorm_value(XNorm a);              /* as a double; 0 if below double's range */
/* Writes the value with `digits` significant digits, correct even below double's
 * range (e.g. "3.1415927e-400"); "0" for an exact zero. Returns snprintf's result. */
int xnorm_format(char *buf, size_t n, XNorm a, int digits);

#endif
