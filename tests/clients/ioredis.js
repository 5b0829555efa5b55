'use strict';
// ioredis against a running server: node ioredis.js PORT [MODULE] [PROTOCOL]
//
// MODULE is the package to load (ioredis, or ioredis5 for ioredis 5 under
// its npm alias); PROTOCOL 2 or 3 is passed as ioredis 6's `protocol`
// option (its default is 3). On connect ioredis 6 sends HELLO 3 (and falls
// back to RESP2 only if the server answers NOPROTO or unknown command),
// SELECT for `db`, CLIENT SETNAME, CLIENT SETINFO twice, then INFO as its
// ready check, waiting while INFO says loading:1. Then a few commands of
// every kind the server supports, each reply checked. Part II: multi()...
// exec() (MULTI/EXEC; a failing command inside; EXECABORT), DISCARD, WATCH
// (exec() resolves to null after a watched key changed), hashes and sets,
// scanStream, hscanStream, sscanStream returning each key once, and a few
// key and string commands (RENAME COPY SETEX GETDEL INCRBYFLOAT SETBIT ...);
// sorted sets (ZADD's options, ZRANGE BYSCORE/REV/WITHSCORES, the digits of
// a double score, ZUNIONSTORE/ZINTERSTORE with weights, zscanStream; under
// RESP3 also doubles and score pairs with replyMapping "resp3"), blocking
// pops on connections of their own woken by a push from this one
// (BLPOP BRPOP BLMOVE BZPOPMIN, timeouts, first come first served, CLIENT
// UNBLOCK) and pub/sub (subscribe and the 'message', 'messageBuffer',
// 'pmessage', 'smessage' events, unsubscribe, PUBSUB CHANNELS/NUMSUB/NUMPAT).
// Assumes nothing else writes to the server meanwhile (DBSIZE is checked).

const { Checker, deadline, Blocked, sleep, waitFor, needs } = require('./checker');

const port = Number(process.argv[2]);
const moduleName = process.argv[3] || 'ioredis';
const protocol = process.argv[4] ? Number(process.argv[4]) : undefined;

const Redis = require(moduleName);
const version = require(`${moduleName}/package.json`).version;
const label = `ioredis ${version}` + (protocol ? ` protocol ${protocol}` : '');
const check = new Checker(label);
let stage = 'loading';
deadline(30, label, () => `at: ${stage}`);

const errors = [];
// Every key starts with K, new in each run, so a rerun on the same server
// starts afresh.
const K = `ioredis:${process.pid}:${Date.now()}:`;

// A client that connects when asked, once: no retries, so a refused connect
// sequence fails the script at once instead of looping.
function client(options) {
  const r = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    ...(protocol ? { protocol } : {}),
    ...options,
  });
  r.on('error', (err) => errors.push(err.message));
  return r;
}

async function connect(name, r) {
  const section = stage;
  stage = `connect ${name}`;
  try {
    await r.connect();
  } catch (err) {
    const seen = errors.length ? ` (errors: ${errors.join('; ')})` : '';
    throw new Error(`connect sequence of ${name} failed: ${err.message}${seen}`);
  }
  check.expect(`${name}: status after connect`, r.status, 'ready');
  // A refused SELECT is only an 'error' event: the connect goes on.
  check.expect(`${name}: errors while connecting`, errors.splice(0), []);
  // ioredis 6 keeps the protocol it negotiated; 2 means HELLO 3 was refused.
  if (r.condition && r.condition.protocol !== undefined && protocol !== 2) {
    check.expect(`${name}: RESP3 negotiated by HELLO 3`, r.condition.protocol, 3);
  }
  stage = section;
}

async function strings(r) {
  stage = 'strings';
  check.expect('SET', await r.set(K + 's', 'hello'), 'OK');
  check.expect('GET', await r.get(K + 's'), 'hello');
  check.expect('GET missing', await r.get(K + 'missing'), null);
  check.expect('SET NX on an existing key', await r.set(K + 's', 'x', 'NX'), null);
  check.expect('SET XX GET', await r.set(K + 's', 'world', 'XX', 'GET'), 'hello');
  check.expect('APPEND', await r.append(K + 's', '!'), 6);
  check.expect('STRLEN', await r.strlen(K + 's'), 6);
  check.expect('INCR new key', await r.incr(K + 'n'), 1);
  check.expect('INCRBY', await r.incrby(K + 'n', 41), 42);
  check.expect('DECR', await r.decr(K + 'n'), 41);
  check.expect('DECRBY', await r.decrby(K + 'n', 1), 40);
  await check.expectError('INCR of a non-integer', () => r.incr(K + 's'), 'ERR value is not an integer or out of range');
  check.expect('MSET', await r.mset(K + 'a', '1', K + 'b', '2'), 'OK');
  check.expect('MGET', await r.mget(K + 'a', K + 'b', K + 'missing'), ['1', '2', null]);
  const binary = Buffer.from([0, 1, 2, 255, 13, 10]);
  await r.set(K + 'bin', binary);
  check.expect('binary-safe GET', await r.getBuffer(K + 'bin'), binary);
}

async function expiry(r) {
  stage = 'expiry';
  await r.set(K + 'e', 'v');
  check.expect('TTL without expiry', await r.ttl(K + 'e'), -1);
  check.expect('EXPIRE', await r.expire(K + 'e', 100), 1);
  check.expectThat('TTL', await r.ttl(K + 'e'), (t) => t > 90 && t <= 100, 'between 91 and 100');
  check.expectThat('PTTL', await r.pttl(K + 'e'), (t) => t > 90000 && t <= 100000, 'between 90001 and 100000');
  check.expect('PERSIST', await r.persist(K + 'e'), 1);
  check.expect('TTL after PERSIST', await r.ttl(K + 'e'), -1);
  check.expect('TTL of a missing key', await r.ttl(K + 'missing'), -2);
  check.expect('SET PX', await r.set(K + 'short', 'v', 'PX', 100), 'OK');
  await new Promise((done) => setTimeout(done, 250));
  check.expect('GET after PX expired', await r.get(K + 'short'), null);
  check.expect('EXISTS after PX expired', await r.exists(K + 'short'), 0);
}

async function lists(r) {
  stage = 'lists';
  check.expect('RPUSH', await r.rpush(K + 'l', 'b', 'c'), 2);
  check.expect('LPUSH', await r.lpush(K + 'l', 'a'), 3);
  check.expect('LRANGE', await r.lrange(K + 'l', 0, -1), ['a', 'b', 'c']);
  check.expect('LLEN', await r.llen(K + 'l'), 3);
  check.expect('LINDEX', await r.lindex(K + 'l', -1), 'c');
  check.expect('LPOP', await r.lpop(K + 'l'), 'a');
  check.expect('RPOP', await r.rpop(K + 'l'), 'c');
  check.expect('LPOP with count', await r.lpop(K + 'l', 5), ['b']);
  check.expect('LLEN of an emptied list', await r.llen(K + 'l'), 0);
  check.expect('TYPE', await r.type(K + 'a'), 'string');
  await r.rpush(K + 'l2', 'x');
  check.expect('TYPE list', await r.type(K + 'l2'), 'list');
  await check.expectError('GET of a list', () => r.get(K + 'l2'), 'WRONGTYPE');
}

async function keys(r) {
  stage = 'keys';
  const before = await r.dbsize();
  await r.mset(K + 'k1', '1', K + 'k2', '2', K + 'k3', '3');
  check.expect('DBSIZE grows by 3', await r.dbsize(), before + 3);
  check.expect('EXISTS', await r.exists(K + 'k1', K + 'k2', K + 'none'), 2);
  check.expect('KEYS', (await r.keys(K + 'k*')).sort(), [K + 'k1', K + 'k2', K + 'k3']);
  check.expect('DEL', await r.del(K + 'k1', K + 'k2', K + 'k3', K + 'none'), 3);
}

async function pipeline(r) {
  stage = 'pipeline';
  const replies = await r.pipeline()
    .set(K + 'p', '10')
    .incr(K + 'p')
    .get(K + 'p')
    .rpush(K + 'pl', 'x', 'y')
    .lrange(K + 'pl', 0, -1)
    .incr(K + 'pl')
    .exec();
  const errorOf = (e) => (e ? e.message.split(' ')[0] : null);
  check.expect('pipeline replies',
    replies.map(([e, v]) => [errorOf(e), e ? null : v]),
    [[null, 'OK'], [null, 11], [null, '11'], [null, 2], [null, ['x', 'y']], ['WRONGTYPE', null]]);

  const many = r.pipeline();
  for (let i = 0; i < 1000; i++) many.incr(K + 'count');
  const counts = await many.exec();
  check.expect('1000 pipelined INCRs', counts[999], [null, 1000]);
}

async function transactions(r) {
  stage = 'transactions';
  // multi() queues client-side and sends MULTI ... EXEC in one write; exec()
  // resolves to EXEC's replies as [error, value] pairs.
  const replies = await r.multi()
    .set(K + 't', '10')
    .incr(K + 't')
    .get(K + 't')
    .hset(K + 'th', 'f', 'v')
    .exec();
  check.expect('MULTI/EXEC replies', replies, [[null, 'OK'], [null, 11], [null, '11'], [null, 1]]);
  // A command failing inside EXEC leaves the others done (no rollback).
  const partial = await r.multi().set(K + 't2', 'a').incr(K + 't2').set(K + 't3', 'b').exec();
  check.expect('EXEC with a failing INCR',
    partial.map(([e, v]) => (e ? e.message.split(' ')[0] : v)), ['OK', 'ERR', 'OK']);
  check.expect('the SET after the failing INCR ran', await r.get(K + 't3'), 'b');
  // A command refused while queued (wrong arity) aborts the whole EXEC.
  await check.expectError('EXEC after a refused command',
    () => r.multi().set(K + 't4', 'a').lpush(K + 't4l').exec(), 'EXECABORT');
  check.expect('nothing of an aborted transaction ran', await r.exists(K + 't4'), 0);
  // pipeline: false sends MULTI at once; each command answers QUEUED, and
  // DISCARD drops them.
  check.expect('MULTI (pipeline: false)', await r.multi({ pipeline: false }), 'OK');
  check.expect('a command after MULTI is QUEUED', await r.set(K + 'discarded', 'x'), 'QUEUED');
  check.expect('DISCARD', await r.discard(), 'OK');
  check.expect('a discarded SET did not run', await r.exists(K + 'discarded'), 0);

  // WATCH, a change by another connection, then EXEC: null.
  const w = client({ connectionName: 'workshop-ioredis-watch' });
  await connect('client that watches', w);
  check.expect('WATCH', await w.watch(K + 'w'), 'OK');
  await r.set(K + 'w', 'theirs');
  check.expect('EXEC after a watched key changed', await w.multi().set(K + 'w', 'mine').exec(), null);
  check.expect('the watched key keeps the other\'s value', await r.get(K + 'w'), 'theirs');
  // The change of a watched key by the watcher itself also aborts.
  await w.watch(K + 'w');
  await w.set(K + 'w', 'own');
  check.expect('EXEC after the watcher changed the key', await w.multi().get(K + 'w').exec(), null);
  // UNWATCH: a later change no longer aborts EXEC.
  await w.watch(K + 'w');
  check.expect('UNWATCH', await w.unwatch(), 'OK');
  await r.set(K + 'w', 'theirs again');
  check.expect('EXEC after UNWATCH', await w.multi().set(K + 'w', 'mine').exec(), [[null, 'OK']]);
  // Watching a key that another client expires or deletes aborts too.
  await w.watch(K + 'w');
  await r.del(K + 'w');
  check.expect('EXEC after a watched key was deleted', await w.multi().set(K + 'w', 'x').exec(), null);
  w.disconnect();
}

// Past 512 entries (hash-max-listpack-entries 128, set-max-intset-entries
// 512) a hash or a set is a hash table, which HSCAN and SSCAN walk by cursor.
const BIG = 600;

// Reads a scan stream to its end: every batch, flattened.
function readStream(stream) {
  return new Promise((resolve, reject) => {
    const all = [];
    stream.on('data', (batch) => all.push(...batch));
    stream.on('end', () => resolve(all));
    stream.on('error', reject);
  });
}

async function hashes(r) {
  stage = 'hashes';
  const h = K + 'h';
  check.expect('HSET of an object', await r.hset(h, { a: '1', b: '2', c: 'x' }), 3);
  check.expect('HSET field value (an update)', await r.hset(h, 'a', '10'), 0);
  check.expect('HGET', await r.hget(h, 'a'), '10');
  check.expect('HGET missing field', await r.hget(h, 'zz'), null);
  check.expect('HGETALL', await r.hgetall(h), { a: '10', b: '2', c: 'x' });
  check.expect('HGETALL of a missing key', await r.hgetall(K + 'nohash'), {});
  check.expect('HINCRBY', await r.hincrby(h, 'b', 40), 42);
  check.expect('HINCRBYFLOAT', await r.hincrbyfloat(h, 'f', 1.5), '1.5');
  await check.expectError('HINCRBY of a non-integer', () => r.hincrby(h, 'c', 1), 'ERR hash value is not an integer');
  check.expect('HMGET', await r.hmget(h, 'a', 'zz', 'b'), ['10', null, '42']);
  check.expect('HEXISTS', await r.hexists(h, 'c'), 1);
  check.expect('HLEN', await r.hlen(h), 4);
  check.expect('HKEYS', (await r.hkeys(h)).sort(), ['a', 'b', 'c', 'f']);
  check.expect('HDEL', await r.hdel(h, 'a', 'zz'), 1);
  check.expect('TYPE hash', await r.type(h), 'hash');
  await check.expectError('HGET of a string', () => r.hget(K + 's', 'f'), 'WRONGTYPE');

  const big = K + 'bighash';
  const want = {};
  for (let i = 0; i < BIG; i++) want[`field:${i}`] = `value:${i}`;
  check.expect(`HSET of ${BIG} fields`, await r.hset(big, want), BIG);
  check.expect('OBJECT ENCODING of a big hash', await r.object('ENCODING', big), 'hashtable');
  // hscanStream's batches are flat: field, value, field, value ...
  const flat = await readStream(r.hscanStream(big, { count: 50 }));
  const got = {};
  for (let i = 0; i < flat.length; i += 2) got[flat[i]] = flat[i + 1];
  check.expect('hscanStream: every field once', flat.length / 2, Object.keys(got).length);
  check.expect('hscanStream: fields and values', got, want);
}

async function sets(r) {
  stage = 'sets';
  const s = K + 'set';
  check.expect('SADD', await r.sadd(s, 'a', 'b', 'c', 'a'), 3);
  check.expect('SMEMBERS', (await r.smembers(s)).sort(), ['a', 'b', 'c']);
  check.expect('SISMEMBER', await r.sismember(s, 'a'), 1);
  check.expect('SCARD', await r.scard(s), 3);
  await r.sadd(K + 'set2', 'b', 'c', 'd');
  check.expect('SINTER', (await r.sinter(s, K + 'set2')).sort(), ['b', 'c']);
  check.expect('SUNION', (await r.sunion(s, K + 'set2')).sort(), ['a', 'b', 'c', 'd']);
  check.expect('SDIFF', await r.sdiff(s, K + 'set2'), ['a']);
  check.expect('SREM', await r.srem(s, 'a', 'z'), 1);
  const popped = await r.spop(s);
  check.expectThat('SPOP', popped, (m) => m === 'b' || m === 'c', "'b' or 'c'");
  check.expect('SPOP with a count of more than there is', await r.spop(s, 5), [popped === 'b' ? 'c' : 'b']);
  check.expect('the emptied set is deleted', await r.exists(s), 0);
  await check.expectError('SADD to a string', () => r.sadd(K + 's', 'x'), 'WRONGTYPE');

  const big = K + 'bigset';
  const members = Array.from({ length: BIG }, (_, i) => `m:${i}`);
  check.expect(`SADD of ${BIG} members`, await r.sadd(big, ...members), BIG);
  const got = await readStream(r.sscanStream(big, { count: 50 }));
  check.expect('sscanStream: every member once', got.length, new Set(got).size);
  check.expect('sscanStream: the members', got.sort(), members.sort());
}

const SCAN_KEYS = 5000;

async function scan(r) {
  stage = 'scan';
  const written = new Set();
  const p = r.pipeline();
  for (let i = 0; i < SCAN_KEYS; i++) {
    written.add(`${K}scan:${i}`);
    p.set(`${K}scan:${i}`, 'v');
  }
  await p.exec();
  const got = await readStream(r.scanStream({ match: `${K}scan:*`, count: 100 }));
  const seen = new Set(got);
  check.expect('scanStream: no key twice', got.length - seen.size, 0);
  check.expect('scanStream: no key missed', [...written].filter((k) => !seen.has(k)).length, 0);
  check.expect('scanStream: no other key', [...seen].filter((k) => !written.has(k)), []);
  check.expect(`scanStream: ${SCAN_KEYS} keys`, got.length, SCAN_KEYS);
  await r.sadd(K + 'scan-set', 'm');
  check.expect('scanStream type: set',
    await readStream(r.scanStream({ match: `${K}scan-*`, type: 'set' })), [K + 'scan-set']);
}

// Part II key and string commands.
async function moreKeysAndStrings(r) {
  stage = 'keys and strings (Part II)';
  await r.set(K + 'src', 'v');
  check.expect('RENAME', await r.rename(K + 'src', K + 'dst'), 'OK');
  check.expect('GET of the renamed key', await r.get(K + 'dst'), 'v');
  await check.expectError('RENAME of a missing key', () => r.rename(K + 'src', K + 'x'), 'ERR no such key');
  check.expect('COPY', await r.copy(K + 'dst', K + 'copy'), 1);
  check.expect('COPY onto an existing key', await r.copy(K + 'dst', K + 'copy'), 0);
  check.expect('UNLINK', await r.unlink(K + 'copy', K + 'none'), 1);
  await r.set(K + 'num', '12345');
  check.expect('OBJECT ENCODING int', await r.object('ENCODING', K + 'num'), 'int');
  check.expect('SETEX', await r.setex(K + 'sx', 100, 'v'), 'OK');
  check.expectThat('TTL after SETEX', await r.ttl(K + 'sx'), (t) => t > 90 && t <= 100, 'between 91 and 100');
  check.expect('GETDEL', await r.getdel(K + 'sx'), 'v');
  check.expect('GETDEL of the deleted key', await r.getdel(K + 'sx'), null);
  check.expect('INCRBYFLOAT', await r.incrbyfloat(K + 'fl', 10.5), '10.5');
  check.expect('INCRBYFLOAT by 0.1', await r.incrbyfloat(K + 'fl', 0.1), '10.6');
  check.expect('SETBIT', await r.setbit(K + 'bits', 7, 1), 0);
  check.expect('GETBIT', await r.getbit(K + 'bits', 7), 1);
  check.expect('BITCOUNT', await r.bitcount(K + 'bits'), 1);
}

// Sorted sets through ioredis's methods. Scores come back as the strings
// the server printed (doubles as strings, under RESP3 too with ioredis 6's
// default replyMapping "legacy"), so the digits are checked exactly.
async function zsets(r) {
  stage = 'sorted sets';
  const z = K + 'z';
  check.expect('ZADD', await r.zadd(z, 1, 'a', 2, 'b', 3, 'c'), 3);
  check.expect('ZADD NX of a member already in', await r.zadd(z, 'NX', 5, 'a'), 0);
  check.expect('ZADD XX CH (one changed, one not added)', await r.zadd(z, 'XX', 'CH', 0.5, 'a', 4, 'd'), 1);
  check.expect('ZSCORE of a member ZADD XX did not add', await r.zscore(z, 'd'), null);
  check.expect('ZADD GT CH with a lower score', await r.zadd(z, 'GT', 'CH', 1, 'b'), 0);
  check.expect('ZADD GT CH with a higher score', await r.zadd(z, 'GT', 'CH', 2.5, 'b'), 1);
  check.expect('ZADD INCR (the new score)', await r.zadd(z, 'INCR', 10, 'c'), '13');
  check.expect('ZADD NX INCR of a member already in', await r.zadd(z, 'NX', 'INCR', 1, 'c'), null);
  await check.expectError('ZADD XX NX', () => r.zadd(z, 'XX', 'NX', 1, 'a'),
    'ERR XX and NX options at the same time are not compatible');
  await check.expectError('ZADD of a score that is not a float', () => r.zadd(z, 'abc', 'x'),
    'ERR value is not a valid float');
  check.expect('ZSCORE', await r.zscore(z, 'a'), '0.5');
  check.expect('ZRANGE WITHSCORES', await r.zrange(z, 0, -1, 'WITHSCORES'), ['a', '0.5', 'b', '2.5', 'c', '13']);
  check.expect('ZRANGE REV', await r.zrange(z, 0, 0, 'REV'), ['c']);
  check.expect('ZRANGE BYSCORE', await r.zrange(z, 1, 13, 'BYSCORE'), ['b', 'c']);
  check.expect('ZRANGE BYSCORE REV (max first, exclusive)', await r.zrange(z, '(13', '-inf', 'BYSCORE', 'REV'), ['b', 'a']);
  check.expect('ZRANGE BYSCORE LIMIT 1 1', await r.zrange(z, '-inf', '+inf', 'BYSCORE', 'LIMIT', 1, 1), ['b']);
  check.expect('ZRANGEBYSCORE WITHSCORES', await r.zrangebyscore(z, 1, '+inf', 'WITHSCORES'), ['b', '2.5', 'c', '13']);
  check.expect('ZRANGEBYSCORE LIMIT 0 2', await r.zrangebyscore(z, '-inf', '+inf', 'LIMIT', 0, 2), ['a', 'b']);
  check.expect('ZREVRANGEBYSCORE', await r.zrevrangebyscore(z, '+inf', '(0.5'), ['c', 'b']);
  check.expect('ZRANK', await r.zrank(z, 'c'), 2);
  check.expect('ZREVRANK', await r.zrevrank(z, 'c'), 0);
  check.expect('ZRANK of a missing member', await r.zrank(z, 'zz'), null);
  check.expect('ZCARD', await r.zcard(z), 3);
  check.expect('ZCOUNT (0.5 13', await r.zcount(z, '(0.5', 13), 2);
  check.expect('ZMSCORE', await r.zmscore(z, 'a', 'zz', 'c'), ['0.5', null, '13']);
  // 0.2 and 0.2 + 0.1 as Redis prints doubles: 17 significant digits.
  check.expect('ZINCRBY of a new member', await r.zincrby(z, 0.2, 'f'), '0.20000000000000001');
  check.expect('ZINCRBY 0.1 (0.2 + 0.1 in binary floating point)', await r.zincrby(z, 0.1, 'f'), '0.30000000000000004');
  check.expect('ZADD +inf', await r.zadd(z, '+inf', 'top'), 1);
  check.expect('ZSCORE of +inf', await r.zscore(z, 'top'), 'inf');
  check.expect('ZPOPMIN', await r.zpopmin(z), ['f', '0.30000000000000004']);
  check.expect('ZPOPMIN 2', await r.zpopmin(z, 2), ['a', '0.5', 'b', '2.5']);
  check.expect('ZREM', await r.zrem(z, 'c', 'zz'), 1);
  check.expect('TYPE zset', await r.type(z), 'zset');
  check.expect('OBJECT ENCODING of a small sorted set', await r.object('ENCODING', z), 'listpack');
  check.expect('ZPOPMIN of the last member', await r.zpopmin(z), ['top', 'inf']);
  check.expect('the emptied sorted set is deleted', await r.exists(z), 0);
  check.expect('ZPOPMIN of a missing key', await r.zpopmin(z), []);
  await check.expectError('ZADD to a string', () => r.zadd(K + 's', 1, 'x'), 'WRONGTYPE');

  await r.zadd(K + 'z1', 1, 'a', 2, 'b', 3, 'c');
  await r.zadd(K + 'z2', 10, 'b', 20, 'c', 30, 'd');
  check.expect('ZUNIONSTORE WEIGHTS 2 3', await r.zunionstore(K + 'zu', 2, K + 'z1', K + 'z2', 'WEIGHTS', 2, 3), 4);
  check.expect('ZRANGE of the union', await r.zrange(K + 'zu', 0, -1, 'WITHSCORES'),
    ['a', '2', 'b', '34', 'c', '66', 'd', '90']);
  check.expect('ZINTERSTORE WEIGHTS 100 1 AGGREGATE MAX',
    await r.zinterstore(K + 'zi', 2, K + 'z1', K + 'z2', 'WEIGHTS', 100, 1, 'AGGREGATE', 'MAX'), 2);
  check.expect('ZRANGE of the intersection', await r.zrange(K + 'zi', 0, -1, 'WITHSCORES'), ['b', '200', 'c', '300']);

  // Past 128 members (zset-max-listpack-entries) a skip list and a hash
  // table, which ZSCAN walks by cursor.
  const big = K + 'bigzset';
  const want = {};
  const args = [];
  for (let i = 0; i < BIG; i++) {
    want[`m:${i}`] = String(i / 4);
    args.push(i / 4, `m:${i}`);
  }
  check.expect(`ZADD of ${BIG} members`, await r.zadd(big, ...args), BIG);
  check.expect('OBJECT ENCODING of a big sorted set', await r.object('ENCODING', big), 'skiplist');
  check.expect('ZRANK in the big sorted set', await r.zrank(big, `m:${BIG - 1}`), BIG - 1);
  // zscanStream's batches are flat: member, score, member, score ...
  const flat = await readStream(r.zscanStream(big, { count: 50 }));
  const got = {};
  for (let i = 0; i < flat.length; i += 2) got[flat[i]] = flat[i + 1];
  check.expect('zscanStream: every member once', flat.length / 2, Object.keys(got).length);
  check.expect('zscanStream: members and scores', got, want);
}

// Under RESP3, replyMapping "resp3" (ioredis 6) turns the server's doubles
// into numbers and WITHSCORES into [member, score] pairs, as RESP3 sends them.
async function zsetsResp3(r) {
  stage = 'sorted sets, replyMapping resp3';
  const r3 = client({ connectionName: 'workshop-ioredis-resp3', replyMapping: 'resp3' });
  await connect('client with replyMapping resp3', r3);
  try {
    const z = K + 'z3';
    // (binary fractions: ioredis 6's RESP3 double parser rounds the last
    // digit of 0.30000000000000004; the legacy checks above test the digits)
    await r3.zadd(z, 2.5, 'f', 5, 'g');
    check.expect('RESP3 ZINCRBY: a double', await r3.zincrby(z, 0.25, 'f'), 2.75);
    check.expect('RESP3 ZSCORE: a double', await r3.zscore(z, 'g'), 5);
    check.expect('RESP3 ZRANGE WITHSCORES: pairs', await r3.zrange(z, 0, -1, 'WITHSCORES'), [['f', 2.75], ['g', 5]]);
    check.expect('RESP3 ZPOPMIN', await r3.zpopmin(z), ['f', 2.75]);
    check.expect('RESP3 ZPOPMIN 1 (a count: pairs)', await r3.zpopmin(z, 1), [['g', 5]]);
    await r.zadd(z, 1.5, 'h');
    check.expect('RESP3 BZPOPMIN', await r3.bzpopmin(z, 1), [z, 'h', 1.5]);
  } finally {
    r3.disconnect();
  }
}

async function blocking(r) {
  stage = 'blocking';
  const b = client({ connectionName: 'workshop-ioredis-blocked' });
  const b2 = client({ connectionName: 'workshop-ioredis-blocked-2' });
  try {
    await connect('blocked client', b);
    await connect('second blocked client', b2);
    await r.rpush(K + 'ready', 'now');
    check.expect('BLPOP of a list that has elements: at once', await b.blpop(K + 'ready', 1), [K + 'ready', 'now']);
    // BLPOP on two keys; RPUSH to the second after 100 ms wakes it.
    let blocked = new Blocked('BLPOP on two empty lists', b.blpop(K + 'bl1', K + 'bl2', 2));
    await sleep(100);
    check.expect('BLPOP on empty lists: still blocked after 100 ms', blocked.done, false);
    check.expect('RPUSH to a key a client waits on', await r.rpush(K + 'bl2', 'x'), 1);
    check.expect('BLPOP woken by another connection\'s RPUSH', await blocked.result(), [K + 'bl2', 'x']);
    check.expectThat('BLPOP returned after the push', blocked.ms, (ms) => ms >= 90, 'at least 90 ms');
    check.expect('the element BLPOP took is gone', await r.exists(K + 'bl2'), 0);

    blocked = new Blocked('BRPOP on an empty list', b.brpop(K + 'br', 2));
    await sleep(100);
    await r.rpush(K + 'br', 'a', 'b');
    check.expect('BRPOP woken by RPUSH of two (takes the last)', await blocked.result(), [K + 'br', 'b']);
    check.expect('LRANGE of what BRPOP left', await r.lrange(K + 'br', 0, -1), ['a']);

    blocked = new Blocked('BLMOVE from an empty list', b.blmove(K + 'blsrc', K + 'bldst', 'RIGHT', 'LEFT', 2));
    await sleep(100);
    await r.lpush(K + 'blsrc', 'moved');
    check.expect('BLMOVE woken by LPUSH', await blocked.result(), 'moved');
    check.expect('LRANGE of BLMOVE\'s destination', await r.lrange(K + 'bldst', 0, -1), ['moved']);

    // Two clients blocked on one key: first come, first served.
    const first = new Blocked('BLPOP of the client first in line', b.blpop(K + 'fifo', 2));
    await sleep(50);
    const second = new Blocked('BLPOP of the client second in line', b2.blpop(K + 'fifo', 2));
    await sleep(50);
    await r.rpush(K + 'fifo', 'one');
    check.expect('the client blocked first gets the first element', await first.result(), [K + 'fifo', 'one']);
    check.expect('the client blocked second still waits', second.done, false);
    await r.rpush(K + 'fifo', 'two');
    check.expect('the client blocked second gets the next element', await second.result(), [K + 'fifo', 'two']);

    await timeoutPointOne('BLPOP', () => b.blpop(K + 'none', 0.1));

    // CLIENT UNBLOCK: as if the timeout had passed, or (ERROR) an error.
    const id = await b.client('ID');
    blocked = new Blocked('BLPOP to be unblocked', b.blpop(K + 'unblock', 3));
    await sleep(100);
    check.expect('CLIENT UNBLOCK of a blocked client', await r.client('UNBLOCK', id), 1);
    check.expect('BLPOP after CLIENT UNBLOCK', await blocked.result(), null);
    check.expect('CLIENT UNBLOCK of a client not blocked', await r.client('UNBLOCK', id), 0);
    blocked = new Blocked('BLPOP to be unblocked', b.blpop(K + 'unblock', 3));
    await sleep(100);
    check.expect('CLIENT UNBLOCK ERROR', await r.client('UNBLOCK', id, 'ERROR'), 1);
    check.expect('BLPOP after CLIENT UNBLOCK ERROR', await blocked.result(),
      'error UNBLOCKED client unblocked via CLIENT UNBLOCK');

    // BZPOPMIN last: it needs sorted sets too.
    await r.zadd(K + 'bzready', 1, 'x');
    check.expect('BZPOPMIN of a sorted set that has members: at once', await b.bzpopmin(K + 'bzready', 1),
      [K + 'bzready', 'x', '1']);
    blocked = new Blocked('BZPOPMIN on an empty sorted set', b.bzpopmin(K + 'bz', 2));
    await sleep(100);
    await r.zadd(K + 'bz', 1.5, 'm', 0.5, 'n');
    check.expect('BZPOPMIN woken by ZADD (the lowest score)', await blocked.result(), [K + 'bz', 'n', '0.5']);
    check.expect('ZRANGE of what BZPOPMIN left', await r.zrange(K + 'bz', 0, -1), ['m']);
    await timeoutPointOne('BZPOPMIN', () => b.bzpopmin(K + 'none', 0.1));
  } finally {
    b.disconnect();
    b2.disconnect();
  }
}

// A timeout of 0.1 s: null after about 100 ms (Redis checks timeouts about
// ten times a second, so up to ~200 ms).
async function timeoutPointOne(name, call) {
  const blocked = new Blocked(`${name} with timeout 0.1`, call());
  check.expect(`${name} with timeout 0.1 on a missing key`, await blocked.result(), null);
  check.expectThat(`${name} with timeout 0.1: how long it waited`, blocked.ms,
    (ms) => ms >= 90 && ms < 1500, '90 to 1500 ms');
}

const MESSAGES = 20;

async function pubsub(r) {
  stage = 'pub/sub';
  const ch = K + 'chan';
  const ch2 = K + 'chan2';
  const news = K + 'news.';
  const sub = client({ connectionName: 'workshop-ioredis-subscriber' });
  const got = [];
  const buffers = [];
  sub.on('message', (channel, message) => got.push(['message', channel, message]));
  sub.on('pmessage', (pattern, channel, message) => got.push(['pmessage', pattern, channel, message]));
  sub.on('smessage', (channel, message) => got.push(['smessage', channel, message]));
  sub.on('messageBuffer', (channel, message) => {
    if (channel.toString() === ch2) buffers.push(message);
  });
  try {
    await connect('subscriber', sub);
    check.expect('SUBSCRIBE of two channels (the count)', await sub.subscribe(ch, ch2), 2);
    const published = [];
    for (let i = 0; i < MESSAGES; i++) published.push(await r.publish(ch, `m${i}`));
    check.expect('PUBLISH: one receiver each', published, Array(MESSAGES).fill(1));
    await waitFor(() => got.length >= MESSAGES);
    check.expect(`'message' events: ${MESSAGES} in order`, got.splice(0),
      Array.from({ length: MESSAGES }, (_, i) => ['message', ch, `m${i}`]));
    const binary = Buffer.from([0, 1, 13, 10, 255, 42, 49, 13, 10]);
    await r.publish(ch2, binary);
    await waitFor(() => buffers.length >= 1);
    check.expect("'messageBuffer' event: a binary message", buffers, [binary]);
    got.splice(0);

    check.expect('UNSUBSCRIBE of one channel (the count left)', await sub.unsubscribe(ch), 1);
    check.expect('PUBLISH to the channel left', await r.publish(ch, 'lost'), 0);
    check.expect('PSUBSCRIBE (the count)', await sub.psubscribe(news + '*'), 2);
    check.expect('PUBLISH to a channel the pattern matches', await r.publish(news + 'sport', 'goal'), 1);
    await waitFor(() => got.length >= 1);
    check.expect("'pmessage' event", got.splice(0), [['pmessage', news + '*', news + 'sport', 'goal']]);
    check.expect('SUBSCRIBE of a channel the pattern matches too', await sub.subscribe(news + 'sport'), 3);
    check.expect('PUBLISH to a channel subscribed and matched: two receivers', await r.publish(news + 'sport', 'again'), 2);
    await waitFor(() => got.length >= 2);
    check.expect('a message and a pmessage for one PUBLISH', got.splice(0).map((e) => e[0]).sort(), ['message', 'pmessage']);
    check.expect('PUBSUB CHANNELS', (await r.pubsub('CHANNELS', K + '*')).sort(), [ch2, news + 'sport'].sort());
    check.expect('PUBSUB NUMSUB', await r.pubsub('NUMSUB', ch2, ch), [ch2, 1, ch, 0]);
    check.expect('PUBSUB NUMPAT', await r.pubsub('NUMPAT'), 1);
    check.expect('SSUBSCRIBE (shard channels counted apart)', await sub.ssubscribe(K + 'shard'), 1);
    check.expect('SPUBLISH', await r.spublish(K + 'shard', 's'), 1);
    await waitFor(() => got.length >= 1);
    check.expect("'smessage' event", got.splice(0), [['smessage', K + 'shard', 's']]);
    check.expect('SUNSUBSCRIBE', await sub.sunsubscribe(K + 'shard'), 0);
    check.expect('PUNSUBSCRIBE', await sub.punsubscribe(news + '*'), 2);
    check.expect('UNSUBSCRIBE of the others', await sub.unsubscribe(ch2, news + 'sport'), 0);
    check.expect('PUBSUB NUMPAT after PUNSUBSCRIBE', await r.pubsub('NUMPAT'), 0);
    // Out of subscriber mode, any command again.
    check.expect('SET after the last UNSUBSCRIBE', await sub.set(K + 'after-sub', 'v'), 'OK');
    check.expect('GET after the last UNSUBSCRIBE', await sub.get(K + 'after-sub'), 'v');
  } finally {
    sub.disconnect();
  }
}

async function databases(r0) {
  stage = 'databases';
  const r9 = client({ db: 9, connectionName: 'workshop-ioredis-db9' });
  await connect('client with db 9', r9);
  await r0.set(K + 'db', 'zero');
  check.expect('SET in db 9', await r9.set(K + 'db', 'nine'), 'OK');
  check.expect('GET in db 0', await r0.get(K + 'db'), 'zero');
  check.expect('GET in db 9', await r9.get(K + 'db'), 'nine');
  await r9.rpush(K + 'db9list', 'only-in-9');
  check.expect('EXISTS in db 0 of a db 9 key', await r0.exists(K + 'db9list'), 0);
  check.expect('SELECT 3', await r9.select(3), 'OK');
  check.expect('GET in db 3', await r9.get(K + 'db'), null);
  check.expect('SELECT 9 again', await r9.select(9), 'OK');
  check.expect('GET in db 9 again', await r9.get(K + 'db'), 'nine');
  await check.expectError('SELECT out of range', () => r9.select(16), 'ERR DB index is out of range');
  check.expect('QUIT', await r9.quit(), 'OK');
}

async function connection(r) {
  stage = 'connection';
  const is = (want) => (got) => got === want;
  await check.expectCall('PING', () => r.ping(), is('PONG'), "'PONG'");
  await check.expectCall('ECHO', () => r.echo('hi'), is('hi'), "'hi'");
  await check.expectCall('CLIENT SETNAME', () => r.client('SETNAME', 'renamed'), is('OK'), "'OK'");
  await check.expectCall('CLIENT ID', () => r.client('ID'), (id) => Number.isInteger(id) && id > 0, 'a positive integer');
  await check.expectCall('INFO is text with sections', () => r.info(),
    (s) => typeof s === 'string' && s.includes('# Server'), 'a string with "# Server"');
  await check.expectCall('INFO loading:0 (or none)', () => r.info(),
    (s) => !/^loading:[^0]/m.test(s), 'no loading other than 0');
}

async function main() {
  // The first client has ioredis's defaults but a name: ioredis ignores a
  // failed CLIENT SETNAME. A section that throws is reported and the next
  // one runs.
  const r = client({ connectionName: 'workshop-ioredis' });
  try {
    await connect('client', r);
    // replyMapping "resp3" exists in ioredis 6 only, and only under RESP3.
    const resp3 = r.condition && r.condition.protocol === 3 ? [zsetsResp3] : [];
    for (const section of [connection, strings, expiry, lists, keys, pipeline, databases,
      transactions, hashes, sets, scan, moreKeysAndStrings, zsets, ...resp3, blocking, pubsub]) {
      try {
        await section(r);
      } catch (err) {
        check.fail(stage, err.message.trimEnd() + needs(err.message));
      }
    }
  } catch (err) {
    check.fail(stage, err.message);
  } finally {
    r.disconnect();
  }
  check.finish();
  process.exit();
}

main();
