"""Chapter 5 (stage 5): the append-only file, and what survives a crash."""

from steps import Step

CHAPTER = 5
STAGE = 5
TITLE = "aof: a dataset that survives a restart"

STEPS = [
    Step("5a", "the AOF's options, CONFIG and INFO persistence",
         hint="take --appendonly, --appendfsync, --dir and --appendfilename; "
              "CONFIG GET reports them (dir as an absolute path), CONFIG SET "
              "refuses bad values in Redis's words"),
    Step("5b", "log every change, replay it at start",
         hint="append each command that changed something (count changes "
              "in a 'dirty' counter) as RESP, before its reply; at start "
              "replay the file through the commands, then append to it"),
    Step("5c", "expiry in the file: absolute times and DELs",
         hint="log SET ... EX as SET ... PXAT <ms> and the EXPIRE family "
              "as PEXPIREAT <ms>; a past time or an expired key as DEL; "
              "replay with the clock stopped"),
    Step("5d", "the fsync policies",
         hint="write() the records of a loop turn before its replies, "
              "whatever the policy; with always fdatasync before replying, "
              "with everysec once a second in a thread"),
    Step("5e", "a torn tail, and damage in the middle",
         hint="an incomplete last command is cut off (log how many bytes) "
              "and the server starts; anything invalid stops the start "
              "with the byte offset, the file untouched"),
    Step("5f", "aof-check",
         hint="build/aof-check FILE reads the file with the replay's "
              "parser: exit 0 if valid, 1 if not; --fix cuts an "
              "incomplete tail, never damage in the middle"),
    Step("5g", "BGREWRITEAOF", commands=("BGREWRITEAOF",),
         hint="fork(); the child writes the dataset to a temporary file; "
              "the parent keeps a copy of new records, appends it when "
              "the child is done, then rename()s the file over the old"),
    Step("5h", "CONFIG SET appendonly yes and no",
         hint="yes on a running server starts a rewrite and logs into the "
              "rewrite buffer until it is installed; no flushes, fsyncs and "
              "closes the file"),
]
