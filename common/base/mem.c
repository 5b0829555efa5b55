/* mem: allocation that aborts on out-of-memory and counts what it hands out
 * (stage 1). See mem.h for why aborting is the right policy here.
 *
 * The count uses malloc_usable_size(), the bytes the allocator really
 * reserved, so it is comparable with Redis's used_memory (which asks
 * jemalloc the same question). It is a relaxed atomic so stage 6's threads
 * can share it; on x86 that is one locked add per allocation. */
#include "base/mem.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic size_t used_bytes;

static void mem_oom(size_t size)
{
    fprintf(stderr, "Out of memory allocating %zu bytes, aborting\n", size);
    abort();
}

static void *mem_account(void *ptr, size_t size)
{
    if (ptr == NULL)
        mem_oom(size);
    atomic_fetch_add_explicit(&used_bytes, malloc_usable_size(ptr), memory_order_relaxed);
    return ptr;
}

void *mem_alloc(size_t size)
{
    return mem_account(malloc(size ? size : 1), size);
}

void *mem_calloc(size_t count, size_t size)
{
    return mem_account(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *mem_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return mem_alloc(size);
    size_t old = malloc_usable_size(ptr);
    void *fresh = realloc(ptr, size ? size : 1);
    if (fresh == NULL)
        mem_oom(size);
    atomic_fetch_sub_explicit(&used_bytes, old, memory_order_relaxed);
    return mem_account(fresh, size);
}

void mem_free(void *ptr)
{
    if (ptr == NULL)
        return;
    atomic_fetch_sub_explicit(&used_bytes, malloc_usable_size(ptr), memory_order_relaxed);
    free(ptr);
}

char *mem_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    return memcpy(mem_alloc(len), s, len);
}

char *mem_strndup(const char *s, size_t len)
{
    char *copy = mem_alloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

size_t mem_used(void)
{
    return atomic_load_explicit(&used_bytes, memory_order_relaxed);
}
