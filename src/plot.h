/* `gradtrace plot`'s library: the runs of run and sweep directories, labels from the
 * configuration keys in which they differ, and for one kind of figure a gnuplot data
 * file and a script beside the output (so that the figure can be edited and redrawn),
 * then gnuplot itself. Traces are read by column name, and only under their final names. */
#ifndef GT_PLOT_H
#define GT_PLOT_H

#include <stddef.h>

#include "common.h"

struct cJSON;

typedef enum { PLOT_PROFILE, PLOT_TRAINING, PLOT_DEAD, PLOT_HISTOGRAMS, PLOT_JACOBIAN, PLOT_NKINDS } PlotKind;

/* "profile", "training", "dead", "histograms", "jacobian" */
extern const char *const PLOT_KIND_NAME[PLOT_NKINDS];

typedef struct {
    char *dir;             /* the run directory */
    struct cJSON *json;    /* its run.json */
    char *label;           /* "width=8, lr=0.1" (plot_label) */
} PlotRun;

typedef struct {
    PlotRun *run;
    size_t n;
    char *common;          /* what the runs share, for the subtitle: "depth 3, relu, ..." */
} PlotSet;

typedef struct {
    PlotKind kind;
    long step;             /* the step to plot (profile, histograms, jacobian); -1: each run's last */
    int delta;             /* profile: delta_log10 instead of grad_w_log10 */
    const char *out;       /* the figure: FILE.png, FILE.svg or FILE.pdf */
} PlotOptions;

/* Adds the runs of each DIR: a run directory (run.json) is one run, a sweep directory
 * (sweep.json) gives its finished runs in the sweep's order. GT_EINPUT for a DIR that is
 * neither, or a sweep without any finished run. */
int plot_collect(PlotSet *s, const char *const *dirs, size_t n, GtErr *e);
/* Labels every run by the config keys BY ("width,lr"), or when BY is NULL by the keys
 * whose values differ between the runs (out and force aside; the directory's name when
 * none differ). GT_EINPUT for a key no run has, listing the valid ones. */
int plot_label(PlotSet *s, const char *by, GtErr *e);
/* The terminal for OUT's extension ("pngcairo", "svg", "pdfcairo"), or NULL. */
const char *plot_terminal(const char *out);
/* Writes OUT without its extension + ".dat" and ".gp" (atomically); the paths go to
 * dat and gp (PATH_MAX each). GT_EINPUT for a run without the file the kind needs
 * (naming the option that writes it) or without the step asked for. */
int plot_write(const PlotSet *s, const PlotOptions *o, char *dat, char *gp, GtErr *e);
/* Runs gnuplot (under LC_ALL=C.UTF-8, in GP's directory) on GP, drawing OUT under a
 * temporary name that is renamed when gnuplot succeeded. GT_EINPUT when gnuplot or its
 * terminal for OUT is missing (saying what to install), GT_ESYS when gnuplot fails. */
int plot_render(const char *gp, const char *out, GtErr *e);
void plot_free(PlotSet *s);

#endif
