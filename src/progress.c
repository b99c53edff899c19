/* The progress line of `gradtrace run` (see progress.h). */
#include "progress.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_SECONDS 0.1

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(Progress *p, ProgressMode mode, FILE *f, long total, long first)
{
    *p = (Progress){.total = total, .first = first, .t_start = mono_now(), .t_drawn = -1,
                   .test_acc = NAN};
    p->lines = mode == PROGRESS_LINES;
    if (mode == PROGRESS_LINES || (mode == PROGRESS_AUTO && isatty(fileno(f)))) p->f = f;
}

static void eta_text(char *buf, size_t n, double s)
{
    if (s >= 3600) snprintf(buf, n, "%ldh%02ldm", (long)(s / 3600), (long)fmod(s / 60, 60));
    else if (s >= 60) snprintf(buf, n, "%ldm%02lds", (long)(s / 60), (long)fmod(s, 60));
    else snprintf(buf, n, "%lds", (long)ceil(s));
}

void progress_format(char *buf, size_t n, long done, long total, long epoch, double loss,
                     double test_acc, double rate)
{
    int len = snprintf(buf, n, "step %ld/%ld  epoch %ld  loss %.4g", done, total, epoch, loss);
    if (len >= 0 && (size_t)len < n && !isnan(test_acc))
        len += snprintf(buf + len, n - (size_t)len, "  test_acc %.4f", test_acc);
    if (len >= 0 && (size_t)len < n && rate > 0 && isfinite(rate)) {
        char eta[32];
        eta_text(eta, sizeof eta, (double)(total - done) / rate);
        snprintf(buf + len, n - (size_t)len, "  %.*f steps/s  ETA %s", rate < 100 ? 1 : 0, rate,
                 eta);
    }
}

void progress_step(Progress *p, long step, long epoch, double loss, double test_acc,
                   int logged)
{
    if (!p->f) return;
    if (!isnan(test_acc)) p->test_acc = test_acc;
    long done = step + 1;
    double now = mono_now();
    int last = done == p->total;
    if (p->lines ? !logged : !last && p->t_drawn >= 0 && now - p->t_drawn < REDRAW_SECONDS)
        return;
    double rate = now > p->t_start ? (double)(done - p->first) / (now - p->t_start) : 0;
    char line[256];
    progress_format(line, sizeof line, done, p->total, epoch, loss,
                    p->lines ? test_acc : p->test_acc, rate);
    if (p->lines) {
        fprintf(p->f, "gradtrace run: %s\n", line);
    } else {
        fprintf(p->f, "\r%s\033[K", line); /* \033[K: clear what a longer line left */
        p->drawn = 1;
    }
    (void)fflush(p->f); /* stderr: nowhere to report a failure */
    p->t_drawn = now;
}

void progress_end(Progress *p)
{
    if (p->f && p->drawn) {
        fputc('\n', p->f);
        (void)fflush(p->f);
    }
    p->drawn = 0;
}
