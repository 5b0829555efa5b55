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
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import steps  # noqa: E402  (needs the path above)
from grading import RowResult, print_grade  # noqa: E402


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
    wanted = None
    if args.extension is not None:
        wanted = {n.strip() for n in args.extension.split(",") if n.strip()}
        wanted.discard("none")
    return steps.rows(6 if args.stage is None else args.stage, wanted)


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
        done = subprocess.run(argv, cwd=os.getcwd(), stdout=out,
                              stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
    data = {"stopped": None, "tests": []}
    if report.exists():
        with open(report) as f:
            data = json.load(f)
    failed = any(t["outcome"] == "failed" for t in data["tests"])
    if (not data["tests"] or done.returncode > 2) and not failed \
            and not data["stopped"]:
        # A usage error (a test without a step, a missing binary), or
        # pytest itself failing: pytest says why in its last lines.
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        data["stopped"] = "pytest ran no test:\n  " + "\n  ".join(tail)
    data["log"] = str(log)
    return data


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
        if not stages_ok:
            break
        result = RowResult(chapter, run_row(chapter, args, out_dir))
        results.append(result)
        if chapter.stage is not None and not result.complete:
            stages_ok = False
    print()
    rerun = ("--server-cmd " + shlex.quote(args.server_cmd) if args.server_cmd
             else "--build-dir " + args.build_dir)
    return 0 if print_grade(results, rows, rerun) else 1


if __name__ == "__main__":
    sys.exit(main())
