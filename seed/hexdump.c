/* hexdump: the layout of `hexdump -C` (stage 6). See hexdump.h.
 *
 * Stage 6 introduces it for the seed's -x true, which logs every chunk a
 * client sends. It is its own module, and pure, so that the layout can be
 * tested against the tool's own output without a server around it:
 *
 *     00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a        |Hello, World!.|
 *     0000000e
 *
 * The offset in 8 hex digits, two spaces, 16 bytes in two groups of 8
 * (a short last line is padded so '|' stays in column 60), the bytes
 * again as ASCII with '.' for anything unprintable; a run of identical
 * lines shows as one "*"; the last line is the total length. */
#include "hexdump.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t hexdump_line(char *out, size_t offset, const unsigned char *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n > 16)
        n = 16;
    size_t len = (size_t)snprintf(out, HEXDUMP_LINE_LEN, "%08zx  ", offset & 0xffffffffu);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            out[len++] = ' ';
        if (i < n) {
            out[len++] = digits[bytes[i] >> 4];
            out[len++] = digits[bytes[i] & 15];
        } else {
            out[len++] = ' ';
            out[len++] = ' ';
        }
        out[len++] = ' ';
    }
    out[len++] = ' ';
    out[len++] = '|';
    for (size_t i = 0; i < n; i++)
        out[len++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '.';
    out[len++] = '|';
    out[len] = '\0';
    return len;
}

void hexdump_lines(const unsigned char *bytes, size_t len, hexdump_line_fn *emit, void *data)
{
    char line[HEXDUMP_LINE_LEN];
    bool folded = false;     /* a "*" stands for the lines since the last printed one */
    for (size_t off = 0; off < len; off += 16) {
        size_t n = len - off < 16 ? len - off : 16;
        if (off > 0 && n == 16 && memcmp(bytes + off, bytes + off - 16, 16) == 0) {
            if (!folded)
                emit("*", data);
            folded = true;
            continue;
        }
        folded = false;
        hexdump_line(line, off, bytes + off, n);
        emit(line, data);
    }
    if (len > 0) {
        snprintf(line, sizeof(line), "%08zx", len);
        emit(line, data);
    }
}
