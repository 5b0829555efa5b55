"""Chapter 4 (stage 4): lists, and values that carry their type."""

from steps import Step

CHAPTER = 4
STAGE = 4
TITLE = "lists: a second type of value"

STEPS = [
    Step("4a", "LPUSH, RPUSH, LLEN and LRANGE",
         commands=("LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LLEN", "LRANGE"),
         hint="the first push creates the list, the X forms never do; "
              "LPUSH l a b c reads c b a; LRANGE adds the length to a "
              "negative index and clamps both ends"),
    Step("4b", "TYPE and WRONGTYPE", commands=("TYPE",),
         hint="tag every value; GET, APPEND, INCR ... on a list reply "
              "-WRONGTYPE and change nothing, MGET says nil, SET replaces "
              "it; DEL, EXISTS, EXPIRE work on any type"),
    Step("4c", "LPOP and RPOP, and an empty list is deleted",
         commands=("LPOP", "RPOP"),
         hint="without a count a bulk or $-1; with one an array in pop "
              "order, *-1 for a missing key; the pop that takes the last "
              "element deletes the key"),
    Step("4d", "LINDEX, LSET and LTRIM",
         commands=("LINDEX", "LSET", "LTRIM"),
         hint="LINDEX outside the list is nil, LSET there is an error; "
              "LTRIM keeps what LRANGE would return, and deletes the key "
              "when that is nothing"),
    Step("4e", "LREM and LINSERT", commands=("LREM", "LINSERT"),
         hint="LREM's count > 0 removes from the head, < 0 from the tail, "
              "0 all; LINSERT goes next to the first match from the head: "
              ":-1 without one, :0 without a key"),
    Step("4f", "LPOS", commands=("LPOS",),
         hint="RANK skips matches (negative: from the tail), COUNT asks "
              "for an array (0: all), MAXLEN bounds the comparisons; "
              "indexes count from the head"),
    Step("4g", "LMOVE", commands=("LMOVE",),
         hint="check LEFT/RIGHT, then the source (missing: nil), then the "
              "destination's type, and only then pop; a list moved onto "
              "itself rotates and survives"),
    Step("4h", "arguments first, then the type",
         hint="parse numbers and keywords before looking the key up "
              "(LINDEX and LSET look it up first); every list command "
              "refuses a string; check each arity"),
    Step("4i", "any bytes, any size, any length",
         hint="elements are byte strings with a length (NUL, \\r\\n, empty); "
              "big ones and long lists cross node boundaries; walk from "
              "both ends"),
]
