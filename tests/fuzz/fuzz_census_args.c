/* Fuzz target: `gradtrace census` options (cmd_census.c's getopt_long parser through
 * cmd_args.c, the list and --inputs parsers and bd_validate), without running the Monte
 * Carlo. The input is argv[1..], split at NUL bytes and newlines. cmd_census.c is included
 * for its static parse_args; its main entry is not called. */
#include "../../src/cmd_census.c"

#include "fuzz_util.h"

static int parse(void *spec, int argc, char **argv, GtErr *e)
{
    int csv = 0;
    return parse_args(spec, &csv, argc, argv, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    BdSpec s;
    bd_spec_init(&s);
    if (fz_parse_args(data, size, "census", parse, &s) == 0) {
        FZ_CHECK(s.trials >= 1 && s.threads >= 1);
        FZ_CHECK_LIST(s.widths, s.n_widths, BD_MAX_WIDTH);
        FZ_CHECK_LIST(s.depths, s.n_depths, BD_MAX_DEPTH);
    }
    return 0;
}
