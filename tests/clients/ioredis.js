'use strict';
// ioredis against a running server: node ioredis.js PORT [MODULE] [PROTOCOL]
//
// MODULE is the package to load (ioredis, or ioredis5 for ioredis 5 under
// its npm alias); PROTOCOL 2 or 3 is passed as ioredis 6's `protocol`
// option (its default is 3). On connect ioredis 6 sends HELLO 3 (and falls
// back to RESP2 only if the server answers NOPROTO or unknown command),
// SELECT for `db`, CLIENT SETNAME, CLIENT SETINFO twice, then INFO as its
// ready check, waiting while INFO says loading:1. Then a few commands of
// every kind the server supports, each reply checked.
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
    for (const section of [connection, strings, expiry, lists, keys, pipeline, databases]) {
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
