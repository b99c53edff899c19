/* The progress line of `gradtrace run` on stderr: step/total, epoch, loss, test accuracy
 * (when evaluated), steps/s and ETA. On a terminal one line redrawn in place at most 10
 * times a second (CLOCK_MONOTONIC); --progress lines prints one line per logged step,
 * terminal or not. Never writes to stdout or into the traces. */
#ifndef GT_PROGRESS_H
#define GT_PROGRESS_H

#include <stdio.h>

typedef enum {
    PROGRESS_AUTO,  /* the redrawn line when stderr is a terminal, else nothing */
    PROGRESS_LINES, /* one line per logged step */
    PROGRESS_OFF,   /* --quiet */
} ProgressMode;

typedef struct {
    FILE *f;           /* NULL: off */
    int lines;         /* PROGRESS_LINES */
    long total, first; /* steps of the run; the step this process started at */
    double t_start, t_drawn; /* CLOCK_MONOTONIC seconds */
    int drawn;         /* a redrawn line is on the screen */
    double test_acc;   /* the last evaluation (NaN: none yet), kept on the redrawn line */
} Progress;

/* mode and the stream it writes to (stderr); first > 0 for a resumed run. */
void progress_start(Progress *p, ProgressMode mode, FILE *f, long total, long first);
/* After step `step` (updates done: step + 1). test_acc is NaN when not evaluated at this
 * step (the line keeps showing the last one). */
void progress_step(Progress *p, long step, long epoch, double loss, double test_acc,
                   int logged);
/* Ends the line (a newline after a redrawn one). */
void progress_end(Progress *p);
/* The text of the line into buf: "step 120/1000  epoch 1  loss 2.3026  test_acc 0.1120
 * 85.3 steps/s  ETA 10s" (test_acc only when known, ETA once a rate is known). */
void progress_format(char *buf, size_t n, long done, long total, long epoch, double loss,
                     double test_acc, double rate);

#endif
