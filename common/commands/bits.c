/* Bit commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO
 * (Part II, strings).
 *
 * Redis has no bitmap type: these commands read and write the bits of an
 * ordinary string, so a million flags (a user seen today, a feature on)
 * fit in 125 KB and GET returns them all at once. Bit 0 is the most
 * significant bit of byte 0 (bits.h), a bit past the end reads as 0, and
 * writing one there first pads the string with zero bytes, up to the
 * same 512 MB as any string. BITFIELD goes further: it treats the string
 * as an array of integers of any width from 1 to 64 bits, at any bit
 * offset, with a choice of what happens when an increment overflows.
 *
 * What is simplified: Redis counts and searches a word or 28 bytes at a
 * time; here BITCOUNT takes 8 bytes at a time with the compiler's
 * popcount, and BITPOS skips 8 bytes at a time only while they cannot
 * hold what it looks for. */
#include <limits.h>
#include <string.h>

#include "commands/bits.h"
#include "commands/commands.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/resp.h"
#include "server/notify.h"
#include "server/reply.h"

/* ---------------- The arithmetic (bits.h) ---------------- */

static int bits_at(const unsigned char *p, uint64_t offset)
{
    return (p[offset >> 3] >> (7 - (offset & 7))) & 1;
}

uint64_t bits_get_unsigned(const unsigned char *p, uint64_t offset, int n)
{
    uint64_t value = 0;
    for (int k = 0; k < n; k++)
        value = (value << 1) | (uint64_t)bits_at(p, offset + (uint64_t)k);
    return value;
}

int64_t bits_get_signed(const unsigned char *p, uint64_t offset, int n)
{
    uint64_t value = bits_get_unsigned(p, offset, n);
    if (n < 64 && (value >> (n - 1)) & 1)
        value |= UINT64_MAX << n;       /* extend the sign bit to the left */
    return (int64_t)value;
}

void bits_set(unsigned char *p, uint64_t offset, int n, uint64_t value)
{
    for (int k = 0; k < n; k++, offset++) {
        unsigned char mask = (unsigned char)(1u << (7 - (offset & 7)));
        if ((value >> (n - 1 - k)) & 1)
            p[offset >> 3] |= mask;
        else
            p[offset >> 3] &= (unsigned char)~mask;
    }
}

/* value + incr modulo 2^n, as an unsigned n-bit integer. */
static uint64_t bits_wrap_unsigned(uint64_t value, int64_t incr, int n)
{
    uint64_t sum = value + (uint64_t)incr;     /* unsigned: wraps, never undefined */
    return n == 64 ? sum : sum & ~(UINT64_MAX << n);
}

bool bits_overflow_unsigned(uint64_t value, int64_t incr, int n, enum bits_overflow mode, uint64_t *result)
{
    uint64_t max = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
    bool over = value > max || (incr > 0 && (uint64_t)incr > max - value);
    bool under = !over && incr < 0 && (uint64_t)0 - (uint64_t)incr > value;
    if (!over && !under)
        return false;
    if (mode == BITS_SAT)
        *result = over ? max : 0;
    else
        *result = bits_wrap_unsigned(value, incr, n);
    return true;
}

/* value + incr modulo 2^n, as a signed n-bit integer in two's complement. */
static int64_t bits_wrap_signed(int64_t value, int64_t incr, int n)
{
    uint64_t sum = (uint64_t)value + (uint64_t)incr;
    if (n < 64) {
        uint64_t high = UINT64_MAX << n;
        sum = (sum >> (n - 1)) & 1 ? sum | high : sum & ~high;
    }
    return (int64_t)sum;
}

bool bits_overflow_signed(int64_t value, int64_t incr, int n, enum bits_overflow mode, int64_t *result)
{
    int64_t max = n == 64 ? INT64_MAX : (INT64_C(1) << (n - 1)) - 1;
    int64_t min = -max - 1;
    /* The room left above and below value, computed as Redis does: in
     * unsigned arithmetic, wrapping when value is out of range. So a SET
     * of a value far below the range counts as an overflow upwards, and
     * OVERFLOW SAT stores the maximum, as Redis 7.0 does. */
    int64_t up = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t down = (int64_t)((uint64_t)min - (uint64_t)value);
    bool over = value > max || (n != 64 && incr > up) || (value >= 0 && incr > 0 && incr > up);
    bool under = !over && (value < min || (n != 64 && incr < down) || (value < 0 && incr < 0 && incr < down));
    if (!over && !under)
        return false;
    if (mode == BITS_SAT)
        *result = over ? max : min;
    else
        *result = bits_wrap_signed(value, incr, n);
    return true;
}

static long long bits_popcount(const unsigned char *p, uint64_t len)
{
    long long count = 0;
    uint64_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);        /* any alignment, any byte order */
        count += __builtin_popcountll(word);
    }
    for (; i < len; i++)
        count += __builtin_popcount(p[i]);
    return count;
}

/* The bits of the byte holding `first` that come before it, and of the
 * byte holding `last` that come after it. */
static unsigned char bits_before(uint64_t first)
{
    return (unsigned char)(0xff00u >> (first & 7));
}

static unsigned char bits_after(uint64_t last)
{
    return (unsigned char)((1u << (7 - (last & 7))) - 1);
}

long long bits_count(const unsigned char *p, uint64_t first, uint64_t last)
{
    uint64_t from = first >> 3, to = last >> 3;
    long long count = bits_popcount(p + from, to - from + 1);
    count -= __builtin_popcount(p[from] & bits_before(first));
    count -= __builtin_popcount(p[to] & bits_after(last));
    return count;
}

long long bits_find(const unsigned char *p, uint64_t first, uint64_t last, int bit)
{
    uint64_t from = first >> 3, to = last >> 3;
    unsigned char none = bit ? 0x00 : 0xff;        /* a byte without what we look for */
    uint64_t none_word = bit ? 0 : UINT64_MAX;
    for (uint64_t i = from; i <= to;) {
        if (i > from && to - i > 8) {       /* 8 whole bytes inside the range */
            uint64_t word;
            memcpy(&word, p + i, 8);
            if (word == none_word) {
                i += 8;
                continue;
            }
        }
        /* The bits outside the range are made to hold the other value. */
        unsigned char outside = (unsigned char)((i == from ? bits_before(first) : 0) | (i == to ? bits_after(last) : 0));
        unsigned char b = bit ? (unsigned char)(p[i] & ~outside) : (unsigned char)(p[i] | outside);
        if (b != none) {
            for (int k = 0; k < 8; k++)
                if (((b >> (7 - k)) & 1) == bit)
                    return (long long)(i * 8 + (uint64_t)k);
        }
        i++;
    }
    return -1;
}

/* ---------------- Arguments and lookups ---------------- */

/* A bit offset: 0 up to the last bit of a 512 MB string. BITFIELD also
 * takes "#N", the N-th field of its width: the multiplication wraps as a
 * 64-bit one, as Redis's does. */
static bool bits_arg_offset(client *c, int i, int width, uint64_t *offset)
{
    const char *p = c->argv[i];
    size_t len = c->argvlen[i];
    bool hash = width > 0 && len > 0 && p[0] == '#';
    long long v;
    if (!num_parse_ll(p + hash, len - hash, &v))
        goto invalid;
    if (hash)
        v = (long long)((unsigned long long)v * (unsigned long long)width);
    if (v < 0 || (v >> 3) >= resp_max_bulk())
        goto invalid;
    *offset = (uint64_t)v;
    return true;
invalid:
    reply_error(c, REPLY_ERR_BIT_OFFSET);
    return false;
}

static bool bits_arg_ll(client *c, int i, long long *out)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], out))
        return true;
    reply_error(c, REPLY_ERR_NOT_INTEGER);
    return false;
}

/* The string at argv[1] to write bits into, created, or padded with zero
 * bytes, so that bit `last_bit` exists. NULL after a WRONGTYPE reply.
 * *created says it was made (db_set counted that change), *grew that an
 * existing string was padded. */
static dict_entry *bits_lookup_for_write(client *c, uint64_t last_bit, bool *created, bool *grew)
{
    size_t need = (size_t)(last_bit >> 3) + 1;
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    *created = *grew = false;
    if (e == NULL) {
        *created = true;
        return db_set(c->db, c->argv[1], c->argvlen[1], db_string_grow_zero(db_string_new("", 0), need));
    }
    if (!command_check_type(c, e->value, DB_TYPE_STRING))
        return NULL;
    uint32_t before = db_string_of(e->value)->len;
    e->value = db_string_grow_zero(e->value, need);      /* keeps the TTL */
    *grew = db_string_of(e->value)->len != before;
    return e;
}

/* The string at argv[1] for reading: *s is NULL when missing. False after
 * a WRONGTYPE reply. */
static bool bits_lookup(client *c, db_string **s)
{
    db_value *v = db_get(c->db, c->argv[1], c->argvlen[1]);
    *s = NULL;
    if (v == NULL)
        return true;
    if (!command_check_type(c, v, DB_TYPE_STRING))
        return false;
    *s = db_string_of(v);
    return true;
}

/* ---------------- SETBIT GETBIT ---------------- */

/* SETBIT key offset value: replies the bit's old value. */
static void cmd_setbit(client *c)
{
    uint64_t offset;
    long long on;
    bool created, grew;
    if (!bits_arg_offset(c, 2, 0, &offset))
        return;
    if (!num_parse_ll(c->argv[3], c->argvlen[3], &on) || (on != 0 && on != 1)) {
        reply_error(c, REPLY_ERR_BIT_VALUE);
        return;
    }
    dict_entry *e = bits_lookup_for_write(c, offset, &created, &grew);
    if (e == NULL)
        return;
    unsigned char *p = (unsigned char *)db_string_of(e->value)->str;
    int old = bits_at(p, offset);
    bits_set(p, offset, 1, (uint64_t)on);
    if (!created && (grew || old != on))
        db_key_changed(c->db, e->key, e->keylen);
    if (created || grew || old != on)
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->argv[1], c->argvlen[1], c->db->id);
    reply_int(c, old);
}

/* GETBIT key offset */
static void cmd_getbit(client *c)
{
    uint64_t offset;
    db_string *s;
    if (!bits_arg_offset(c, 2, 0, &offset) || !bits_lookup(c, &s))
        return;
    bool inside = s != NULL && (offset >> 3) < s->len;
    reply_int(c, inside ? bits_at((const unsigned char *)s->str, offset) : 0);
}

/* ---------------- BITCOUNT BITPOS ---------------- */

/* A start..end range as BITCOUNT and BITPOS read it (negative counts
 * from the end), clamped to 0..total-1; false when it is empty. */
static bool bits_clamp(long long *start, long long *end, long long total)
{
    if (*start < 0)
        *start += total;
    if (*end < 0)
        *end += total;
    if (*start < 0)
        *start = 0;
    if (*end < 0)
        *end = 0;
    if (*end >= total)
        *end = total - 1;
    return *start <= *end;
}

/* BYTE or BIT at argv[i]: the unit of a range. */
static bool bits_arg_unit(client *c, int i, bool *in_bits)
{
    if (command_arg_is(c, i, "bit"))
        *in_bits = true;
    else if (command_arg_is(c, i, "byte"))
        *in_bits = false;
    else {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    return true;
}

/* BITCOUNT key [start end [BYTE|BIT]] */
static void cmd_bitcount(client *c)
{
    db_string *s;
    long long start = 0, end;
    bool in_bits = false;
    if (!bits_lookup(c, &s))
        return;
    if (s == NULL) {
        reply_int(c, 0);        /* before the arguments are even read, as in Redis */
        return;
    }
    long long total = s->len;
    if (c->argc == 4 || c->argc == 5) {
        if (!bits_arg_ll(c, 2, &start) || !bits_arg_ll(c, 3, &end))
            return;
        if (start < 0 && end < 0 && start > end) {
            reply_int(c, 0);
            return;
        }
        if (c->argc == 5 && !bits_arg_unit(c, 4, &in_bits))
            return;
        if (in_bits)
            total *= 8;
    } else if (c->argc == 2) {
        end = total - 1;
    } else {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    if (!bits_clamp(&start, &end, total)) {
        reply_int(c, 0);
        return;
    }
    uint64_t first = in_bits ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t last = in_bits ? (uint64_t)end : (uint64_t)end * 8 + 7;
    reply_int(c, bits_count((const unsigned char *)s->str, first, last));
}

/* BITPOS key bit [start [end [BYTE|BIT]]]
 * A missing key is an endless run of zero bits. Without an end, the
 * string is taken as followed by zero bits too, so looking for a 0 in
 * "\xff" answers 8; with an explicit end it answers -1. */
static void cmd_bitpos(client *c)
{
    long long bit, start = 0, end;
    bool in_bits = false, end_given = false;
    db_string *s;
    if (!bits_arg_ll(c, 2, &bit))
        return;
    if (bit != 0 && bit != 1) {
        reply_error(c, REPLY_ERR_BITPOS_BIT);
        return;
    }
    if (!bits_lookup(c, &s))
        return;
    if (s == NULL) {
        reply_int(c, bit ? -1 : 0);
        return;
    }
    long long total = s->len;
    if (c->argc >= 4 && c->argc <= 6) {
        if (!bits_arg_ll(c, 3, &start))
            return;
        if (c->argc == 6 && !bits_arg_unit(c, 5, &in_bits))
            return;
        if (in_bits)
            total *= 8;
        end = total - 1;
        if (c->argc >= 5) {
            if (!bits_arg_ll(c, 4, &end))
                return;
            end_given = true;
        }
    } else if (c->argc == 3) {
        end = total - 1;
    } else {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    if (!bits_clamp(&start, &end, total)) {
        reply_int(c, -1);       /* an empty range holds neither a 0 nor a 1 */
        return;
    }
    uint64_t first = in_bits ? (uint64_t)start : (uint64_t)start * 8;
    uint64_t last = in_bits ? (uint64_t)end : (uint64_t)end * 8 + 7;
    long long pos = bits_find((const unsigned char *)s->str, first, last, (int)bit);
    if (pos == -1 && bit == 0 && !end_given)
        pos = (long long)last + 1;      /* the first of the zero bits after the string */
    reply_int(c, pos);
}

/* ---------------- BITOP ---------------- */

enum bits_op { BITS_AND, BITS_OR, BITS_XOR, BITS_NOT };

static bool bits_arg_op(client *c, enum bits_op *op)
{
    static const char *names[] = {"and", "or", "xor", "not"};
    for (int k = 0; k < 4; k++) {
        if (command_arg_is(c, 1, names[k])) {
            *op = (enum bits_op)k;
            return true;
        }
    }
    reply_error(c, REPLY_ERR_SYNTAX);
    return false;
}

/* One byte of the result: a source shorter than the others reads as
 * zero bytes past its end. */
static unsigned char bits_op_byte(enum bits_op op, db_string **src, int n, size_t j)
{
    unsigned char out = src[0] != NULL && j < src[0]->len ? (unsigned char)src[0]->str[j] : 0;
    if (op == BITS_NOT)
        return (unsigned char)~out;
    for (int i = 1; i < n; i++) {
        unsigned char b = src[i] != NULL && j < src[i]->len ? (unsigned char)src[i]->str[j] : 0;
        if (op == BITS_AND)
            out &= b;
        else if (op == BITS_OR)
            out |= b;
        else
            out ^= b;
    }
    return out;
}

/* BITOP AND|OR|XOR|NOT destkey key [key ...]: the result is as long as
 * the longest source; an empty result deletes destkey. Replies its
 * length. */
static void cmd_bitop(client *c)
{
    enum bits_op op;
    if (!bits_arg_op(c, &op))
        return;
    if (op == BITS_NOT && c->argc != 4) {
        reply_error(c, REPLY_ERR_BITOP_NOT);
        return;
    }
    int n = c->argc - 3;
    db_string **src = mem_alloc((size_t)n * sizeof(*src));
    size_t maxlen = 0;
    for (int i = 0; i < n; i++) {
        db_value *v = db_get(c->db, c->argv[i + 3], c->argvlen[i + 3]);
        if (v == NULL)      /* a read, in a write command: its miss is said here */
            notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", c->argv[i + 3], c->argvlen[i + 3], c->db->id);
        if (v != NULL && !command_check_type(c, v, DB_TYPE_STRING)) {
            mem_free(src);
            return;
        }
        src[i] = v != NULL ? db_string_of(v) : NULL;
        if (src[i] != NULL && src[i]->len > maxlen)
            maxlen = src[i]->len;
    }
    if (maxlen > 0) {
        /* Into a buffer first: destkey may be one of the sources. */
        char *out = mem_alloc(maxlen);
        for (size_t j = 0; j < maxlen; j++)
            out[j] = (char)bits_op_byte(op, src, n, j);
        db_value *v = db_string_new(out, maxlen);
        db_string_of(v)->raw = 1;       /* as Redis's createObject: OBJECT ENCODING says raw */
        db_set(c->db, c->argv[2], c->argvlen[2], v);
        notify_keyspace_event(NOTIFY_STRING, "set", c->argv[2], c->argvlen[2], c->db->id);
        mem_free(out);
    } else if (db_delete(c->db, c->argv[2], c->argvlen[2])) {
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[2], c->argvlen[2], c->db->id);
    }
    mem_free(src);
    reply_int(c, (long long)maxlen);
}

/* ---------------- BITFIELD ---------------- */

enum bits_field_opcode { BITS_GET, BITS_SET, BITS_INCRBY };

/* One GET, SET or INCRBY, parsed before any runs: an error anywhere
 * refuses the whole command. */
typedef struct bits_field_op {
    enum bits_field_opcode opcode;
    enum bits_overflow overflow;    /* the OVERFLOW in force where it appears */
    bool is_signed;
    int width;                      /* 1..64 signed, 1..63 unsigned */
    uint64_t offset;
    int64_t value;                  /* SET's value, INCRBY's increment */
} bits_field_op;

typedef struct bits_field_ops {
    bits_field_op *items;
    int count, cap;
    bool writes;                    /* any SET or INCRBY */
    uint64_t last_bit;              /* the farthest bit they write */
} bits_field_ops;

/* "i8", "u16" ...: u64 is refused, as RESP's integers are signed. */
static bool bits_arg_type(client *c, int i, bool *is_signed, int *width)
{
    const char *p = c->argv[i];
    long long n;
    /* Redis reads the width as a C string: it stops at a NUL byte. */
    size_t len = strnlen(p, c->argvlen[i]);
    if (len > 0 && (p[0] == 'i' || p[0] == 'u') && num_parse_ll(p + 1, len - 1, &n)) {
        *is_signed = p[0] == 'i';
        if (n >= 1 && n <= (*is_signed ? 64 : 63)) {
            *width = (int)n;
            return true;
        }
    }
    reply_error(c, REPLY_ERR_BITFIELD_TYPE);
    return false;
}

static bool bits_arg_overflow(client *c, int i, enum bits_overflow *mode)
{
    static const char *names[] = {"wrap", "sat", "fail"};
    for (int k = 0; k < 3; k++) {
        if (command_arg_is(c, i, names[k])) {
            *mode = (enum bits_overflow)k;
            return true;
        }
    }
    reply_error(c, REPLY_ERR_BITFIELD_OVERFLOW);
    return false;
}

static void bits_field_add(bits_field_ops *ops, bits_field_op op)
{
    if (ops->count == ops->cap) {
        ops->cap = ops->cap ? ops->cap * 2 : 4;
        ops->items = mem_realloc(ops->items, (size_t)ops->cap * sizeof(*ops->items));
    }
    ops->items[ops->count++] = op;
}

/* One GET/SET/INCRBY at argv[i]; *next is the index after it. */
static bool bits_field_parse_op(client *c, int i, enum bits_field_opcode opcode, enum bits_overflow overflow,
                                bits_field_ops *ops, int *next)
{
    bits_field_op op = {opcode, overflow, false, 0, 0, 0};
    long long value = 0;
    if (!bits_arg_type(c, i + 1, &op.is_signed, &op.width) || !bits_arg_offset(c, i + 2, op.width, &op.offset))
        return false;
    if (opcode != BITS_GET) {
        ops->writes = true;
        if (op.offset + (uint64_t)op.width - 1 > ops->last_bit)
            ops->last_bit = op.offset + (uint64_t)op.width - 1;
        if (!bits_arg_ll(c, i + 3, &value))
            return false;
    }
    op.value = value;
    bits_field_add(ops, op);
    *next = i + (opcode == BITS_GET ? 3 : 4);
    return true;
}

static bool bits_field_parse(client *c, bits_field_ops *ops)
{
    enum bits_overflow overflow = BITS_WRAP;
    for (int i = 2; i < c->argc;) {
        int left = c->argc - i - 1;     /* arguments after the subcommand's name */
        if (command_arg_is(c, i, "get") && left >= 2) {
            if (!bits_field_parse_op(c, i, BITS_GET, overflow, ops, &i))
                return false;
        } else if (command_arg_is(c, i, "set") && left >= 3) {
            if (!bits_field_parse_op(c, i, BITS_SET, overflow, ops, &i))
                return false;
        } else if (command_arg_is(c, i, "incrby") && left >= 3) {
            if (!bits_field_parse_op(c, i, BITS_INCRBY, overflow, ops, &i))
                return false;
        } else if (command_arg_is(c, i, "overflow") && left >= 1) {
            if (!bits_arg_overflow(c, i + 1, &overflow))
                return false;
            i += 2;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

/* GET on a string that may be shorter than the field, or missing: the
 * field spans at most 9 bytes, copied to a zero-padded buffer. */
static void bits_field_get(client *c, const db_string *s, const bits_field_op *op)
{
    unsigned char field[9] = {0};
    uint64_t byte = op->offset >> 3;
    for (uint64_t k = 0; k < 9 && s != NULL && byte + k < s->len; k++)
        field[k] = (unsigned char)s->str[byte + k];
    uint64_t at = op->offset & 7;
    if (op->is_signed)
        reply_int(c, bits_get_signed(field, at, op->width));
    else
        reply_int(c, (long long)bits_get_unsigned(field, at, op->width));
}

/* SET or INCRBY on a string long enough for the field. Replies SET's old
 * value or INCRBY's new one, or nil when it overflows under FAIL. True
 * if it stored the field (not under FAIL), *changed too if that changed
 * its bits. */
static bool bits_field_write(client *c, unsigned char *p, const bits_field_op *op, bool *changed)
{
    uint64_t old = bits_get_unsigned(p, op->offset, op->width), stored;
    long long reply;
    bool over;
    if (op->is_signed) {
        int64_t old_signed = bits_get_signed(p, op->offset, op->width), fixed = 0;
        int64_t base = op->opcode == BITS_INCRBY ? old_signed : op->value;
        int64_t incr = op->opcode == BITS_INCRBY ? op->value : 0;
        over = bits_overflow_signed(base, incr, op->width, op->overflow, &fixed);
        int64_t next = over ? fixed : (int64_t)((uint64_t)base + (uint64_t)incr);
        stored = (uint64_t)next;
        reply = op->opcode == BITS_INCRBY ? next : old_signed;
    } else {
        uint64_t fixed = 0;
        uint64_t base = op->opcode == BITS_INCRBY ? old : (uint64_t)op->value;
        int64_t incr = op->opcode == BITS_INCRBY ? op->value : 0;
        over = bits_overflow_unsigned(base, incr, op->width, op->overflow, &fixed);
        stored = over ? fixed : base + (uint64_t)incr;
        reply = op->opcode == BITS_INCRBY ? (long long)stored : (long long)old;
    }
    if (over && op->overflow == BITS_FAIL) {
        reply_null(c);
        return false;
    }
    reply_int(c, reply);
    bits_set(p, op->offset, op->width, stored);
    if (bits_get_unsigned(p, op->offset, op->width) != old)
        *changed = true;
    return true;
}

/* Runs the parsed operations in order, each reply an element. */
static void bits_field_run(client *c, const bits_field_ops *ops, bool read_only)
{
    dict_entry *e = NULL;
    db_string *s = NULL;
    bool created = false, grew = false, changed = false, stored = false;
    if (!ops->writes) {
        if (!bits_lookup(c, &s))
            return;
        /* Only GETs: a read, as in Redis, whose miss is an event. BITFIELD
         * is a write command, so its lookup was not counted as a read. */
        if (s == NULL && !read_only)
            notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", c->argv[1], c->argvlen[1], c->db->id);
    } else if (read_only) {
        reply_error(c, REPLY_ERR_BITFIELD_RO);
        return;
    } else {
        if ((e = bits_lookup_for_write(c, ops->last_bit, &created, &grew)) == NULL)
            return;
    }
    reply_array(c, ops->count);
    for (int k = 0; k < ops->count; k++) {
        if (e != NULL)
            s = db_string_of(e->value);
        if (ops->items[k].opcode == BITS_GET)
            bits_field_get(c, s, &ops->items[k]);
        else if (bits_field_write(c, (unsigned char *)s->str, &ops->items[k], &changed))
            stored = true;
    }
    if (e != NULL && !created && (grew || changed))
        db_key_changed(c->db, e->key, e->keylen);
    /* Redis's rule for the event: a field stored into a string this call
     * made or padded, or one whose bits changed. */
    if (changed || (stored && (created || grew)))
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->argv[1], c->argvlen[1], c->db->id);
}

static void bits_field_generic(client *c, bool read_only)
{
    bits_field_ops ops = {NULL, 0, 0, false, 0};
    if (bits_field_parse(c, &ops))
        bits_field_run(c, &ops, read_only);
    mem_free(ops.items);
}

/* BITFIELD key [GET type offset] [SET type offset value]
 *              [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ... */
static void cmd_bitfield(client *c)
{
    bits_field_generic(c, false);
}

/* BITFIELD_RO key [GET type offset ...]: for replicas and read-only ACLs. */
static void cmd_bitfield_ro(client *c)
{
    bits_field_generic(c, true);
}

const command bit_commands[] = {
    {"setbit", cmd_setbit, 4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "bitmap",
     "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", NULL},
    {"getbit", cmd_getbit, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "bitmap",
     "Returns a bit value by offset.", NULL},
    {"bitcount", cmd_bitcount, -2, COMMAND_READONLY, 1, 1, 1, "bitmap",
     "Counts the number of set bits (population counting) in a string.", NULL},
    {"bitpos", cmd_bitpos, -3, COMMAND_READONLY, 1, 1, 1, "bitmap",
     "Finds the first set (1) or clear (0) bit in a string.", NULL},
    {"bitop", cmd_bitop, -4, COMMAND_WRITE | COMMAND_DENYOOM, 2, -1, 1, "bitmap",
     "Performs bitwise operations on multiple strings, and stores the result.", NULL},
    {"bitfield", cmd_bitfield, -2, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "bitmap",
     "Performs arbitrary bitfield integer operations on strings.", NULL},
    {"bitfield_ro", cmd_bitfield_ro, -2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "bitmap",
     "Performs arbitrary read-only bitfield integer operations on strings.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
