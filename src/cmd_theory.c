/* `gradtrace theory`: mean-field predictions (q*, chi1, depth scale, phase; per-layer
 * q, chi and the predicted gradient profile; the order-to-chaos line; a phase grid).
 * The numbers come from theory.c; this file parses options and prints. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "suggest.h"
#include "theory.h"

typedef enum { T_REAL, T_LONG, T_ACT, T_FLAG, T_RANGE } TType;

typedef struct {
    const char *name;
    TType type;
    const char *def; /* parsed like user input */
    const char *arg;
    const char *help;
    double min;      /* T_REAL: lower bound; T_LONG: [min, max] */
    int min_open;    /* T_REAL: value must be > min */
    double max;
} TOpt;

enum { O_ACT, O_ALPHA, O_SW2, O_SB2, O_DEPTH, O_RES, O_RSCALE, O_Q0, O_CSV, O_CRIT, O_GRID, O_W2R, O_B2R, NOPT };

static const TOpt OPTS[NOPT] = {
    [O_ACT] = {"activation", T_ACT, "tanh", "NAME", "activation", 0, 0, 0},
    [O_ALPHA] = {"alpha", T_REAL, "0.01", "A", "leaky_relu slope for x < 0", 0, 0, 1},
    [O_SW2] = {"sigma-w2", T_REAL, "1", "S", "weight variance times fan_in: W ~ N(0, S/fan_in)",
               0, 1, THEORY_MAX_INPUT},
    [O_SB2] = {"sigma-b2", T_REAL, "0", "S", "bias variance: b ~ N(0, S)", 0, 0, THEORY_MAX_INPUT},
    [O_DEPTH] = {"depth", T_LONG, "20", "L", "hidden layers (rows of --csv)", 1, 0, 100000},
    [O_RES] = {"residual", T_LONG, "0", "K",
               "residual blocks of K layers after layer 1, h -> h + A*F(h) (0: plain; K divides "
               "depth - 1)", 0, 0, 100000},
    [O_RSCALE] = {"residual-scale", T_REAL, "1", "A", "residual branch scale alpha (with --residual)",
                  0, 1, THEORY_MAX_INPUT},
    [O_Q0] = {"q0", T_REAL, "1", "Q",
              "mean square of an input feature (1 for --data gaussian); q_1 = sigma_w2 q0 + sigma_b2",
              0, 0, THEORY_MAX_INPUT},
    [O_CSV] = {"csv", T_FLAG, "0", NULL,
               "CSV on stdout: layer,q,chi,log10_delta_sq_ratio (with --critical: "
               "sigma_b2,sigma_w2_critical)", 0, 0, 0},
    [O_CRIT] = {"critical", T_FLAG, "0", NULL,
                "the sigma_w2 where chi1 = 1 for --sigma-b2 (order-to-chaos line)", 0, 0, 0},
    [O_GRID] = {"phase-grid", T_FLAG, "0", NULL,
                "CSV sigma_w2,sigma_b2,chi1,q_star over --w2-range x --b2-range", 0, 0, 0},
    [O_W2R] = {"w2-range", T_RANGE, "0.5:4:36", "LO:HI:N",
               "--phase-grid: N sigma_w2 values from LO to HI", 0, 1, THEORY_MAX_INPUT},
    [O_B2R] = {"b2-range", T_RANGE, "0:0.5:26", "LO:HI:N",
               "--phase-grid: N sigma_b2 values from LO to HI", 0, 0, THEORY_MAX_INPUT},
};

typedef struct {
    ActKind act;
    double real[NOPT];
    long lng[NOPT];
    int flag[NOPT];
    TheoryRange range[NOPT];
    int given[NOPT];
} TArgs;

static void usage(FILE *f)
{
    fprintf(f, "usage: gradtrace theory [--option VALUE ...]\n\n"
               "Mean-field predictions for a wide random network (--init gaussian): the fixed\n"
               "point q* of the pre-activation variance, chi1 = sigma_w2 E[phi'(sqrt(q*) z)^2]\n"
               "(the per-layer factor of E||delta||^2), the depth scale -1/ln chi1 and the phase.\n\n");
    for (int i = 0; i < NOPT; i++) {
        const TOpt *o = &OPTS[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-22s %s", left, o->help);
        if (o->type == T_ACT) fprintf(f, "\n  %-22s   one of: %s", "", act_valid_names());
        if (o->type != T_FLAG) fprintf(f, " [%s]", o->def);
        fputc('\n', f);
    }
    fprintf(f, "\nlog10_delta_sq_ratio is the predicted log10(E||dl/dz_l||^2 / E||dl/dz_L||^2); compare\n"
               "it with 2*(delta_log10_l - delta_log10_L) of a run's layers.csv at step 0.\n"
               "Exit status: 0 done, 2 bad option, 1 other failure.\n");
}

static int parse_real(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && isfinite(*v) ? 0 : -1;
}

static int bad_real(const TOpt *o, const char *value, int parsed, double v, GtErr *e)
{
    if (parsed && v > o->max && o->max >= THEORY_MAX_INPUT)
        return gt_fail(e, GT_EINPUT, "--%s %s: too large (at most %g)", o->name, value, o->max);
    if (o->max < THEORY_MAX_INPUT)
        return gt_fail(e, GT_EINPUT, "--%s %s: expected a number from %g to %g", o->name, value,
                       o->min, o->max);
    return gt_fail(e, GT_EINPUT, "--%s %s: expected a finite number %s %g", o->name, value,
                   o->min_open ? ">" : ">=", o->min);
}

static int real_ok(const TOpt *o, double v)
{
    return !(v < o->min || (o->min_open && v <= o->min) || v > o->max);
}

static int set_opt(TArgs *a, int k, const char *value, GtErr *e)
{
    const TOpt *o = &OPTS[k];
    switch (o->type) {
    case T_REAL: {
        double v;
        int parsed = !parse_real(value, &v);
        if (!parsed || !real_ok(o, v)) return bad_real(o, value, parsed, v, e);
        a->real[k] = v;
        return GT_OK;
    }
    case T_LONG: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < (long)o->min || v > (long)o->max)
            return gt_fail(e, GT_EINPUT, "--%s %s: expected an integer from %ld to %ld", o->name,
                           value, (long)o->min, (long)o->max);
        a->lng[k] = v;
        return GT_OK;
    }
    case T_ACT: {
        const Act *act = act_lookup(value);
        if (!act) {
            char hint[256];
            return gt_fail(e, GT_EINPUT, "--%s %s: expected one of %s%s", o->name, value,
                           act_valid_names(), suggest_among(value, act_valid_names(), hint, sizeof hint));
        }
        a->act = act->kind;
        return GT_OK;
    }
    case T_FLAG:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes")) a->flag[k] = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no")) a->flag[k] = 0;
        else return gt_fail(e, GT_EINPUT, "--%s %s: expected true or false", o->name, value);
        return GT_OK;
    case T_RANGE: {
        /* LO:HI:N, split by hand so that "1e-3" and the like parse as one number */
        char buf[256];
        double lo, hi, n;
        int ok = strlen(value) < sizeof buf;
        if (ok) {
            strcpy(buf, value);
            char *c1 = strchr(buf, ':');
            char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
            ok = c1 && c2;
            if (ok) {
                *c1 = *c2 = 0;
                ok = !parse_real(buf, &lo) && !parse_real(c1 + 1, &hi) && !parse_real(c2 + 1, &n) &&
                     real_ok(o, lo) && real_ok(o, hi) && lo <= hi && n == floor(n) && n >= 1 &&
                     n <= 100000 && (n >= 2 || lo == hi);
            }
        }
        if (!ok)
            return gt_fail(e, GT_EINPUT,
                           "--%s %s: expected LO:HI:N with 0 %s LO <= HI <= %g and N from 2 to "
                           "100000 (1 when LO = HI)",
                           o->name, value, o->min_open ? "<" : "<=", o->max);
        a->range[k] = (TheoryRange){lo, hi, (long)n};
        return GT_OK;
    }
    }
    return gt_fail(e, GT_ESYS, "--%s: bad option table entry", o->name);
}

/* Returns -1 for --help, else an error code. */
static int parse(TArgs *a, int argc, char **argv, GtErr *e)
{
    memset(a, 0, sizeof *a);
    for (int k = 0; k < NOPT; k++) {
        int rc = set_opt(a, k, OPTS[k].def, e);
        if (rc) return rc; /* defaults are valid by construction; the tests run them */
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return -1;
        if (strncmp(arg, "--", 2) != 0 || !arg[2])
            return gt_fail(e, GT_EINPUT, "%.80s: unexpected argument (options look like --depth 20)",
                           arg);
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int k = 0;
        while (k < NOPT && !(strlen(OPTS[k].name) == len && !strncmp(OPTS[k].name, name, len))) k++;
        if (k == NOPT) {
            char typo[SUGGEST_NAME], hint[256];
            snprintf(typo, sizeof typo, "%.*s", (int)len, name);
            Suggest sg;
            suggest_begin(&sg, len < sizeof typo ? typo : "");
            for (int j = 0; j < NOPT; j++) suggest_offer(&sg, OPTS[j].name);
            return gt_fail(e, GT_EINPUT, "--%.*s: unknown option%s (see gradtrace theory --help)",
                           (int)(len > 80 ? 80 : len), name, suggest_end(&sg, "--", hint, sizeof hint));
        }
        const char *value;
        if (eq) value = eq + 1;
        else if (OPTS[k].type == T_FLAG) value = "1";
        else if (i + 1 < argc) value = argv[++i];
        else return gt_fail(e, GT_EINPUT, "--%s: missing value", OPTS[k].name);
        int rc = set_opt(a, k, value, e);
        if (rc) return rc;
        a->given[k] = 1;
    }
    /* options that the chosen mode would silently ignore are refused */
    if (a->flag[O_CRIT] && a->flag[O_GRID])
        return gt_fail(e, GT_EINPUT, "--critical and --phase-grid: give one of them");
    if (a->flag[O_CRIT] && a->given[O_SW2])
        return gt_fail(e, GT_EINPUT, "--sigma-w2: --critical computes it; give --sigma-b2 only");
    if (a->flag[O_GRID] && (a->given[O_SW2] || a->given[O_SB2]))
        return gt_fail(e, GT_EINPUT, "--%s: --phase-grid takes --w2-range and --b2-range instead",
                       a->given[O_SW2] ? "sigma-w2" : "sigma-b2");
    if ((a->flag[O_GRID] || a->flag[O_CRIT]) && a->given[O_DEPTH])
        return gt_fail(e, GT_EINPUT, "--depth: not used by --%s (q* and chi1 are depth-free)",
                       a->flag[O_GRID] ? "phase-grid" : "critical");
    if ((a->flag[O_GRID] || a->flag[O_CRIT]) && a->lng[O_RES])
        return gt_fail(e, GT_EINPUT, "--residual: not used by --%s (residual nets have no fixed point)",
                       a->flag[O_GRID] ? "phase-grid" : "critical");
    if (a->given[O_RSCALE] && !a->lng[O_RES])
        return gt_fail(e, GT_EINPUT, "--residual-scale: only used with --residual K (K >= 1)");
    long K = a->lng[O_RES], L = a->lng[O_DEPTH];
    if (K && (L - 1) % K) {
        long lo = 1 + (L - 1) / K * K;
        return gt_fail(e, GT_EINPUT, "--residual %ld with --depth %ld: depth - 1 must be a multiple "
                       "of %ld (hidden layer 1 is outside the blocks); nearest valid depths %ld "
                       "and %ld", K, L, K, lo, lo + K);
    }
    if (!a->flag[O_GRID] && (a->given[O_W2R] || a->given[O_B2R]))
        return gt_fail(e, GT_EINPUT, "--%s: only used with --phase-grid",
                       a->given[O_W2R] ? "w2-range" : "b2-range");
    return GT_OK;
}

static void print_head(const TArgs *a, const Theory *t)
{
    printf("activation  %s", t->act->name);
    if (a->act == ACT_LEAKY_RELU) printf(" (alpha %.10g)", t->ap.alpha);
    printf(", sigma_w2 %.10g, sigma_b2 %.10g, q0 %.10g, depth %ld", t->sigma_w2, t->sigma_b2,
           a->real[O_Q0], a->lng[O_DEPTH]);
    if (a->lng[O_RES])
        printf(", residual %ld (scale %.10g)", a->lng[O_RES], a->real[O_RSCALE]);
    putchar('\n');
}

static void print_summary(const TArgs *a, const Theory *t, const TheoryFixed *fp,
                          const TheoryLayer *rows)
{
    long L = a->lng[O_DEPTH];
    print_head(a, t);
    printf("q_1         %.10g   (sigma_w2 q0 + sigma_b2)\n", fp->q1);
    printf("q_%-9ld %.10g   (layer %ld, the last hidden layer)\n", L, rows[L - 1].q, L);
    printf("q*          %.10g   (limit of q_l = sigma_w2 E[phi(sqrt(q_{l-1}) z)^2] + sigma_b2)%s\n",
           fp->q_star, fp->converged ? "" : "  NOT CONVERGED");
    printf("chi1        %.10g   (sigma_w2 E[phi'(sqrt(q*) z)^2]: E||delta||^2 ratio per layer)\n",
           fp->chi1);
    printf("xi          %.10g   (depth scale -1/ln chi1; inf when chi1 >= 1)\n", fp->xi);
    printf("phase       %s   (ordered: chi1 < 1, chaotic: chi1 > 1, critical: |chi1 - 1| <= %g)\n",
           theory_phase_name(fp->phase), THEORY_CRITICAL_TOL);
    printf("predicted log10(E||delta_1||^2 / E||delta_%ld||^2) = %.6g\n", L,
           rows[0].log10_delta_sq_ratio);
}

/* Residual nets have no fixed point (q grows along the stream): the ends of the profile. */
static void print_resid_summary(const TArgs *a, const Theory *t, const TheoryLayer *rows)
{
    long L = a->lng[O_DEPTH], K = a->lng[O_RES];
    double lg = 0; /* log10 of E||dL/dh||^2 below the first block over above the last */
    for (long l = K; l < L; l += K) lg += log10(rows[l].chi);
    print_head(a, t);
    printf("q_1         %.10g   (sigma_w2 q0 + sigma_b2)\n", rows[0].q);
    printf("q_%-9ld %.10g   (layer %ld, the last hidden layer)\n", L, rows[L - 1].q, L);
    if (L > 1)
        printf("chi_%-7ld %.10g   (the last block's factor on E||dL/dh||^2)\n", L, rows[L - 1].chi);
    printf("predicted log10(E||dL/dh_1||^2 / E||dL/dh_%ld||^2) = %.6g   (over the %ld blocks)\n", L,
           lg, (L - 1) / K);
    printf("predicted log10(E||delta_1||^2 / E||delta_%ld||^2) = %.6g\n", L,
           rows[0].log10_delta_sq_ratio);
}

int cmd_theory(int argc, char **argv)
{
    TArgs a;
    GtErr e = {0};
    int rc = parse(&a, argc, argv, &e);
    if (rc == -1) {
        usage(stdout);
        return 0;
    }
    ActParams ap = {.alpha = a.real[O_ALPHA], .relu_grad_at_zero = 0};
    double q0 = a.real[O_Q0];
    long L = a.lng[O_DEPTH], K = a.lng[O_RES];
    if (!rc && a.flag[O_GRID]) {
        rc = theory_phase_grid(stdout, a.act, &ap, q0, &a.range[O_W2R], &a.range[O_B2R], &e);
    } else if (!rc && a.flag[O_CRIT]) {
        double sw2;
        rc = theory_critical_sigma_w2(a.act, &ap, a.real[O_SB2], q0, &sw2, &e);
        if (!rc && a.flag[O_CSV])
            printf("sigma_b2,sigma_w2_critical\n%.17g,%.17g\n", a.real[O_SB2], sw2);
        else if (!rc)
            printf("sigma_w2 critical %.10g   (%s, sigma_b2 %.10g, q0 %.10g: chi1 = 1)\n", sw2,
                   act_get(a.act)->name, a.real[O_SB2], q0);
    } else if (!rc) {
        Theory t;
        TheoryLayer *rows = NULL;
        rc = theory_init(&t, a.act, &ap, a.real[O_SW2], a.real[O_SB2], &e);
        if (!rc && !(rows = malloc((size_t)L * sizeof *rows)))
            rc = gt_fail(&e, GT_ESYS, "out of memory");
        if (!rc && K) rc = theory_resid_layers(&t, q0, K, a.real[O_RSCALE], L, rows, &e);
        else if (!rc) theory_layers(&t, q0, L, rows);
        if (!rc && a.flag[O_CSV]) {
            rc = theory_write_layers_csv(stdout, rows, L, &e);
        } else if (!rc && K) {
            print_resid_summary(&a, &t, rows);
        } else if (!rc) {
            TheoryFixed fp;
            theory_fixed_point(&t, q0, &fp);
            print_summary(&a, &t, &fp, rows);
        }
        free(rows);
    }
    if (!rc && fflush(stdout)) rc = gt_fail(&e, GT_EINPUT, "cannot write the output");
    if (rc) fprintf(stderr, "gradtrace theory: %s\n", e.msg);
    return rc;
}
