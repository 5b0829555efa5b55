/* glob: Redis's pattern matching for KEYS and CONFIG GET (stage 2).
 *
 *   *        any run of bytes, also empty
 *   ?        exactly one byte
 *   [abc]    one byte of the set; [^abc] one byte not in it; [a-z] a range
 *   \x       the byte x itself (so \* matches a star)
 *
 * Patterns and strings are binary (lengths, not NULs). `nocase` folds ASCII
 * letters, as CONFIG GET does.
 *
 *     glob_match("h?llo", 5, "hello", 5, false)  -> true
 */
#ifndef GLOB_H
#define GLOB_H

#include <stdbool.h>
#include <stddef.h>

bool glob_match(const char *pattern, size_t plen, const char *str, size_t slen, bool nocase);

#endif
