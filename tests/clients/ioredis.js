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
// key and string commands (RENAME COPY SETEX GETDEL INCRBYFLOAT SETBIT ...).
// Assumes nothing else writes to the server meanwhile (DBSIZE is checked).

const { Checker, deadline } = require('./checker');

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
    for (const section of [connection, strings, expiry, lists, keys, pipeline, databases,
      transactions, hashes, sets, scan, moreKeysAndStrings]) {
      try {
        await section(r);
      } catch (err) {
        check.fail(stage, err.message);
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
