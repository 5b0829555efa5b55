"""Part II, keys: every command this server registers, described as Redis
7.0.15 describes it.

COMMAND replies one entry per command (see test_stage6_introspection.py for
its 10 items); COMMAND DOCS names each command's group. Clients and proxies
trust these answers: a cluster client routes by the key positions, redis-cli
groups its help by the group, a proxy refuses writes on a replica by the
`write` flag. Each Part II family adds rows to the command table
(common/server/command.h), and a wrong flag or key position there is a
wrong answer here. So this module asks our server for every command it
registers, subcommands included, and compares with Redis's own table below,
generated once from redis-server 7.0.15 (COMMAND and COMMAND DOCS):

    name, arity, flags, first key, last key, key step, categories, group

Only what our table models is compared: the flags write, readonly, denyoom,
fast and no_auth (introspection.c intro_flags), the ACL categories @read,
@write, @fast and @slow, and the group of a command (COMMAND DOCS). Redis's
other flags (noscript, loading, stale, movablekeys ...), categories
(@keyspace, @dangerous ...), tips and summaries are not compared.

Differences left on purpose, because our table's columns cannot say what
Redis says (the tests skip exactly these, nothing else):
- KNOWN_EXTRA: commands Redis 7.0 does not have. CLIENT SETINFO is Redis
  7.2's; clients (redis-py 5, redis-cli 7.2) send it on connect and ignore
  an error, so our server answers it.
- The group of a subcommand: our COMMAND DOCS documents top-level commands
  only, so only their groups are compared.
- Key specs (COMMAND INFO item 9) are not compared: ours describes one range
  from first/last/step with RW or RO, where Redis has several specs for
  commands with several key ranges (COPY, RENAME, SMOVE, LMOVE: a source
  and a destination, with their ACCESS/INSERT/DELETE flags) and `keynum`
  specs for LMPOP and SINTERCARD, whose keys follow a count. The legacy
  first/last/step, which are compared, are what Redis 7.0 derives from them.
- Summaries: ours are Redis 7.2's wording; only their presence is checked.

The tests are step 10i, the last of the keys chapter, except COMMAND DOCS
of one Part II command, which is marked with the extension and the step
that bring that command (COMMAND DOCS hset is step 11a, of hashes).

The wrong servers these tests catch, step by step:
  10i a command or subcommand Redis 7.0 does not have, or named otherwise
      ('config|get', lower case); an arity, key position (first, last,
      step), flag (write readonly denyoom fast no_auth), ACL category
      (@read @write @fast @slow) or COMMAND DOCS group that is not Redis's,
      for any registered command; COMMAND INFO that disagrees with COMMAND,
      leaves out or reorders names, or answers an unknown name with
      anything but a nil; a COMMAND COUNT that counts subcommands, a
      COMMAND LIST that leaves them out;
  8a 8e 10b 10c 10h 11a 11e 12a 12c 12d
      COMMAND DOCS of MULTI, WATCH, RENAME, COPY, LMPOP, HSET, HINCRBYFLOAT,
      SADD, SMOVE or SINTERCARD without a summary or with another group,
      or one that documents an unknown name.
"""

import pytest

import steps
from helpers import command, expect_reply, request

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("keys")]

CHAPTER = 6

# Redis 7.0.15's answers. Columns: name, arity, flags (only the five we
# model), first key, last key, key step, categories (only @read @write
# @fast @slow), group (COMMAND DOCS). Generated once with COMMAND and
# COMMAND DOCS against redis-server 7.0.15; subcommands are "parent|sub".
REDIS_COMMANDS = [
    ('acl',                     -2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|cat',                 -2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|deluser',             -3, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|dryrun',              -4, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|genpass',             -2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|getuser',              3, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|help',                 2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|list',                 2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|load',                 2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|log',                 -2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|save',                 2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|setuser',             -3, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|users',                2, '',                    0,  0, 0, '@slow',       'server'),
    ('acl|whoami',               2, '',                    0,  0, 0, '@slow',       'server'),
    ('append',                   3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('asking',                   1, 'fast',                0,  0, 0, '@fast',       'cluster'),
    ('auth',                    -2, 'fast no_auth',        0,  0, 0, '@fast',       'connection'),
    ('bgrewriteaof',             1, '',                    0,  0, 0, '@slow',       'server'),
    ('bgsave',                  -1, '',                    0,  0, 0, '@slow',       'server'),
    ('bitcount',                -2, 'readonly',            1,  1, 1, '@read @slow', 'bitmap'),
    ('bitfield',                -2, 'write denyoom',       1,  1, 1, '@write @slow', 'bitmap'),
    ('bitfield_ro',             -2, 'readonly fast',       1,  1, 1, '@read @fast', 'bitmap'),
    ('bitop',                   -4, 'write denyoom',       2, -1, 1, '@write @slow', 'bitmap'),
    ('bitpos',                  -3, 'readonly',            1,  1, 1, '@read @slow', 'bitmap'),
    ('blmove',                   6, 'write denyoom',       1,  2, 1, '@write @slow', 'list'),
    ('blmpop',                  -5, 'write',               0,  0, 0, '@write @slow', 'list'),
    ('blpop',                   -3, 'write',               1, -2, 1, '@write @slow', 'list'),
    ('brpop',                   -3, 'write',               1, -2, 1, '@write @slow', 'list'),
    ('brpoplpush',               4, 'write denyoom',       1,  2, 1, '@write @slow', 'list'),
    ('bzmpop',                  -5, 'write',               0,  0, 0, '@write @slow', 'sorted-set'),
    ('bzpopmax',                -3, 'write fast',          1, -2, 1, '@write @fast', 'sorted-set'),
    ('bzpopmin',                -3, 'write fast',          1, -2, 1, '@write @fast', 'sorted-set'),
    ('client',                  -2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|caching',           3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|getname',           2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|getredir',          2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|help',              2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|id',                2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|info',              2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|kill',             -3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|list',             -2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|no-evict',          3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|pause',            -3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|reply',             3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|setname',           3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|tracking',         -3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|trackinginfo',      2, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|unblock',          -3, '',                    0,  0, 0, '@slow',       'connection'),
    ('client|unpause',           2, '',                    0,  0, 0, '@slow',       'connection'),
    ('cluster',                 -2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|addslots',        -3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|addslotsrange',   -4, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|bumpepoch',        2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|count-failure-reports',  3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|countkeysinslot',  3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|delslots',        -3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|delslotsrange',   -4, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|failover',        -2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|flushslots',       2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|forget',           3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|getkeysinslot',    4, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|help',             2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|info',             2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|keyslot',          3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|links',            2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|meet',            -4, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|myid',             2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|nodes',            2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|replicas',         3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|replicate',        3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|reset',           -2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|saveconfig',       2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|set-config-epoch',  3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|setslot',         -4, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|shards',           2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|slaves',           3, '',                    0,  0, 0, '@slow',       'cluster'),
    ('cluster|slots',            2, '',                    0,  0, 0, '@slow',       'cluster'),
    ('command',                 -1, '',                    0,  0, 0, '@slow',       'server'),
    ('command|count',            2, '',                    0,  0, 0, '@slow',       'server'),
    ('command|docs',            -2, '',                    0,  0, 0, '@slow',       'server'),
    ('command|getkeys',         -4, '',                    0,  0, 0, '@slow',       'server'),
    ('command|getkeysandflags', -4, '',                    0,  0, 0, '@slow',       'server'),
    ('command|help',             2, '',                    0,  0, 0, '@slow',       'server'),
    ('command|info',            -2, '',                    0,  0, 0, '@slow',       'server'),
    ('command|list',            -2, '',                    0,  0, 0, '@slow',       'server'),
    ('config',                  -2, '',                    0,  0, 0, '@slow',       'server'),
    ('config|get',              -3, '',                    0,  0, 0, '@slow',       'server'),
    ('config|help',              2, '',                    0,  0, 0, '@slow',       'server'),
    ('config|resetstat',         2, '',                    0,  0, 0, '@slow',       'server'),
    ('config|rewrite',           2, '',                    0,  0, 0, '@slow',       'server'),
    ('config|set',              -4, '',                    0,  0, 0, '@slow',       'server'),
    ('copy',                    -3, 'write denyoom',       1,  2, 1, '@write @slow', 'generic'),
    ('dbsize',                   1, 'readonly fast',       0,  0, 0, '@read @fast', 'server'),
    ('debug',                   -2, '',                    0,  0, 0, '@slow',       'server'),
    ('decr',                     2, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('decrby',                   3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('del',                     -2, 'write',               1, -1, 1, '@write @slow', 'generic'),
    ('discard',                  1, 'fast',                0,  0, 0, '@fast',       'transactions'),
    ('dump',                     2, 'readonly',            1,  1, 1, '@read @slow', 'generic'),
    ('echo',                     2, 'fast',                0,  0, 0, '@fast',       'connection'),
    ('eval',                    -3, '',                    0,  0, 0, '@slow',       'scripting'),
    ('eval_ro',                 -3, 'readonly',            0,  0, 0, '@slow',       'scripting'),
    ('evalsha',                 -3, '',                    0,  0, 0, '@slow',       'scripting'),
    ('evalsha_ro',              -3, 'readonly',            0,  0, 0, '@slow',       'scripting'),
    ('exec',                     1, '',                    0,  0, 0, '@slow',       'transactions'),
    ('exists',                  -2, 'readonly fast',       1, -1, 1, '@read @fast', 'generic'),
    ('expire',                  -3, 'write fast',          1,  1, 1, '@write @fast', 'generic'),
    ('expireat',                -3, 'write fast',          1,  1, 1, '@write @fast', 'generic'),
    ('expiretime',               2, 'readonly fast',       1,  1, 1, '@read @fast', 'generic'),
    ('failover',                -1, '',                    0,  0, 0, '@slow',       'server'),
    ('fcall',                   -3, '',                    0,  0, 0, '@slow',       'scripting'),
    ('fcall_ro',                -3, 'readonly',            0,  0, 0, '@slow',       'scripting'),
    ('flushall',                -1, 'write',               0,  0, 0, '@write @slow', 'server'),
    ('flushdb',                 -1, 'write',               0,  0, 0, '@write @slow', 'server'),
    ('function',                -2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('function|delete',          3, 'write',               0,  0, 0, '@write @slow', 'scripting'),
    ('function|dump',            2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('function|flush',          -2, 'write',               0,  0, 0, '@write @slow', 'scripting'),
    ('function|help',            2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('function|kill',            2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('function|list',           -2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('function|load',           -3, 'write denyoom',       0,  0, 0, '@write @slow', 'scripting'),
    ('function|restore',        -3, 'write denyoom',       0,  0, 0, '@write @slow', 'scripting'),
    ('function|stats',           2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('geoadd',                  -5, 'write denyoom',       1,  1, 1, '@write @slow', 'geo'),
    ('geodist',                 -4, 'readonly',            1,  1, 1, '@read @slow', 'geo'),
    ('geohash',                 -2, 'readonly',            1,  1, 1, '@read @slow', 'geo'),
    ('geopos',                  -2, 'readonly',            1,  1, 1, '@read @slow', 'geo'),
    ('georadius',               -6, 'write denyoom',       1,  1, 1, '@write @slow', 'geo'),
    ('georadius_ro',            -6, 'readonly',            1,  1, 1, '@read @slow', 'geo'),
    ('georadiusbymember',       -5, 'write denyoom',       1,  1, 1, '@write @slow', 'geo'),
    ('georadiusbymember_ro',    -5, 'readonly',            1,  1, 1, '@read @slow', 'geo'),
    ('geosearch',               -7, 'readonly',            1,  1, 1, '@read @slow', 'geo'),
    ('geosearchstore',          -8, 'write denyoom',       1,  2, 1, '@write @slow', 'geo'),
    ('get',                      2, 'readonly fast',       1,  1, 1, '@read @fast', 'string'),
    ('getbit',                   3, 'readonly fast',       1,  1, 1, '@read @fast', 'bitmap'),
    ('getdel',                   2, 'write fast',          1,  1, 1, '@write @fast', 'string'),
    ('getex',                   -2, 'write fast',          1,  1, 1, '@write @fast', 'string'),
    ('getrange',                 4, 'readonly',            1,  1, 1, '@read @slow', 'string'),
    ('getset',                   3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('hdel',                    -3, 'write fast',          1,  1, 1, '@write @fast', 'hash'),
    ('hello',                   -1, 'fast no_auth',        0,  0, 0, '@fast',       'connection'),
    ('hexists',                  3, 'readonly fast',       1,  1, 1, '@read @fast', 'hash'),
    ('hget',                     3, 'readonly fast',       1,  1, 1, '@read @fast', 'hash'),
    ('hgetall',                  2, 'readonly',            1,  1, 1, '@read @slow', 'hash'),
    ('hincrby',                  4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'hash'),
    ('hincrbyfloat',             4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'hash'),
    ('hkeys',                    2, 'readonly',            1,  1, 1, '@read @slow', 'hash'),
    ('hlen',                     2, 'readonly fast',       1,  1, 1, '@read @fast', 'hash'),
    ('hmget',                   -3, 'readonly fast',       1,  1, 1, '@read @fast', 'hash'),
    ('hmset',                   -4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'hash'),
    ('hrandfield',              -2, 'readonly',            1,  1, 1, '@read @slow', 'hash'),
    ('hscan',                   -3, 'readonly',            1,  1, 1, '@read @slow', 'hash'),
    ('hset',                    -4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'hash'),
    ('hsetnx',                   4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'hash'),
    ('hstrlen',                  3, 'readonly fast',       1,  1, 1, '@read @fast', 'hash'),
    ('hvals',                    2, 'readonly',            1,  1, 1, '@read @slow', 'hash'),
    ('incr',                     2, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('incrby',                   3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('incrbyfloat',              3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('info',                    -1, '',                    0,  0, 0, '@slow',       'server'),
    ('keys',                     2, 'readonly',            0,  0, 0, '@read @slow', 'generic'),
    ('lastsave',                 1, 'fast',                0,  0, 0, '@fast',       'server'),
    ('latency',                 -2, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|doctor',           2, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|graph',            3, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|help',             2, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|histogram',       -2, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|history',          3, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|latest',           2, '',                    0,  0, 0, '@slow',       'server'),
    ('latency|reset',           -2, '',                    0,  0, 0, '@slow',       'server'),
    ('lcs',                     -3, 'readonly',            1,  2, 1, '@read @slow', 'string'),
    ('lindex',                   3, 'readonly',            1,  1, 1, '@read @slow', 'list'),
    ('linsert',                  5, 'write denyoom',       1,  1, 1, '@write @slow', 'list'),
    ('llen',                     2, 'readonly fast',       1,  1, 1, '@read @fast', 'list'),
    ('lmove',                    5, 'write denyoom',       1,  2, 1, '@write @slow', 'list'),
    ('lmpop',                   -4, 'write',               0,  0, 0, '@write @slow', 'list'),
    ('lolwut',                  -1, 'readonly fast',       0,  0, 0, '@read @fast', 'server'),
    ('lpop',                    -2, 'write fast',          1,  1, 1, '@write @fast', 'list'),
    ('lpos',                    -3, 'readonly',            1,  1, 1, '@read @slow', 'list'),
    ('lpush',                   -3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'list'),
    ('lpushx',                  -3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'list'),
    ('lrange',                   4, 'readonly',            1,  1, 1, '@read @slow', 'list'),
    ('lrem',                     4, 'write',               1,  1, 1, '@write @slow', 'list'),
    ('lset',                     4, 'write denyoom',       1,  1, 1, '@write @slow', 'list'),
    ('ltrim',                    4, 'write',               1,  1, 1, '@write @slow', 'list'),
    ('memory',                  -2, '',                    0,  0, 0, '@slow',       'server'),
    ('memory|doctor',            2, '',                    0,  0, 0, '@slow',       'server'),
    ('memory|help',              2, '',                    0,  0, 0, '@slow',       'server'),
    ('memory|malloc-stats',      2, '',                    0,  0, 0, '@slow',       'server'),
    ('memory|purge',             2, '',                    0,  0, 0, '@slow',       'server'),
    ('memory|stats',             2, '',                    0,  0, 0, '@slow',       'server'),
    ('memory|usage',            -3, 'readonly',            2,  2, 1, '@read @slow', 'server'),
    ('mget',                    -2, 'readonly fast',       1, -1, 1, '@read @fast', 'string'),
    ('migrate',                 -6, 'write',               3,  3, 1, '@write @slow', 'generic'),
    ('module',                  -2, '',                    0,  0, 0, '@slow',       'server'),
    ('module|help',              2, '',                    0,  0, 0, '@slow',       'server'),
    ('module|list',              2, '',                    0,  0, 0, '@slow',       'server'),
    ('module|load',             -3, '',                    0,  0, 0, '@slow',       'server'),
    ('module|loadex',           -3, '',                    0,  0, 0, '@slow',       'server'),
    ('module|unload',            3, '',                    0,  0, 0, '@slow',       'server'),
    ('monitor',                  1, '',                    0,  0, 0, '@slow',       'server'),
    ('move',                     3, 'write fast',          1,  1, 1, '@write @fast', 'generic'),
    ('mset',                    -3, 'write denyoom',       1, -1, 2, '@write @slow', 'string'),
    ('msetnx',                  -3, 'write denyoom',       1, -1, 2, '@write @slow', 'string'),
    ('multi',                    1, 'fast',                0,  0, 0, '@fast',       'transactions'),
    ('object',                  -2, '',                    0,  0, 0, '@slow',       'generic'),
    ('object|encoding',          3, 'readonly',            2,  2, 1, '@read @slow', 'generic'),
    ('object|freq',              3, 'readonly',            2,  2, 1, '@read @slow', 'generic'),
    ('object|help',              2, '',                    0,  0, 0, '@slow',       'generic'),
    ('object|idletime',          3, 'readonly',            2,  2, 1, '@read @slow', 'generic'),
    ('object|refcount',          3, 'readonly',            2,  2, 1, '@read @slow', 'generic'),
    ('persist',                  2, 'write fast',          1,  1, 1, '@write @fast', 'generic'),
    ('pexpire',                 -3, 'write fast',          1,  1, 1, '@write @fast', 'generic'),
    ('pexpireat',               -3, 'write fast',          1,  1, 1, '@write @fast', 'generic'),
    ('pexpiretime',              2, 'readonly fast',       1,  1, 1, '@read @fast', 'generic'),
    ('pfadd',                   -2, 'write denyoom fast',  1,  1, 1, '@write @fast', 'hyperloglog'),
    ('pfcount',                 -2, 'readonly',            1, -1, 1, '@read @slow', 'hyperloglog'),
    ('pfdebug',                  3, 'write denyoom',       2,  2, 1, '@write @slow', 'hyperloglog'),
    ('pfmerge',                 -2, 'write denyoom',       1, -1, 1, '@write @slow', 'hyperloglog'),
    ('pfselftest',               1, '',                    0,  0, 0, '@slow',       'hyperloglog'),
    ('ping',                    -1, 'fast',                0,  0, 0, '@fast',       'connection'),
    ('psetex',                   4, 'write denyoom',       1,  1, 1, '@write @slow', 'string'),
    ('psubscribe',              -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('psync',                   -3, '',                    0,  0, 0, '@slow',       'server'),
    ('pttl',                     2, 'readonly fast',       1,  1, 1, '@read @fast', 'generic'),
    ('publish',                  3, 'fast',                0,  0, 0, '@fast',       'pubsub'),
    ('pubsub',                  -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('pubsub|channels',         -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('pubsub|help',              2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('pubsub|numpat',            2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('pubsub|numsub',           -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('pubsub|shardchannels',    -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('pubsub|shardnumsub',      -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('punsubscribe',            -1, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('quit',                    -1, 'fast no_auth',        0,  0, 0, '@fast',       'connection'),
    ('randomkey',                1, 'readonly',            0,  0, 0, '@read @slow', 'generic'),
    ('readonly',                 1, 'fast',                0,  0, 0, '@fast',       'cluster'),
    ('readwrite',                1, 'fast',                0,  0, 0, '@fast',       'cluster'),
    ('rename',                   3, 'write',               1,  2, 1, '@write @slow', 'generic'),
    ('renamenx',                 3, 'write fast',          1,  2, 1, '@write @fast', 'generic'),
    ('replconf',                -1, '',                    0,  0, 0, '@slow',       'server'),
    ('replicaof',                3, '',                    0,  0, 0, '@slow',       'server'),
    ('reset',                    1, 'fast no_auth',        0,  0, 0, '@fast',       'connection'),
    ('restore',                 -4, 'write denyoom',       1,  1, 1, '@write @slow', 'generic'),
    ('restore-asking',          -4, 'write denyoom',       1,  1, 1, '@write @slow', 'server'),
    ('role',                     1, 'fast',                0,  0, 0, '@fast',       'server'),
    ('rpop',                    -2, 'write fast',          1,  1, 1, '@write @fast', 'list'),
    ('rpoplpush',                3, 'write denyoom',       1,  2, 1, '@write @slow', 'list'),
    ('rpush',                   -3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'list'),
    ('rpushx',                  -3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'list'),
    ('sadd',                    -3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'set'),
    ('save',                     1, '',                    0,  0, 0, '@slow',       'server'),
    ('scan',                    -2, 'readonly',            0,  0, 0, '@read @slow', 'generic'),
    ('scard',                    2, 'readonly fast',       1,  1, 1, '@read @fast', 'set'),
    ('script',                  -2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('script|debug',             3, '',                    0,  0, 0, '@slow',       'scripting'),
    ('script|exists',           -3, '',                    0,  0, 0, '@slow',       'scripting'),
    ('script|flush',            -2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('script|help',              2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('script|kill',              2, '',                    0,  0, 0, '@slow',       'scripting'),
    ('script|load',              3, '',                    0,  0, 0, '@slow',       'scripting'),
    ('sdiff',                   -2, 'readonly',            1, -1, 1, '@read @slow', 'set'),
    ('sdiffstore',              -3, 'write denyoom',       1, -1, 1, '@write @slow', 'set'),
    ('select',                   2, 'fast',                0,  0, 0, '@fast',       'connection'),
    ('set',                     -3, 'write denyoom',       1,  1, 1, '@write @slow', 'string'),
    ('setbit',                   4, 'write denyoom',       1,  1, 1, '@write @slow', 'bitmap'),
    ('setex',                    4, 'write denyoom',       1,  1, 1, '@write @slow', 'string'),
    ('setnx',                    3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'string'),
    ('setrange',                 4, 'write denyoom',       1,  1, 1, '@write @slow', 'string'),
    ('shutdown',                -1, '',                    0,  0, 0, '@slow',       'server'),
    ('sinter',                  -2, 'readonly',            1, -1, 1, '@read @slow', 'set'),
    ('sintercard',              -3, 'readonly',            0,  0, 0, '@read @slow', 'set'),
    ('sinterstore',             -3, 'write denyoom',       1, -1, 1, '@write @slow', 'set'),
    ('sismember',                3, 'readonly fast',       1,  1, 1, '@read @fast', 'set'),
    ('slaveof',                  3, '',                    0,  0, 0, '@slow',       'server'),
    ('slowlog',                 -2, '',                    0,  0, 0, '@slow',       'server'),
    ('slowlog|get',             -2, '',                    0,  0, 0, '@slow',       'server'),
    ('slowlog|help',             2, '',                    0,  0, 0, '@slow',       'server'),
    ('slowlog|len',              2, '',                    0,  0, 0, '@slow',       'server'),
    ('slowlog|reset',            2, '',                    0,  0, 0, '@slow',       'server'),
    ('smembers',                 2, 'readonly',            1,  1, 1, '@read @slow', 'set'),
    ('smismember',              -3, 'readonly fast',       1,  1, 1, '@read @fast', 'set'),
    ('smove',                    4, 'write fast',          1,  2, 1, '@write @fast', 'set'),
    ('sort',                    -2, 'write denyoom',       1,  1, 1, '@write @slow', 'generic'),
    ('sort_ro',                 -2, 'readonly',            1,  1, 1, '@read @slow', 'generic'),
    ('spop',                    -2, 'write fast',          1,  1, 1, '@write @fast', 'set'),
    ('spublish',                 3, 'fast',                1,  1, 1, '@fast',       'pubsub'),
    ('srandmember',             -2, 'readonly',            1,  1, 1, '@read @slow', 'set'),
    ('srem',                    -3, 'write fast',          1,  1, 1, '@write @fast', 'set'),
    ('sscan',                   -3, 'readonly',            1,  1, 1, '@read @slow', 'set'),
    ('ssubscribe',              -2, '',                    1, -1, 1, '@slow',       'pubsub'),
    ('strlen',                   2, 'readonly fast',       1,  1, 1, '@read @fast', 'string'),
    ('subscribe',               -2, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('substr',                   4, 'readonly',            1,  1, 1, '@read @slow', 'string'),
    ('sunion',                  -2, 'readonly',            1, -1, 1, '@read @slow', 'set'),
    ('sunionstore',             -3, 'write denyoom',       1, -1, 1, '@write @slow', 'set'),
    ('sunsubscribe',            -1, '',                    1, -1, 1, '@slow',       'pubsub'),
    ('swapdb',                   3, 'write fast',          0,  0, 0, '@write @fast', 'server'),
    ('sync',                     1, '',                    0,  0, 0, '@slow',       'server'),
    ('time',                     1, 'fast',                0,  0, 0, '@fast',       'server'),
    ('touch',                   -2, 'readonly fast',       1, -1, 1, '@read @fast', 'generic'),
    ('ttl',                      2, 'readonly fast',       1,  1, 1, '@read @fast', 'generic'),
    ('type',                     2, 'readonly fast',       1,  1, 1, '@read @fast', 'generic'),
    ('unlink',                  -2, 'write fast',          1, -1, 1, '@write @fast', 'generic'),
    ('unsubscribe',             -1, '',                    0,  0, 0, '@slow',       'pubsub'),
    ('unwatch',                  1, 'fast',                0,  0, 0, '@fast',       'transactions'),
    ('wait',                     3, '',                    0,  0, 0, '@slow',       'generic'),
    ('watch',                   -2, 'fast',                1, -1, 1, '@fast',       'transactions'),
    ('xack',                    -4, 'write fast',          1,  1, 1, '@write @fast', 'stream'),
    ('xadd',                    -5, 'write denyoom fast',  1,  1, 1, '@write @fast', 'stream'),
    ('xautoclaim',              -6, 'write fast',          1,  1, 1, '@write @fast', 'stream'),
    ('xclaim',                  -6, 'write fast',          1,  1, 1, '@write @fast', 'stream'),
    ('xdel',                    -3, 'write fast',          1,  1, 1, '@write @fast', 'stream'),
    ('xgroup',                  -2, '',                    0,  0, 0, '@slow',       'stream'),
    ('xgroup|create',           -5, 'write denyoom',       2,  2, 1, '@write @slow', 'stream'),
    ('xgroup|createconsumer',    5, 'write denyoom',       2,  2, 1, '@write @slow', 'stream'),
    ('xgroup|delconsumer',       5, 'write',               2,  2, 1, '@write @slow', 'stream'),
    ('xgroup|destroy',           4, 'write',               2,  2, 1, '@write @slow', 'stream'),
    ('xgroup|help',              2, '',                    0,  0, 0, '@slow',       'stream'),
    ('xgroup|setid',            -5, 'write',               2,  2, 1, '@write @slow', 'stream'),
    ('xinfo',                   -2, '',                    0,  0, 0, '@slow',       'stream'),
    ('xinfo|consumers',          4, 'readonly',            2,  2, 1, '@read @slow', 'stream'),
    ('xinfo|groups',             3, 'readonly',            2,  2, 1, '@read @slow', 'stream'),
    ('xinfo|help',               2, '',                    0,  0, 0, '@slow',       'stream'),
    ('xinfo|stream',            -3, 'readonly',            2,  2, 1, '@read @slow', 'stream'),
    ('xlen',                     2, 'readonly fast',       1,  1, 1, '@read @fast', 'stream'),
    ('xpending',                -3, 'readonly',            1,  1, 1, '@read @slow', 'stream'),
    ('xrange',                  -4, 'readonly',            1,  1, 1, '@read @slow', 'stream'),
    ('xread',                   -4, 'readonly',            0,  0, 0, '@read @slow', 'stream'),
    ('xreadgroup',              -7, 'write',               0,  0, 0, '@write @slow', 'stream'),
    ('xrevrange',               -4, 'readonly',            1,  1, 1, '@read @slow', 'stream'),
    ('xsetid',                  -3, 'write denyoom fast',  1,  1, 1, '@write @fast', 'stream'),
    ('xtrim',                   -4, 'write',               1,  1, 1, '@write @slow', 'stream'),
    ('zadd',                    -4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'sorted-set'),
    ('zcard',                    2, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zcount',                   4, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zdiff',                   -3, 'readonly',            0,  0, 0, '@read @slow', 'sorted-set'),
    ('zdiffstore',              -4, 'write denyoom',       1,  1, 1, '@write @slow', 'sorted-set'),
    ('zincrby',                  4, 'write denyoom fast',  1,  1, 1, '@write @fast', 'sorted-set'),
    ('zinter',                  -3, 'readonly',            0,  0, 0, '@read @slow', 'sorted-set'),
    ('zintercard',              -3, 'readonly',            0,  0, 0, '@read @slow', 'sorted-set'),
    ('zinterstore',             -4, 'write denyoom',       1,  1, 1, '@write @slow', 'sorted-set'),
    ('zlexcount',                4, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zmpop',                   -4, 'write',               0,  0, 0, '@write @slow', 'sorted-set'),
    ('zmscore',                 -3, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zpopmax',                 -2, 'write fast',          1,  1, 1, '@write @fast', 'sorted-set'),
    ('zpopmin',                 -2, 'write fast',          1,  1, 1, '@write @fast', 'sorted-set'),
    ('zrandmember',             -2, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrange',                  -4, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrangebylex',             -4, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrangebyscore',           -4, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrangestore',             -5, 'write denyoom',       1,  2, 1, '@write @slow', 'sorted-set'),
    ('zrank',                    3, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zrem',                    -3, 'write fast',          1,  1, 1, '@write @fast', 'sorted-set'),
    ('zremrangebylex',           4, 'write',               1,  1, 1, '@write @slow', 'sorted-set'),
    ('zremrangebyrank',          4, 'write',               1,  1, 1, '@write @slow', 'sorted-set'),
    ('zremrangebyscore',         4, 'write',               1,  1, 1, '@write @slow', 'sorted-set'),
    ('zrevrange',               -4, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrevrangebylex',          -4, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrevrangebyscore',        -4, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zrevrank',                 3, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zscan',                   -3, 'readonly',            1,  1, 1, '@read @slow', 'sorted-set'),
    ('zscore',                   3, 'readonly fast',       1,  1, 1, '@read @fast', 'sorted-set'),
    ('zunion',                  -3, 'readonly',            0,  0, 0, '@read @slow', 'sorted-set'),
    ('zunionstore',             -4, 'write denyoom',       1,  1, 1, '@write @slow', 'sorted-set'),
]
REDIS = {row[0]: row[1:] for row in REDIS_COMMANDS}

KNOWN_EXTRA = {
    "client|setinfo": "Redis 7.2's; clients send it on connect",
}
MODELLED_FLAGS = ("write", "readonly", "denyoom", "fast", "no_auth")
READ_WRITE = ("@read", "@write")
SPEED = ("@fast", "@slow")

# Part II commands whose COMMAND DOCS must name a summary and Redis's group.
NEW_COMMANDS = ["hset", "hincrbyfloat", "sadd", "smove", "sintercard",
                "lmpop", "copy", "rename", "multi", "watch"]


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def entries(conn):
    """Every entry of COMMAND, subcommands too: {name: entry}."""
    value, raw = request(conn, "COMMAND")
    assert isinstance(value, list) and all(
        isinstance(e, list) and len(e) == 10 for e in value), why(
        "COMMAND replied %r." % raw[:300],
        "an array of 10-item entries, one per command")
    found = {}
    for entry in value:
        found[text(entry[0])] = entry
        for sub in entry[9]:
            found[text(sub[0])] = sub
    return found


def ours(entry):
    """(arity, flags, first, last, step, categories) as the table says
    them, keeping only what the table compares."""
    flags = {text(f) for f in entry[2]}
    categories = [text(c) for c in entry[6]]
    return (entry[1], " ".join(f for f in MODELLED_FLAGS if f in flags),
            entry[3], entry[4], entry[5],
            " ".join(c for c in categories if c in READ_WRITE + SPEED))


@pytest.fixture
def table(r, connect):
    return entries(connect())


def known(name):
    return name in REDIS or name in KNOWN_EXTRA


@pytest.mark.step("10i")
def test_every_command_is_one_redis_7_0_has(table):
    unknown = sorted(name for name in table if not known(name))
    assert not unknown, why(
        "COMMAND lists commands Redis 7.0.15 does not have: %s."
        % ", ".join(unknown),
        "name each command (and subcommand, 'parent|sub') as Redis does, "
        "in lower case; a command Redis 7.0 lacks on purpose goes in this "
        "module's KNOWN_EXTRA with the reason")


def report(table, what, expected_of, got_of, hint):
    __tracebackhide__ = True
    lines = []
    for name in sorted(table):
        if name not in REDIS:
            continue
        expected, got = expected_of(name), got_of(name)
        if expected != got:
            lines.append("  %-20s ours %-28r Redis %r" % (name, got,
                                                          expected))
    assert not lines, why(
        "The %s of %d command(s) differ from Redis 7.0.15's:\n%s"
        % (what, len(lines), "\n".join(lines)), hint)


@pytest.mark.step("10i")
def test_arity_matches_redis(table):
    report(table, "arity", lambda n: REDIS[n][0], lambda n: table[n][1],
           "arity is the exact argument count with the name (GET key: 2), "
           "or -N for at least N; it is the third column of the command's "
           "row in common/commands/*.c")


@pytest.mark.step("10i")
def test_key_positions_match_redis(table):
    report(table, "first key, last key, key step",
           lambda n: tuple(REDIS[n][2:5]), lambda n: ours(table[n])[2:5],
           "first/last/step say where the keys are (-1: the last "
           "argument); a command whose keys follow a count (LMPOP "
           "numkeys key ...) has 0 0 0, as Redis 7.0 says; they are the "
           "key columns of the command's row")


@pytest.mark.step("10i")
def test_flags_match_redis(table):
    report(table, "flags (write readonly denyoom fast no_auth)",
           lambda n: REDIS[n][1], lambda n: ours(table[n])[1],
           "write: changes the dataset (the AOF logs it); readonly: only "
           "reads keys (a container such as CONFIG or OBJECT is neither); "
           "denyoom: may use more memory; fast: O(1) or O(log N); no_auth: "
           "allowed before AUTH. They are the flags column of the row")


@pytest.mark.step("10i")
def test_read_write_categories_match_redis(table):
    def pick(categories):
        return " ".join(c for c in categories.split() if c in READ_WRITE)
    report(table, "ACL categories @read/@write",
           lambda n: pick(REDIS[n][5]), lambda n: pick(ours(table[n])[5]),
           "@write for a command with the write flag, @read for one with "
           "readonly")


@pytest.mark.step("10i")
def test_fast_slow_categories_match_redis(table):
    def pick(categories):
        return " ".join(c for c in categories.split() if c in SPEED)
    report(table, "ACL categories @fast/@slow",
           lambda n: pick(REDIS[n][5]), lambda n: pick(ours(table[n])[5]),
           "@fast exactly for a command with the fast flag, else @slow")


def docs_of(conn, *names):
    """COMMAND DOCS names...: {name: {field: value}} (RESP2 flat pairs)."""
    value, raw = request(conn, "COMMAND", "DOCS", *names)
    assert isinstance(value, list) and len(value) % 2 == 0, why(
        "COMMAND DOCS replied %r." % raw[:300],
        "in RESP2, a flat array: name, docs, name, docs ...")
    out = {}
    for name, doc in zip(value[0::2], value[1::2]):
        assert isinstance(doc, list) and len(doc) % 2 == 0, why(
            "The docs of %r are %r." % (name, doc),
            "a flat array of field, value pairs")
        out[text(name)] = {text(k): v for k, v in zip(doc[0::2], doc[1::2])}
    return out


@pytest.mark.step("10i")
def test_groups_match_redis(table, connect):
    docs = docs_of(connect())
    top = [name for name in table if "|" not in name and name in REDIS]
    missing = sorted(name for name in top if name not in docs)
    assert not missing, why(
        "COMMAND DOCS leaves out %s." % ", ".join(missing),
        "COMMAND DOCS without names documents every command")
    report({name: None for name in top}, "groups (COMMAND DOCS)",
           lambda n: REDIS[n][6], lambda n: text(docs[n].get("group")),
           "the group column of the row: string, list, hash, set, generic, "
           "transactions, server, connection ...")


def of_its_extension(name):
    """A parameter marked with the extension and the step that bring the
    command: COMMAND DOCS hset can only pass once HSET is built."""
    for chapter in steps.CHAPTERS:
        for step in chapter.steps:
            if chapter.extension and name.upper() in step.commands:
                return pytest.param(name, id=name, marks=[
                    pytest.mark.extension(chapter.extension),
                    pytest.mark.step(step.id)])
    raise KeyError(name)


@pytest.mark.parametrize("name", [of_its_extension(n) for n in NEW_COMMANDS])
def test_command_docs_of_a_part_ii_command(r, connect, name):
    docs = docs_of(connect(), name, "nosuchcommand")
    assert list(docs) == [name], why(
        "COMMAND DOCS %s nosuchcommand documents %r." % (name, list(docs)),
        "one pair per known name; an unknown name is left out")
    doc = docs[name]
    summary = doc.get("summary")
    assert isinstance(summary, bytes) and summary.strip(), why(
        "COMMAND DOCS %s has no summary: %r." % (name, doc),
        "the summary column of the row, a sentence")
    assert text(doc.get("group")) == REDIS[name][6], why(
        "COMMAND DOCS %s says group %r; Redis says %r."
        % (name, doc.get("group"), REDIS[name][6]), "the group column")


@pytest.mark.step("10i")
def test_command_info_of_a_part_ii_command_is_its_command_entry(table,
                                                                 connect):
    conn = connect()
    names = [n for n in NEW_COMMANDS if n in table]
    value, raw = request(conn, "COMMAND", "INFO", *names)
    assert isinstance(value, list) and [text(e[0]) for e in value] == names, (
        why("COMMAND INFO %s replied %r." % (" ".join(names), raw[:300]),
            "one entry per name, in the order asked"))
    for name, entry in zip(names, value):
        assert ours(entry) == ours(table[name]), why(
            "COMMAND INFO %s says %r, COMMAND says %r."
            % (name, ours(entry), ours(table[name])),
            "both describe the same row")


@pytest.mark.step("10i")
def test_command_count_counts_the_commands_of_command(table, connect):
    conn = connect()
    count, raw = request(conn, "COMMAND", "COUNT")
    top = sorted(name for name in table if "|" not in name)
    assert count == len(top), why(
        "COMMAND COUNT replied %r; COMMAND lists %d commands."
        % (raw, len(top)),
        "COMMAND COUNT counts the commands (not their subcommands)")
    listed, raw = request(conn, "COMMAND", "LIST")
    assert sorted(text(n) for n in listed) == sorted(table), why(
        "COMMAND LIST names %d commands and subcommands, COMMAND %d."
        % (len(listed), len(table)),
        "COMMAND LIST names every command and subcommand ('config|get')")


@pytest.mark.step("10i")
def test_command_info_of_an_unknown_name_is_nil(r, connect):
    conn = connect()
    expect_reply(conn, command("COMMAND", "INFO", "nosuchcommand"),
                 b"*1\r\n$-1\r\n", chapter=CHAPTER,
                 hint="COMMAND INFO replies one item per name, a nil "
                      "($-1 in RESP2, as Redis 7.0 sends it) for an "
                      "unknown one")
    value, raw = request(conn, "COMMAND", "INFO", "copy", "nosuch", "rename")
    assert (isinstance(value, list) and len(value) == 3 and value[1] is None
            and raw.count(b"$-1\r\n") == 1
            and [text(value[0][0]), text(value[2][0])] == ["copy",
                                                           "rename"]), (
        why("COMMAND INFO copy nosuch rename replied %r." % raw[:200],
            "three items: copy's entry, $-1, rename's entry"))
