/* `gradtrace plot` (plot.h): collects runs, labels them by the keys in which their
 * configs differ, writes one kind of figure as a gnuplot data file (blocks selected with
 * `index`) and a script that draws it, and runs gnuplot on the script. */
#include "plot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csvtab.h"
#include "summary.h"
#include "trace.h"

const char *const PLOT_KIND_NAME[PLOT_NKINDS] = {"profile", "training", "dead", "histograms", "jacobian"};

/* Okabe-Ito colours as plots/style.gp has them; runs past 8 change the dash pattern */
#define GP_COLOURS                                                                         \
    "col(i) = word(\"#0072B2 #E69F00 #009E73 #CC79A7 #D55E00 #56B4E9 #000000 #999999\", "  \
    "(i - 1) % 8 + 1)\ndash(i) = int((i - 1) / 8) % 5 + 1\n"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ---- collecting runs ------------------------------------------------------------------ */

static const cJSON *config_of(const PlotRun *r)
{
    return cJSON_GetObjectItemCaseSensitive(r->json, "config");
}

static int add_run(PlotSet *s, const char *dir, GtErr *e)
{
    char *p = path_join(dir, "run.json");
    if (!p) return gt_fail(e, GT_ESYS, "out of memory");
    cJSON *doc = json_read(p);
    free(p);
    if (!doc || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "config"))) {
        cJSON_Delete(doc);
        return gt_fail(e, GT_EINPUT, "%s/run.json: not a gradtrace run.json (no \"config\" object)", dir);
    }
    PlotRun *grown = realloc(s->run, (s->n + 1) * sizeof *s->run);
    char *d = strdup(dir);
    if (!grown || !d) {
        if (grown) s->run = grown;
        free(d);
        cJSON_Delete(doc);
        return gt_fail(e, GT_ESYS, "out of memory");
    }
    s->run = grown;
    s->run[s->n++] = (PlotRun){.dir = d, .json = doc, .label = NULL};
    return GT_OK;
}

static int add_sweep(PlotSet *s, const char *dir, GtErr *e)
{
    char *p = path_join(dir, "sweep.json");
    if (!p) return gt_fail(e, GT_ESYS, "out of memory");
    cJSON *doc = json_read(p);
    free(p);
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(doc, "points"), *pt;
    if (!cJSON_IsArray(points)) {
        cJSON_Delete(doc);
        return gt_fail(e, GT_EINPUT, "%s/sweep.json: not a gradtrace sweep.json (no \"points\" list)", dir);
    }
    size_t before = s->n, total = 0;
    int rc = GT_OK;
    cJSON_ArrayForEach(pt, points) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(pt, "id");
        if (!cJSON_IsString(id)) continue;
        total++;
        size_t n = strlen(dir) + strlen(id->valuestring) + 8;
        char *rd = malloc(n);
        if (!rd) { rc = gt_fail(e, GT_ESYS, "out of memory"); break; }
        snprintf(rd, n, "%s/runs/%s", dir, id->valuestring);
        if (summary_finished(rd)) rc = add_run(s, rd, e);
        free(rd);
        if (rc) break;
    }
    cJSON_Delete(doc);
    if (!rc && s->n == before)
        rc = gt_fail(e, GT_EINPUT, "%s: a sweep without finished runs yet (%zu points; see %s/index.csv)",
                     dir, total, dir);
    return rc;
}

int plot_collect(PlotSet *s, const char *const *dirs, size_t n, GtErr *e)
{
    for (size_t i = 0; i < n; i++) {
        char *d = strdup(dirs[i]);
        if (!d) return gt_fail(e, GT_ESYS, "out of memory");
        for (size_t len = strlen(d); len > 1 && d[len - 1] == '/';) d[--len] = '\0';
        char *rj = path_join(d, "run.json"), *sj = path_join(d, "sweep.json");
        int rc = !rj || !sj ? gt_fail(e, GT_ESYS, "out of memory")
                 : exists(rj) ? add_run(s, d, e)
                 : exists(sj) ? add_sweep(s, d, e)
                 : gt_fail(e, GT_EINPUT, "%s: neither a run directory (run.json) nor a sweep directory "
                           "(sweep.json): give the --out DIR of gradtrace run or gradtrace sweep", d);
        free(rj);
        free(sj);
        free(d);
        if (rc) return rc;
    }
    return GT_OK;
}

/* ---- labels --------------------------------------------------------------------------- */

/* A config value as text: strings as they are, numbers and booleans as cJSON prints them
 * (the shortest form that round-trips: 0.01, 128, true); "" when the run has no such key. */
static char *value_text(const cJSON *config, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    if (!v) return strdup("");
    if (cJSON_IsString(v)) return strdup(v->valuestring);
    return cJSON_PrintUnformatted(v);
}

/* 1 when some run's value of KEY differs from the first run's; -1 out of memory */
static int differs(const PlotSet *s, const char *key)
{
    char *first = value_text(config_of(&s->run[0]), key);
    if (!first) return -1;
    int d = 0;
    for (size_t i = 1; i < s->n && !d; i++) {
        char *v = value_text(config_of(&s->run[i]), key);
        if (!v) { free(first); return -1; }
        d = strcmp(first, v) != 0;
        free(v);
    }
    free(first);
    return d;
}

/* keys that never name a difference between results */
static int ignored(const char *key) { return strcmp(key, "out") == 0 || strcmp(key, "force") == 0; }

/* appends "key=value" (sep before it unless at the start) to *buf; -1 out of memory */
static int append(char **buf, const char *sep, const char *key, const char *eq, const char *val)
{
    size_t old = *buf ? strlen(*buf) : 0, n = old + strlen(sep) + strlen(key) + strlen(eq) + strlen(val) + 1;
    char *b = realloc(*buf, n);
    if (!b) return -1;
    snprintf(b + old, n - old, "%s%s%s%s", old ? sep : "", key, eq, val);
    *buf = b;
    return 0;
}

/* the config keys of every run, in the first run's order, joined by ", " */
static char *valid_keys(const PlotSet *s)
{
    char *list = NULL;
    const cJSON *k;
    cJSON_ArrayForEach(k, config_of(&s->run[0])) if (!ignored(k->string) && append(&list, ", ", k->string, "", "")) break;
    return list;
}

static int label_run(PlotRun *r, char **keys, size_t nk)
{
    for (size_t j = 0; j < nk; j++) {
        char *v = value_text(config_of(r), keys[j]);
        int bad = !v || append(&r->label, ", ", keys[j], "=", v);
        free(v);
        if (bad) return -1;
    }
    if (!r->label) { /* nothing differs: the directory's own name */
        const char *base = strrchr(r->dir, '/');
        r->label = strdup(base && base[1] ? base + 1 : r->dir);
        if (!r->label) return -1;
    }
    return 0;
}

/* the keys of a shared configuration worth a subtitle */
static const char *const COMMON_KEYS[] = {"depth", "width", "activation", "init", "data", "optimizer",
                                          "lr", "batch", "dtype"};

int plot_label(PlotSet *s, const char *by, GtErr *e)
{
    if (!s->n) return gt_fail(e, GT_EINPUT, "no runs to plot");
    char *keys[256];
    size_t nk = 0;
    int rc = GT_OK;
    if (by) {
        char *copy = strdup(by), *save = NULL;
        if (!copy) return gt_fail(e, GT_ESYS, "out of memory");
        for (char *k = strtok_r(copy, ",", &save); k && !rc; k = strtok_r(NULL, ",", &save)) {
            int known = 0;
            for (size_t i = 0; i < s->n && !known; i++)
                known = cJSON_GetObjectItemCaseSensitive(config_of(&s->run[i]), k) != NULL;
            if (!known || ignored(k)) {
                char *valid = valid_keys(s);
                rc = gt_fail(e, GT_EINPUT, "--by %s: no run has an option '%s' (valid: %s)", by, k,
                             valid ? valid : "?");
                free(valid);
            } else if (nk < sizeof keys / sizeof *keys && !(keys[nk++] = strdup(k)))
                rc = gt_fail(e, GT_ESYS, "out of memory");
        }
        free(copy);
    } else {
        const cJSON *k;
        cJSON_ArrayForEach(k, config_of(&s->run[0])) {
            if (ignored(k->string)) continue;
            int d = differs(s, k->string);
            if (d < 0 || (d && nk < sizeof keys / sizeof *keys && !(keys[nk++] = strdup(k->string)))) {
                rc = gt_fail(e, GT_ESYS, "out of memory");
                break;
            }
        }
    }
    for (size_t i = 0; i < s->n && !rc; i++)
        if (label_run(&s->run[i], keys, nk)) rc = gt_fail(e, GT_ESYS, "out of memory");
    for (size_t j = 0; j < sizeof COMMON_KEYS / sizeof *COMMON_KEYS && !rc; j++) {
        int d = differs(s, COMMON_KEYS[j]);
        char *v = d ? NULL : value_text(config_of(&s->run[0]), COMMON_KEYS[j]);
        if (d < 0 || (!d && (!v || (*v && append(&s->common, ", ", COMMON_KEYS[j], " ", v)))))
            rc = gt_fail(e, GT_ESYS, "out of memory");
        free(v);
    }
    for (size_t j = 0; j < nk; j++) free(keys[j]);
    return rc;
}

void plot_free(PlotSet *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->run[i].dir);
        cJSON_Delete(s->run[i].json);
        free(s->run[i].label);
    }
    free(s->run);
    free(s->common);
    memset(s, 0, sizeof *s);
}

/* ---- figures -------------------------------------------------------------------------- */

typedef struct {
    const PlotSet *s;
    const PlotOptions *o;
    FILE *dat, *gp;
    const char *datname;   /* the data file's name, as the script reads it (same directory) */
    const char *outname;   /* the figure's name, the script's default output */
    const char *gpname;    /* the script's own name */
    long block;            /* blocks written to dat so far (gnuplot's `index`) */
} Fig;

/* the file each kind reads, and what writes it */
static const char *const NEEDS[PLOT_NKINDS] = {"layers.csv", "steps.csv", "census.csv", "histograms.csv",
                                               "jacobian.csv"};
static const char *const WRITTEN_WITH[PLOT_NKINDS] = {"--every K", "--every K", "--census-every K",
                                                      "--histograms", "--jacobian-every K"};

static int load(const PlotRun *r, PlotKind k, CsvTab *t, GtErr *e)
{
    char path[PATH_MAX], partial[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", r->dir, NEEDS[k]);
    snprintf(partial, sizeof partial, "%s.partial", path);
    if (!exists(path)) {
        if (exists(partial))
            return gt_fail(e, GT_EINPUT, "%s: still being written (%s.partial: a live run); plot it once the run has ended",
                           path, NEEDS[k]);
        return gt_fail(e, GT_EINPUT, "%s: missing: --kind %s needs it (run gradtrace run with %s)", path,
                       PLOT_KIND_NAME[k], WRITTEN_WITH[k]);
    }
    return csvtab_read(path, t, e);
}

/* The N columns NAMES of run R's file for kind K, by name, into *COLS. */
static int columns(const CsvTab *t, const PlotRun *r, PlotKind k, int n, const char *const names[],
                   int *const cols[], GtErr *e)
{
    for (int j = 0; j < n; j++)
        if ((*cols[j] = csvtab_col(t, names[j])) < 0)
            return gt_fail(e, GT_EINPUT, "%s/%s: no column '%s'", r->dir, NEEDS[k], names[j]);
    return GT_OK;
}

/* The step to draw: WANT, or the last in the file when WANT < 0. */
static int pick_step(const CsvTab *t, int sc, long want, const PlotRun *r, PlotKind k, long *step, GtErr *e)
{
    double lo = INFINITY, hi = -1;
    int found = 0;
    for (size_t i = 0; i < t->rows; i++) {
        double v = csvtab_num(t, i, sc);
        if (!(v >= 0)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        found |= v == (double)want;
    }
    if (hi < 0) return gt_fail(e, GT_EINPUT, "%s/%s: no rows", r->dir, NEEDS[k]);
    if (want >= 0 && !found)
        return gt_fail(e, GT_EINPUT, "%s/%s: no step %ld (logged: %.0f to %.0f; --step last draws the last)", r->dir,
                       NEEDS[k], want, lo, hi);
    *step = want >= 0 ? want : (long)hi;
    return GT_OK;
}

static int at_step(const CsvTab *t, size_t i, int sc, long step) { return csvtab_num(t, i, sc) == (double)step; }

/* a number for gnuplot: NaN (an undefined point) for anything not finite */
static void num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.9g", v);
    else fputs("NaN", f);
}

/* a gnuplot double-quoted string */
static void gp_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputc('"', f);
}

static void block_begin(Fig *f, const char *what, size_t run)
{
    if (f->block) fputs("\n\n", f->dat);
    fprintf(f->dat, "# index %ld: %s", f->block++, what);
    if (run < f->s->n) fprintf(f->dat, " of run %zu, %s", run + 1, f->s->run[run].dir);
    fputc('\n', f->dat);
}

/* The script's beginning: terminal (by the output's extension), data, labels (each run's,
 * with " (step N)" when the runs are drawn at different steps), title. */
static void gp_begin(Fig *f, int w, int h, int key, const char *title, const long *steps)
{
    FILE *g = f->gp;
    const char *term = plot_terminal(f->o->out);
    /* a key of long labels gets room of its own beside the plot: KEYX is where it starts */
    size_t longest = 46; /* the zero marker's title */
    for (size_t i = 0; i < f->s->n; i++) {
        size_t len = strlen(f->s->run[i].label) + 12; /* " (step N)" */
        if (len > longest) longest = len;
    }
    int plot_w = w, lines = (int)f->s->n + 1;
    if (key) w += 80 + 8 * (int)longest;
    if (key && h < 200 + 19 * lines) h = 200 + 19 * lines; /* the key fits the height too */
    fprintf(g, "# gradtrace plot --kind %s (gradtrace %s). Redraw after editing, in this directory:\n"
               "#   gnuplot %s\n", PLOT_KIND_NAME[f->o->kind], GT_VERSION, f->gpname);
    fprintf(g, "#   gnuplot -e \"out='other%s'\" %s   (another file, the same terminal)\n", strrchr(f->outname, '.'),
            f->gpname);
    fputs("if (!exists(\"out\")) out = ", g);
    gp_str(g, f->outname);
    fputc('\n', g);
    if (strcmp(term, "svg") == 0)
        fprintf(g, "set terminal svg size %d,%d dynamic enhanced font \"DejaVu Sans,12\" background \"white\"\n", w, h);
    else if (strcmp(term, "pdfcairo") == 0)
        fprintf(g, "set terminal pdfcairo size %.2fin,%.2fin enhanced font \"DejaVu Sans,10\"\n", w / 100.0, h / 100.0);
    else
        fprintf(g, "set terminal pngcairo size %d,%d enhanced font \"DejaVu Sans,11\" background \"white\"\n", w, h);
    fputs("set output out\nset encoding utf8\nset grid back lc rgb \"#dddddd\"\nset border 3\n"
          "set tics nomirror out scale 0.6\n" GP_COLOURS, g);
    fputs("DATA = ", g);
    gp_str(g, f->datname);
    fprintf(g, "\narray LABEL[%zu] = [", f->s->n);
    for (size_t i = 0; i < f->s->n; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", f->s->run[i].label);
        if (steps && steps[i] != steps[0])
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " (step %ld)", steps[i]);
        fputs(i ? ", " : "", g);
        gp_str(g, buf);
    }
    fputs("]\nTITLE = ", g);
    gp_str(g, title);
    fputs("\nSUBTITLE = ", g);
    gp_str(g, f->s->common ? f->s->common : "");
    fprintf(g, "\nKEYX = %.3f\n", (double)plot_w / w);
}

/* the zero floor of a log10 axis: below the lowest finite value */
static double floor_below(double lo) { return isfinite(lo) ? floor(lo) - 1 : -1; }

/* an x range set by hand: gnuplot warns about an empty autoscaled range (one step, one
 * layer, one bin), and a figure must draw without a warning */
static void gp_xrange(FILE *g, double lo, double hi, double pad)
{
    if (!isfinite(lo) || !isfinite(hi)) return;
    if (hi <= lo) pad = fmax(pad, 1);
    fprintf(g, "set xrange [%.9g:%.9g]\n", lo - pad, hi + pad);
}

/* The dotted floor line where a log10 axis draws its exact zeros (at y = FLOOR), and the
 * plot clause that draws them from the zeros' block. */
static void gp_floor(FILE *g)
{
    fputs("set arrow from graph 0, first FLOOR to graph 1, first FLOOR nohead dt 3 lc rgb \"#777777\"\n"
          "set yrange [FLOOR - 0.5:*]\n", g);
}

static void gp_zeros(FILE *g, int first, size_t block)
{
    fprintf(g, "%s    DATA index %zu using 1:(FLOOR) with points pt 10 ps 1.2 lc rgb \"#333333\" "
               "title \"exactly 0 (log10 = -∞), on the dotted floor\"",
            first ? "" : ", \\\n", block);
}

/* the y axis of a figure whose y values are log10 of positive numbers (lo..hi, the zero
 * floor included): tics at whole decades, labelled 10^k; over less than three decades, where
 * whole decades leave one tic or none, at 1, 2, 3 and 5 times each decade, labelled as numbers */
static void gp_log10_y(FILE *g, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi) || hi - lo >= 3) {
        fputs("set format y '10^{%g}'\n", g);
        if (isfinite(lo) && isfinite(hi) && hi - lo < 12) fputs("set ytics 1\n", g);
        return;
    }
    fputs("set ytics (", g);
    int first = 1;
    for (int k = (int)floor(lo) - 1; k <= (int)ceil(hi); k++)
        for (int m = 1; m <= 5; m += m < 3 ? 1 : 2) { /* 1, 2, 3, 5 */
            double v = log10(m) + k;
            if (v < lo - 0.35 || v > hi + 0.35) continue;
            if (k >= -3 && k <= 3) fprintf(g, "%s\"%g\" %.9g", first ? "" : ", ", m * pow(10, k), v);
            else if (m == 1) fprintf(g, "%s\"10^{%d}\" %.9g", first ? "" : ", ", k, v);
            else fprintf(g, "%s\"%d·10^{%d}\" %.9g", first ? "" : ", ", m, k, v);
            first = 0;
        }
    fputs(")\n", g);
}

static void steps_title(char *buf, size_t n, const char *what, const long *steps, size_t runs)
{
    int same = 1;
    for (size_t i = 1; i < runs; i++) same &= steps[i] == steps[0];
    if (same) snprintf(buf, n, "%s at step %ld", what, steps[0]);
    else snprintf(buf, n, "%s at each run's last step", what);
}

static int fig_profile(Fig *f, CsvTab *tab, GtErr *e)
{
    const PlotSet *s = f->s;
    const char *yname = f->o->delta ? "delta_log10" : "grad_w_log10";
    long steps[s->n];
    int sc[s->n], lc[s->n], yc[s->n], finite_in[s->n];
    double lo = INFINITY, hi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    size_t zeros = 0;
    for (size_t i = 0; i < s->n; i++) {
        int rc = columns(&tab[i], &s->run[i], PLOT_PROFILE, 3, (const char *const[]){"step", "layer", yname},
                         (int *const[]){&sc[i], &lc[i], &yc[i]}, e);
        if (!rc) rc = pick_step(&tab[i], sc[i], f->o->step, &s->run[i], PLOT_PROFILE, &steps[i], e);
        if (rc) return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        block_begin(f, "layer, log10 value", i);
        finite_in[i] = 0;
        for (size_t r = 0; r < tab[i].rows; r++) {
            if (!at_step(&tab[i], r, sc[i], steps[i])) continue;
            double y = csvtab_num(&tab[i], r, yc[i]), x = csvtab_num(&tab[i], r, lc[i]);
            if (isfinite(y)) finite_in[i] = 1, lo = fmin(lo, y), hi = fmax(hi, y);
            if (y == -INFINITY) zeros++;
            if (isfinite(x)) xlo = fmin(xlo, x), xhi = fmax(xhi, x);
            num(f->dat, x);
            fputc(' ', f->dat);
            num(f->dat, y);
            fputc('\n', f->dat);
        }
    }
    block_begin(f, "layer, run: the exact zeros (log10 = -inf), drawn at FLOOR", s->n);
    for (size_t i = 0; i < s->n; i++)
        for (size_t r = 0; r < tab[i].rows; r++)
            if (at_step(&tab[i], r, sc[i], steps[i]) && csvtab_num(&tab[i], r, yc[i]) == -INFINITY) {
                num(f->dat, csvtab_num(&tab[i], r, lc[i]));
                fprintf(f->dat, " %zu\n", i + 1);
            }
    char title[256];
    steps_title(title, sizeof title, f->o->delta ? "Backpropagated error per layer" : "Weight-gradient norm per layer",
                steps, s->n);
    gp_begin(f, 800, 620, 1, title, steps);
    FILE *g = f->gp;
    fprintf(g, "\nFLOOR = %g\n", floor_below(lo));
    fputs("set title TITLE . \"\\n\" . SUBTITLE noenhanced\n"
          "set xlabel \"layer l  (1 = next to the input; the last is the output layer)\"\n", g);
    fputs(f->o->delta ? "set ylabel \"rms ||∂ℓ/∂z_l|| over the batch  (log scale)\"\n"
                      : "set ylabel \"||∂L/∂W_l||  (Frobenius norm, log scale)\"\n", g);
    gp_log10_y(g, zeros ? floor_below(lo) : lo, hi);
    fputs("set key outside right top noenhanced samplen 3\n", g);
    gp_xrange(g, xlo, xhi, 0.3);
    if (zeros) gp_floor(g);
    fputs("plot \\\n", g);
    int first = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (!finite_in[i]) continue;
        fprintf(g, "%s    DATA index %zu using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb col(%zu) dt dash(%zu) title LABEL[%zu]",
                first ? "" : ", \\\n", i, i + 1, i + 1, i + 1);
        first = 0;
    }
    if (zeros) gp_zeros(g, first, s->n);
    fputc('\n', g);
    return GT_OK;
}

/* two panels: training loss, and test accuracy (steps.csv where --eval-every measured it,
 * and the final evaluation run.json always has) */
static int fig_training(Fig *f, CsvTab *tab, GtErr *e)
{
    const PlotSet *s = f->s;
    int sc[s->n], lc[s->n], ac[s->n], has_loss[s->n], has_acc[s->n];
    double xhi = 0;
    for (size_t i = 0; i < s->n; i++) {
        int rc = columns(&tab[i], &s->run[i], PLOT_TRAINING, 3, (const char *const[]){"step", "loss", "test_acc"},
                         (int *const[]){&sc[i], &lc[i], &ac[i]}, e);
        if (rc) return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        block_begin(f, "step, batch loss", i);
        has_loss[i] = has_acc[i] = 0;
        for (size_t r = 0; r < tab[i].rows; r++) {
            double y = csvtab_num(&tab[i], r, lc[i]), x = csvtab_num(&tab[i], r, sc[i]);
            if (isfinite(x)) xhi = fmax(xhi, x);
            if (!isfinite(y)) continue;
            has_loss[i] = 1;
            num(f->dat, csvtab_num(&tab[i], r, sc[i]));
            fprintf(f->dat, " %.9g\n", y);
        }
        block_begin(f, "step, test accuracy (%)", i);
        double last = -1;
        for (size_t r = 0; r < tab[i].rows; r++) {
            double y = csvtab_num(&tab[i], r, ac[i]);
            if (!isfinite(y)) continue;
            has_acc[i] = 1;
            last = csvtab_num(&tab[i], r, sc[i]);
            num(f->dat, last);
            fprintf(f->dat, " %.9g\n", 100 * y);
        }
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(s->run[i].json, "summary");
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(sum, "final_test_acc");
        const cJSON *done = cJSON_GetObjectItemCaseSensitive(sum, "steps_done");
        if (cJSON_IsNumber(acc) && cJSON_IsNumber(done) && done->valuedouble > last && isfinite(acc->valuedouble)) {
            has_acc[i] = 1;
            xhi = fmax(xhi, done->valuedouble);
            fprintf(f->dat, "%.0f %.9g\n", done->valuedouble, 100 * acc->valuedouble);
        }
    }
    gp_begin(f, 1150, 600, 1, "Training: batch loss and test accuracy", NULL);
    FILE *g = f->gp;
    fputs("\nset multiplot layout 1, 2 margins 0.06, KEYX - 0.01, 0.11, 0.84 spacing 0.07 title TITLE . \"\\n\" . SUBTITLE noenhanced\n"
          "set key at screen KEYX, 0.84 left top Left reverse noenhanced samplen 3\n"
          "set xlabel \"training step\"\n", g);
    gp_xrange(g, 0, xhi, 0);
    fputs("set title \"batch loss (before the step's update)\"\nset ylabel \"loss\"\n", g);
    int first = 1;
    fputs("plot \\\n", g);
    for (size_t i = 0; i < s->n; i++) {
        if (!has_loss[i]) continue;
        fprintf(g, "%s    DATA index %zu using 1:2 with lines lw 2 lc rgb col(%zu) dt dash(%zu) title LABEL[%zu]",
                first ? "" : ", \\\n", 2 * i, i + 1, i + 1, i + 1);
        first = 0;
    }
    if (first) fputs("    NaN title \"no finite loss\"", g);
    fputs("\nset key off\nset title \"test accuracy (whole test set; the last point: the trained network)\"\n"
          "set ylabel \"test accuracy  (%)\"\nset yrange [0:100]\nplot \\\n", g);
    first = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (!has_acc[i]) continue;
        fprintf(g, "%s    DATA index %zu using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb col(%zu) dt dash(%zu) notitle",
                first ? "" : ", \\\n", 2 * i + 1, i + 1, i + 1);
        first = 0;
    }
    if (first) fputs("    NaN notitle", g);
    fputs("\nunset multiplot\n", g);
    return GT_OK;
}

/* panels: ROWS x COLS for n (about square) */
static void grid(size_t n, size_t *rows, size_t *cols)
{
    size_t c = 1;
    while (c * c < n) c++;
    *cols = c;
    *rows = (n + c - 1) / c;
}

/* one panel per run: the census's frac_dead of every hidden layer over the steps */
static int fig_dead(Fig *f, CsvTab *tab, GtErr *e)
{
    const PlotSet *s = f->s;
    int sc[s->n], lc[s->n], dc[s->n], has[s->n];
    double lmax = 1, xhi = 0;
    for (size_t i = 0; i < s->n; i++) {
        int rc = columns(&tab[i], &s->run[i], PLOT_DEAD, 3, (const char *const[]){"step", "layer", "frac_dead"},
                         (int *const[]){&sc[i], &lc[i], &dc[i]}, e);
        if (rc) return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        block_begin(f, "step, layer, dead units (%), one line per layer", i);
        has[i] = 0;
        double lmin_run = INFINITY, lmax_run = 0;
        for (size_t r = 0; r < tab[i].rows; r++) {
            double l = csvtab_num(&tab[i], r, lc[i]), x = csvtab_num(&tab[i], r, sc[i]);
            if (l >= 1) lmin_run = fmin(lmin_run, l), lmax_run = fmax(lmax_run, l);
            if (isfinite(x)) xhi = fmax(xhi, x);
        }
        lmax = fmax(lmax, lmax_run);
        /* census.csv is ordered by step, then layer: one pass per layer gives the lines */
        /* layer numbers are at most 100001 (config.c); a damaged file's are cut there */
        long lfirst = lmin_run <= lmax_run ? (long)fmin(lmin_run, 200000) : 1,
             llast = lmin_run <= lmax_run ? (long)fmin(lmax_run, 200000) : 0;
        for (long li = lfirst; li <= llast; li++) {
            double l = (double)li;
            int any = 0;
            for (size_t r = 0; r < tab[i].rows; r++) {
                if (csvtab_num(&tab[i], r, lc[i]) != l) continue;
                double y = csvtab_num(&tab[i], r, dc[i]);
                has[i] |= isfinite(y);
                num(f->dat, csvtab_num(&tab[i], r, sc[i]));
                fprintf(f->dat, " %.0f ", l);
                num(f->dat, 100 * y);
                fputc('\n', f->dat);
                any = 1;
            }
            if (any) fputc('\n', f->dat);
        }
    }
    size_t rows, cols;
    grid(s->n, &rows, &cols);
    int w = (int)(cols * 480 + 40), h = (int)(rows * 340 + 110);
    gp_begin(f, w, h, 0, "Dead units per hidden layer over training (census over the fixed probe set)", NULL);
    FILE *g = f->gp;
    fprintf(g, "\nset multiplot layout %zu, %zu title TITLE . \"\\n\" . SUBTITLE noenhanced\n", rows, cols);
    fprintf(g, "set palette defined (0 \"#1f3a93\", 1 \"#17becf\", 2 \"#d08c00\", 3 \"#c0392b\")\n"
               "set cbrange [1:%g]\n%sset cblabel \"hidden layer\"\n"
               "set xlabel \"training step\"\nset ylabel \"dead units  (%% of the layer)\"\n"
               "set yrange [0:100]\nset key off\n", lmax > 1 ? lmax : 2, lmax <= 10 ? "set cbtics 1\n" : "");
    gp_xrange(g, 0, xhi, 0);
    for (size_t i = 0; i < s->n; i++) {
        fprintf(g, "set title LABEL[%zu] noenhanced\n", i + 1);
        if (has[i])
            fprintf(g, "plot DATA index %zu using 1:3:2 with linespoints lw 1.5 pt 7 ps 0.4 lc palette\n", i);
        else /* e.g. no unit of this activation can be dead (frac_dead is empty) */
            fputs("set label 1 \"no dead-unit fraction in census.csv\" at graph 0.5, 0.5 center\n"
                  "plot 2 ** 1000 notitle\nunset label 1\n", g);
    }
    fputs("unset multiplot\n", g);
    return GT_OK;
}

/* quantities of histograms.csv in first-seen order over the runs (at most MAXQ) */
#define MAXQ 16

/* a panel per (run, quantity): each layer's histogram at the step, as the fraction of the
 * layer's entries per bin; a log10 quantity's exact zeros (the bin from -inf) as a point
 * on a floor left of the bins */
static int fig_histograms(Fig *f, CsvTab *tab, GtErr *e)
{
    const PlotSet *s = f->s;
    long steps[s->n];
    int sc[s->n], lc[s->n], qc[s->n], loc[s->n], hic[s->n], cc[s->n];
    const char *q[MAXQ];
    size_t nq = 0;
    double xlo[MAXQ], xhi[MAXQ], layers = 0;
    for (size_t i = 0; i < s->n; i++) {
        int rc = columns(&tab[i], &s->run[i], PLOT_HISTOGRAMS, 6,
                         (const char *const[]){"step", "layer", "quantity", "bin_lo", "bin_hi", "count"},
                         (int *const[]){&sc[i], &lc[i], &qc[i], &loc[i], &hic[i], &cc[i]}, e);
        if (!rc) rc = pick_step(&tab[i], sc[i], f->o->step, &s->run[i], PLOT_HISTOGRAMS, &steps[i], e);
        if (rc) return rc;
        for (size_t r = 0; r < tab[i].rows; r++) {
            const char *name = csvtab_str(&tab[i], r, qc[i]);
            size_t k = 0;
            while (k < nq && strcmp(q[k], name) != 0) k++;
            if (k == nq && nq < MAXQ) xlo[nq] = INFINITY, xhi[nq] = -INFINITY, q[nq++] = name;
            double lo = csvtab_num(&tab[i], r, loc[i]), hi = csvtab_num(&tab[i], r, hic[i]);
            if (k < nq && isfinite(lo) && isfinite(hi) && at_step(&tab[i], r, sc[i], steps[i]))
                xlo[k] = fmin(xlo[k], lo), xhi[k] = fmax(xhi[k], hi);
        }
    }
    int zeros[s->n * MAXQ], any[s->n * MAXQ];
    memset(zeros, 0, sizeof zeros);
    memset(any, 0, sizeof any);
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < nq; k++) {
            block_begin(f, "layer, bin centre, fraction of the layer's entries, 1 for exact zeros", i);
            fprintf(f->dat, "# quantity %s at step %ld\n", q[k], steps[i]);
            size_t b = i * MAXQ + k;
            zeros[b] = any[b] = 0;
            /* totals per layer first: layers are numbered 1..L+1 */
            double lmax = 0;
            for (size_t r = 0; r < tab[i].rows; r++) lmax = fmax(lmax, csvtab_num(&tab[i], r, lc[i]));
            layers = fmax(layers, lmax);
            for (long li = 1; li <= (long)fmin(lmax, 200000); li++) {
                double l = (double)li;
                double total = 0;
                for (int pass = 0; pass < 2; pass++) {
                    int wrote = 0;
                    for (size_t r = 0; r < tab[i].rows; r++) {
                        if (!at_step(&tab[i], r, sc[i], steps[i]) || csvtab_num(&tab[i], r, lc[i]) != l ||
                            strcmp(csvtab_str(&tab[i], r, qc[i]), q[k]) != 0)
                            continue;
                        double c = csvtab_num(&tab[i], r, cc[i]);
                        if (!pass) { total += isfinite(c) ? c : 0; continue; }
                        double lo = csvtab_num(&tab[i], r, loc[i]), hi = csvtab_num(&tab[i], r, hic[i]);
                        int zero = lo == -INFINITY;
                        zeros[b] |= zero && c > 0;
                        any[b] |= !zero;
                        fprintf(f->dat, "%.0f ", l);
                        num(f->dat, zero ? floor_below(xlo[k]) : (lo + hi) / 2);
                        fputc(' ', f->dat);
                        num(f->dat, total > 0 ? c / total : 0);
                        fprintf(f->dat, " %d\n", zero);
                        wrote = 1;
                    }
                    if (pass && wrote) fputc('\n', f->dat);
                }
            }
        }
    size_t cols = nq ? nq : 1;
    int w = (int)(cols * 440 + 60), h = (int)(s->n * 300 + 110);
    char title[256];
    steps_title(title, sizeof title, "Histograms per layer", steps, s->n);
    gp_begin(f, w, h, 0, title, steps);
    FILE *g = f->gp;
    fprintf(g, "\nset multiplot layout %zu, %zu title TITLE . \"\\n\" . SUBTITLE noenhanced\n", s->n, cols);
    fputs("set palette defined (0 \"#1f3a93\", 1 \"#17becf\", 2 \"#d08c00\", 3 \"#c0392b\")\n"
          "set cblabel \"layer\"\nset ylabel \"fraction of the layer's entries\"\nset key off\n"
          "set yrange [0:*]\n", g);
    if (layers <= 10) fputs("set cbtics 1\n", g);
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < nq; k++) {
            size_t b = i * MAXQ + k;
            fprintf(g, "set title LABEL[%zu] noenhanced\nset xlabel ", i + 1);
            gp_str(g, q[k]);
            fputs(zeros[b] ? " . \"  (▽ left of the bins: exact zeros)\" noenhanced\n" : " noenhanced\n", g);
            if (!any[b] && !zeros[b]) {
                fputs("set multiplot next\n", g);
                continue;
            }
            double from = zeros[b] ? floor_below(xlo[k]) : xlo[k];
            gp_xrange(g, from, xhi[k], 0.03 * (xhi[k] - from));
            fprintf(g, "plot DATA index %zu using ($4 > 0 ? NaN : $2):3:1 with lines lw 1.5 lc palette", i * nq + k);
            if (zeros[b])
                fprintf(g, ", \\\n     DATA index %zu using ($4 > 0 ? $2 : NaN):3:1 with points pt 10 ps 1.3 lc palette", i * nq + k);
            fputc('\n', g);
        }
    fputs("unset multiplot\n", g);
    return GT_OK;
}

/* the singular values of J = dh_L/dh_1 at the step, one line per probe sample, a colour
 * per run; exact zeros on a floor */
static int fig_jacobian(Fig *f, CsvTab *tab, GtErr *e)
{
    const PlotSet *s = f->s;
    long steps[s->n];
    int sc[s->n], pc[s->n], kc[s->n], vc[s->n], has[s->n];
    double lo = INFINITY, hi = -INFINITY, kmax = 1;
    size_t zeros = 0;
    for (size_t i = 0; i < s->n; i++) {
        int rc = columns(&tab[i], &s->run[i], PLOT_JACOBIAN, 4, (const char *const[]){"step", "sample", "k", "sv_log10"},
                         (int *const[]){&sc[i], &pc[i], &kc[i], &vc[i]}, e);
        if (!rc) rc = pick_step(&tab[i], sc[i], f->o->step, &s->run[i], PLOT_JACOBIAN, &steps[i], e);
        if (rc) return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        block_begin(f, "k, log10 singular value, one line per probe sample", i);
        has[i] = 0;
        double prev = NAN;
        for (size_t r = 0; r < tab[i].rows; r++) {
            if (!at_step(&tab[i], r, sc[i], steps[i])) continue;
            double sample = csvtab_num(&tab[i], r, pc[i]), v = csvtab_num(&tab[i], r, vc[i]);
            if (prev == prev && sample != prev) fputc('\n', f->dat);
            prev = sample;
            if (isfinite(v)) has[i] = 1, lo = fmin(lo, v), hi = fmax(hi, v);
            zeros += v == -INFINITY;
            if (csvtab_num(&tab[i], r, kc[i]) > kmax) kmax = csvtab_num(&tab[i], r, kc[i]);
            num(f->dat, csvtab_num(&tab[i], r, kc[i]));
            fputc(' ', f->dat);
            num(f->dat, v);
            fputc('\n', f->dat);
        }
    }
    block_begin(f, "k, run: the exact zeros (log10 = -inf), drawn at FLOOR", s->n);
    for (size_t i = 0; i < s->n; i++)
        for (size_t r = 0; r < tab[i].rows; r++)
            if (at_step(&tab[i], r, sc[i], steps[i]) && csvtab_num(&tab[i], r, vc[i]) == -INFINITY)
                num(f->dat, csvtab_num(&tab[i], r, kc[i])), fprintf(f->dat, " %zu\n", i + 1);
    char title[256];
    steps_title(title, sizeof title, "Singular values of the input-output Jacobian ∂h_L/∂h_1", steps, s->n);
    gp_begin(f, 800, 620, 1, title, steps);
    FILE *g = f->gp;
    fprintf(g, "\nFLOOR = %g\n", floor_below(lo));
    fputs("set title TITLE . \"\\n\" . SUBTITLE noenhanced\n"
          "set xlabel \"k  (σ_1 ≥ σ_2 ≥ …; one line per probe sample)\" noenhanced\n"
          "set ylabel \"σ_k  (log scale)\" noenhanced\n"
          "set key outside right top noenhanced samplen 3\n", g);
    gp_log10_y(g, zeros ? floor_below(lo) : lo, hi);
    gp_xrange(g, 1, kmax, 0.5);
    if (zeros) gp_floor(g);
    fputs("plot \\\n", g);
    int first = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (!has[i]) continue;
        fprintf(g, "%s    DATA index %zu using 1:2 with lines lw 1.5 lc rgb col(%zu) dt dash(%zu) title LABEL[%zu]",
                first ? "" : ", \\\n", i, i + 1, i + 1, i + 1);
        first = 0;
    }
    if (zeros) gp_zeros(g, first, s->n);
    fputc('\n', g);
    return GT_OK;
}

/* ---- files and gnuplot ------------------------------------------------------------------ */

const char *plot_terminal(const char *out)
{
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash)) return NULL;
    return strcmp(dot, ".png") == 0 ? "pngcairo" : strcmp(dot, ".svg") == 0 ? "svg"
           : strcmp(dot, ".pdf") == 0 ? "pdfcairo" : NULL;
}

/* DIR and NAME of PATH (DIR "." when there is none) */
static void split_path(const char *path, char *dir, char *name)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, PATH_MAX, ".");
    else if (slash == path) snprintf(dir, PATH_MAX, "/");
    else snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
    snprintf(name, PATH_MAX, "%s", slash ? slash + 1 : path);
}

/* temporary names: .NAME.tmp.PID in the same directory */
#define TMP_LEN (2 * PATH_MAX + 32)

static FILE *open_tmp(const char *path, char *tmp, GtErr *e)
{
    char dir[PATH_MAX], name[PATH_MAX];
    split_path(path, dir, name);
    snprintf(tmp, TMP_LEN, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) gt_fail(e, GT_EINPUT, "%s: cannot create (%s)", tmp, strerror(errno));
    return f;
}

static int close_rename(FILE *f, const char *tmp, const char *path, GtErr *e)
{
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) {
        unlink(tmp);
        return gt_fail(e, GT_EINPUT, "%s: write failed (disk full?)", path);
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return gt_fail(e, GT_EINPUT, "%s: cannot rename into place (%s)", path, strerror(err));
    }
    return GT_OK;
}

int plot_write(const PlotSet *s, const PlotOptions *o, char *dat, char *gp, GtErr *e)
{
    if (!s->n) return gt_fail(e, GT_EINPUT, "no runs to plot");
    if (!plot_terminal(o->out))
        return gt_fail(e, GT_EINPUT, "--out %s: expected a file name ending in .png, .svg or .pdf", o->out);
    size_t len = strlen(o->out) - strlen(strrchr(o->out, '.'));
    if (len + 4 >= PATH_MAX) return gt_fail(e, GT_EINPUT, "--out %s: path too long", o->out);
    snprintf(dat, PATH_MAX, "%.*s.dat", (int)len, o->out);
    snprintf(gp, PATH_MAX, "%.*s.gp", (int)len, o->out);
    CsvTab *tab = calloc(s->n, sizeof *tab);
    if (!tab) return gt_fail(e, GT_ESYS, "out of memory");
    int rc = GT_OK;
    for (size_t i = 0; i < s->n && !rc; i++) rc = load(&s->run[i], o->kind, &tab[i], e);
    char dir[PATH_MAX], datname[PATH_MAX], outname[PATH_MAX], gpname[PATH_MAX], tdat[TMP_LEN], tgp[TMP_LEN];
    split_path(dat, dir, datname);
    split_path(o->out, dir, outname);
    split_path(gp, dir, gpname);
    Fig f = {.s = s, .o = o, .datname = datname, .outname = outname, .gpname = gpname};
    if (!rc && !(f.dat = open_tmp(dat, tdat, e))) rc = GT_EINPUT;
    if (!rc && !(f.gp = open_tmp(gp, tgp, e))) rc = GT_EINPUT;
    if (!rc) {
        static int (*const FIG[PLOT_NKINDS])(Fig *, CsvTab *, GtErr *) = {fig_profile, fig_training, fig_dead,
                                                                          fig_histograms, fig_jacobian};
        rc = FIG[o->kind](&f, tab, e);
    }
    if (f.dat) fputc('\n', f.dat);
    if (!rc) rc = close_rename(f.dat, tdat, dat, e), f.dat = NULL;
    if (!rc) rc = close_rename(f.gp, tgp, gp, e), f.gp = NULL;
    if (f.dat) (void)fclose(f.dat), unlink(tdat); /* an error path: nothing left behind */
    if (f.gp) (void)fclose(f.gp), unlink(tgp);
    for (size_t i = 0; i < s->n; i++) csvtab_free(&tab[i]);
    free(tab);
    return rc;
}

/* Runs gnuplot with ARGS in DIR under LC_ALL=C.UTF-8 (figures.mk's GNUPLOT_ENV: the figures
 * never depend on the caller's locale), stdout to OUTFD (-1: inherited). Returns its exit
 * status, 127 when it could not be started, -1 when fork failed. */
static int gnuplot(const char *dir, char *const *args, int outfd)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (outfd >= 0) dup2(outfd, 1);
        if (dir && chdir(dir) != 0) _exit(126);
        setenv("LC_ALL", "C.UTF-8", 1);
        execvp("gnuplot", args);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 1 when gnuplot has terminal TERM, 0 when not, -1 when gnuplot does not run */
static int has_terminal(const char *term)
{
    FILE *f = tmpfile();
    if (!f) return -1;
    char *args[] = {"gnuplot", "-e", "set print '-'; print GPVAL_TERMINALS", NULL};
    int rc = gnuplot(NULL, args, fileno(f));
    char buf[8192] = "";
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    (void)fclose(f); /* read only */
    if (rc != 0) return -1;
    for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
        if (strcmp(w, term) == 0) return 1;
    return 0;
}

int plot_render(const char *gp, const char *out, GtErr *e)
{
    const char *term = plot_terminal(out);
    if (!term) return gt_fail(e, GT_EINPUT, "--out %s: expected a file name ending in .png, .svg or .pdf", out);
    int t = has_terminal(term);
    if (t < 0) return gt_fail(e, GT_EINPUT, "gnuplot does not run: install it (apt-get install gnuplot-nox)");
    if (!t)
        return gt_fail(e, GT_EINPUT, "gnuplot has no %s terminal for %s: install gnuplot-nox (cairo terminals), or "
                       "choose another of .png, .svg, .pdf", term, out);
    char dir[PATH_MAX], name[PATH_MAX], gpname[PATH_MAX], tmp[TMP_LEN], expr[TMP_LEN + 16];
    split_path(out, dir, name);
    split_path(gp, dir, gpname);
    /* a name of our own: the user's could hold a quote, which gnuplot's -e would mis-read */
    snprintf(tmp, sizeof tmp, ".gradtrace-plot.tmp.%ld", (long)getpid());
    snprintf(expr, sizeof expr, "out='%s'", tmp);
    char *args[] = {"gnuplot", "-e", expr, gpname, NULL};
    int rc = gnuplot(dir, args, -1);
    char tpath[2 * TMP_LEN];
    snprintf(tpath, sizeof tpath, "%s/%s", dir, tmp);
    struct stat st;
    if (rc != 0 || stat(tpath, &st) != 0 || st.st_size == 0) {
        unlink(tpath);
        return gt_fail(e, GT_ESYS, "gnuplot failed on %s (exit status %d; its messages are above)", gp, rc);
    }
    if (rename(tpath, out) != 0) {
        int err = errno;
        unlink(tpath);
        return gt_fail(e, GT_EINPUT, "%s: cannot rename into place (%s)", out, strerror(err));
    }
    return GT_OK;
}
