/* "Did you mean ...?": the closest names to a misspelling (see suggest.h). */
#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int fold(int c)
{
    return c == '_' ? '-' : tolower((unsigned char)c);
}

/* optimal string alignment distance on folded characters, or a value > limit */
static int distance(const char *a, size_t la, const char *b, size_t lb, int limit)
{
    if (la >= SUGGEST_NAME || lb >= SUGGEST_NAME) return limit + 1;
    int d[SUGGEST_NAME + 1][SUGGEST_NAME + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = fold(a[i - 1]) != fold(b[j - 1]);
            int v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* 0: equal when folded, 1: the name begins with the typo, 1 + edit distance, or -1 */
static int score(const char *typo, const char *name, size_t len)
{
    size_t lt = strlen(typo), k = 0;
    while (k < lt && k < len && fold(typo[k]) == fold(name[k])) k++;
    if (k == lt && k == len) return 0;
    if (k == lt && lt >= 2) return 1;
    int limit = lt <= 4 ? 1 : lt <= 8 ? 2 : 3;
    int dist = distance(typo, lt, name, len, limit);
    return dist <= limit ? 1 + dist : -1;
}

void suggest_begin(Suggest *s, const char *typo)
{
    s->typo = typo ? typo : "";
    s->n = 0;
    s->score = -1;
}

static void offer(Suggest *s, const char *name, size_t len)
{
    if (!s->typo[0] || len == 0 || len >= SUGGEST_NAME) return;
    int sc = score(s->typo, name, len);
    if (sc < 0 || (s->score >= 0 && sc > s->score)) return;
    if (sc != s->score) s->n = 0;
    s->score = sc;
    for (int i = 0; i < s->n; i++)
        if (strlen(s->best[i]) == len && !strncmp(s->best[i], name, len)) return;
    if (s->n == SUGGEST_MAX) return;
    memcpy(s->best[s->n], name, len);
    s->best[s->n++][len] = 0;
}

void suggest_offer(Suggest *s, const char *name)
{
    if (name) offer(s, name, strlen(name));
}

void suggest_offer_list(Suggest *s, const char *names)
{
    for (const char *p = names; p && *p;) {
        while (*p == ',' || *p == ' ') p++;
        size_t len = strcspn(p, ", ");
        offer(s, p, len);
        p += len;
    }
}

const char *suggest_end(const Suggest *s, const char *prefix, char *buf, size_t n)
{
    if (!n) return "";
    buf[0] = 0;
    if (s->n == 0) return buf;
    size_t len = (size_t)snprintf(buf, n, "; did you mean");
    for (int i = 0; i < s->n && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s %s%s", i == 0 ? "" : i + 1 == s->n ? " or" : ",",
                                prefix ? prefix : "", s->best[i]);
    if (len < n) snprintf(buf + len, n - len, "?");
    return buf;
}

const char *suggest_among(const char *typo, const char *names, char *buf, size_t n)
{
    Suggest s;
    suggest_begin(&s, typo);
    suggest_offer_list(&s, names);
    return suggest_end(&s, NULL, buf, n);
}
