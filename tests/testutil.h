/* Helpers shared by the CMocka tests (include after <cmocka.h>). */
#ifndef GT_TESTUTIL_H
#define GT_TESTUTIL_H

#include <math.h>
#include <stdio.h>

/* |a - b| <= tol in double, printing both values when it fails (cmocka 1.1's
 * assert_float_equal works in float). */
#define assert_near(a, b, tol)                                                          \
    do {                                                                                \
        double a_ = (a), b_ = (b), t_ = (tol);                                          \
        if (!(fabs(a_ - b_) <= t_)) {                                                   \
            print_error("%s = %.17g, %s = %.17g, tolerance %g\n", #a, a_, #b, b_, t_);  \
            fail();                                                                     \
        }                                                                               \
    } while (0)

#endif
