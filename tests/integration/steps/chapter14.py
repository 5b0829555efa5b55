"""Chapter 14 (Part II, sorted sets): a skip list with spans."""

from steps import Step

CHAPTER = 14
EXTENSION = "zsets"
TITLE = "sorted sets: a skip list with spans"

STEPS = [
    Step("14a", "a packed sorted set: ZADD, ZRANGE and ZSCORE",
         commands=("ZADD", "ZCARD", "ZSCORE", "ZMSCORE", "ZREM", "ZRANGE",
                   "ZREVRANGE"),
         hint="keep the (member, score) pairs in one allocation ordered by "
              "score, then by the members' bytes; print scores as Redis 7.0 "
              "does (%.17g: 1.1 is 1.1000000000000001, 'inf'); a bad score "
              "refuses the whole ZADD before anything changes"),
    Step("14b", "ZADD's options and ZINCRBY", commands=("ZINCRBY",),
         hint="NX XX GT LT CH INCR with Redis's exact errors for the pairs "
              "that do not go together; INCR answers the new score (nil when "
              "an option stopped it); inf + -inf is refused as NaN"),
    Step("14c", "the skip list: ranks in O(log n)",
         commands=("ZRANK", "ZREVRANK"),
         hint="past zset-max-listpack-entries (128) members or a member "
              "longer than zset-max-listpack-value (64), convert for good to "
              "a skip list whose links count the members they jump (spans) "
              "and a hash table member -> node"),
    Step("14d", "ranges by score and by member",
         commands=("ZCOUNT", "ZLEXCOUNT", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE",
                   "ZRANGEBYLEX", "ZREVRANGEBYLEX"),
         hint="turn every range into ranks: the first member in range and "
              "the last; '(' opens a bound, -inf/+inf and '-'/'+' are the "
              "ends; LIMIT offset count, a negative count meaning all"),
    Step("14e", "removing ranges, and ZRANGESTORE",
         commands=("ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX",
                   "ZRANGESTORE"),
         hint="read the range before the key; delete ranks first..last in "
              "one walk; the command that empties the set deletes the key; "
              "ZRANGESTORE replaces its destination, or deletes it when the "
              "range is empty"),
    Step("14f", "popping: ZPOPMIN, ZPOPMAX and ZMPOP",
         commands=("ZPOPMIN", "ZPOPMAX", "ZMPOP"),
         hint="pop from the low or the high end, ZPOPMAX highest first; "
              "ZMPOP takes the first key holding a sorted set and is logged "
              "as ZPOPMIN/ZPOPMAX key count, with the count really popped "
              "(the blocking BZPOPMIN BZPOPMAX BZMPOP are chapter 15's)"),
    Step("14g", "union, intersection and difference",
         commands=("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE",
                   "ZDIFFSTORE", "ZINTERCARD"),
         hint="sets count as sorted sets of score 1; WEIGHTS multiply, "
              "AGGREGATE SUM|MIN|MAX combine (inf + -inf is 0); build the "
              "result apart, then store it packed if small, or reply"),
    Step("14h", "ZRANDMEMBER, ZSCAN, RESP3 and the rewrite",
         commands=("ZRANDMEMBER", "ZSCAN"),
         hint="Redis's four ZRANDMEMBER cases; a packed set answers ZSCAN "
              "whole with cursor 0; RESP3 scores are doubles (',') and "
              "pairs nest; BGREWRITEAOF writes ZADD with up to 64 pairs"),
]
