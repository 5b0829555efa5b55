/* intset: a sorted array of 16-, 32- or 64-bit integers (Part II, sets).
 * See intset.h for the idea.
 *
 * The array is reallocated to its exact size on every insert and delete:
 * an intset is small (a few hundred elements at most, by the set module's
 * limit), so the copy costs little, and a set of ten numbers takes 8
 * bytes of header and 20 of data, not a doubling's worth of slack. */
#include "data/intset.h"

#include <string.h>

#include "base/mem.h"

/* The narrowest width that holds `value`. */
static uint32_t intset_width_for(int64_t value)
{
    if (value >= INT16_MIN && value <= INT16_MAX)
        return sizeof(int16_t);
    if (value >= INT32_MIN && value <= INT32_MAX)
        return sizeof(int32_t);
    return sizeof(int64_t);
}

/* The element at `index` read as `width` bytes: memcpy, because data is
 * only byte-aligned after the header for no type in particular. */
static int64_t intset_read(const intset *is, uint32_t index, uint32_t width)
{
    const uint8_t *at = is->data + (size_t)index * width;
    if (width == sizeof(int16_t)) {
        int16_t v;
        memcpy(&v, at, sizeof(v));
        return v;
    }
    if (width == sizeof(int32_t)) {
        int32_t v;
        memcpy(&v, at, sizeof(v));
        return v;
    }
    int64_t v;
    memcpy(&v, at, sizeof(v));
    return v;
}

static void intset_write(intset *is, uint32_t index, uint32_t width, int64_t value)
{
    uint8_t *at = is->data + (size_t)index * width;
    if (width == sizeof(int16_t)) {
        int16_t v = (int16_t)value;
        memcpy(at, &v, sizeof(v));
    } else if (width == sizeof(int32_t)) {
        int32_t v = (int32_t)value;
        memcpy(at, &v, sizeof(v));
    } else {
        memcpy(at, &value, sizeof(value));
    }
}

static intset *intset_resize(intset *is, uint32_t length, uint32_t width)
{
    return mem_realloc(is, sizeof(intset) + (size_t)length * width);
}

intset *intset_new(void)
{
    intset *is = mem_alloc(sizeof(intset));
    is->width = sizeof(int16_t);
    is->length = 0;
    return is;
}

void intset_free(intset *is)
{
    mem_free(is);
}

intset *intset_copy(const intset *is)
{
    size_t bytes = intset_bytes(is);
    return memcpy(mem_alloc(bytes), is, bytes);
}

size_t intset_bytes(const intset *is)
{
    return sizeof(intset) + (size_t)is->length * is->width;
}

int64_t intset_get(const intset *is, uint32_t index)
{
    return intset_read(is, index, is->width);
}

/* Binary search. True if found, with its index in *pos; false with the
 * index it would be inserted at. Values beyond either end are answered
 * without a search: appending ascending ids is the common case. */
static bool intset_search(const intset *is, int64_t value, uint32_t *pos)
{
    uint32_t n = is->length;
    if (n == 0 || value < intset_read(is, 0, is->width)) {
        *pos = 0;
        return false;
    }
    if (value > intset_read(is, n - 1, is->width)) {
        *pos = n;
        return false;
    }
    uint32_t low = 0, high = n;        /* the answer is in [low, high) */
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        int64_t at = intset_read(is, mid, is->width);
        if (at == value) {
            *pos = mid;
            return true;
        }
        if (at < value)
            low = mid + 1;
        else
            high = mid;
    }
    *pos = low;
    return false;
}

bool intset_contains(const intset *is, int64_t value)
{
    uint32_t pos;
    return intset_width_for(value) <= is->width && intset_search(is, value, &pos);
}

/* Widen every element to hold `value`, and add it. A value too wide for
 * the array is smaller or larger than every element in it, so it goes
 * first (negative) or last. The elements are moved from the last one
 * down: each one's new place starts at or after its old one, so nothing
 * is overwritten before it is read. */
static intset *intset_widen_and_add(intset *is, int64_t value)
{
    uint32_t old = is->width, wide = intset_width_for(value), n = is->length;
    uint32_t shift = value < 0 ? 1 : 0;
    is = intset_resize(is, n + 1, wide);
    for (uint32_t i = n; i-- > 0;)
        intset_write(is, i + shift, wide, intset_read(is, i, old));
    is->width = wide;
    intset_write(is, shift ? 0 : n, wide, value);
    is->length = n + 1;
    return is;
}

intset *intset_add(intset *is, int64_t value, bool *added)
{
    if (added != NULL)
        *added = true;
    if (intset_width_for(value) > is->width)
        return intset_widen_and_add(is, value);
    uint32_t pos, w = is->width;
    if (intset_search(is, value, &pos)) {
        if (added != NULL)
            *added = false;
        return is;
    }
    is = intset_resize(is, is->length + 1, w);
    memmove(is->data + (size_t)(pos + 1) * w, is->data + (size_t)pos * w, (size_t)(is->length - pos) * w);
    intset_write(is, pos, w, value);
    is->length++;
    return is;
}

intset *intset_remove(intset *is, int64_t value, bool *removed)
{
    uint32_t pos, w = is->width;
    bool found = intset_width_for(value) <= w && intset_search(is, value, &pos);
    if (removed != NULL)
        *removed = found;
    if (!found)
        return is;
    memmove(is->data + (size_t)pos * w, is->data + (size_t)(pos + 1) * w, (size_t)(is->length - pos - 1) * w);
    is->length--;
    return intset_resize(is, is->length, w);
}
