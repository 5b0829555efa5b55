"""Chapter 9 (Part II, strings): byte arrays and the bits inside them."""

from steps import Step

CHAPTER = 9
EXTENSION = "strings"
TITLE = "strings: byte arrays and the bits inside them"

STEPS = [
    Step("9a", "SETNX, MSETNX, GETSET and GETDEL",
         commands=("SETNX", "MSETNX", "GETSET", "GETDEL"),
         hint="SETNX and MSETNX only ask whether a key exists (any type), "
              "MSETNX all or nothing; GETSET replies the old value and drops "
              "the TTL; GETSET and GETDEL answer WRONGTYPE for a list"),
    Step("9b", "times to live made absolute: SETEX, PSETEX, GETEX",
         commands=("SETEX", "PSETEX", "GETEX"),
         hint="turn the time into absolute milliseconds at once, refusing "
              "zero, negatives and overflow; GETEX parses its options, then "
              "looks the key up, then checks the time"),
    Step("9c", "GETRANGE and SETRANGE: the string as a file",
         commands=("GETRANGE", "SUBSTR", "SETRANGE"),
         hint="negative positions count from the end, clamp to the string; "
              "SETRANGE pads with zero bytes, keeps the TTL, checks offset, "
              "type, then the 512 MB limit before allocating"),
    Step("9d", "SETBIT and GETBIT: bit addressing",
         commands=("SETBIT", "GETBIT"),
         hint="bit 0 is the most significant bit of byte 0; an offset is "
              "0 .. 2^32-1; SETBIT answers the old bit and grows the string "
              "with zero bytes"),
    Step("9e", "BITCOUNT and BITPOS", commands=("BITCOUNT", "BITPOS"),
         hint="ranges in BYTE or BIT units, negative from the end; BITPOS "
              "for a 0 without an end treats the string as followed by zero "
              "bits"),
    Step("9f", "BITOP", commands=("BITOP",),
         hint="look every source up first; the result is as long as the "
              "longest source, shorter ones read as zeros; an empty result "
              "deletes the destination"),
    Step("9g", "BITFIELD and its overflows",
         commands=("BITFIELD", "BITFIELD_RO"),
         hint="parse every subcommand before running any; i1..i64, u1..u63; "
              "WRAP keeps the low bits, SAT the limit, FAIL writes nothing "
              "and replies nil"),
    Step("9h", "INCRBYFLOAT, and what the AOF logs",
         commands=("INCRBYFLOAT",),
         hint="add in long double, print with %.17Lf and cut trailing "
              "zeros; log SET key <result> KEEPTTL, SETEX as SET ... PXAT, "
              "and nothing for a write that changed nothing"),
    Step("9i", "LCS", commands=("LCS",),
         hint="fill the (len1+1) x (len2+1) table, refused over 512 MB; "
              "walk back from the end, up on a strict win, left on a tie; "
              "IDX lists the matching ranges from the end backwards"),
]
