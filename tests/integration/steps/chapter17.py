"""Chapter 17 (Part II, keyspace notifications): every change, published."""

from steps import Step

CHAPTER = 17
EXTENSION = "notifications"
TITLE = "keyspace notifications: every change, published"

STEPS = [
    Step("17a", "the flags: notify-keyspace-events",
         hint="parse the letters K E g $ l s h z x e t m d n A into bits, "
              "refuse any other; CONFIG GET prints them back in Redis's "
              "order ('A' for all of g$lshzxetd, then K, E, m)"),
    Step("17b", "publish an event on two channels",
         hint="a change publishes the event on __keyspace@<db>__:<key> (K) "
              "and the key on __keyevent@<db>__:<event> (E), if its class "
              "is on; in the command, after the change, before the reply"),
    Step("17c", "the generic events",
         hint="del, expire, persist, rename_from and rename_to, copy_to, "
              "move_from and move_to: one call per key changed, none when "
              "nothing changed; a deadline in the past is a del"),
    Step("17d", "the events of each type",
         hint="one event per command and key, named after the command "
              "(incrby for INCR and DECR, hset for HMSET), and a del when "
              "the command empties a container"),
    Step("17e", "expired and evicted",
         hint="x: a key found dead (on access or by the active cycle); e: a "
              "key the memory limit removed"),
    Step("17f", "new keys and key misses",
         hint="n: a key added to a database, before the command's own "
              "event; m: a read that finds no key (not in A)"),
]
