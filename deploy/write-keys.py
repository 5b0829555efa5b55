#!/usr/bin/python3
"""Writes 1000 keys through twemproxy with redis-py and reads them back.

    /usr/bin/python3 deploy/write-keys.py [PORT]      (default 22121)

redis-py sends nothing on connect (no client_name, no db), so it works
through the proxy as it is. The SETs go in pipelines of 100 (the proxy
sends each to the key's server and puts the replies back in order), MGET
with many keys is split by the proxy per server and joined again (EXISTS
too, but twemproxy 0.5.0 then counts one part only), and two keys sharing
the hash tag {cart:7} land on one server, so LMOVE between them works.
Exit status 1 if anything read back is wrong.
"""

import sys

import redis

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 22121
KEYS = 1000


def main():
    r = redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=10)
    errors = []

    names = ["demo:user:%d" % i for i in range(KEYS)]
    for start in range(0, KEYS, 100):
        p = r.pipeline(transaction=False)
        for i in range(start, start + 100):
            p.set(names[i], "name-%d" % i)
        if p.execute() != [True] * 100:
            errors.append("a pipeline of SETs from key %d did not answer OK to each" % start)

    values = []
    for start in range(0, KEYS, 250):
        values += r.mget(names[start:start + 250])
    wrong = [names[i] for i, v in enumerate(values) if v != b"name-%d" % i]
    if wrong:
        errors.append("MGET: %d keys wrong, first %s" % (len(wrong), wrong[0]))
    p = r.pipeline(transaction=False)
    for name in names:
        p.exists(name)
    found = sum(p.execute())
    if found != KEYS:
        errors.append("EXISTS of each key: %d of %d found" % (found, KEYS))
    # twemproxy 0.5.0 splits a many-key EXISTS per server but then answers
    # with the count of one part only: shown, not checked.
    several = r.exists(*names)

    # Two keys with one hash tag live on one server: LMOVE between them.
    r.rpush("{cart:7}:items", "apple", "pear")
    moved = r.lmove("{cart:7}:items", "{cart:7}:saved", "LEFT", "RIGHT")
    saved = r.lrange("{cart:7}:saved", 0, -1)
    if moved != b"apple" or saved != [b"apple"]:
        errors.append("LMOVE with a hash tag: moved %r, saved %r" % (moved, saved))
    r.delete("{cart:7}:items", "{cart:7}:saved")

    for e in errors:
        print("FAIL write-keys: %s" % e)
    if not errors:
        print("wrote %d keys through the proxy (pipelines of 100 SETs), read them back with "
              "MGET and EXISTS: all there; LMOVE within hash tag {cart:7}: ok" % KEYS)
        print("(one EXISTS naming all %d keys answers %d through twemproxy 0.5.0, which "
              "counts only one server's part: ask one key at a time)" % (KEYS, several))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
