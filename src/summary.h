/* The summary numbers of one run directory, read back from its files (run.json,
 * layers.csv, census.csv): what a sweep's index.csv lists per run. */
#ifndef GT_SUMMARY_H
#define GT_SUMMARY_H

#define SUMMARY_HEADER                                                                         \
    "status,final_loss,final_test_acc,grad_log10_first_start,grad_log10_last_start,"          \
    "grad_log10_first_end,grad_log10_last_end,frac_dead_end"

typedef struct {
    char status[16];   /* complete | diverged | failed | pending (no run.json) */
    double final_loss, final_test_acc;
    /* grad_w_log10 of layer 1 and of the last hidden layer at step 0 and at the last
     * logged step */
    double g_first_start, g_last_start, g_first_end, g_last_end;
    double frac_dead_end; /* mean over hidden layers at the last census */
    int digits;           /* significant digits of the run's numbers: 9 float32, 17 float64 */
} RunSummary;

/* Reads DIR's files; missing numbers are NaN. status stays "pending" without a run.json
 * and is "failed" for a run.json that is not complete or diverged. */
void summary_read(const char *dir, RunSummary *s);
/* 1 when DIR holds a finished run (run.json says complete or diverged). */
int summary_finished(const char *dir);

#endif
