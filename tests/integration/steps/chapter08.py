"""Chapter 8 (Part II, transactions): MULTI, EXEC, DISCARD, WATCH, UNWATCH."""

from steps import Step

CHAPTER = 8
EXTENSION = "transactions"
TITLE = "transactions: MULTI, EXEC and WATCH"

STEPS = [
    Step("8a", "MULTI queues, EXEC runs the queue", commands=("MULTI", "EXEC"),
         hint="inside MULTI, copy each accepted command's arguments into a "
              "queue and answer +QUEUED; EXEC answers an array with each "
              "command's reply, errors included, and runs them all"),
    Step("8b", "DISCARD, and what MULTI does not queue",
         commands=("DISCARD",),
         hint="MULTI, EXEC, DISCARD, WATCH and QUIT run at once inside MULTI; "
              "DISCARD frees the queue; EXEC or DISCARD outside MULTI and a "
              "nested MULTI are errors that keep the transaction"),
    Step("8c", "refusals while queuing: EXECABORT",
         hint="a command the dispatcher refuses inside MULTI (unknown, "
              "arity ...) marks the transaction dirty: EXEC then answers "
              "-EXECABORT and runs nothing; EXEC refused itself ends it"),
    Step("8d", "atomicity",
         hint="no other client's command may run between two commands of an "
              "EXEC: with threads, EXEC runs under the server lock as one "
              "command"),
    Step("8e", "WATCH and UNWATCH", commands=("WATCH", "UNWATCH"),
         hint="a table per database from each watched key to its watchers; "
              "a change marks them dirty and their EXEC answers a null "
              "array; EXEC, DISCARD, UNWATCH and a closed connection forget "
              "the watched keys"),
    Step("8f", "every change means every change",
         hint="call the one 'key changed' function where every change goes "
              "through (db.c): in-place changes, TTLs, FLUSHDB, FLUSHALL, "
              "SWAPDB; and only when something really changed"),
    Step("8g", "expiry, precisely",
         hint="a watched key that expires after WATCH is a change even if "
              "nobody deleted it yet: EXEC looks at the watched keys' times; "
              "a key already dead at WATCH is no change when it goes"),
    Step("8h", "the append-only file",
         hint="write a transaction's writes between MULTI and EXEC records; "
              "at load, a MULTI without its EXEC at the end of the file is "
              "dropped whole and the file cut back to before it"),
]
