'use strict';
// What the node client scripts share: a list of checks, each a name, what
// the server replied and what Redis replies; a one-line verdict at the end.
// A failed check does not stop the script (you see every difference in one
// run); any failure makes the exit status 1.

const util = require('util');

// One line, however long: each failure is one line of the run's output.
const inspect = (value) => util.inspect(value, { breakLength: Infinity });

class Checker {
  constructor(label) {
    this.label = label;
    this.passed = 0;
    this.failures = [];
  }

  // Compares got with want (deep equality: arrays, objects, Buffers).
  expect(name, got, want) {
    if (util.isDeepStrictEqual(got, want)) {
      this.passed++;
    } else {
      this.fail(name, `got ${inspect(got)}, want ${inspect(want)}`);
    }
  }

  // Passes when test(got) is true; says what was expected otherwise.
  expectThat(name, got, test, what) {
    if (test(got)) {
      this.passed++;
    } else {
      this.fail(name, `got ${inspect(got)}, want ${what}`);
    }
  }

  // Runs fn, which must throw an error whose message contains text.
  async expectError(name, fn, text) {
    try {
      const got = await fn();
      this.fail(name, `got ${inspect(got)}, want an error containing ${inspect(text)}`);
    } catch (err) {
      this.expectThat(name, err.message, (m) => m.includes(text), `an error containing ${inspect(text)}`);
    }
  }

  // Like expectThat on the value fn() resolves to; an error fails this
  // check alone instead of ending the section that called it.
  async expectCall(name, fn, test, what) {
    try {
      this.expectThat(name, await fn(), test, what);
    } catch (err) {
      this.fail(name, `error ${inspect(err.message)}, want ${what}`);
    }
  }

  fail(name, detail) {
    this.failures.push(`${name}: ${detail}`);
    console.log(`FAIL ${this.label}: ${name}: ${detail}`);
  }

  // Prints the verdict and sets the exit status; returns true if all passed.
  finish() {
    const ok = this.failures.length === 0;
    console.log(`${this.label}: ${this.passed} checks passed, ${this.failures.length} failed`);
    process.exitCode = ok ? 0 : 1;
    return ok;
  }
}

// Ends the process with a message if the script is still running after
// seconds (a client stuck in its connect sequence retries silently).
function deadline(seconds, label, whatNow) {
  const timer = setTimeout(() => {
    console.log(`FAIL ${label}: still running after ${seconds} s (${whatNow()})`);
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// A blocking call (what: a name for it) on a connection of its own, watched
// while it waits: .done, then .value or .error, and .ms (how long it took).
// It never rejects (a rejection nobody awaits yet would end the process).
class Blocked {
  constructor(what, promise) {
    this.what = what;
    this.done = false;
    const start = Date.now();
    const end = () => {
      this.done = true;
      this.ms = Date.now() - start;
    };
    this.settled = promise.then(
      (value) => { this.value = value; end(); },
      (err) => { this.error = err; end(); });
  }

  // The value once settled, or 'error MESSAGE'. A call still blocked after
  // seconds throws: its connection is stuck, so its section cannot go on.
  async result(seconds = 3) {
    await Promise.race([this.settled, sleep(seconds * 1000)]);
    if (!this.done) {
      throw new Error(`${this.what}: still blocked after ${seconds} s (its connection is stuck: the rest of this section not run)`);
    }
    return this.error ? `error ${this.error.message}` : this.value;
  }
}

// Waits (up to ms) until test() is true; returns test()'s last value.
async function waitFor(test, ms = 2000) {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await sleep(10);
  return test();
}

// What the server lacks when message is an unknown command of Part II's
// chapters 14 to 16 (sorted sets, blocking, pub/sub): a hint for the line
// that reports a section stopped by it.
function needs(message) {
  const m = /unknown (sub)?command '([^']*)'/.exec(message);
  if (!m) return '';
  const name = m[2].toUpperCase();
  let chapter;
  if (/^(BL|BR|BZ)/.test(name) || name === 'UNBLOCK') {
    chapter = 'Part II chapter 15, blocking' + (name.startsWith('BZ') ? ' (and 14, sorted sets)' : '');
  } else if (name.startsWith('Z')) {
    chapter = 'Part II chapter 14, sorted sets';
  } else if (/SUBSCRIBE|PUBLISH|^PUBSUB$/.test(name)) {
    chapter = 'Part II chapter 16, pub/sub';
  } else {
    return '';
  }
  return ` (the rest of this section not run: the server needs ${chapter})`;
}

module.exports = { Checker, deadline, Blocked, sleep, waitFor, needs };
