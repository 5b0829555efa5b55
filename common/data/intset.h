/* intset: a sorted array of integers, the small set's encoding (Part II,
 * sets).
 *
 * A set of small integers ("user ids 3, 17, 42") needs no hash table: a
 * sorted array answers membership by binary search in O(log n), costs no
 * pointer and no allocation per member, and hands out a random member by
 * index. Redis calls it the intset. Every element has the same width, the
 * narrowest of 16, 32 or 64 bits that holds them all; adding a number that
 * does not fit widens the whole array once ("upgrade"), and it never
 * narrows again. Inserting and removing move the tail of the array, O(n),
 * which is why the set module keeps an intset small (set-max-intset-entries,
 * 512 by default) and turns it into a hash table past that.
 *
 * The header and the elements are one allocation, so a function that
 * changes the size returns the intset's new address:
 *
 *     intset *is = intset_new();
 *     bool added;
 *     is = intset_add(is, 42, &added);        // added == true
 *     intset_contains(is, 42);                // true
 *     int64_t first = intset_get(is, 0);      // 42
 *     is = intset_remove(is, 42, NULL);
 *     intset_free(is);
 */
#ifndef INTSET_H
#define INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct intset {
    uint32_t width;         /* bytes per element: 2, 4 or 8 */
    uint32_t length;        /* elements */
    uint8_t data[];         /* length elements of width bytes, ascending, native byte order */
} intset;

intset *intset_new(void);
void intset_free(intset *is);
intset *intset_copy(const intset *is);

/* Both may move the intset; *added / *removed (may be NULL) say whether
 * the value was new / was there. */
intset *intset_add(intset *is, int64_t value, bool *added);
intset *intset_remove(intset *is, int64_t value, bool *removed);

bool intset_contains(const intset *is, int64_t value);     /* O(log n) */
int64_t intset_get(const intset *is, uint32_t index);       /* index < length: smallest first */
static inline uint32_t intset_length(const intset *is) { return is->length; }
static inline uint32_t intset_width(const intset *is) { return is->width; }
size_t intset_bytes(const intset *is);      /* header and elements, as allocated */

#endif
