/* hexdump: the layout of `hexdump -C`, byte for byte (stage 6).
 *
 * Stage 6's seed modes log what clients send with -x true; the dump in
 * the log is the one the tool prints, so the two can be compared (or
 * diffed). Pure functions: nothing here reads, writes or allocates.
 *
 *     00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a        |Hello, World!.|
 *     0000000e
 */
#ifndef HEXDUMP_H
#define HEXDUMP_H

#include <stddef.h>

#define HEXDUMP_LINE_LEN 80     /* room for one hexdump -C line and its NUL */

/* One line of `hexdump -C`: the offset, 1 to 16 bytes in two groups of 8,
 * then |ascii|, with no newline, into out (HEXDUMP_LINE_LEN bytes).
 * Returns the line's length.
 *
 *     00000010  48 65 6c 6c 6f 0a                                 |Hello.|
 */
size_t hexdump_line(char *out, size_t offset, const unsigned char *bytes, size_t n);

/* All of `hexdump -C` for len bytes, one line at a time to emit(): repeated
 * lines folded into one "*", then the total length as the last line.
 * Nothing at all for len 0, as hexdump prints nothing for an empty file.
 *
 *     hexdump_lines(bytes, len, print_line, NULL);
 */
typedef void hexdump_line_fn(const char *line, void *data);
void hexdump_lines(const unsigned char *bytes, size_t len, hexdump_line_fn *emit, void *data);

#endif
