/* mem: the one allocation wrapper every module uses (stage 1).
 *
 * A server like this one cannot do anything useful after malloc fails: a
 * half-built reply or a half-inserted key is worse than a clean crash that
 * an operator sees in the log. So these wrappers abort with a message
 * instead of returning NULL, and no caller has to check.
 *
 * They also count the bytes handed out, which INFO-style figures and the
 * memory benchmark read through mem_used(). */
#ifndef MEM_H
#define MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);   /* len bytes, then a NUL */
size_t mem_used(void);          /* bytes currently allocated through mem_ */

#endif
