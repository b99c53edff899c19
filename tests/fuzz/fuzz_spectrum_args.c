/* Fuzz target: `gradtrace spectrum` options (cmd_spectrum.c's getopt_long parser through
 * cmd_args.c, the list parser and sp_validate), without running the Monte Carlo. The input
 * is argv[1..], split at NUL bytes and newlines. cmd_spectrum.c is included for its static
 * parse_args; its main entry is not called. */
#include "../../src/cmd_spectrum.c"

#include "fuzz_util.h"

static int parse(void *spec, int argc, char **argv, GtErr *e)
{
    int csv = 0;
    return parse_args(spec, &csv, argc, argv, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SpSpec s;
    sp_spec_init(&s);
    if (fz_parse_args(data, size, "spectrum", parse, &s) == 0) {
        FZ_CHECK(s.trials >= 1 && s.threads >= 1);
        FZ_CHECK(s.sigma_w2 > 0 && s.sigma_b2 >= 0 && s.alpha >= 0 && s.alpha <= 1);
        FZ_CHECK_LIST(s.widths, s.n_widths, BD_MAX_WIDTH);
        FZ_CHECK_LIST(s.depths, s.n_depths, BD_MAX_DEPTH);
    }
    return 0;
}
