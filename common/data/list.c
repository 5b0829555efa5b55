/* list: the list type as a linked list of packed nodes (stage 4). See
 * list.h for the picture and the layout of an element.
 *
 * Stage 4 introduces it, with LPUSH and friends. Everything here works on
 * a node's bytes in place: an element is found by walking the lengths, and
 * inserting or deleting one moves the rest of its node with memmove. That
 * costs up to 8 KB of copying per change, which is what keeps a list of
 * small elements at a couple of bytes of overhead each (Redis makes the
 * same trade). Nodes grow by realloc, roughly doubling up to the node
 * limit, and shrink again when deletes leave three quarters unused.
 *
 * Not done: neighbours left half empty by deletes in the middle (LREM) are
 * not merged, and elements are always stored as strings, where Redis packs
 * small integers into fewer bytes. */
#include "data/list.h"

#include <string.h>

#include "base/mem.h"

#define LIST_NODE_MIN_CAP 16    /* a new node's bytes: a few small elements */
#define LIST_LONG_LEN 0x80      /* marks a 5-byte length; a short one is below it */

struct list_node {
    list_node *prev, *next;
    uint32_t count;             /* elements, never 0: an emptied node is freed */
    uint32_t used;              /* bytes of data in use */
    uint32_t cap;               /* bytes of data allocated */
    unsigned char data[];       /* the elements, [length][bytes][length] each */
};

/* ---------------- One element's bytes ----------------
 *
 * The 32-bit length is written byte by byte, least significant first, so
 * the layout is the same on every machine and needs no alignment. */

static size_t list_len_size(size_t len)
{
    return len < LIST_LONG_LEN ? 1 : 5;
}

static size_t list_entry_size(size_t len)
{
    return list_len_size(len) + len + list_len_size(len);
}

static void list_put_u32(unsigned char *p, size_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static size_t list_get_u32(const unsigned char *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
}

static void list_entry_write(unsigned char *p, const char *bytes, size_t len)
{
    if (len < LIST_LONG_LEN) {
        p[0] = (unsigned char)len;
        p[1 + len] = (unsigned char)len;
    } else {
        p[0] = LIST_LONG_LEN;
        list_put_u32(p + 1, len);
        list_put_u32(p + 5 + len, len);
        p[9 + len] = LIST_LONG_LEN;
    }
    if (len > 0)                /* an empty element may come with bytes == NULL */
        memcpy(p + list_len_size(len), bytes, len);
}

/* Reads the element starting at `offset`; returns its size in bytes. */
static size_t list_entry_read(const list_node *n, size_t offset, list_entry *out)
{
    const unsigned char *p = n->data + offset;
    size_t len = p[0] == LIST_LONG_LEN ? list_get_u32(p + 1) : p[0];
    out->bytes = (const char *)p + list_len_size(len);
    out->len = len;
    return list_entry_size(len);
}

static size_t list_entry_size_at(const list_node *n, size_t offset)
{
    list_entry e;
    return list_entry_read(n, offset, &e);
}

/* The size of the element that ends at `end`, read from its back copy of
 * the length: this is what lets RPOP and backward walks skip the scan. */
static size_t list_entry_size_before(const list_node *n, size_t end)
{
    const unsigned char *p = n->data + end;
    size_t len = p[-1] == LIST_LONG_LEN ? list_get_u32(p - 5) : p[-1];
    return list_entry_size(len);
}

/* ---------------- Nodes ----------------
 *
 * A node is one allocation: its header and its data. Growing it may move
 * it, so every function that can realloc a node returns where it now is,
 * after pointing its neighbours (or the list's head and tail) there. */

static size_t list_node_alloc_size(size_t cap)
{
    return offsetof(list_node, data) + cap;
}

/* Links n into l after prev, or at the head when prev is NULL. */
static void list_node_link(list *l, list_node *prev, list_node *n)
{
    n->prev = prev;
    n->next = prev != NULL ? prev->next : l->head;
    if (n->next != NULL)
        n->next->prev = n;
    else
        l->tail = n;
    if (prev != NULL)
        prev->next = n;
    else
        l->head = n;
    l->nodes++;
}

/* An empty node after prev (at the head if NULL), with room for `cap`
 * bytes. The caller fills it before the list is used again. */
static list_node *list_node_new(list *l, list_node *prev, size_t cap)
{
    if (cap < LIST_NODE_MIN_CAP)
        cap = LIST_NODE_MIN_CAP;
    list_node *n = mem_alloc(list_node_alloc_size(cap));
    n->count = 0;
    n->used = 0;
    n->cap = (uint32_t)cap;
    list_node_link(l, prev, n);
    return n;
}

static void list_node_free(list *l, list_node *n)
{
    if (n->prev != NULL)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next != NULL)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
    l->nodes--;
    mem_free(n);
}

static list_node *list_node_resize(list *l, list_node *n, size_t cap)
{
    n = mem_realloc(n, list_node_alloc_size(cap));
    n->cap = (uint32_t)cap;
    if (n->prev != NULL)
        n->prev->next = n;
    else
        l->head = n;
    if (n->next != NULL)
        n->next->prev = n;
    else
        l->tail = n;
    return n;
}

/* Makes room for `need` bytes of data. Doubling keeps pushes amortised
 * O(1); the cap at LIST_NODE_MAX keeps a full node from carrying up to
 * 8 KB of slack, and a node for one big element gets exactly its size. */
static list_node *list_node_reserve(list *l, list_node *n, size_t need)
{
    if (need <= n->cap)
        return n;
    size_t cap = (size_t)n->cap * 2;
    if (cap < need)
        cap = need;
    size_t limit = need > LIST_NODE_MAX ? need : LIST_NODE_MAX;
    if (cap > limit)
        cap = limit;
    return list_node_resize(l, n, cap);
}

/* Gives memory back once deletes leave a node three quarters empty. It
 * shrinks to twice what is used, so a node is not reallocated again until
 * it has doubled or halved: pushes and pops at one end stay amortised
 * O(1) even when they alternate around a boundary. A node that held a big
 * element keeps no slack beyond LIST_NODE_MAX: nothing else will be put
 * there while it is that full. */
static list_node *list_node_fit(list *l, list_node *n)
{
    if (n->cap > LIST_NODE_MAX && n->cap > n->used)
        return list_node_resize(l, n, n->used > LIST_NODE_MAX ? n->used : LIST_NODE_MAX);
    if (n->cap <= LIST_NODE_MIN_CAP || n->used > n->cap / 4)
        return n;
    size_t cap = (size_t)n->used * 2;
    return list_node_resize(l, n, cap < LIST_NODE_MIN_CAP ? LIST_NODE_MIN_CAP : cap);
}

/* Turns the `old` bytes at offset into `fresh` bytes, moving the rest of
 * the node up or down. The new bytes are left for the caller to write. */
static list_node *list_node_reshape(list *l, list_node *n, size_t offset, size_t old, size_t fresh)
{
    size_t used = n->used - old + fresh;
    n = list_node_reserve(l, n, used);
    memmove(n->data + offset + fresh, n->data + offset + old, n->used - offset - old);
    n->used = (uint32_t)used;
    return n;
}

/* Writes a new element at offset. If bytes point into this very node
 * (LMOVE rotating a one-node list), the realloc and the memmove may move
 * them, so remember where they sat and look there again afterwards. */
static list_node *list_node_put(list *l, list_node *n, size_t offset, const char *bytes, size_t len)
{
    size_t size = list_entry_size(len);
    uintptr_t start = (uintptr_t)n->data, at = (uintptr_t)bytes;
    bool inside = at >= start && at < start + n->used;
    size_t was = inside ? at - start : 0;
    n = list_node_reshape(l, n, offset, 0, size);
    if (inside)
        bytes = (const char *)n->data + was + (was >= offset ? size : 0);
    list_entry_write(n->data + offset, bytes, len);
    n->count++;
    l->count++;
    return n;
}

/* Removes `count` elements taking `bytes` bytes at offset. Returns the
 * node, or NULL when it was emptied and freed. */
static list_node *list_node_cut(list *l, list_node *n, size_t offset, size_t bytes, size_t count)
{
    n = list_node_reshape(l, n, offset, bytes, 0);
    n->count -= (uint32_t)count;
    l->count -= count;
    if (n->count == 0) {
        list_node_free(l, n);
        return NULL;
    }
    return list_node_fit(l, n);
}

/* Moves the elements from the one at (offset, index) on into a new node
 * after n, so something can be inserted between them. */
static void list_node_split(list *l, list_node *n, size_t offset, size_t index)
{
    size_t moved = n->used - offset;
    list_node *rest = list_node_new(l, n, moved);
    memcpy(rest->data, n->data + offset, moved);
    rest->used = (uint32_t)moved;
    rest->count = n->count - (uint32_t)index;
    n->used = (uint32_t)offset;
    n->count = (uint32_t)index;
}

/* Byte offset of the element at index within n, walking from the nearer
 * end of the node: forwards over front lengths or backwards over back
 * lengths. */
static size_t list_node_seek(const list_node *n, size_t index)
{
    size_t offset = 0;
    if (index < n->count / 2) {
        for (size_t i = 0; i < index; i++)
            offset += list_entry_size_at(n, offset);
    } else {
        offset = n->used;
        for (size_t i = n->count; i > index; i--)
            offset -= list_entry_size_before(n, offset);
    }
    return offset;
}

/* ---------------- Positions ---------------- */

/* Turns a Redis-style index (negative counts from the tail) into 0..count-1. */
static bool list_normalise(const list *l, long long index, size_t *out)
{
    if (index < 0) {
        unsigned long long back = (unsigned long long)(-(index + 1));   /* -1 -> 0, safe for LLONG_MIN */
        if (back >= l->count)
            return false;
        *out = l->count - 1 - (size_t)back;
        return true;
    }
    if ((unsigned long long)index >= l->count)
        return false;
    *out = (size_t)index;
    return true;
}

/* Finds element i (in range): whole nodes are skipped by their counts,
 * from whichever end of the list is nearer, so LINDEX of a million
 * elements touches a few hundred node headers and one node's bytes. */
static list_node *list_locate(const list *l, size_t i, size_t *offset, size_t *index)
{
    list_node *n;
    if (i < l->count / 2) {
        for (n = l->head; i >= n->count; n = n->next)
            i -= n->count;
    } else {
        size_t from_tail = l->count - 1 - i;
        for (n = l->tail; from_tail >= n->count; n = n->prev)
            from_tail -= n->count;
        i = n->count - 1 - from_tail;
    }
    *index = i;
    *offset = list_node_seek(n, i);
    return n;
}

/* Inserts an element at (offset, index) of n, the one place that knows
 * what to do when n is full: use the neighbour the element is next to if
 * that has room, else a new node; in the middle of a node, split it first
 * and so arrive at its end. */
static void list_insert_at(list *l, list_node *n, size_t offset, size_t index,
                           const char *bytes, size_t len)
{
    size_t size = list_entry_size(len);
    if (n->used + size <= LIST_NODE_MAX) {
        list_node_put(l, n, offset, bytes, len);
    } else if (offset == 0) {
        list_node *prev = n->prev;
        if (prev == NULL || prev->used + size > LIST_NODE_MAX)
            prev = list_node_new(l, n->prev, size);
        list_node_put(l, prev, prev->used, bytes, len);
    } else if (offset == n->used) {
        list_node *next = n->next;
        if (next == NULL || next->used + size > LIST_NODE_MAX)
            next = list_node_new(l, n, size);
        list_node_put(l, next, 0, bytes, len);
    } else {
        list_node_split(l, n, offset, index);
        list_insert_at(l, n, offset, index, bytes, len);
    }
}

/* ---------------- Both ends ---------------- */

void list_init(list *l)
{
    *l = (list){NULL, NULL, 0, 0};
}

void list_clear(list *l)
{
    list_node *n = l->head;
    while (n != NULL) {
        list_node *next = n->next;
        mem_free(n);
        n = next;
    }
    list_init(l);
}

void list_push(list *l, enum list_where where, const char *bytes, size_t len)
{
    if (l->head == NULL)
        list_node_put(l, list_node_new(l, NULL, list_entry_size(len)), 0, bytes, len);
    else if (where == LIST_HEAD)
        list_insert_at(l, l->head, 0, 0, bytes, len);
    else
        list_insert_at(l, l->tail, l->tail->used, l->tail->count, bytes, len);
}

bool list_peek(const list *l, enum list_where where, list_entry *out)
{
    if (l->head == NULL)
        return false;
    if (where == LIST_HEAD)
        list_entry_read(l->head, 0, out);
    else
        list_entry_read(l->tail, l->tail->used - list_entry_size_before(l->tail, l->tail->used), out);
    return true;
}

void list_pop(list *l, enum list_where where)
{
    if (where == LIST_HEAD) {
        list_node_cut(l, l->head, 0, list_entry_size_at(l->head, 0), 1);
    } else {
        size_t size = list_entry_size_before(l->tail, l->tail->used);
        list_node_cut(l, l->tail, l->tail->used - size, size, 1);
    }
}

/* ---------------- By index ---------------- */

bool list_index(list *l, long long index, list_entry *out)
{
    size_t i, offset, in_node;
    if (!list_normalise(l, index, &i))
        return false;
    list_node *n = list_locate(l, i, &offset, &in_node);
    list_entry_read(n, offset, out);
    return true;
}

/* Replaces in place when the node stays within its limit (or the element
 * is alone in its node); otherwise deletes and inserts, which may put the
 * new element in a neighbour or split the node around it. */
bool list_set(list *l, long long index, const char *bytes, size_t len)
{
    size_t i, offset, in_node;
    if (!list_normalise(l, index, &i))
        return false;
    list_node *n = list_locate(l, i, &offset, &in_node);
    size_t old = list_entry_size_at(n, offset), fresh = list_entry_size(len);
    if (n->count == 1 || n->used - old + fresh <= LIST_NODE_MAX) {
        n = list_node_reshape(l, n, offset, old, fresh);
        list_entry_write(n->data + offset, bytes, len);
        list_node_fit(l, n);
    } else {
        n = list_node_cut(l, n, offset, old, 1);    /* count was >= 2: n survives */
        list_insert_at(l, n, offset, in_node, bytes, len);
    }
    return true;
}

/* Whole nodes go first, one free each; then one cut from the node left at
 * each end. LTRIM keeping the newest hundred costs O(elements removed
 * within a node), not O(length). */
void list_trim(list *l, size_t head, size_t tail)
{
    if (head >= l->count || tail >= l->count - head) {
        list_clear(l);
        return;
    }
    while (head > 0 && head >= l->head->count) {
        head -= l->head->count;
        l->count -= l->head->count;
        list_node_free(l, l->head);
    }
    while (tail > 0 && tail >= l->tail->count) {
        tail -= l->tail->count;
        l->count -= l->tail->count;
        list_node_free(l, l->tail);
    }
    if (head > 0)
        list_node_cut(l, l->head, 0, list_node_seek(l->head, head), head);
    if (tail > 0) {
        list_node *n = l->tail;
        size_t offset = list_node_seek(n, n->count - tail);
        list_node_cut(l, n, offset, n->used - offset, tail);
    }
}

/* ---------------- Iterators ----------------
 *
 * An iterator holds the position of the next entry, found by stepping
 * over one length copy: the front one going forwards, the back one of the
 * previous entry going backwards. It also remembers the entry it returned
 * last, which is what delete and insert act on. */

bool list_iter_start(list_iter *it, list *l, long long index, bool forward)
{
    size_t i;
    *it = (list_iter){.l = l, .forward = forward};
    if (!list_normalise(l, index, &i))
        return false;
    it->node = list_locate(l, i, &it->offset, &it->index);
    return true;
}

static void list_iter_step_forward(list_iter *it, size_t size)
{
    if (it->index + 1 < it->node->count) {
        it->offset += size;
        it->index++;
    } else {
        it->node = it->node->next;
        it->offset = 0;
        it->index = 0;
    }
}

static void list_iter_step_backward(list_iter *it)
{
    if (it->index > 0) {
        it->offset -= list_entry_size_before(it->node, it->offset);
        it->index--;
        return;
    }
    it->node = it->node->prev;
    if (it->node != NULL) {
        it->index = it->node->count - 1;
        it->offset = it->node->used - list_entry_size_before(it->node, it->node->used);
    }
}

bool list_iter_next(list_iter *it, list_entry *out)
{
    if (it->node == NULL)
        return false;
    size_t size = list_entry_read(it->node, it->offset, out);
    it->last_node = it->node;
    it->last_offset = it->offset;
    it->last_index = it->index;
    if (it->forward)
        list_iter_step_forward(it, size);
    else
        list_iter_step_backward(it);
    return true;
}

/* When the next entry is in the same node, going forwards it slides down
 * into the deleted one's place; going backwards it sits before it and
 * does not move, though the node itself may (shrinking). An entry in
 * another node is not touched, even when this node is freed. */
void list_iter_delete(list_iter *it)
{
    list_node *n = it->last_node;
    if (n == NULL)
        return;
    bool same_node = it->node == n;
    n = list_node_cut(it->l, n, it->last_offset, list_entry_size_at(n, it->last_offset), 1);
    if (same_node) {
        it->node = n;
        if (it->forward) {
            it->offset = it->last_offset;
            it->index = it->last_index;
        }
    }
    it->last_node = NULL;
}

void list_iter_insert(list_iter *it, bool after, const char *bytes, size_t len)
{
    list_node *n = it->last_node;
    if (n == NULL)
        return;
    size_t offset = it->last_offset, index = it->last_index;
    if (after) {
        offset += list_entry_size_at(n, offset);
        index++;
    }
    list_insert_at(it->l, n, offset, index, bytes, len);
    it->node = NULL;            /* nodes may have moved or split: the walk is over */
    it->last_node = NULL;
}

/* ---------------- Checking ---------------- */

/* Walks one node's entries, checking that each back length matches its
 * front one and that they add up to the node's counts. */
static bool list_node_check(const list_node *n)
{
    if (n->count == 0 || n->used > n->cap)
        return false;
    if (n->used > LIST_NODE_MAX && n->count != 1)
        return false;
    if (n->cap > LIST_NODE_MAX && n->cap > n->used)
        return false;           /* slack beyond the node limit is memory wasted */
    size_t offset = 0, count = 0;
    while (offset < n->used) {
        size_t size = list_entry_size_at(n, offset);
        if (size > n->used - offset || list_entry_size_before(n, offset + size) != size)
            return false;
        offset += size;
        count++;
    }
    return offset == n->used && count == n->count;
}

bool list_check(const list *l)
{
    size_t count = 0, nodes = 0;
    const list_node *prev = NULL;
    for (const list_node *n = l->head; n != NULL; prev = n, n = n->next) {
        if (n->prev != prev || !list_node_check(n))
            return false;
        count += n->count;
        nodes++;
    }
    return prev == l->tail && count == l->count && nodes == l->nodes;
}
