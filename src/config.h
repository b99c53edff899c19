/* Run configuration: one table of options shared by the command line and experiment
 * files (the option name is the INI key), with defaults, help text and validation. */
#ifndef GT_CONFIG_H
#define GT_CONFIG_H

#include <stdio.h>

#include "act.h"
#include "common.h"
#include "init.h"

typedef enum { LOSS_XENT, LOSS_MSE } LossKind;
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM } OptKind;

#define MAX_SAVE_STEPS 64

typedef struct {
    long depth;               /* hidden layers */
    long width;
    int activation;           /* ActKind */
    double alpha, relu_grad_at_zero;
    int init;                 /* InitKind */
    double sigma_w2, sigma_b2;
    long residual;            /* layers per residual block (0: plain) */
    double residual_scale;    /* alpha: a block maps h to h + alpha * F(h) */
    double clip_grad_norm;    /* clip the global gradient norm to this (0: off) */
    int norm;                 /* NormKind: normalization of every hidden layer */
    double norm_eps;
    char *data, *test_csv, *out;
    int normalize, histograms, force;
    long input_dim, classes, train_size, test_size, eval_every;
    int test_size_set;
    int loss;                 /* LossKind */
    int optimizer;            /* OptKind */
    double lr, momentum;
    long batch, steps, epochs;
    int dtype;                /* Dtype */
    long seed, threads, every, census_every, probe_size;
    long jacobian_every, jacobian_samples; /* jacobian.csv: every K steps (0: off), N samples */
    long checkpoint_every;    /* DIR/checkpoint.bin every K steps (0: off) */
    long save_weights[MAX_SAVE_STEPS];
    int n_save_weights;
} Config;

void config_init(Config *c);  /* defaults */
void config_free(Config *c);
/* Sets option `key` (long name without dashes) from text; errors name "--key". */
int config_set(Config *c, const char *key, const char *value, GtErr *e);
/* 1 when the option takes no value (a flag). -1 when unknown. */
int config_is_flag(const char *key);
/* "; did you mean --depth?" for a misspelled option name (prefix in front of it), or "" */
const char *config_suggest_key(const char *typo, const char *prefix, char *buf, size_t n);
/* 1 when the option holds a number (its text may still be a word such as "auto"). */
int config_is_number(const char *key);
/* Cross-option checks once everything is set. */
int config_validate(const Config *c, GtErr *e);
/* Parses `gradtrace run` arguments (argv[0] is "run"). Returns GT_OK, an error, or -1
 * when --help was asked for. */
int config_parse_args(Config *c, int argc, char **argv, GtErr *e);
void config_print_help(FILE *f);
/* Name of an enum option value as written in the option, e.g. "xent". */
const char *config_loss_name(int k);
const char *config_optimizer_name(int k);
const char *config_dtype_name(int k);
/* Calls fn(key, value-as-text) for every option, in table order (run.json). */
void config_foreach(const Config *c, void (*fn)(void *ctx, const char *key, const char *val),
                    void *ctx);

#endif
