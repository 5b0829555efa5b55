#!/usr/bin/python3
"""make grade: how far a server has come, stage by stage and step by step.

Runs the integration suite one row at a time, each row the tests a stage
(or an extension of the final server) introduces: stage 0, stage 1, ...
stage 6, then each Part II extension. It stops at the first stage that is
not complete, and prints one table: every row with its steps passed, the
steps of the first incomplete row with the commands they cover, and the
explanation of the first failing step with the section of workshop.md to
read. pytest's own output of each row goes to <build>/grade/<row>.log.

    make grade SERVER='python3 /path/server.py --port {port}' [STAGE=N]
    make grade                      # the project's own binaries, each stage
                                    # graded on its own build/stageN
The exit status is 0 only when every row graded is complete.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import steps  # noqa: E402  (needs the path above)

EXPLANATION_LINES = 32   # the first failure's text is cut to this


def parse_args():
    parser = argparse.ArgumentParser(
        description="Grade a server stage by stage (see workshop.md, "
                    "'Running the tests').")
    parser.add_argument("--server-cmd", default=None,
                        help="the server to grade, with {port} (and "
                             "optionally {dir}); default: this project's "
                             "own build/stageN for each stage")
    parser.add_argument("--build-dir", default="build",
                        help="where this project's binaries are (build)")
    parser.add_argument("--stage", type=int, default=None,
                        help="grade stages 0..N only (no extensions below 6)")
    parser.add_argument("--extension", default=None,
                        help="Part II rows to grade: comma-separated names, "
                             "or 'none' (default: all of them)")
    return parser.parse_args()


def rows_to_grade(args):
    """The chapters to grade, in order: the stages, then the extensions."""
    last = 6 if args.stage is None else args.stage
    rows = [c for c in steps.CHAPTERS if c.stage is not None and c.stage <= last]
    if last < 6:
        return rows
    wanted = None
    if args.extension is not None:
        wanted = {n.strip() for n in args.extension.split(",") if n.strip()}
        wanted.discard("none")
    for chapter in steps.CHAPTERS:
        if chapter.extension and (wanted is None or chapter.extension in wanted):
            rows.append(chapter)
    return rows


def run_row(chapter, args, out_dir):
    """Run one row's tests; returns the parsed --grade-report."""
    name = chapter.row.replace(" ", "")
    report = out_dir / (name + ".json")
    log = out_dir / (name + ".log")
    if report.exists():
        report.unlink()
    stage = chapter.stage if chapter.stage is not None else 6
    argv = [sys.executable, "-m", "pytest", str(REPO / "tests" / "integration"),
            "-p", "no:cacheprovider", "-q", "--tb=short",
            "--stage", str(stage), "--only-stage",
            "--extension", chapter.extension or "none",
            "--grade-report", str(report)]
    if args.server_cmd:
        argv += ["--server-cmd", args.server_cmd]
    else:
        argv += ["--build-dir", args.build_dir]
    with open(log, "w") as out:
        subprocess.run(argv, cwd=os.getcwd(), stdout=out,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    data = {"stopped": None, "tests": []}
    if report.exists():
        with open(report) as f:
            data = json.load(f)
    if not data["tests"] and not data["stopped"]:
        # A usage error (a test without a step, a bad option): pytest says
        # why in its last lines.
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        data["stopped"] = "pytest ran no test:\n  " + "\n  ".join(tail)
    data["log"] = str(log)
    return data


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


def print_table(results, rows):
    print("%-13s %-46s %7s %9s" % ("", "concept", "steps", "tests"))
    graded = {r.chapter.number: r for r in results}
    for chapter in rows:
        result = graded.get(chapter.number)
        title = chapter.title if len(chapter.title) <= 46 else \
            chapter.title[:43] + "..."
        if result is None:
            print("%-13s %-46s %7s %9s  not graded" % (chapter.row, title, "-", "-"))
            continue
        done, total = result.steps_done()
        ok, count = result.tests_passed()
        mark = "complete" if result.complete else "INCOMPLETE"
        print("%-13s %-46s %7s %9s  %s" % (chapter.row, title,
                                           "%d/%d" % (done, total),
                                           "%d/%d" % (ok, count), mark))


def print_steps(result):
    print()
    print("%s, step by step:" % result.chapter.row.capitalize())
    for step in result.chapter.steps:
        commands = " ".join(step.commands)
        print("  %-4s %-50s %-8s %s" % (step.id, step.title[:50],
                                        result.step_state(step.id), commands))


def print_explanation(result, args):
    step, test = result.first_failure()
    print()
    if step is None:
        stopped = result.data.get("stopped") or "no test failed"
        print("The run stopped: %s" % stopped)
        print("Full output: %s" % result.data["log"])
        return
    print("The first failing step: %s, %s" % (step.id, step.title))
    print("  test: %s" % test["nodeid"].split("::", 1)[-1])
    print("  in:   %s" % test["nodeid"].split("::", 1)[0])
    # pytest's "+ where 2 = <bound method ...>" lines name redis-py's
    # objects, which the explanation below shows better.
    lines = [line for line in test["text"].rstrip().splitlines()
             if not re.match(r"E\s+\+\s+(where|and) ", line)]
    if len(lines) > EXPLANATION_LINES:
        # The explanation is at the end; the start of a traceback can go.
        lines = ["  ..."] + lines[-EXPLANATION_LINES:]
    for line in lines:
        print("  " + line if line else "")
    print("Full output: %s" % result.data["log"])
    print("This step alone: /usr/bin/python3 -m pytest tests/integration "
          "--step %s %s" % (step.id, "--server-cmd " + shlex.quote(
              args.server_cmd) if args.server_cmd else
              "--build-dir " + args.build_dir))


def main():
    args = parse_args()
    rows = rows_to_grade(args)
    out_dir = Path(args.build_dir) / "grade"
    out_dir.mkdir(parents=True, exist_ok=True)
    who = args.server_cmd or "this project's binaries (%s/stageN)" % args.build_dir
    print("Grading %s" % who)
    results = []
    stages_ok = True
    for chapter in rows:
        if chapter.stage is not None and not stages_ok:
            break
        if chapter.extension and not stages_ok:
            break
        result = RowResult(chapter, run_row(chapter, args, out_dir))
        results.append(result)
        if chapter.stage is not None and not result.complete:
            stages_ok = False
    print()
    print_table(results, rows)
    first_bad = next((r for r in results if not r.complete), None)
    if first_bad is None:
        print()
        print("Every row graded is complete.")
        return 0
    print_steps(first_bad)
    print_explanation(first_bad, args)
    return 1


if __name__ == "__main__":
    sys.exit(main())
