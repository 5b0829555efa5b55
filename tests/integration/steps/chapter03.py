"""Chapter 3 (stage 3): keys that expire, lazily and actively."""

from steps import Step

CHAPTER = 3
STAGE = 3
TITLE = "expiry: keys that die on time"

STEPS = [
    Step("3a", "SET with EX or PX, TTL and PTTL", commands=("TTL", "PTTL"),
         hint="store the deadline as absolute Unix milliseconds (wall "
              "clock); TTL is (ms left + 500) / 1000, -1 without a TTL, "
              "-2 without a key"),
    Step("3b", "expiry on access",
         hint="check the deadline in the one lookup every command uses: a "
              "key is dead once now > deadline, and is deleted from both "
              "tables; KEYS skips dead keys"),
    Step("3c", "which writes keep the TTL",
         hint="INCR, DECR and APPEND change the value in place and keep the "
              "TTL; SET and MSET replace the key and drop it; DEL and "
              "FLUSHALL remove deadlines too"),
    Step("3d", "SET's NX, XX, GET and KEEPTTL",
         hint="NX or XX stopping a SET replies nil and writes nothing; GET "
              "replies the old value (nil if none) even then; only KEEPTTL "
              "keeps the TTL"),
    Step("3e", "SET's option errors",
         hint="read every option first (an unknown word, a missing time or "
              "a conflict is a syntax error), then parse the last time "
              "only: an integer, > 0, no overflow"),
    Step("3f", "EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT and PERSIST",
         commands=("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST"),
         hint="parse the time before the key is looked up; :0 for a missing "
              "key; a time not in the future deletes the key and replies :1"),
    Step("3g", "EXPIRE's NX, XX, GT and LT",
         hint="options first, then the time, then the key, then the "
              "condition: no TTL counts as forever, and an equal time is "
              "neither greater nor less"),
    Step("3h", "INFO memory and keyspace", commands=("INFO",),
         hint="one bulk string of '# Section' and field:value lines; "
              "used_memory counts the bytes allocated; db0:keys=N,expires=M "
              "is left out when empty"),
    Step("3i", "active expiry",
         hint="a timer runs a cycle over the keys with a TTL, batch after "
              "batch while more than 25% are dead, within a time budget; "
              "free both tables' entries"),
]
