#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "runtime/xalloc.h"

size_t drom_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 256 || m > 256)   /* names are short; long input is never a typo of one */
        return (size_t)-1 / 2;
    size_t w = m + 1;
    size_t *d = drom_xcalloc((n + 1) * w, sizeof *d);
    for (size_t i = 0; i <= n; i++)
        d[i * w] = i;
    for (size_t j = 0; j <= m; j++)
        d[j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t cost = ca != cb;
            size_t v = d[(i - 1) * w + j] + 1;
            if (d[i * w + j - 1] + 1 < v)
                v = d[i * w + j - 1] + 1;
            if (d[(i - 1) * w + j - 1] + cost < v)
                v = d[(i - 1) * w + j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[(i - 2) * w + j - 2] + 1 < v)
                v = d[(i - 2) * w + j - 2] + 1;
            d[i * w + j] = v;
        }
    }
    size_t r = d[n * w + m];
    free(d);
    return r;
}

void drom_suggest_init(struct drom_suggest *s, const char *word)
{
    *s = (struct drom_suggest){.word = word, .best = NULL, .best_dist = (size_t)-1};
}

/* A third of the longer name, at least 1 and at most 3 edits. */
static size_t limit(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t l = (n > m ? n : m) / 3;
    return l < 1 ? 1 : l > 3 ? 3 : l;
}

void drom_suggest_offer(struct drom_suggest *s, const char *candidate)
{
    if (!candidate || !s->word || strcmp(candidate, s->word) == 0)
        return;
    size_t d = drom_edit_distance(s->word, candidate);
    if (d <= limit(s->word, candidate) && d < s->best_dist) {
        s->best = candidate;
        s->best_dist = d;
    }
}

const char *drom_suggest_best(const struct drom_suggest *s)
{
    return s->best;
}

bool drom_name_loose_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-')
            a++;
        while (*b == '-')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++, b++;
    }
}
