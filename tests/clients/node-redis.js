'use strict';
// node-redis (the npm package `redis`, v5) against a running server:
//   node node-redis.js PORT [RESP]
//
// RESP unset: no HELLO; the connect sequence is CLIENT SETNAME for `name`,
// SELECT for `database`, CLIENT SETINFO twice (its errors ignored).
// RESP 2 or 3: HELLO 2 or 3 (with SETNAME for `name`) first, which must
// succeed; with 3 also CLIENT MAINT_NOTIFICATIONS ON ... (its error
// ignored). Then a few commands of every kind the server supports, each
// reply checked.
// Assumes nothing else writes to the server meanwhile (DBSIZE is checked).

const { Checker, deadline } = require('./checker');

const port = Number(process.argv[2]);
const resp = process.argv[3] ? Number(process.argv[3]) : undefined;

const { createClient, RESP_TYPES } = require('redis');
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
    for (const section of [connection, strings, expiry, lists, keys, pipeline, databases]) {
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
