/* Option parsing shared by the getopt_long subcommands (census, spectrum, activations):
 * the number parsers, the options census and spectrum both take, and the loop itself, with
 * their one-line messages. Command-line side only: cmd_*.c link with main.c, not the library. */
#ifndef GT_CMD_ARGS_H
#define GT_CMD_ARGS_H

#include <getopt.h>
#include <stdint.h>

#include "common.h"

/* cmd_getopt's return for -h/--help (map "help" to 'h' in the option table). */
#define CMD_HELP (-1)

/* v as a decimal integer in [min, max] ("--trials 0: expected an integer from 1 to ..."). */
int cmd_parse_long(const char *opt, const char *v, long min, long max, long *out, GtErr *e);
/* v as a finite double ("--alpha nan: expected a finite number"). */
int cmd_parse_real(const char *opt, const char *v, double *out, GtErr *e);
/* --init NAME into *init (an InitKind) and --activation NAME into *act (an ActKind). */
int cmd_parse_init(const char *v, int *init, GtErr *e);
int cmd_parse_act(const char *v, int *act, GtErr *e);

/* The options `gradtrace census` and `gradtrace spectrum` share: their codes, their rows
 * of a getopt_long table (CMD_MC_OPTIONS, --help included) and where each value goes.
 * A command's own options take codes from CMD_O_OWN on. */
enum { CMD_O_WIDTHS = 256, CMD_O_DEPTHS, CMD_O_TRIALS, CMD_O_ACTIVATION, CMD_O_ALPHA,
       CMD_O_INIT, CMD_O_SIGMA_W2, CMD_O_SIGMA_B2, CMD_O_SEED, CMD_O_THREADS, CMD_O_CSV,
       CMD_O_OWN };

#define CMD_MC_OPTIONS                                              \
    {"widths", required_argument, NULL, CMD_O_WIDTHS},              \
    {"depths", required_argument, NULL, CMD_O_DEPTHS},              \
    {"trials", required_argument, NULL, CMD_O_TRIALS},              \
    {"activation", required_argument, NULL, CMD_O_ACTIVATION},      \
    {"alpha", required_argument, NULL, CMD_O_ALPHA},                \
    {"init", required_argument, NULL, CMD_O_INIT},                  \
    {"sigma-w2", required_argument, NULL, CMD_O_SIGMA_W2},          \
    {"sigma-b2", required_argument, NULL, CMD_O_SIGMA_B2},          \
    {"seed", required_argument, NULL, CMD_O_SEED},                  \
    {"threads", required_argument, NULL, CMD_O_THREADS},            \
    {"csv", no_argument, NULL, CMD_O_CSV},                          \
    {"help", no_argument, NULL, 'h'}

typedef struct {
    long *widths, *depths; /* (BD_MAX_LIST) each, lengths in *n_widths, *n_depths */
    int *n_widths, *n_depths;
    long max_width, max_depth, max_trials, max_threads;
    long *trials;
    int *activation, *init; /* ActKind, InitKind */
    double *alpha, *sigma_w2, *sigma_b2;
    uint64_t *seed;         /* 0 to 2^53 - 1 */
    int *threads;
    int *csv;
} CmdMcArgs;

/* The pointer fields of a CmdMcArgs into spec s (a BdSpec or an SpSpec: the same field
 * names), for a designated initializer beside the four limits. */
#define CMD_MC_FIELDS(s, csv_flag)                                                          \
    .widths = (s)->widths, .depths = (s)->depths, .n_widths = &(s)->n_widths,               \
    .n_depths = &(s)->n_depths, .trials = &(s)->trials, .activation = &(s)->activation,     \
    .init = &(s)->init, .alpha = &(s)->alpha, .sigma_w2 = &(s)->sigma_w2,                   \
    .sigma_b2 = &(s)->sigma_b2, .seed = &(s)->seed, .threads = &(s)->threads, .csv = (csv_flag)

/* One of the shared options (CMD_O_WIDTHS <= c < CMD_O_OWN). */
int cmd_mc_option(const CmdMcArgs *a, int c, const char *v, GtErr *e);

/* Flushes stdout at the end of a command: GT_OK, or GT_ESYS after one line on stderr
 * ("gradtrace CMD: cannot write the output: No space left on device"). */
int cmd_flush_stdout(const char *cmd);

/* One option: c is its code in the option table, v its value (NULL for a flag). */
typedef int (*CmdOptFn)(void *ctx, int c, const char *v, GtErr *e);

/* getopt_long over argv (argv[0] the subcommand) with our own messages, starting afresh
 * on every call: each option goes to fn until one fails. "gradtrace CMD" names the command
 * in "unknown option (see gradtrace CMD --help)"; example ends "unexpected argument
 * (options look like EXAMPLE)". Returns GT_OK, an error, or CMD_HELP. */
int cmd_getopt(int argc, char **argv, const struct option *longopts, const char *cmd,
               const char *example, CmdOptFn fn, void *ctx, GtErr *e);

#endif
