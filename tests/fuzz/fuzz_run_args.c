/* Fuzz target: `gradtrace run` options (config_parse_args + config_validate, then the
 * run.json rendering of every option). The input is argv[1..], split at NUL bytes and
 * newlines; argv[0] is "run" as in cmd_run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"

static void sink(void *ctx, const char *key, const char *val)
{
    size_t *n = ctx;
    FZ_CHECK(key && *key && val);
    *n += strlen(val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[FZ_MAX_ARGS + 2], *text;
    int argc = fz_args(data, size, "run", argv, &text);
    if (argc < 0) return 0;

    Config c;
    GtErr e = {0};
    config_init(&c);
    int rc = config_parse_args(&c, argc, argv, &e);
    if (rc > 0) {
        FZ_CHECK_ERR(rc, e);
    } else if (rc == 0) {
        /* what was accepted is within the option table's bounds */
        FZ_CHECK(c.depth >= 1 && c.width >= 1 && c.batch >= 1 && c.threads >= 1);
        FZ_CHECK(c.lr > 0 && c.every >= 1 && c.n_save_weights <= MAX_SAVE_STEPS);
        FZ_CHECK(c.jacobian_every >= 0 && c.jacobian_samples >= 1);
        FZ_CHECK(c.out && c.out[0] && c.data && c.test_csv);
        size_t n = 0;
        config_foreach(&c, sink, &n);
    }
    config_free(&c);
    free(text);
    return 0;
}
