/* Fuzz target: checkpoint files as `gradtrace run --resume DIR` and a resumed sweep read
 * them (ckpt_read, ckpt_exists, run_checkpoint_config). Input byte 0 chooses the layout:
 * even, the rest is DIR/checkpoint.bin as it is (almost always a checksum failure: the
 * header checks come first); odd, the rest is CONFIG "\n#CFG#\n" WANT "\n#CFG#\n" PAYLOAD,
 * written as an intact checkpoint by ckpt_write, then read back against WANT and loaded
 * as a configuration (arbitrary key=value text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "config.h"
#include "fuzz_util.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 18)) return 0;
    char dir[FZ_PATH], p[FZ_PATH + 32];
    fz_path(dir, "ckpt");
    fz_rmtree(dir);
    mkdir(dir, 0777);
    GtErr e = {0};
    char *want = NULL;
    if (data[0] & 1) {
        const uint8_t *part[3];
        size_t plen[3];
        fz_split(data + 1, size - 1, "\n#CFG#\n", part, plen, 3);
        char *config = fz_strndup(part[0], plen[0]);
        want = fz_strndup(part[1], plen[1]);
        CkptBuf b = {0};
        ckpt_put(&b, part[2], plen[2]);
        int rc = ckpt_write(dir, config, &b, &e);
        FZ_CHECK(rc == GT_OK);
        FZ_CHECK(ckpt_exists(dir));
        ckpt_buf_free(&b);
        CkptBuf got;
        char *cfg;
        rc = ckpt_read(dir, NULL, &cfg, &got, &e);
        FZ_CHECK(rc == GT_OK && strlen(cfg) <= plen[0] && got.len == plen[2]);
        FZ_CHECK(!plen[2] || memcmp(got.buf, part[2], plen[2]) == 0);
        free(cfg);
        ckpt_buf_free(&got);
        free(config);
    } else {
        snprintf(p, sizeof p, "%s/%s", dir, CKPT_NAME);
        fz_write(p, data + 1, size - 1);
        int ok = ckpt_exists(dir);
        FZ_CHECK(ok == 0 || ok == 1);
    }
    CkptBuf got;
    char *cfg;
    int rc = ckpt_read(dir, want, &cfg, &got, &e);
    if (rc) FZ_CHECK_ERR(rc, e);
    else {
        free(cfg);
        ckpt_buf_free(&got);
    }
    Config c;
    config_init(&c);
    rc = run_checkpoint_config(&c, dir, &e);
    if (rc) FZ_CHECK_ERR(rc, e);
    else FZ_CHECK(strcmp(c.out, dir) == 0);
    config_free(&c);
    free(want);
    return 0;
}
