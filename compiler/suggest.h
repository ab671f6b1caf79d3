/* "did you mean 'X'?": the closest candidate to a misspelt name, by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours,
 * letter case ignored), when it is close enough to be a plausible typo. */
#ifndef DROM_COMPILER_SUGGEST_H
#define DROM_COMPILER_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

struct drom_suggest {
    const char *word;
    const char *best;   /* NULL until a close enough candidate was offered */
    size_t best_dist;
};

void drom_suggest_init(struct drom_suggest *s, const char *word);
void drom_suggest_offer(struct drom_suggest *s, const char *candidate);
/* The best candidate, or NULL when none is close enough. */
const char *drom_suggest_best(const struct drom_suggest *s);
/* Whether two option names are the same to Camel Main: letter case and
 * dashes ignored (remote-uri is remoteURI). */
bool drom_name_loose_eq(const char *a, const char *b);
/* Distance between two names (case-insensitive optimal string alignment). */
size_t drom_edit_distance(const char *a, const char *b);

#endif
