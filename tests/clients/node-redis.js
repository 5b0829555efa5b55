'use strict';
// node-redis (the npm package `redis`, v5) against a running server:
//   node node-redis.js PORT [RESP]
//
// RESP unset: no HELLO; the connect sequence is CLIENT SETNAME for `name`,
// SELECT for `database`, CLIENT SETINFO twice (its errors ignored).
// RESP 2 or 3: HELLO 2 or 3 (with SETNAME for `name`) first, which must
// succeed; with 3 also CLIENT MAINT_NOTIFICATIONS ON ... (its error
// ignored). Then a few commands of every kind the server supports, each
// reply checked. Part II: multi().exec() (MULTI/EXEC; a MultiErrorReply
// for a failing command inside; an aborted EXEC), WATCH (exec() rejects
// with node-redis's WatchError after a watched key changed), hashes and
// sets, and scanIterator, hScanIterator, sScanIterator returning each key
// once; a few key and string commands (RENAME COPY SETEX GETDEL
// INCRBYFLOAT SETBIT ...); sorted sets (zAdd's options, zRange BY SCORE /
// REV, zRangeWithScores, scores as numbers to the last bit, zUnionStore /
// zInterStore with weights, zScanIterator), blocking pops on clients of
// their own woken by a push from this one (blPop brPop blMove bzPopMin,
// timeouts, first come first served; node-redis has no CLIENT UNBLOCK
// method) and pub/sub (subscribe, pSubscribe, sSubscribe listeners, buffer
// mode, unsubscribe, PUBSUB CHANNELS/NUMSUB/NUMPAT); under RESP 3 too
// (node-redis-resp3: scores as RESP3 doubles and pairs, messages as pushes).
// Assumes nothing else writes to the server meanwhile (DBSIZE is checked).

const { Checker, deadline, Blocked, sleep, waitFor, needs } = require('./checker');

const port = Number(process.argv[2]);
const resp = process.argv[3] ? Number(process.argv[3]) : undefined;

const { createClient, RESP_TYPES, MultiErrorReply, WatchError } = require('redis');
const version = require('redis/package.json').version;
const label = `node-redis ${version}` + (resp ? ` RESP${resp}` : '');
const check = new Checker(label);
let stage = 'loading';
deadline(30, label, () => `at: ${stage}`);

// Every key starts with K, new in each run.
const K = `node-redis:${process.pid}:${Date.now()}:`;
const errors = [];
const clients = [];

// A client that connects once: no reconnects, so a refused connect
// sequence fails the script at once.
async function connect(name, options) {
  const section = stage;
  stage = `connect ${name}`;
  const c = createClient({
    socket: { host: '127.0.0.1', port, connectTimeout: 5000, reconnectStrategy: false },
    ...(resp ? { RESP: resp } : {}),
    ...options,
  });
  c.on('error', (err) => errors.push(err.message));
  clients.push(c);
  try {
    await c.connect();
  } catch (err) {
    const seen = errors.length ? ` (errors: ${errors.join('; ')})` : '';
    throw new Error(`connect sequence of ${name} failed: ${err.message}${seen}`);
  }
  check.expect(`${name}: ready after connect`, c.isReady, true);
  check.expect(`${name}: errors while connecting`, errors.splice(0), []);
  stage = section;
  return c;
}

async function connection(c) {
  stage = 'connection';
  const is = (want) => (got) => got === want;
  await check.expectCall('PING', () => c.ping(), is('PONG'), "'PONG'");
  await check.expectCall('ECHO', () => c.echo('hi'), is('hi'), "'hi'");
  await check.expectCall('CLIENT SETNAME', () => c.clientSetName('renamed'), is('OK'), "'OK'");
  await check.expectCall('CLIENT ID', () => c.clientId(), (id) => Number.isInteger(id) && id > 0, 'a positive integer');
  await check.expectCall('INFO is text with sections', () => c.info(),
    (s) => typeof s === 'string' && s.includes('# Server'), 'a string with "# Server"');
  if (resp) {
    // HELLO's reply: a map under RESP3 (an object here), a flat array of
    // field, value ... under RESP2.
    const fields = (h) => (Array.isArray(h) ? Object.fromEntries(
      h.flatMap((v, i) => (i % 2 ? [] : [[String(v), h[i + 1]]]))) : h);
    await check.expectCall(`HELLO ${resp} reply`, async () => fields(await c.sendCommand(['HELLO', String(resp)])),
      (h) => h && h.proto === resp && h.server === 'redis' && typeof h.version === 'string',
      `server 'redis', a version and proto ${resp}`);
  }
}

async function strings(c) {
  stage = 'strings';
  check.expect('SET', await c.set(K + 's', 'hello'), 'OK');
  check.expect('GET', await c.get(K + 's'), 'hello');
  check.expect('GET missing', await c.get(K + 'missing'), null);
  check.expect('SET NX on an existing key', await c.set(K + 's', 'x', { condition: 'NX' }), null);
  check.expect('SET XX GET', await c.set(K + 's', 'world', { condition: 'XX', GET: true }), 'hello');
  check.expect('APPEND', await c.append(K + 's', '!'), 6);
  check.expect('STRLEN', await c.strLen(K + 's'), 6);
  check.expect('INCR new key', await c.incr(K + 'n'), 1);
  check.expect('INCRBY', await c.incrBy(K + 'n', 41), 42);
  check.expect('DECR', await c.decr(K + 'n'), 41);
  check.expect('DECRBY', await c.decrBy(K + 'n', 1), 40);
  await check.expectError('INCR of a non-integer', () => c.incr(K + 's'), 'ERR value is not an integer or out of range');
  check.expect('MSET', await c.mSet([K + 'a', '1', K + 'b', '2']), 'OK');
  check.expect('MGET', await c.mGet([K + 'a', K + 'b', K + 'missing']), ['1', '2', null]);
  const binary = Buffer.from([0, 1, 2, 255, 13, 10]);
  await c.set(K + 'bin', binary);
  const buffers = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  check.expect('binary-safe GET', await buffers.get(K + 'bin'), binary);
}

async function expiry(c) {
  stage = 'expiry';
  await c.set(K + 'e', 'v');
  check.expect('TTL without expiry', await c.ttl(K + 'e'), -1);
  check.expect('EXPIRE', await c.expire(K + 'e', 100), 1);
  check.expectThat('TTL', await c.ttl(K + 'e'), (t) => t > 90 && t <= 100, 'between 91 and 100');
  check.expectThat('PTTL', await c.pTTL(K + 'e'), (t) => t > 90000 && t <= 100000, 'between 90001 and 100000');
  check.expect('PERSIST', await c.persist(K + 'e'), 1);
  check.expect('TTL after PERSIST', await c.ttl(K + 'e'), -1);
  check.expect('TTL of a missing key', await c.ttl(K + 'missing'), -2);
  check.expect('SET EX', await c.set(K + 'ex', 'v', { expiration: { type: 'EX', value: 50 } }), 'OK');
  check.expectThat('TTL after SET EX', await c.ttl(K + 'ex'), (t) => t > 40 && t <= 50, 'between 41 and 50');
  check.expect('SET PX', await c.set(K + 'short', 'v', { expiration: { type: 'PX', value: 100 } }), 'OK');
  await new Promise((done) => setTimeout(done, 250));
  check.expect('GET after PX expired', await c.get(K + 'short'), null);
  check.expect('EXISTS after PX expired', await c.exists(K + 'short'), 0);
}

async function lists(c) {
  stage = 'lists';
  check.expect('RPUSH', await c.rPush(K + 'l', ['b', 'c']), 2);
  check.expect('LPUSH', await c.lPush(K + 'l', 'a'), 3);
  check.expect('LRANGE', await c.lRange(K + 'l', 0, -1), ['a', 'b', 'c']);
  check.expect('LLEN', await c.lLen(K + 'l'), 3);
  check.expect('LINDEX', await c.lIndex(K + 'l', -1), 'c');
  check.expect('LPOP', await c.lPop(K + 'l'), 'a');
  check.expect('RPOP', await c.rPop(K + 'l'), 'c');
  check.expect('LPOP with count', await c.lPopCount(K + 'l', 5), ['b']);
  check.expect('LLEN of an emptied list', await c.lLen(K + 'l'), 0);
  check.expect('TYPE', await c.type(K + 'a'), 'string');
  await c.rPush(K + 'l2', 'x');
  check.expect('TYPE list', await c.type(K + 'l2'), 'list');
  await check.expectError('GET of a list', () => c.get(K + 'l2'), 'WRONGTYPE');
}

async function keys(c) {
  stage = 'keys';
  const before = await c.dbSize();
  await c.mSet([K + 'k1', '1', K + 'k2', '2', K + 'k3', '3']);
  check.expect('DBSIZE grows by 3', await c.dbSize(), before + 3);
  check.expect('EXISTS', await c.exists([K + 'k1', K + 'k2', K + 'none']), 2);
  check.expect('KEYS', (await c.keys(K + 'k*')).sort(), [K + 'k1', K + 'k2', K + 'k3']);
  check.expect('DEL', await c.del([K + 'k1', K + 'k2', K + 'k3', K + 'none']), 3);
}

async function pipeline(c) {
  stage = 'pipeline';
  // execAsPipeline sends the commands in one write, without MULTI/EXEC.
  const replies = await c.multi()
    .set(K + 'p', '10')
    .incr(K + 'p')
    .get(K + 'p')
    .rPush(K + 'pl', ['x', 'y'])
    .lRange(K + 'pl', 0, -1)
    .execAsPipeline();
  check.expect('pipeline replies', replies, ['OK', 11, '11', 2, ['x', 'y']]);

  // Commands issued in the same tick go out together too (auto-pipelining).
  const counts = await Promise.all(Array.from({ length: 1000 }, () => c.incr(K + 'count')));
  check.expect('1000 auto-pipelined INCRs', counts[999], 1000);
  await check.expectError('an error inside a pipeline',
    () => c.multi().incr(K + 'pl').get(K + 'p').execAsPipeline(), 'WRONGTYPE');
}

async function transactions(c) {
  stage = 'transactions';
  // multi()...exec(): MULTI, the commands, EXEC in one write; exec()
  // resolves to EXEC's replies.
  const replies = await c.multi()
    .set(K + 't', '10')
    .incr(K + 't')
    .get(K + 't')
    .hSet(K + 'th', 'f', 'v')
    .exec();
  check.expect('MULTI/EXEC replies', replies, ['OK', 11, '11', 1]);
  // A command failing inside EXEC leaves the others done (no rollback);
  // node-redis rejects with a MultiErrorReply that holds every reply.
  try {
    const got = await c.multi().set(K + 't2', 'a').incr(K + 't2').set(K + 't3', 'b').exec();
    check.fail('EXEC with a failing INCR', `got ${JSON.stringify(got)}, want a MultiErrorReply`);
  } catch (err) {
    check.expect('EXEC with a failing INCR: a MultiErrorReply', err instanceof MultiErrorReply, true);
    check.expect('EXEC with a failing INCR: the failed one', err.errorIndexes, [1]);
    check.expect('EXEC with a failing INCR: the others', [err.replies[0], err.replies[2]], ['OK', 'OK']);
  }
  check.expect('the SET after the failing INCR ran', await c.get(K + 't3'), 'b');
  // HSET without a field is refused while queued, so EXEC aborts them all
  // (EXECABORT); node-redis rejects with the first error, HSET's.
  await check.expectError('EXEC after a refused command',
    () => c.multi().set(K + 't4', 'a').hSet(K + 't4h', {}).exec(),
    "ERR wrong number of arguments for 'hset' command");
  check.expect('nothing of an aborted transaction ran', await c.exists(K + 't4'), 0);

  // WATCH on its own connection (a WATCH holds for the connection), a
  // change by another connection, then exec(): node-redis's WatchError.
  const w = await connect('client that watches', {});
  check.expect('WATCH', await w.watch(K + 'w'), 'OK');
  await c.set(K + 'w', 'theirs');
  try {
    const got = await w.multi().set(K + 'w', 'mine').exec();
    check.fail('EXEC after a watched key changed', `got ${JSON.stringify(got)}, want a WatchError`);
  } catch (err) {
    check.expectThat('EXEC after a watched key changed', err, (e) => e instanceof WatchError,
      `a WatchError (got ${err.constructor.name}: ${err.message})`);
  }
  check.expect('the watched key keeps the other\'s value', await c.get(K + 'w'), 'theirs');
  // UNWATCH: a later change no longer aborts EXEC.
  await w.watch(K + 'w');
  check.expect('UNWATCH', await w.unwatch(), 'OK');
  await c.set(K + 'w', 'theirs again');
  check.expect('EXEC after UNWATCH', await w.multi().set(K + 'w', 'mine').exec(), ['OK']);
  check.expect('GET after that EXEC', await c.get(K + 'w'), 'mine');
  await w.quit();
}

// Past 512 entries (hash-max-listpack-entries 128, set-max-intset-entries
// 512) a hash or a set is a hash table, which HSCAN and SSCAN walk by cursor.
const BIG = 600;

// Every item of every batch a node-redis scan iterator yields.
async function collect(iterator) {
  const all = [];
  for await (const batch of iterator) all.push(...batch);
  return all;
}

async function hashes(c) {
  stage = 'hashes';
  const h = K + 'h';
  check.expect('HSET of an object', await c.hSet(h, { a: '1', b: '2', c: 'x' }), 3);
  check.expect('HSET field value (an update)', await c.hSet(h, 'a', '10'), 0);
  check.expect('HGET', await c.hGet(h, 'a'), '10');
  check.expect('HGET missing field', await c.hGet(h, 'zz'), null);
  check.expect('HGETALL', { ...(await c.hGetAll(h)) }, { a: '10', b: '2', c: 'x' });
  check.expect('HGETALL of a missing key', { ...(await c.hGetAll(K + 'nohash')) }, {});
  check.expect('HINCRBY', await c.hIncrBy(h, 'b', 40), 42);
  check.expect('HINCRBYFLOAT', await c.hIncrByFloat(h, 'f', 1.5), '1.5');
  await check.expectError('HINCRBY of a non-integer', () => c.hIncrBy(h, 'c', 1), 'ERR hash value is not an integer');
  check.expect('HMGET', await c.hmGet(h, ['a', 'zz', 'b']), ['10', null, '42']);
  check.expect('HLEN', await c.hLen(h), 4);
  check.expect('HKEYS', (await c.hKeys(h)).sort(), ['a', 'b', 'c', 'f']);
  check.expect('HDEL', await c.hDel(h, ['a', 'zz']), 1);
  check.expect('TYPE hash', await c.type(h), 'hash');
  await check.expectError('HGET of a string', () => c.hGet(K + 's', 'f'), 'WRONGTYPE');

  const big = K + 'bighash';
  const want = {};
  for (let i = 0; i < BIG; i++) want[`field:${i}`] = `value:${i}`;
  check.expect(`HSET of ${BIG} fields`, await c.hSet(big, want), BIG);
  check.expect('OBJECT ENCODING of a big hash', await c.objectEncoding(big), 'hashtable');
  const entries = await collect(c.hScanIterator(big, { COUNT: 50 }));
  const got = Object.fromEntries(entries.map(({ field, value }) => [field, value]));
  check.expect('hScanIterator: every field once', entries.length, Object.keys(got).length);
  check.expect('hScanIterator: fields and values', got, want);
}

async function sets(c) {
  stage = 'sets';
  const s = K + 'set';
  check.expect('SADD', await c.sAdd(s, ['a', 'b', 'c', 'a']), 3);
  check.expect('SMEMBERS', (await c.sMembers(s)).sort(), ['a', 'b', 'c']);
  check.expect('SISMEMBER', await c.sIsMember(s, 'a'), 1);
  check.expect('SCARD', await c.sCard(s), 3);
  await c.sAdd(K + 'set2', ['b', 'c', 'd']);
  check.expect('SINTER', (await c.sInter([s, K + 'set2'])).sort(), ['b', 'c']);
  check.expect('SUNION', (await c.sUnion([s, K + 'set2'])).sort(), ['a', 'b', 'c', 'd']);
  check.expect('SDIFF', await c.sDiff([s, K + 'set2']), ['a']);
  check.expect('SREM', await c.sRem(s, ['a', 'z']), 1);
  const popped = await c.sPop(s);
  check.expectThat('SPOP', popped, (m) => m === 'b' || m === 'c', "'b' or 'c'");
  check.expect('SPOP with a count of more than there is', await c.sPopCount(s, 5), [popped === 'b' ? 'c' : 'b']);
  check.expect('the emptied set is deleted', await c.exists(s), 0);
  await check.expectError('SADD to a string', () => c.sAdd(K + 's', 'x'), 'WRONGTYPE');

  const big = K + 'bigset';
  const members = Array.from({ length: BIG }, (_, i) => `m:${i}`);
  check.expect(`SADD of ${BIG} members`, await c.sAdd(big, members), BIG);
  const got = await collect(c.sScanIterator(big, { COUNT: 50 }));
  check.expect('sScanIterator: every member once', got.length, new Set(got).size);
  check.expect('sScanIterator: the members', got.sort(), members.sort());
}

const SCAN_KEYS = 5000;

async function scan(c) {
  stage = 'scan';
  const written = new Set();
  const p = c.multi();
  for (let i = 0; i < SCAN_KEYS; i++) {
    written.add(`${K}scan:${i}`);
    p.set(`${K}scan:${i}`, 'v');
  }
  await p.execAsPipeline();
  const got = await collect(c.scanIterator({ MATCH: `${K}scan:*`, COUNT: 100 }));
  const seen = new Set(got);
  check.expect('scanIterator: no key twice', got.length - seen.size, 0);
  check.expect('scanIterator: no key missed', [...written].filter((k) => !seen.has(k)).length, 0);
  check.expect('scanIterator: no other key', [...seen].filter((k) => !written.has(k)), []);
  check.expect(`scanIterator: ${SCAN_KEYS} keys`, got.length, SCAN_KEYS);
  await c.sAdd(K + 'scan-set', 'm');
  check.expect('scanIterator TYPE set',
    await collect(c.scanIterator({ MATCH: `${K}scan-*`, TYPE: 'set' })), [K + 'scan-set']);
}

// Part II key and string commands.
async function moreKeysAndStrings(c) {
  stage = 'keys and strings (Part II)';
  await c.set(K + 'src', 'v');
  check.expect('RENAME', await c.rename(K + 'src', K + 'dst'), 'OK');
  check.expect('GET of the renamed key', await c.get(K + 'dst'), 'v');
  await check.expectError('RENAME of a missing key', () => c.rename(K + 'src', K + 'x'), 'ERR no such key');
  check.expect('COPY', await c.copy(K + 'dst', K + 'copy'), 1);
  check.expect('COPY onto an existing key', await c.copy(K + 'dst', K + 'copy'), 0);
  check.expect('UNLINK', await c.unlink([K + 'copy', K + 'none']), 1);
  await c.set(K + 'num', '12345');
  check.expect('OBJECT ENCODING int', await c.objectEncoding(K + 'num'), 'int');
  check.expect('SETEX', await c.setEx(K + 'sx', 100, 'v'), 'OK');
  check.expectThat('TTL after SETEX', await c.ttl(K + 'sx'), (t) => t > 90 && t <= 100, 'between 91 and 100');
  check.expect('GETDEL', await c.getDel(K + 'sx'), 'v');
  check.expect('GETDEL of the deleted key', await c.getDel(K + 'sx'), null);
  check.expect('INCRBYFLOAT', await c.incrByFloat(K + 'fl', 10.5), '10.5');
  check.expect('INCRBYFLOAT by 0.1', await c.incrByFloat(K + 'fl', 0.1), '10.6');
  check.expect('SETBIT', await c.setBit(K + 'bits', 7, 1), 0);
  check.expect('GETBIT', await c.getBit(K + 'bits', 7), 1);
  check.expect('BITCOUNT', await c.bitCount(K + 'bits'), 1);
}

// Sorted sets through node-redis's methods: scores are numbers (parsed from
// RESP2 strings or RESP3 doubles), WITHSCORES gives {value, score} objects
// (from a flat RESP2 array or RESP3's [member, score] pairs).
async function zsets(c) {
  stage = 'sorted sets';
  const z = K + 'z';
  check.expect('ZADD', await c.zAdd(z, [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]), 3);
  check.expect('ZADD NX of a member already in', await c.zAdd(z, { score: 5, value: 'a' }, { condition: 'NX' }), 0);
  check.expect('ZADD XX CH (one changed, one not added)',
    await c.zAdd(z, [{ score: 0.5, value: 'a' }, { score: 4, value: 'd' }], { condition: 'XX', CH: true }), 1);
  check.expect('ZSCORE of a member ZADD XX did not add', await c.zScore(z, 'd'), null);
  check.expect('ZADD GT CH with a lower score', await c.zAdd(z, { score: 1, value: 'b' }, { comparison: 'GT', CH: true }), 0);
  check.expect('ZADD GT CH with a higher score', await c.zAdd(z, { score: 2.5, value: 'b' }, { comparison: 'GT', CH: true }), 1);
  check.expect('zAddIncr (the new score)', await c.zAddIncr(z, { score: 10, value: 'c' }), 13);
  check.expect('zAddIncr NX of a member already in', await c.zAddIncr(z, { score: 1, value: 'c' }, { condition: 'NX' }), null);
  await check.expectError('ZADD of a score that is not a float',
    () => c.zAdd(z, { score: 'abc', value: 'x' }), 'ERR value is not a valid float');
  check.expect('ZSCORE (a number)', await c.zScore(z, 'a'), 0.5);
  check.expect('zRangeWithScores', await c.zRangeWithScores(z, 0, -1),
    [{ value: 'a', score: 0.5 }, { value: 'b', score: 2.5 }, { value: 'c', score: 13 }]);
  check.expect('ZRANGE REV', await c.zRange(z, 0, 0, { REV: true }), ['c']);
  check.expect('ZRANGE BYSCORE', await c.zRange(z, 1, 13, { BY: 'SCORE' }), ['b', 'c']);
  check.expect('ZRANGE BYSCORE REV (max first, exclusive)',
    await c.zRange(z, '(13', '-inf', { BY: 'SCORE', REV: true }), ['b', 'a']);
  check.expect('ZRANGE BYSCORE LIMIT 1 1',
    await c.zRange(z, -Infinity, Infinity, { BY: 'SCORE', LIMIT: { offset: 1, count: 1 } }), ['b']);
  check.expect('zRangeByScoreWithScores', await c.zRangeByScoreWithScores(z, 1, '+inf'),
    [{ value: 'b', score: 2.5 }, { value: 'c', score: 13 }]);
  check.expect('ZRANGEBYSCORE LIMIT 0 2', await c.zRangeByScore(z, '-inf', '+inf', { LIMIT: { offset: 0, count: 2 } }), ['a', 'b']);
  check.expect('ZRANK', await c.zRank(z, 'c'), 2);
  check.expect('ZREVRANK', await c.zRevRank(z, 'c'), 0);
  check.expect('ZRANK of a missing member', await c.zRank(z, 'zz'), null);
  check.expect('ZCARD', await c.zCard(z), 3);
  check.expect('ZCOUNT (0.5 13', await c.zCount(z, '(0.5', 13), 2);
  check.expect('ZMSCORE', await c.zmScore(z, ['a', 'zz', 'c']), [0.5, null, 13]);
  check.expect('ZINCRBY of a new member', await c.zIncrBy(z, 0.2, 'f'), 0.2);
  // 0.2 + 0.1 in binary floating point, as the server printed it (doubles
  // mapped to strings: node-redis's RESP3 double parser rounds the last
  // digit): the 17 significant digits that read back as the same double.
  const printed = c.withTypeMapping({ [RESP_TYPES.DOUBLE]: String });
  check.expect('ZINCRBY 0.1 (0.2 + 0.1, the digits)', await printed.zIncrBy(z, 0.1, 'f'), '0.30000000000000004');
  check.expect('ZSCORE (the digits)', await printed.zScore(z, 'f'), '0.30000000000000004');
  check.expect('ZPOPMIN (the digits)', await printed.zPopMin(z), { value: 'f', score: '0.30000000000000004' });
  check.expect('ZINCRBY 0.25', await c.zIncrBy(z, 0.25, 'e'), 0.25);
  check.expect('ZADD +inf', await c.zAdd(z, { score: Infinity, value: 'top' }), 1);
  check.expect('ZSCORE of +inf', await c.zScore(z, 'top'), Infinity);
  check.expect('ZPOPMIN', await c.zPopMin(z), { value: 'e', score: 0.25 });
  check.expect('ZPOPMIN 2', await c.zPopMinCount(z, 2), [{ value: 'a', score: 0.5 }, { value: 'b', score: 2.5 }]);
  check.expect('ZREM', await c.zRem(z, ['c', 'zz']), 1);
  check.expect('TYPE zset', await c.type(z), 'zset');
  check.expect('OBJECT ENCODING of a small sorted set', await c.objectEncoding(z), 'listpack');
  check.expect('ZPOPMIN of the last member', await c.zPopMin(z), { value: 'top', score: Infinity });
  check.expect('the emptied sorted set is deleted', await c.exists(z), 0);
  check.expect('ZPOPMIN of a missing key', await c.zPopMin(z), null);
  await check.expectError('ZADD to a string', () => c.zAdd(K + 's', { score: 1, value: 'x' }), 'WRONGTYPE');

  await c.zAdd(K + 'z1', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]);
  await c.zAdd(K + 'z2', [{ score: 10, value: 'b' }, { score: 20, value: 'c' }, { score: 30, value: 'd' }]);
  check.expect('ZUNIONSTORE WEIGHTS 2 3',
    await c.zUnionStore(K + 'zu', [{ key: K + 'z1', weight: 2 }, { key: K + 'z2', weight: 3 }]), 4);
  check.expect('ZRANGE of the union', await c.zRangeWithScores(K + 'zu', 0, -1),
    [{ value: 'a', score: 2 }, { value: 'b', score: 34 }, { value: 'c', score: 66 }, { value: 'd', score: 90 }]);
  check.expect('ZINTERSTORE WEIGHTS 100 1 AGGREGATE MAX',
    await c.zInterStore(K + 'zi', [{ key: K + 'z1', weight: 100 }, { key: K + 'z2', weight: 1 }], { AGGREGATE: 'MAX' }), 2);
  check.expect('ZRANGE of the intersection', await c.zRangeWithScores(K + 'zi', 0, -1),
    [{ value: 'b', score: 200 }, { value: 'c', score: 300 }]);

  // Past 128 members (zset-max-listpack-entries) a skip list and a hash
  // table, which ZSCAN walks by cursor.
  const big = K + 'bigzset';
  const members = Array.from({ length: BIG }, (_, i) => ({ score: i / 4, value: `m:${i}` }));
  check.expect(`ZADD of ${BIG} members`, await c.zAdd(big, members), BIG);
  check.expect('OBJECT ENCODING of a big sorted set', await c.objectEncoding(big), 'skiplist');
  check.expect('ZRANK in the big sorted set', await c.zRank(big, `m:${BIG - 1}`), BIG - 1);
  const got = await collect(c.zScanIterator(big, { COUNT: 50 }));
  check.expect('zScanIterator: every member once', got.length, new Set(got.map((m) => m.value)).size);
  const byValue = (a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  check.expect('zScanIterator: members and scores', got.sort(byValue), [...members].sort(byValue));
}

// A blocking call holds its connection, so each waits on a client of its own.
async function blocking(c) {
  stage = 'blocking';
  const b = await connect('blocked client', { name: 'workshop-node-redis-blocked' });
  const b2 = await connect('second blocked client', { name: 'workshop-node-redis-blocked-2' });
  await c.rPush(K + 'ready', 'now');
  check.expect('BLPOP of a list that has elements: at once', await b.blPop(K + 'ready', 1),
    { key: K + 'ready', element: 'now' });
  // BLPOP on two keys; RPUSH to the second after 100 ms wakes it.
  let blocked = new Blocked('BLPOP on two empty lists', b.blPop([K + 'bl1', K + 'bl2'], 2));
  await sleep(100);
  check.expect('BLPOP on empty lists: still blocked after 100 ms', blocked.done, false);
  check.expect('RPUSH to a key a client waits on', await c.rPush(K + 'bl2', 'x'), 1);
  check.expect('BLPOP woken by another connection\'s RPUSH', await blocked.result(), { key: K + 'bl2', element: 'x' });
  check.expectThat('BLPOP returned after the push', blocked.ms, (ms) => ms >= 90, 'at least 90 ms');
  check.expect('the element BLPOP took is gone', await c.exists(K + 'bl2'), 0);

  blocked = new Blocked('BRPOP on an empty list', b.brPop(K + 'br', 2));
  await sleep(100);
  await c.rPush(K + 'br', ['a', 'b']);
  check.expect('BRPOP woken by RPUSH of two (takes the last)', await blocked.result(), { key: K + 'br', element: 'b' });
  check.expect('LRANGE of what BRPOP left', await c.lRange(K + 'br', 0, -1), ['a']);

  blocked = new Blocked('BLMOVE from an empty list', b.blMove(K + 'blsrc', K + 'bldst', 'RIGHT', 'LEFT', 2));
  await sleep(100);
  await c.lPush(K + 'blsrc', 'moved');
  check.expect('BLMOVE woken by LPUSH', await blocked.result(), 'moved');
  check.expect('LRANGE of BLMOVE\'s destination', await c.lRange(K + 'bldst', 0, -1), ['moved']);

  // Two clients blocked on one key: first come, first served.
  const first = new Blocked('BLPOP of the client first in line', b.blPop(K + 'fifo', 2));
  await sleep(50);
  const second = new Blocked('BLPOP of the client second in line', b2.blPop(K + 'fifo', 2));
  await sleep(50);
  await c.rPush(K + 'fifo', 'one');
  check.expect('the client blocked first gets the first element', await first.result(), { key: K + 'fifo', element: 'one' });
  check.expect('the client blocked second still waits', second.done, false);
  await c.rPush(K + 'fifo', 'two');
  check.expect('the client blocked second gets the next element', await second.result(), { key: K + 'fifo', element: 'two' });

  await timeoutPointOne('BLPOP', () => b.blPop(K + 'none', 0.1));

  // BZPOPMIN last: it needs sorted sets too.
  await c.zAdd(K + 'bzready', { score: 1, value: 'x' });
  check.expect('BZPOPMIN of a sorted set that has members: at once', await b.bzPopMin(K + 'bzready', 1),
    { key: K + 'bzready', value: 'x', score: 1 });
  blocked = new Blocked('BZPOPMIN on an empty sorted set', b.bzPopMin(K + 'bz', 2));
  await sleep(100);
  await c.zAdd(K + 'bz', [{ score: 1.5, value: 'm' }, { score: 0.5, value: 'n' }]);
  check.expect('BZPOPMIN woken by ZADD (the lowest score)', await blocked.result(), { key: K + 'bz', value: 'n', score: 0.5 });
  check.expect('ZRANGE of what BZPOPMIN left', await c.zRange(K + 'bz', 0, -1), ['m']);
  await timeoutPointOne('BZPOPMIN', () => b.bzPopMin(K + 'none', 0.1));
  await b.quit();
  await b2.quit();
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

// A subscriber client of its own (under RESP2 a subscribed connection takes
// nothing but (UN)SUBSCRIBE, PING ...; under RESP3 the messages are pushes).
async function pubsub(c) {
  stage = 'pub/sub';
  const ch = K + 'chan';
  const ch2 = K + 'chan2';
  const news = K + 'news.';
  const sub = await connect('subscriber', { name: 'workshop-node-redis-subscriber' });
  const got = [];
  const listener = (kind) => (message, channel) => got.push([kind, channel, message]);
  await sub.subscribe(ch, listener('message'));
  const published = [];
  for (let i = 0; i < MESSAGES; i++) published.push(await c.publish(ch, `m${i}`));
  check.expect('PUBLISH: one receiver each', published, Array(MESSAGES).fill(1));
  await waitFor(() => got.length >= MESSAGES);
  check.expect(`subscribe listener: ${MESSAGES} messages in order`, got.splice(0),
    Array.from({ length: MESSAGES }, (_, i) => ['message', ch, `m${i}`]));
  // bufferMode: the listener gets Buffers. (On a client of its own: after
  // one, node-redis 5's RESP2 decoder keeps returning Buffers.)
  const subBuffers = await connect('subscriber in buffer mode', { name: 'workshop-node-redis-buffers' });
  await subBuffers.subscribe(ch, listener('buffer'), true);
  const binary = Buffer.from([0, 1, 13, 10, 255, 42, 49, 13, 10]);
  check.expect('PUBLISH to two subscribers', await c.publish(ch, binary), 2);
  await waitFor(() => got.length >= 2);
  check.expect('subscribe listener in buffer mode, and not: a binary message',
    got.splice(0).sort(), [['buffer', Buffer.from(ch), binary], ['message', ch, binary.toString()]]);
  await subBuffers.unsubscribe(ch);
  await subBuffers.quit();
  await sub.subscribe(ch2, listener('message'));

  await sub.unsubscribe(ch);
  check.expect('PUBLISH to the channel left', await c.publish(ch, 'lost'), 0);
  await sub.pSubscribe(news + '*', listener('pattern'));
  check.expect('PUBLISH to a channel the pattern matches', await c.publish(news + 'sport', 'goal'), 1);
  await waitFor(() => got.length >= 1);
  check.expect('pSubscribe listener', got.splice(0), [['pattern', news + 'sport', 'goal']]);
  await sub.subscribe(news + 'sport', listener('message'));
  check.expect('PUBLISH to a channel subscribed and matched: two receivers', await c.publish(news + 'sport', 'again'), 2);
  await waitFor(() => got.length >= 2);
  check.expect('both listeners for one PUBLISH', got.splice(0).map((e) => e[0]).sort(), ['message', 'pattern']);
  check.expect('PUBSUB CHANNELS', (await c.pubSubChannels(K + '*')).sort(), [ch2, news + 'sport'].sort());
  check.expect('PUBSUB NUMSUB', { ...(await c.pubSubNumSub([ch2, ch])) }, { [ch2]: 1, [ch]: 0 });
  check.expect('PUBSUB NUMPAT', await c.pubSubNumPat(), 1);
  await sub.sSubscribe(K + 'shard', listener('shard'));
  check.expect('SPUBLISH', await c.sPublish(K + 'shard', 's'), 1);
  await waitFor(() => got.length >= 1);
  check.expect('sSubscribe listener', got.splice(0), [['shard', K + 'shard', 's']]);
  await sub.sUnsubscribe(K + 'shard');
  await sub.pUnsubscribe(news + '*');
  await sub.unsubscribe();
  check.expect('PUBSUB NUMPAT after PUNSUBSCRIBE', await c.pubSubNumPat(), 0);
  check.expect('PUBSUB NUMSUB after UNSUBSCRIBE', { ...(await c.pubSubNumSub([ch2])) }, { [ch2]: 0 });
  check.expect('PUBLISH after every UNSUBSCRIBE', await c.publish(ch2, 'nobody'), 0);
  // Out of subscriber mode, any command again. (String(): under RESP2,
  // node-redis 5 returns Buffers on a connection that has subscribed once,
  // whatever the server.)
  check.expect('SET after the last UNSUBSCRIBE', String(await sub.set(K + 'after-sub', 'v')), 'OK');
  check.expect('GET after the last UNSUBSCRIBE', String(await sub.get(K + 'after-sub')), 'v');
  await sub.quit();
}

async function databases(c0) {
  stage = 'databases';
  const c9 = await connect('client with database 9', { database: 9, name: 'workshop-node-redis-db9' });
  await c0.set(K + 'db', 'zero');
  check.expect('SET in db 9', await c9.set(K + 'db', 'nine'), 'OK');
  check.expect('GET in db 0', await c0.get(K + 'db'), 'zero');
  check.expect('GET in db 9', await c9.get(K + 'db'), 'nine');
  await c9.rPush(K + 'db9list', 'only-in-9');
  check.expect('EXISTS in db 0 of a db 9 key', await c0.exists(K + 'db9list'), 0);
  await c9.select(3);
  check.expect('GET in db 3', await c9.get(K + 'db'), null);
  await c9.select(9);
  check.expect('GET in db 9 again', await c9.get(K + 'db'), 'nine');
  await check.expectError('SELECT out of range', () => c9.select(16), 'ERR DB index is out of range');
  check.expect('QUIT', await c9.quit(), 'OK');
}

async function main() {
  // The first client has node-redis's defaults (no name: a refused CLIENT
  // SETNAME fails the connect); the one of databases() adds a name and a
  // database. A section that throws is reported and the next one runs.
  try {
    const c = await connect('client', {});
    for (const section of [connection, strings, expiry, lists, keys, pipeline, databases,
      transactions, hashes, sets, scan, moreKeysAndStrings, zsets, blocking, pubsub]) {
      try {
        await section(c);
      } catch (err) {
        check.fail(stage, err.message.trimEnd() + needs(err.message));
      }
    }
  } catch (err) {
    check.fail(stage, err.message);
  } finally {
    for (const c of clients) {
      if (c.isOpen) c.destroy();
    }
  }
  check.finish();
  process.exit();
}

main();
