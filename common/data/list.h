/* list: the list type, a linked list of packed nodes (stage 4).
 *
 * A plain doubly linked list costs two pointers and a malloc header per
 * element: 40 bytes of overhead to store "a". An array is compact but
 * pushing at its front moves everything. Redis's answer, the quicklist, is
 * both: a doubly linked list of nodes, each a small packed array of
 * elements (up to 8 KB, Redis's list-max-listpack-size -2). Pushing and
 * popping touch one node at either end, so both ends are O(1), and small
 * elements cost about two bytes of overhead each.
 *
 * Inside a node each element is stored as
 *
 *     [length][bytes][length]
 *
 * where a length under 128 takes one byte and a longer one five (a 0x80
 * marker byte and the length as a 32-bit number; the marker comes first in
 * the front copy and last in the back copy). The length at the front lets
 * us walk a node forwards, the one at the back lets us walk it backwards,
 * so RPOP never has to scan a node from its start.
 *
 *     list l;
 *     list_init(&l);
 *     list_push(&l, LIST_TAIL, "a", 1);
 *     list_entry e;
 *     list_peek(&l, LIST_HEAD, &e);    // e.bytes, e.len
 *     list_pop(&l, LIST_HEAD);
 *     list_clear(&l);
 */
#ifndef LIST_H
#define LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of packed elements per node. Only a node holding one element
 * bigger than this exceeds it: a big element gets a node of its own. */
#define LIST_NODE_MAX 8192

typedef struct list_node list_node;     /* private to list.c */

typedef struct list {
    list_node *head, *tail;     /* NULL, NULL when empty: no node is ever empty */
    size_t count;               /* elements */
    size_t nodes;               /* nodes, for tests and memory figures */
} list;

enum list_where { LIST_HEAD, LIST_TAIL };

/* An element as stored: valid until the list is next changed. */
typedef struct list_entry {
    const char *bytes;
    size_t len;
} list_entry;

/* A position in the list, for walking it in either direction and changing
 * it on the way (LRANGE, LREM, LINSERT, LPOS). */
typedef struct list_iter {
    list *l;
    list_node *node;            /* node of the next entry, NULL at the end */
    size_t offset;              /* byte offset of that entry in the node */
    size_t index;               /* its index within the node */
    bool forward;               /* towards the tail */
    list_node *last_node;       /* the entry last returned, for delete/insert; NULL if none */
    size_t last_offset, last_index;
} list_iter;

void list_init(list *l);
void list_clear(list *l);                       /* frees every node; l is empty and reusable after */
static inline size_t list_length(const list *l) { return l->count; }

/* Copies the element in. `bytes` may be an entry of l itself, as when
 * LMOVE rotates a list onto itself; the other writers below need bytes
 * from outside the list. Elements are at most 512 MB (lengths are 32-bit). */
void list_push(list *l, enum list_where where, const char *bytes, size_t len);
bool list_peek(const list *l, enum list_where where, list_entry *out);    /* false if empty */
void list_pop(list *l, enum list_where where);  /* drops one element; l must not be empty */

/* Element at index (0 first, -1 last), walking from the nearer end. */
bool list_index(list *l, long long index, list_entry *out);    /* false if out of range */
/* Replaces the element at index (LSET); false, changing nothing, if out of range. */
bool list_set(list *l, long long index, const char *bytes, size_t len);

/* Drop `head` elements from the front and `tail` from the back (LTRIM).
 * If head + tail >= the length the list ends empty. */
void list_trim(list *l, size_t head, size_t tail);

/* Iterate from index (negative counts from the tail), forwards (towards
 * the tail) or backwards. Returns false, leaving nothing to iterate, when
 * index is out of range.
 *
 *     list_iter it;
 *     list_entry e;
 *     list_iter_start(&it, l, 0, true);
 *     while (list_iter_next(&it, &e))
 *         if (e.len == 1 && e.bytes[0] == 'x')
 *             list_iter_delete(&it);              // LREM l 0 x
 */
bool list_iter_start(list_iter *it, list *l, long long index, bool forward);
bool list_iter_next(list_iter *it, list_entry *out);    /* false at the end */
/* Act on the entry last returned by list_iter_next (no-ops if there is
 * none). After delete, the iteration continues with the entry that
 * followed it in the iteration's direction. After insert (before or after
 * that entry, in list order) the iteration is over: next returns false. */
void list_iter_delete(list_iter *it);
void list_iter_insert(list_iter *it, bool after, const char *bytes, size_t len);

/* For the unit tests: walks every node and entry, O(n), and says whether
 * the counts, lengths and links all agree. */
bool list_check(const list *l);

#endif
