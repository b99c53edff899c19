/* Reads a run directory back: status and final numbers from run.json, the first/last
 * layer gradient norms from layers.csv, the last census's dead fraction from census.csv. */
#include "summary.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static cJSON *load_json(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/run.json", dir);
    return json_read(path);
}

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int summary_finished(const char *dir)
{
    cJSON *doc = load_json(dir);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "status");
    int done = cJSON_IsString(st) &&
               (strcmp(st->valuestring, "complete") == 0 || strcmp(st->valuestring, "diverged") == 0);
    cJSON_Delete(doc);
    return done;
}

/* Field k (0-based) of a CSV line as a number (NaN when empty). */
static double field(const char *line, int k)
{
    for (int i = 0; i < k && line; i++) {
        line = strchr(line, ',');
        if (line) line++;
    }
    if (!line || *line == ',' || *line == '\n' || !*line) return NAN;
    return strtod(line, NULL);
}

/* Field k as a step or layer number; -1 when it is not one (empty, NaN, out of range: a
 * damaged file must not make the cast to long undefined). */
static long int_field(const char *line, int k)
{
    double v = field(line, k);
    return v >= 0 && v <= 1e15 ? (long)v : -1;
}

static void read_layers(const char *dir, long last_hidden, RunSummary *s)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/layers.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fgets(line, sizeof line, f)) { /* header */
        long end_step = -1;
        while (fgets(line, sizeof line, f)) {
            long step = int_field(line, 0), layer = int_field(line, 1);
            if (step < 0 || layer < 1) continue; /* not a row of ours */
            double g = field(line, 6); /* grad_w_log10 */
            if (step == 0 && layer == 1) s->g_first_start = g;
            if (step == 0 && layer == last_hidden) s->g_last_start = g;
            if (step >= end_step && layer == 1) end_step = step, s->g_first_end = g;
            if (step == end_step && layer == last_hidden) s->g_last_end = g;
        }
    }
    (void)fclose(f); /* read only */
}

static void read_census(const char *dir, RunSummary *s)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/census.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    double sum = 0;
    int n = 0;
    if (fgets(line, sizeof line, f)) { /* header */
        long cur = -1;
        while (fgets(line, sizeof line, f)) {
            long step = int_field(line, 0);
            if (step < 0) continue;
            if (step != cur) cur = step, sum = 0, n = 0;
            sum += field(line, 2);
            n++;
        }
    }
    (void)fclose(f); /* read only */
    if (n) s->frac_dead_end = sum / n;
}

void summary_read(const char *dir, RunSummary *s)
{
    memset(s, 0, sizeof *s);
    strcpy(s->status, "pending");
    s->final_loss = s->final_test_acc = NAN;
    s->g_first_start = s->g_last_start = s->g_first_end = s->g_last_end = NAN;
    s->frac_dead_end = NAN;
    s->digits = 17;
    cJSON *doc = load_json(dir);
    if (!doc) return;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "status");
    const char *v = cJSON_IsString(st) ? st->valuestring : "";
    if (strcmp(v, "interrupted") == 0) { /* stopped by a signal: run again on resume */
        cJSON_Delete(doc);
        return;
    }
    snprintf(s->status, sizeof s->status, "%s",
             strcmp(v, "complete") == 0 || strcmp(v, "diverged") == 0 ? v : "failed");
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    s->final_loss = num(sum, "last_loss");
    s->final_test_acc = num(sum, "final_test_acc");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(doc, "config");
    double depth = num(config, "depth");
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(config, "dtype");
    if (cJSON_IsString(dtype) && strcmp(dtype->valuestring, "float32") == 0) s->digits = 9;
    cJSON_Delete(doc);
    read_layers(dir, depth >= 1 && depth <= 1e15 ? (long)depth : 1, s);
    read_census(dir, s);
}
