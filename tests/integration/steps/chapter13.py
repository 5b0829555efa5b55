"""Chapter 13 (Part II, memory): a memory limit and eviction."""

from steps import Step

CHAPTER = 13
EXTENSION = "memory"
TITLE = "memory: a limit, and what goes when it is full"

STEPS = [
    Step("13a", "count memory: the parameters and INFO",
         hint="maxmemory in Redis's units, maxmemory-policy and its "
              "siblings in the config table; INFO memory's used_memory is "
              "what malloc really reserved; INFO stats and cpu"),
    Step("13b", "noeviction: refuse what would use more",
         hint="before each command, over maxmemory, refuse a command flagged "
              "denyoom with -OOM; reads and deletions are served; inside "
              "MULTI every command is refused"),
    Step("13c", "random eviction",
         hint="with allkeys-random delete random keys until used_memory is "
              "below the limit again, and count them in evicted_keys"),
    Step("13d", "approximate LRU",
         hint="stamp each value with the time of its last use; sample "
              "maxmemory-samples keys into a pool and evict the one idle "
              "the longest"),
    Step("13e", "LFU",
         hint="8 bits of logarithmic counter (new keys start at 5) and 16 "
              "bits of minutes; evict the least frequently used sampled "
              "key"),
    Step("13f", "the volatile policies and volatile-ttl",
         hint="volatile-* samples only the keys that have a TTL (none: "
              "-OOM); volatile-ttl evicts the nearest deadline first"),
    Step("13g", "evictions are deletions",
         hint="delete through the same function as DEL: WATCH sees it, the "
              "AOF logs DEL key; and evict under the lock with threads"),
]
