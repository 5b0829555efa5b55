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
// INCRBYFLOAT SETBIT ...); under RESP 3 too (node-redis-resp3).
// Assumes nothing else writes to the server meanwhile (DBSIZE is checked).

const { Checker, deadline } = require('./checker');

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
      transactions, hashes, sets, scan, moreKeysAndStrings]) {
      try {
        await section(c);
      } catch (err) {
        check.fail(stage, err.message);
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
