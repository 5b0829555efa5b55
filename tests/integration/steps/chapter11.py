"""Chapter 11 (Part II, hashes): small maps packed tight."""

from steps import Step

CHAPTER = 11
EXTENSION = "hashes"
TITLE = "hashes: small maps packed tight"

STEPS = [
    Step("11a", "a hash: HSET and HGET",
         commands=("HSET", "HGET", "HMSET", "HMGET", "HSETNX"),
         hint="a new type of value, created by its first write; fields and "
              "values are binary-safe; HSET counts the new fields, HMSET "
              "answers +OK"),
    Step("11b", "HDEL, HLEN, HSTRLEN and HEXISTS",
         commands=("HDEL", "HLEN", "HSTRLEN", "HEXISTS"),
         hint="change the packed bytes in place; the HDEL that removes the "
              "last field deletes the key; a missing key is an empty hash"),
    Step("11c", "HKEYS, HVALS and HGETALL",
         commands=("HKEYS", "HVALS", "HGETALL"),
         hint="a packed hash keeps insertion order; HGETALL answers a map "
              "in RESP3"),
    Step("11d", "convert once: listpack to hashtable",
         hint="past hash-max-listpack-entries fields, or a field or value "
              "longer than hash-max-listpack-value, convert to a table and "
              "never back; read the limits at each write"),
    Step("11e", "HINCRBY and HINCRBYFLOAT",
         commands=("HINCRBY", "HINCRBYFLOAT"),
         hint="check the increment, then the stored value, then overflow; "
              "HINCRBYFLOAT prints like INCRBYFLOAT"),
    Step("11f", "HRANDFIELD", commands=("HRANDFIELD",),
         hint="no count or a negative one draws independently; a count at "
              "least the size gives the whole hash; otherwise distinct "
              "fields, each as likely as any other"),
    Step("11g", "HSCAN", commands=("HSCAN",),
         hint="a packed hash answers whole with cursor 0; a table is walked "
              "with the keyspace's scan cursor, about COUNT pairs a call"),
    Step("11h", "the append-only file and the rewrite",
         hint="log HINCRBYFLOAT as HSET with its result; BGREWRITEAOF writes "
              "each hash as HSET with up to 64 pairs a record"),
]
