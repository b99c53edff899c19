/* `gradtrace plot DIR... [--kind K] [--step N|last] [--by KEYS] [--y grad|delta] [--out FILE]`:
 * draws run and sweep directories with gnuplot (plot.h), leaving the data and the script
 * beside the figure, and prints the three paths. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "plot.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: gradtrace plot DIR... [--kind K] [--step N|last] [--by KEY[,KEY...]]\n"
            "                      [--y grad|delta] [--out FILE.png|.svg|.pdf]\n\n"
            "Draws runs with gnuplot. Each DIR is a run directory (gradtrace run --out) or\n"
            "a sweep directory (gradtrace sweep --out: its finished runs). Beside the figure\n"
            "it writes FILE.dat (the data, as gnuplot blocks) and FILE.gp (the script: edit\n"
            "it and run gnuplot FILE.gp in that directory to redraw), and prints the three\n"
            "paths. Runs are labelled by the options in which their configs differ.\n\n"
            "  --kind K       what to draw [profile]:\n"
            "                   profile     log10 ||dL/dW|| per layer, a line per run\n"
            "                               (layers.csv)\n"
            "                   training    batch loss and test accuracy vs step (steps.csv)\n"
            "                   dead        dead units per hidden layer over the steps\n"
            "                               (census.csv: runs made with --census-every K)\n"
            "                   histograms  each layer's histograms (histograms.csv: runs\n"
            "                               made with --histograms)\n"
            "                   jacobian    singular values of dh_L/dh_1 (jacobian.csv: runs\n"
            "                               made with --jacobian-every K)\n"
            "  --step N|last  the step drawn by profile, histograms and jacobian [last: each\n"
            "                 run's last logged step]\n"
            "  --by KEYS      label the runs by these options (comma separated: width,lr)\n"
            "                 [those whose values differ between the runs]\n"
            "  --y grad|delta profile: the weight gradient ||dL/dW_l|| or the backpropagated\n"
            "                 error rms ||dl/dz_l|| (delta_log10) [grad]\n"
            "  --out FILE     the figure; its extension chooses gnuplot's terminal (pngcairo,\n"
            "                 svg, pdfcairo) [the first DIR/plot-KIND.png]\n\n"
            "gnuplot runs under LC_ALL=C.UTF-8, in FILE's directory.\n"
            "Exit status: 0 drawn, 2 bad option, a DIR that is no run or sweep, a run without\n"
            "the file or step the kind needs, no gnuplot or terminal; 1 gnuplot failed.\n");
}

static int fail(const char *msg)
{
    fprintf(stderr, "gradtrace plot: %s\n", msg);
    return 2;
}

int cmd_plot(int argc, char **argv)
{
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    if (!dirs) return fail("out of memory");
    size_t nd = 0;
    PlotOptions o = {.kind = PLOT_PROFILE, .step = -1};
    const char *by = NULL, *step = NULL, *y = NULL;
    char msg[512], defout[PATH_MAX];
    int rc = 0;
    for (int k = 1; k < argc && !rc; k++) {
        const char *a = argv[k], *v = NULL;
        char name[64];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq && (size_t)(eq - a) < sizeof name) { /* --kind=dead */
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            a = name, v = eq + 1;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            free(dirs);
            return 0;
        }
        int takes = strcmp(a, "--kind") == 0 || strcmp(a, "--step") == 0 || strcmp(a, "--by") == 0 ||
                    strcmp(a, "--y") == 0 || strcmp(a, "--out") == 0;
        if (takes && !v) v = k + 1 < argc ? argv[++k] : NULL;
        if (takes && !v) {
            snprintf(msg, sizeof msg, "%s: missing value", a);
            rc = fail(msg);
        } else if (strcmp(a, "--kind") == 0) {
            int kind = 0;
            while (kind < PLOT_NKINDS && strcmp(v, PLOT_KIND_NAME[kind]) != 0) kind++;
            if (kind == PLOT_NKINDS) {
                snprintf(msg, sizeof msg, "--kind %s: expected profile, training, dead, histograms or jacobian", v);
                rc = fail(msg);
            }
            o.kind = (PlotKind)kind;
        } else if (strcmp(a, "--step") == 0) {
            char *end;
            long s = strtol(v, &end, 10);
            step = v;
            if (strcmp(v, "last") == 0) o.step = -1;
            else if (end == v || *end || s < 0) {
                snprintf(msg, sizeof msg, "--step %s: expected a step number (0, 1, ...) or last", v);
                rc = fail(msg);
            } else o.step = s;
        } else if (strcmp(a, "--by") == 0) by = v;
        else if (strcmp(a, "--y") == 0) {
            y = v;
            o.delta = strcmp(v, "delta") == 0;
            if (!o.delta && strcmp(v, "grad") != 0) {
                snprintf(msg, sizeof msg, "--y %s: expected grad or delta", v);
                rc = fail(msg);
            }
        } else if (strcmp(a, "--out") == 0) o.out = v;
        else if (a[0] == '-') {
            snprintf(msg, sizeof msg, "%s: unknown option (see gradtrace plot --help)", a);
            rc = fail(msg);
        } else dirs[nd++] = a;
    }
    if (!rc && !nd) rc = fail("no DIR given (usage: gradtrace plot DIR... [--kind K] [--out FILE.png])");
    if (!rc && step && (o.kind == PLOT_TRAINING || o.kind == PLOT_DEAD)) {
        snprintf(msg, sizeof msg, "--step: --kind %s draws every step (--step is for profile, histograms, jacobian)",
                 PLOT_KIND_NAME[o.kind]);
        rc = fail(msg);
    }
    if (!rc && y && o.kind != PLOT_PROFILE) rc = fail("--y: only with --kind profile");
    if (!rc && !o.out) {
        size_t len = strlen(dirs[0]);
        while (len > 1 && dirs[0][len - 1] == '/') len--;
        snprintf(defout, sizeof defout, "%.*s/plot-%s.png", (int)len, dirs[0], PLOT_KIND_NAME[o.kind]);
        o.out = defout;
    }
    if (rc) {
        free(dirs);
        return rc;
    }
    PlotSet s = {0};
    GtErr e = {0};
    char dat[PATH_MAX], gp[PATH_MAX];
    rc = plot_collect(&s, dirs, nd, &e);
    if (!rc) rc = plot_label(&s, by, &e);
    if (!rc) rc = plot_write(&s, &o, dat, gp, &e);
    if (!rc) rc = plot_render(gp, o.out, &e);
    if (rc) fprintf(stderr, "gradtrace plot: %s\n", e.msg);
    else printf("%s\n%s\n%s\n", o.out, gp, dat);
    plot_free(&s);
    free(dirs);
    return rc;
}
