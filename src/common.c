/* Error helper shared by every module. */
#include "common.h"

#include <stdarg.h>
#include <stdio.h>

int gt_fail(GtErr *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}
