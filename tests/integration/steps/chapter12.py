"""Chapter 12 (Part II, sets): a sorted array that beats a hash table."""

from steps import Step

CHAPTER = 12
EXTENSION = "sets"
TITLE = "sets: a sorted array that beats a hash table"

STEPS = [
    Step("12a", "a set: SADD, SMEMBERS and SISMEMBER",
         commands=("SADD", "SMEMBERS", "SCARD", "SISMEMBER", "SMISMEMBER"),
         hint="a set of integers is a sorted array (an intset: SMEMBERS "
              "answers in ascending order), anything else a hash table; SADD "
              "counts the new members"),
    Step("12b", "SREM and SMOVE", commands=("SREM", "SMOVE"),
         hint="the command that removes the last member deletes the key; "
              "SMOVE answers 0 for a missing source before it looks at the "
              "destination, and changes nothing moving onto the same set"),
    Step("12c", "canonical integers, and the conversion for good",
         hint="only a canonical integer goes into the intset ('42', not "
              "'042' or '+42'); a non-integer or the 513th member "
              "(set-max-intset-entries) converts the set to a hash table, "
              "and it never goes back"),
    Step("12d", "SINTER and SINTERCARD", commands=("SINTER", "SINTERCARD"),
         hint="look every key up first (WRONGTYPE wins, a missing key makes "
              "it empty), walk the smallest set; SINTERCARD stops at LIMIT"),
    Step("12e", "SUNION, SDIFF and the STORE forms",
         commands=("SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE",
                   "SDIFFSTORE"),
         hint="build the result as a set of its own, then store it (dropping "
              "the destination's TTL) or delete the destination when empty"),
    Step("12f", "SRANDMEMBER, uniformly", commands=("SRANDMEMBER",),
         hint="a uniform index in an intset, a fair pick in a table; a "
              "negative count repeats, a positive one gives distinct random "
              "members, a count at least the size the whole set"),
    Step("12g", "SPOP, logged as SREM", commands=("SPOP",),
         hint="pop random members; log SREM key <what was popped> (DEL when "
              "the set is gone), never SPOP itself"),
    Step("12h", "SSCAN, RESP3 sets and the rewrite", commands=("SSCAN",),
         hint="an intset answers SSCAN whole with cursor 0, a table a part "
              "at a time; RESP3 set replies are '~'; BGREWRITEAOF writes "
              "SADD with up to 64 members"),
]
