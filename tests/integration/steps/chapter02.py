"""Chapter 2 (stage 2): a keyspace of strings in a hash table."""

from steps import Step

CHAPTER = 2
STAGE = 2
TITLE = "set/get: a keyspace in a hash table"

STEPS = [
    Step("2a", "SET and GET, and FLUSHALL", commands=("SET", "GET", "FLUSHALL"),
         hint="write FLUSHALL first: the suite sends it before every test "
              "from stage 2 on (+OK, and no key left); then SET and GET on "
              "a map of byte strings, $-1 for a missing key"),
    Step("2b", "MSET, MGET, APPEND and STRLEN",
         commands=("MSET", "MGET", "APPEND", "STRLEN"),
         hint="MSET checks it has pairs before setting any; MGET replies an "
              "array, $-1 for a missing key; APPEND creates a missing key; "
              "lengths count bytes"),
    Step("2c", "DEL, EXISTS, DBSIZE and FLUSHDB",
         commands=("DEL", "EXISTS", "DBSIZE", "FLUSHDB"),
         hint="DEL counts a key named twice once, EXISTS counts it twice; "
              "the table must keep every key while it grows"),
    Step("2d", "INCR, DECR, INCRBY and DECRBY",
         commands=("INCR", "DECR", "INCRBY", "DECRBY"),
         hint="a missing key counts as 0; parse the stored text, add, store "
              "the result back as decimal text and reply :<n>\\r\\n"),
    Step("2e", "strict integers and overflow",
         hint="only the exact decimal text of a 64-bit integer is one (no "
              "'+', spaces, leading zeros or '-0'); check for overflow "
              "before adding"),
    Step("2f", "KEYS and glob patterns", commands=("KEYS",),
         hint="* ? [set] [^set] [a-z] and \\ escapes, case-sensitive; reply "
              "every matching key, however many, and bound the recursion "
              "of *"),
    Step("2g", "CONFIG GET", commands=("CONFIG",),
         hint="a flat array of name/value pairs, each parameter once, "
              "whatever the patterns match (case-insensitively); no match "
              "is an empty array"),
    Step("2h", "one table of parameters",
         hint="CONFIG GET *, CONFIG SET and the command line read one table "
              "of this stage's parameters; a later stage's parameter is "
              "unknown to all three"),
]
