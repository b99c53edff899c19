/* "Did you mean ...?" for misspelled option names and values.
 *
 * A Suggest collects candidate names and keeps the closest to what the user typed: equal
 * apart from case and '-' vs '_' (ReLU -> relu), then names that begin with it
 * (he -> he-normal, he-uniform), then names within a small edit distance (transpositions
 * count one: ralu, rleu -> relu). Nothing is suggested when no name is close. */
#ifndef GT_SUGGEST_H
#define GT_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX 3   /* ties listed: "did you mean he-uniform or he-normal?" */
#define SUGGEST_NAME 64

typedef struct {
    const char *typo;
    char best[SUGGEST_MAX][SUGGEST_NAME];
    int n, score;
} Suggest;

void suggest_begin(Suggest *s, const char *typo);
void suggest_offer(Suggest *s, const char *name);
/* every name of a list like "sigmoid, tanh, relu" */
void suggest_offer_list(Suggest *s, const char *names);
/* "; did you mean relu?" (with prefix in front of each name, e.g. "--"), or "" */
const char *suggest_end(const Suggest *s, const char *prefix, char *buf, size_t n);

/* one call for a value among listed names: "" or "; did you mean ...?" */
const char *suggest_among(const char *typo, const char *names, char *buf, size_t n);

#endif
