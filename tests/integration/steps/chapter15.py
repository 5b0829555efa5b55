"""Chapter 15 (Part II, blocking commands): waiting without a thread."""

from steps import Step

CHAPTER = 15
EXTENSION = "blocking"
TITLE = "blocking commands: waiting for a key without a thread"

STEPS = [
    Step("15a", "a timeout argument, and BLPOP BRPOP that find data",
         commands=("BLPOP", "BRPOP"),
         hint="parse the timeout as seconds with fractions, rounded up to "
              "ms (-ERR timeout is not a float or out of range, -ERR "
              "timeout is negative); then pop like LPOP/RPOP from the first "
              "non-empty key, answering [key, element]; a key of another "
              "type met first is WRONGTYPE"),
    Step("15b", "parking a client, and its time running out",
         hint="when every key is empty, park the client on its keys with a "
              "deadline and answer nothing; read none of its pipeline; at "
              "the deadline answer a null array (*-1, RESP3 _); a parked "
              "client counts in blocked_clients and shows flags=b cmd=blpop"),
    Step("15c", "waking it: a push serves the waiter",
         hint="a command that puts a list at a key somebody waits on marks "
              "the key ready; right after that command, before any other "
              "client's command, run the waiters' pops again; timeout 0 "
              "waits for ever; (ours) a waiter of another reactor gets its "
              "reply through that reactor's outbox"),
    Step("15d", "first come first served, and several keys",
         hint="each key keeps its waiters in the order they blocked; one "
              "push of N elements serves up to N of them; a waiter on "
              "several keys is served by the first key made ready, once; "
              "(ours, --threads) each element popped exactly once"),
    Step("15e", "inside MULTI, and keys made ready by EXEC, RENAME, MOVE",
         hint="inside MULTI a blocking command answers at once as if timed "
              "out; EXEC, RENAME, MOVE, SWAPDB, COPY, LMOVE make keys ready "
              "like a push, served after the whole command with its final "
              "state; a key that became a string keeps its waiters waiting"),
    Step("15f", "CLIENT UNBLOCK and CLIENT KILL",
         hint="CLIENT UNBLOCK id [TIMEOUT|ERROR] (reason checked before the "
              "id) answers :1 and gives the waiter its timeout reply or "
              "-UNBLOCKED ..., :0 if that client does not wait; a killed or "
              "closed waiter leaves every key it waited on"),
    Step("15g", "BRPOPLPUSH and BLMOVE", commands=("BRPOPLPUSH", "BLMOVE"),
         hint="LMOVE when the source has data (the destination's type "
              "checked then); else wait on the source only; served, a "
              "destination of another type is WRONGTYPE for that waiter and "
              "the element stays; the push may serve the destination's "
              "waiters; in MULTI a null bulk, timed out a null array"),
    Step("15h", "BLMPOP, and the AOF logs what was popped",
         commands=("BLMPOP",),
         hint="numkeys, LEFT|RIGHT and COUNT are read before the timeout; "
              "log a pop as LPOP/RPOP key [count] (count capped at what was "
              "there), BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH, after the "
              "push that served it, never the blocking command itself"),
    Step("15i", "BZPOPMIN BZPOPMAX BZMPOP",
         commands=("BZPOPMIN", "BZPOPMAX", "BZMPOP"),
         hint="the same machinery for sorted sets: [key, member, score] "
              "(RESP3: the score a double), BZMPOP [key, [[member, score] "
              "...]], logged as ZPOPMIN/ZPOPMAX key [count]; a list waiter "
              "is not served by a sorted set at its key, nor the reverse"),
]
