/* bits: a string as an array of bits, and integers of any width inside
 * it (Part II, strings).
 *
 * Bit 0 is the most significant bit of byte 0, bit 7 its least
 * significant, bit 8 the most significant of byte 1: the bits read left
 * to right as the bytes are written, whatever the machine's byte order.
 * A BITFIELD integer of n bits at offset o is bits o..o+n-1 read in that
 * order, most significant first, so an 8-bit field at offset 0 is byte 0
 * and an unaligned one straddles two bytes. These functions are the
 * arithmetic of SETBIT GETBIT BITCOUNT BITPOS BITFIELD, exposed for their
 * unit tests; the commands are the table bit_commands (commands.h).
 *
 *     unsigned char p[2] = {0, 0};
 *     bits_set(p, 7, 5, 23);                    // p is 00000001 01110000
 *     bits_get_unsigned(p, 7, 5);               // 23
 *     bits_count(p, 0, 15);                     // 4 bits set
 */
#ifndef BITS_H
#define BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* BITFIELD's OVERFLOW modes. */
enum bits_overflow {
    BITS_WRAP,          /* modulo 2^n, the way C's unsigned integers do */
    BITS_SAT,           /* stick at the largest or smallest value */
    BITS_FAIL,          /* do nothing, reply nil */
};

/* The n-bit integer at bit offset `offset` (1 <= n <= 64); the caller
 * makes sure the bytes exist. */
uint64_t bits_get_unsigned(const unsigned char *p, uint64_t offset, int n);
int64_t bits_get_signed(const unsigned char *p, uint64_t offset, int n);
/* Stores the low n bits of value (a negative one in two's complement). */
void bits_set(unsigned char *p, uint64_t offset, int n, uint64_t value);

/* Whether value + incr leaves the range of an n-bit integer (unsigned:
 * 0..2^n-1, n <= 63; signed: -2^(n-1)..2^(n-1)-1, n <= 64). A value
 * already outside the range overflows too (BITFIELD SET checks its value
 * with incr 0). When it does, *result is what WRAP or SAT stores; FAIL
 * stores nothing. */
bool bits_overflow_unsigned(uint64_t value, int64_t incr, int n, enum bits_overflow mode, uint64_t *result);
bool bits_overflow_signed(int64_t value, int64_t incr, int n, enum bits_overflow mode, int64_t *result);

/* The bits set among bits first..last (inclusive) of p. */
long long bits_count(const unsigned char *p, uint64_t first, uint64_t last);
/* The position of the first bit equal to `bit` (0 or 1) among bits
 * first..last of p, or -1 if there is none. */
long long bits_find(const unsigned char *p, uint64_t first, uint64_t last, int bit);

#endif
