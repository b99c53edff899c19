/* Fuzz target: `gradtrace census` options (cmd_census.c's getopt_long parser, the list
 * and --inputs parsers and bd_validate), without running the Monte Carlo. The input is
 * argv[1..], split at NUL bytes and newlines. cmd_census.c is included for its static
 * parse_args; its main entry is not called. */
#include "../../src/cmd_census.c"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0;
    char *text = fz_strndup(data, size);
    char *argv[FZ_MAX_ARGS + 2];
    int argc = fz_argv(text, size, "census", argv);
    /* getopt keeps a pointer into the previous argv; optind = 0 makes glibc start afresh
     * (the CLI parses once per process, so it never needs this) */
    char *none[] = {"census", NULL};
    optind = 0;
    getopt_long(1, none, ":h", LONGOPTS, NULL);

    BdSpec s;
    bd_spec_init(&s);
    int csv = 0;
    GtErr e = {0};
    int rc = parse_args(&s, &csv, argc, argv, &e);
    if (rc > 0) {
        FZ_CHECK_ERR(rc, e);
    } else if (rc == 0) {
        FZ_CHECK(s.n_widths >= 1 && s.n_depths >= 1 && s.trials >= 1 && s.threads >= 1);
        for (int i = 0; i < s.n_widths; i++) FZ_CHECK(s.widths[i] >= 1 && s.widths[i] <= BD_MAX_WIDTH);
        for (int i = 0; i < s.n_depths; i++) FZ_CHECK(s.depths[i] >= 1 && s.depths[i] <= BD_MAX_DEPTH);
    }
    free(text);
    return 0;
}
