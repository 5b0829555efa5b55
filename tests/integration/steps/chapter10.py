"""Chapter 10 (Part II, keys): renaming, copying, moving, sampling and
scanning keys."""

from steps import Step

CHAPTER = 10
EXTENSION = "keys"
TITLE = "keys: renaming, copying, moving and scanning"

STEPS = [
    Step("10a", "UNLINK, TOUCH, EXPIRETIME and PEXPIRETIME",
         commands=("UNLINK", "TOUCH", "EXPIRETIME", "PEXPIRETIME"),
         hint="UNLINK is DEL, TOUCH counts like EXISTS; EXPIRETIME is -2, "
              "-1 or the absolute time, seconds rounded to the nearest"),
    Step("10b", "RENAME and RENAMENX", commands=("RENAME", "RENAMENX"),
         hint="take the value out with its TTL and put it back under the "
              "new name, replacing the destination and its TTL; a missing "
              "source is 'no such key', even renamed to itself"),
    Step("10c", "COPY", commands=("COPY",),
         hint="parse REPLACE and DB n first; a deep copy with the source's "
              "TTL; without REPLACE an existing destination wins"),
    Step("10d", "MOVE", commands=("MOVE",),
         hint="check the database number, then 'same database', then move "
              "the key with its TTL unless it exists in the target"),
    Step("10e", "RANDOMKEY, fairly", commands=("RANDOMKEY",),
         hint="draw a random entry of the table (a random non-empty bucket, "
              "then a rejection pick in its chain); a drawn key past its "
              "time is deleted and another drawn"),
    Step("10f", "OBJECT", commands=("OBJECT",),
         hint="a container command: check each subcommand's arity; look the "
              "key up without touching it, or IDLETIME is always 0"),
    Step("10g", "SCAN and its reverse-binary cursor", commands=("SCAN",),
         hint="read the cursor as strtoul does; walk a few buckets per call "
              "with the reversed-bits cursor, so a key present for the whole "
              "walk comes back while the table grows or shrinks"),
    Step("10h", "RPOPLPUSH and LMPOP", commands=("RPOPLPUSH", "LMPOP"),
         hint="LMPOP pops from the first key holding a list and is logged "
              "as the LPOP/RPOP key n it amounts to"),
    Step("10i", "the command table, as Redis describes it",
         hint="every row of COMMAND: arity, flags, key positions, ACL "
              "categories and COMMAND DOCS group as Redis 7.0 has them"),
]
