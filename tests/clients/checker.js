'use strict';
// What the node client scripts share: a list of checks, each a name, what
// the server replied and what Redis replies; a one-line verdict at the end.
// A failed check does not stop the script (you see every difference in one
// run); any failure makes the exit status 1.

const util = require('util');

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
      this.fail(name, `got ${util.inspect(got)}, want ${util.inspect(want)}`);
    }
  }

  // Passes when test(got) is true; says what was expected otherwise.
  expectThat(name, got, test, what) {
    if (test(got)) {
      this.passed++;
    } else {
      this.fail(name, `got ${util.inspect(got)}, want ${what}`);
    }
  }

  // Runs fn, which must throw an error whose message contains text.
  async expectError(name, fn, text) {
    try {
      const got = await fn();
      this.fail(name, `got ${util.inspect(got)}, want an error containing ${util.inspect(text)}`);
    } catch (err) {
      this.expectThat(name, err.message, (m) => m.includes(text), `an error containing ${util.inspect(text)}`);
    }
  }

  // Like expectThat on the value fn() resolves to; an error fails this
  // check alone instead of ending the section that called it.
  async expectCall(name, fn, test, what) {
    try {
      this.expectThat(name, await fn(), test, what);
    } catch (err) {
      this.fail(name, `error ${util.inspect(err.message)}, want ${what}`);
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

module.exports = { Checker, deadline };
