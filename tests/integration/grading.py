"""The grade table: rows of steps, printed the same by make grade
(tests/grade.py, one pytest run per row) and by pytest --grade (one run).

A row is a chapter: a stage, or an extension of the final server. Its data
is what conftest's GradeReport collects: for each test, its step, its
outcome ("passed", "failed", "skipped", "not run") and, for a failure, the
text that explains it.
"""

import re

EXPLANATION_LINES = 32   # the first failure's text is cut to this


class RowResult:
    """One row of the table: per step, its tests' outcomes."""

    def __init__(self, chapter, data):
        self.chapter = chapter
        self.data = data
        self.by_step = {step.id: [] for step in chapter.steps}
        for test in data["tests"]:
            self.by_step.setdefault(test["step"], []).append(test)

    def step_state(self, step_id):
        tests = self.by_step.get(step_id, [])
        counted = [t for t in tests if t["outcome"] != "skipped"]
        failed = [t for t in counted if t["outcome"] == "failed"]
        passed = [t for t in counted if t["outcome"] == "passed"]
        if failed:
            return "FAILED"
        if not tests:
            return "no tests"
        if not counted:
            return "skipped"
        if len(passed) < len(counted):
            return "not run"
        return "passed"

    def steps_done(self):
        states = [self.step_state(s.id) for s in self.chapter.steps]
        done = sum(1 for s in states if s in ("passed", "skipped"))
        return done, len(states)

    def tests_passed(self):
        tests = [t for t in self.data["tests"] if t["outcome"] != "skipped"]
        return sum(1 for t in tests if t["outcome"] == "passed"), len(tests)

    @property
    def complete(self):
        done, total = self.steps_done()
        return done == total and not self.data.get("stopped")

    def first_failure(self):
        """(step, test) of the first failing test in step order."""
        for step in self.chapter.steps:
            for test in self.by_step.get(step.id, []):
                if test["outcome"] == "failed":
                    return step, test
        return None, None


def print_table(results, rows, out=print):
    """Every row: its steps and tests passed, or "not graded"."""
    out("%-13s %-46s %7s %9s" % ("", "concept", "steps", "tests"))
    graded = {r.chapter.number: r for r in results}
    for chapter in rows:
        result = graded.get(chapter.number)
        title = chapter.title if len(chapter.title) <= 46 else \
            chapter.title[:43] + "..."
        if result is None:
            out("%-13s %-46s %7s %9s  not graded" % (chapter.row, title, "-", "-"))
            continue
        done, total = result.steps_done()
        ok, count = result.tests_passed()
        mark = "complete" if result.complete else "INCOMPLETE"
        out("%-13s %-46s %7s %9s  %s" % (chapter.row, title,
                                           "%d/%d" % (done, total),
                                           "%d/%d" % (ok, count), mark))


def print_steps(result, out=print):
    """Each step of one row, its state and the commands it covers."""
    out("")
    out("%s, step by step:" % result.chapter.row.capitalize())
    for step in result.chapter.steps:
        commands = " ".join(step.commands)
        out("  %-4s %-50s %-8s %s" % (step.id, step.title[:50],
                                        result.step_state(step.id), commands))


def print_explanation(result, rerun, out=print):
    """The first failing step's test and explanation; `rerun` is the
    options that run this server again (--server-cmd ... or --build-dir)."""
    step, test = result.first_failure()
    out("")
    if step is None:
        stopped = result.data.get("stopped") or "no test failed"
        out("The run stopped: %s" % stopped)
        if result.data.get("log"):
            out("Full output: %s" % result.data["log"])
        return
    out("The first failing step: %s, %s" % (step.id, step.title))
    out("  test: %s" % test["nodeid"].split("::", 1)[-1])
    out("  in:   %s" % test["nodeid"].split("::", 1)[0])
    # pytest's "+ where 2 = <bound method ...>" lines name redis-py's
    # objects, which the explanation below shows better.
    lines = [line for line in test["text"].rstrip().splitlines()
             if not re.match(r"\s*(E\s+)?\+\s+(where|and) ", line)]
    if len(lines) > EXPLANATION_LINES:
        # The explanation is at the end; the start of a traceback can go.
        lines = ["  ..."] + lines[-EXPLANATION_LINES:]
    for line in lines:
        out("  " + line if line else "")
    if result.data.get("log"):
        out("Full output: %s" % result.data["log"])
    out("This step alone: /usr/bin/python3 -m pytest tests/integration "
          "--step %s %s" % (step.id, rerun))


def split_by_row(data, rows):
    """One run's tests (pytest --grade) as the RowResults of `rows`, each
    row that ran at least one test."""
    results = []
    for chapter in rows:
        ids = {step.id for step in chapter.steps}
        tests = [t for t in data["tests"] if t["step"] in ids]
        # A stop (no FLUSHALL ...) belongs to the row whose test it failed.
        stopped = data["stopped"] if data.get("stopped_step") in ids else None
        if any(t["outcome"] != "not run" for t in tests):
            results.append(RowResult(chapter, {"stopped": stopped,
                                               "tests": tests}))
    return results


def print_grade(results, rows, rerun, out=print):
    """The whole report: the table, then the first incomplete row's steps
    and the explanation of its first failure. True if every row graded is
    complete."""
    print_table(results, rows, out)
    first_bad = next((r for r in results if not r.complete), None)
    if first_bad is None:
        out("")
        out("Every row graded is complete.")
        return True
    print_steps(first_bad, out)
    print_explanation(first_bad, rerun, out)
    return False
