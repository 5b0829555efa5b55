"""Fixtures and options of the integration suite, shared by every stage.

One suite tests every stage. Each test module starts with
`pytestmark = pytest.mark.stage(N)`, N being the stage that introduces the
behaviour it tests, so a stage-N server must pass the modules of stages 0..N.

Options:
  --stage N          test build/stageN and skip the modules of later stages
                     (default: the highest stages/stageN folder that exists)
  --server-cmd CMD   test any server instead of ours, e.g. the real one:
                     --server-cmd "redis-server --port {port} --dir {dir}
                     --save '' --appendonly no". Tests marked project_only
                     (our binary's own command line) are skipped then.
  --wrapper PREFIX   run our binary under PREFIX, e.g. "valgrind
                     --error-exitcode=99 --leak-check=full"; a server that
                     exits with code 99 after SIGTERM fails the test
  --build-dir DIR    take the binaries from DIR instead of build/ (build/asan)
  --startup-timeout  seconds a server may take to accept connections (10)
  --extension NAMES  Part II: run only the tests of these extensions of the
                     final server (comma-separated, e.g. "transactions,hashes"),
                     or "none" to run the stages without any extension

Extensions of the final server (workshop.md Part II) are stage 6 modules
that also say `pytest.mark.extension("name")`: a learner who has built
stage 6 grades one extension at a time with --extension name.

Every server gets a free port on 127.0.0.1 (never 6379), its own temporary
directory as working directory, and a log file there with its stdout and
stderr. It is stopped by PID with SIGTERM (SIGKILL if it does not exit), also
when a test fails; a failing test prints the tail of that log.
"""

import copy
import json
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

import explain
import grading
import steps

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent          # tests/integration -> repository root
STAGES_DIR = REPO / "stages"
FALLBACK_STAGE = 2                 # used while no stages/stageN folder exists
LOG_TAIL_LINES = 30
REDIS_DEFAULT_PORT = 6379          # a developer's own Redis: never touch it


# ---------------------------------------------------------------------------
# Options and configuration
# ---------------------------------------------------------------------------

def default_stage():
    """The highest N for which stages/stageN exists, else FALLBACK_STAGE."""
    found = []
    if STAGES_DIR.is_dir():
        for entry in STAGES_DIR.iterdir():
            name = entry.name
            if entry.is_dir() and name.startswith("stage") and name[5:].isdigit():
                found.append(int(name[5:]))
    return max(found) if found else FALLBACK_STAGE


def pytest_addoption(parser):
    group = parser.getgroup("workshop", "Redis workshop integration suite")
    group.addoption("--stage", type=int, default=None,
                    help="stage under test: runs the tests of stages <= N "
                         "against build/stageN (default: highest "
                         "stages/stageN folder, else %d)" % FALLBACK_STAGE)
    group.addoption("--server-cmd", default=None,
                    help="command starting the server under test, with "
                         "{port} and {dir} placeholders; skips project_only "
                         "tests")
    group.addoption("--wrapper", default="",
                    help="prefix for our binary's command line, e.g. "
                         "'valgrind --error-exitcode=99'")
    group.addoption("--build-dir", default="build",
                    help="directory holding the stage binaries (default: "
                         "build), relative to the repository root")
    group.addoption("--startup-timeout", type=float, default=10.0,
                    help="seconds a server may take to accept connections")
    group.addoption("--extension", default=None,
                    help="Part II: only the tests of these extensions "
                         "(comma-separated names), or 'none' for the "
                         "stages alone")
    group.addoption("--step", default=None,
                    help="only the tests of this step, e.g. 1c (--stage "
                         "defaults to the step's stage)")
    group.addoption("--grade", action="store_true",
                    help="grade the server as make grade does: the tests in "
                         "step order, stopping after the first stage not "
                         "complete, and the grade table at the end")
    group.addoption("--grade-report", default=None, metavar="PATH",
                    help="write each test's step and outcome, and the "
                         "explanation of each failure, to PATH as JSON "
                         "(what make grade reads)")
    group.addoption("--only-stage", action="store_true",
                    help="only the tests the stage under test introduces, "
                         "not those of earlier stages (what make grade runs "
                         "for one row of its table)")


class SuiteConfig:
    """What the command line asked for, in one place."""

    def __init__(self, config):
        self.step = None
        step_id = config.getoption("--step")
        if step_id is not None:
            self.step = steps.find(step_id)
            if self.step is None:
                raise pytest.UsageError(
                    "--step %s: no such step (steps are listed in "
                    "tests/integration/steps/)" % step_id)
        stage = config.getoption("--stage")
        if stage is None and self.step is not None:
            stage = steps.stage_of_step(self.step)
        self.stage = default_stage() if stage is None else stage
        self.only_stage = config.getoption("--only-stage")
        if self.step is not None and config.getoption("--grade"):
            raise pytest.UsageError("--grade grades whole stages: leave out "
                                    "--step")
        self.stopped = None  # why the session stopped early, if it did
        self.stopped_step = None            # in the test of which step
        self.any_server_started = False
        self.server_cmd = config.getoption("--server-cmd")
        self.wrapper = shlex.split(config.getoption("--wrapper") or "")
        build_dir = Path(config.getoption("--build-dir"))
        self.build_dir = build_dir if build_dir.is_absolute() else REPO / build_dir
        self.startup_timeout = config.getoption("--startup-timeout")
        extension = config.getoption("--extension")
        # None: every test; an empty set: no extension (--extension none).
        self.extensions = None
        if extension is not None:
            names = [n.strip() for n in extension.split(",") if n.strip()]
            self.extensions = set() if names == ["none"] else set(names)
        # SIGTERM -> exit: give a slow wrapper (valgrind's leak check) at least
        # as long as it was given to start.
        self.stop_timeout = max(10.0, self.startup_timeout)

    @property
    def binary(self):
        return self.build_dir / ("stage%d" % self.stage)

    @property
    def under_valgrind(self):
        return any("valgrind" in word for word in self.wrapper)

    @property
    def own_binary(self):
        """True when the server under test is this project's binary."""
        return not self.server_cmd

    def describe(self):
        if self.server_cmd:
            return "stages 0..%d against --server-cmd %r%s" % (
                self.stage, self.server_cmd, self.describe_extensions())
        text = "stages 0..%d against %s" % (self.stage, self.binary)
        if self.wrapper:
            text += " under %r" % " ".join(self.wrapper)
        return text + self.describe_extensions()

    def describe_extensions(self):
        if self.extensions is None:
            return ""
        if not self.extensions:
            return ", no extensions"
        return ", only extensions " + ",".join(sorted(self.extensions))

    def rerun(self):
        """The options that test this server again."""
        if self.server_cmd:
            return "--server-cmd " + shlex.quote(self.server_cmd)
        return "--build-dir " + shlex.quote(str(self.build_dir))

    def selects(self, item):
        """False for a test --extension, --step or --only-stage leaves out,
        or one of a later stage than the one under test."""
        introduced = stage_of(item)
        if introduced > self.stage:
            return False
        if self.only_stage and introduced != self.stage:
            return False
        if self.step is not None and step_of(item) is not self.step:
            return False
        marker = item.get_closest_marker("extension")
        if self.extensions is None:
            return True
        if marker is None:
            return not self.extensions
        return marker.args[0] in self.extensions


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "stage(n): the stage that introduces the behaviour tested")
    config.addinivalue_line(
        "markers", "project_only: behaviour only this project has (our "
                   "binary's command line, log format); skipped with "
                   "--server-cmd")
    config.addinivalue_line(
        "markers", "extension(name): a Part II extension of the final "
                   "server (stage 6), selected with --extension name")
    config.addinivalue_line(
        "markers", "step(id): the step of its chapter the test checks, e.g. "
                   "step(\"1c\"); listed in tests/integration/steps/")
    config.addinivalue_line(
        "markers", "long_double: checks digits only 80-bit long double "
                   "arithmetic gives (INCRBYFLOAT); skipped under valgrind, "
                   "whose x87 emulation has 64-bit precision")
    config.workshop = SuiteConfig(config)
    path = config.getoption("--grade-report")
    grading = config.getoption("--grade")
    if path or grading:
        config.pluginmanager.register(GradeReport(path, grading),
                                      "workshop-grade")
    if grading:
        # The table explains the first failure; pytest's own report of
        # every failure would bury it.
        config.option.tbstyle = "no"
        config.option.reportchars = ""


class GradeReport:
    """Each selected test's step and outcome: written as JSON for
    tests/grade.py (--grade-report PATH), or shown as the grade table
    (--grade)."""

    NOT_RUN = "not run: its step has already failed"
    NOT_GRADED = "not run: an earlier stage is not complete"

    def __init__(self, path, grading):
        self.path = path
        self.grading = grading
        self.tests = {}     # nodeid -> record, in collection order
        self.failed_steps = set()
        self.failed_stages = set()

    def pytest_runtest_setup(self, item):
        # One failure is enough to mark a step as failing, and against a
        # server that is not there yet each further test could wait for a
        # timeout: the rest of a failing step is not run.
        if step_of(item).id in self.failed_steps:
            pytest.skip(self.NOT_RUN)
        # Graded in one run, the tests come row by row (step order): the
        # first test past a stage that failed ends the run.
        chapter = chapter_of(item)
        if self.grading and any(n < chapter.number for n in self.failed_stages):
            item.session.shouldstop = "a stage is not complete"
            pytest.skip(self.NOT_GRADED)

    @pytest.hookimpl(trylast=True)  # after the selection above
    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.tests[item.nodeid] = {"step": step_of(item).id,
                                       "outcome": "not run", "text": ""}

    def pytest_runtest_logreport(self, report):
        test = self.tests.get(report.nodeid)
        if test is None:
            return
        if report.failed:
            self.failed_steps.add(test["step"])
            chapter = steps.chapter_of_step(steps.find(test["step"]))
            if chapter.stage is not None:
                self.failed_stages.add(chapter.number)
            if test["outcome"] != "failed":
                test["outcome"] = "failed"
                sections = "".join("\n--- %s ---\n%s" % (name, text)
                                   for name, text in report.sections
                                   if name == "explanation")
                test["text"] = report.longreprtext + sections
        elif report.skipped and test["outcome"] == "not run":
            reason = report.longrepr[2] if isinstance(report.longrepr,
                                                      tuple) else ""
            if reason not in ("Skipped: " + self.NOT_RUN,
                              "Skipped: " + self.NOT_GRADED):
                test["outcome"] = "skipped"
        elif report.when == "call" and report.passed \
                and test["outcome"] == "not run":
            test["outcome"] = "passed"

    def data(self, config):
        return {"stopped": config.workshop.stopped,
                "stopped_step": config.workshop.stopped_step,
                "tests": [dict(nodeid=k, **v) for k, v in self.tests.items()]}

    def pytest_sessionfinish(self, session):
        if self.path:
            with open(self.path, "w") as out:
                json.dump(self.data(session.config), out, indent=1)

    def pytest_terminal_summary(self, terminalreporter, config):
        if self.grading:
            suite = config.workshop
            rows = steps.rows(suite.stage, suite.extensions)
            results = grading.split_by_row(self.data(config), rows)
            terminalreporter.write_line("")
            grading.print_grade(results, rows, suite.rerun(),
                                terminalreporter.write_line)


def pytest_report_header(config):
    return "workshop: " + config.workshop.describe()


def stage_of(item):
    """The stage that introduces the behaviour `item` tests."""
    marker = item.get_closest_marker("stage")
    if marker is None or not marker.args:
        raise pytest.UsageError(
            "%s has no stage marker: start its module with "
            "`pytestmark = pytest.mark.stage(N)`" % item.nodeid)
    return marker.args[0]


def chapter_of(item):
    """The chapter (steps.Chapter) whose steps `item` belongs to."""
    marker = item.get_closest_marker("extension")
    if marker is not None:
        chapter = steps.chapter_of_extension(marker.args[0])
    else:
        chapter = steps.chapter_of_stage(stage_of(item))
    if chapter is None:
        raise pytest.UsageError("%s: no chapter in tests/integration/steps/ "
                                "has its stage or extension" % item.nodeid)
    return chapter


def step_of(item):
    """The steps.Step `item` checks, from its step("1c") marker; checked
    once, at collection, and kept on the item."""
    if hasattr(item, "workshop_step"):
        return item.workshop_step
    marker = item.get_closest_marker("step")
    if marker is None or not marker.args:
        raise pytest.UsageError(
            "%s has no step marker: say which step it checks with "
            "@pytest.mark.step(\"1c\") (steps are listed in "
            "tests/integration/steps/)" % item.nodeid)
    step = steps.find(marker.args[0])
    if step is None:
        raise pytest.UsageError("%s: no step %r in tests/integration/steps/"
                                % (item.nodeid, marker.args[0]))
    chapter = chapter_of(item)
    if step.chapter != chapter.number:
        raise pytest.UsageError(
            "%s: step %s is in chapter %d, but the test belongs to chapter "
            "%d (%s)" % (item.nodeid, step.id, step.chapter, chapter.number,
                         chapter.row))
    item.workshop_step = step
    return step


def pytest_collection_modifyitems(config, items):
    suite = config.workshop
    for item in items:
        step_of(item)  # every test names a step of its own chapter
    selected, dropped = [], []
    for item in items:
        (selected if suite.selects(item) else dropped).append(item)
    suite.later_stage_tests = sum(1 for item in items
                                  if stage_of(item) > suite.stage)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = selected
    if config.getoption("--grade-report") or config.getoption("--grade"):
        # Graded, the tests run in the order a learner builds the steps, so
        # that what fails first is the earliest step (modules interleave,
        # and a module's server is started again when its turn comes back).
        items.sort(key=lambda item: steps.ORDER[step_of(item).id])
    for item in items:
        if suite.server_cmd and item.get_closest_marker("project_only"):
            item.add_marker(pytest.mark.skip(
                reason="project-only behaviour, not tested with --server-cmd"))
        elif suite.under_valgrind and item.get_closest_marker("long_double"):
            item.add_marker(pytest.mark.skip(
                reason="valgrind computes long doubles with 64-bit precision"))


# ---------------------------------------------------------------------------
# Starting and stopping servers
# ---------------------------------------------------------------------------

def free_port():
    """A TCP port nobody listens on right now (the kernel picks it)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != REDIS_DEFAULT_PORT:
            return port


def describe_exit(code):
    if code is None:
        return "still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "signal %d" % -code
        return "killed by %s" % name
    return "exit code %d" % code


class ServerFailed(Exception):
    """The server could not be started; the message says why."""


class ServerProcess:
    """One server process: its command line, port, directory and log."""

    def __init__(self, suite, workdir, extra_args=(), config_file=None):
        self.suite = suite
        self.workdir = Path(workdir)
        self.host = "127.0.0.1"
        self.port = free_port()
        self.log_path = self.workdir / "server.log"
        self.own_binary = suite.own_binary
        # Redis reads a config file only as its first argument, before any
        # --option: it goes right after the program (stage 6).
        self.config_file = config_file
        self.argv = self._argv(list(extra_args))
        self.proc = None
        self.log_offset = 0            # size of the log when it started
        self.stopped_by_suite = False  # we sent the signal that ended it
        self.killed = False            # it ignored SIGTERM and got SIGKILL
        self.exit_checked = False      # a test asserted on the exit itself

    def _argv(self, extra):
        conf = [] if self.config_file is None else [str(self.config_file)]
        if self.suite.server_cmd:
            # Only {port} and {dir} are replaced: other braces (${HOME} in
            # a shell line) are the learner's.
            line = self.suite.server_cmd.replace("{port}", str(self.port))
            argv = shlex.split(line.replace("{dir}", str(self.workdir)))
            # The server runs inside its temp dir, so a relative program
            # path (./myserver), or a script's (python3 server.py), is
            # resolved where pytest was started.
            for i, word in enumerate(argv):
                relative = not os.path.isabs(word) and not word.startswith("-")
                if relative and ((i == 0 and "/" in word) or
                                 (i > 0 and os.path.isfile(word))):
                    argv[i] = os.path.abspath(word)
            return argv[:1] + conf + argv[1:] + extra
        # Stage 6 logs to an append-only file by default; the suite runs it
        # as the oracle is run (--appendonly no), and tests that need the
        # file turn it on, as they do for redis-server.
        defaults = ["--appendonly", "no"] if self.suite.stage >= 6 else []
        return (self.suite.wrapper + [str(self.suite.binary)] + conf +
                ["--port", str(self.port)] + defaults + extra)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def describe(self):
        return "pid %s, port %d, log %s" % (self.pid, self.port, self.log_path)

    def start(self):
        # A server restarted in the same directory appends to the same log;
        # log_since_start() reads only what this process wrote.
        try:
            self.log_offset = self.log_path.stat().st_size
        except OSError:
            self.log_offset = 0
        with open(self.log_path, "ab") as log:
            try:
                self.proc = subprocess.Popen(self.argv, cwd=self.workdir,
                                             stdin=subprocess.DEVNULL,
                                             stdout=log,
                                             stderr=subprocess.STDOUT)
            except OSError as exc:
                raise ServerFailed("the command cannot be run (%s)" % exc)
        deadline = time.monotonic() + self.suite.startup_timeout
        while True:
            code = self.proc.poll()
            if code is not None:
                raise ServerFailed(
                    "the server exited before accepting connections (%s)"
                    % describe_exit(code))
            try:
                with socket.create_connection((self.host, self.port),
                                              timeout=0.5):
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise ServerFailed(
                    "the server did not accept connections on port %d within "
                    "%.0f s (raise --startup-timeout for slow wrappers)"
                    % (self.port, self.suite.startup_timeout))
            time.sleep(0.01)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum):
        """Send `signum` to the server, by PID."""
        self.stopped_by_suite = True
        self.proc.send_signal(signum)

    def wait(self, timeout=None):
        """Wait for the process to exit; SIGKILL it after `timeout`."""
        timeout = self.suite.stop_timeout if timeout is None else timeout
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.killed = True
            self.proc.kill()
            return self.proc.wait()

    def stop(self):
        """SIGTERM, wait, SIGKILL if needed. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
        return self.wait()

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_since_start(self):
        """The log written since this process started (see start())."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self.log_offset)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines=LOG_TAIL_LINES):
        text = self.log_text().splitlines()
        if not text:
            return "(the log is empty)"
        return "\n".join(text[-lines:])

    def check_stopped_cleanly(self):
        """Fail if the stop revealed a problem in our own binary.

        Valgrind and the sanitizers report memory errors and leaks through
        the exit status, which they can only do when the server exits, so
        this runs after SIGTERM, in the finalizers. A server that had to be
        killed fails too.
        """
        if not self.own_binary or self.proc is None or self.exit_checked:
            return
        code = self.proc.returncode
        if self.killed:
            pytest.fail("The server (%s) did not exit within %.0f s of "
                        "SIGTERM and was killed. It should exit promptly.\n"
                        "Log tail:\n%s" % (self.describe(),
                                           self.suite.stop_timeout,
                                           self.log_tail()), pytrace=False)
        # 99 is valgrind's --error-exitcode in `make valgrind`. A sanitizer
        # build exits with its own code (ASan 1, LSan 23) unless told
        # otherwise, so with a wrapper or another build dir any positive
        # status counts. A negative one (killed by the signal) is left alone:
        # the hand-written stage 0 may not catch SIGTERM at all.
        checked = self.suite.wrapper or self.suite.build_dir != REPO / "build"
        if code == 99 or (checked and code is not None and code > 0):
            pytest.fail("The server (%s) exited with code %d after SIGTERM: "
                        "the wrapper or sanitizer found memory errors or "
                        "leaks.\nLog tail:\n%s"
                        % (self.describe(), code, self.log_tail(80)),
                        pytrace=False)


def launch(suite, workdir, extra_args=(), config_file=None):
    """Start a server in `workdir`; retry if its port got taken meanwhile."""
    for attempt in range(3):
        server = ServerProcess(suite, workdir, extra_args, config_file)
        try:
            started = server.start()
            suite.any_server_started = True
            return started
        except ServerFailed as exc:
            problem = str(exc)
        if attempt < 2 and "in use" in server.log_since_start().lower():
            continue  # lost the race for the free port: pick another
        break
    pytest.fail("Could not start the server: %s.\n  command: %s\n"
                "Log tail (%s):\n%s"
                % (problem, shlex.join(server.argv), server.log_path,
                   server.log_tail()), pytrace=False)


class ModuleServer:
    """The server one test module shares; restarted if a test killed it."""

    def __init__(self, suite, tmp_path_factory, name):
        self.suite = suite
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.current = None
        self.finished = []  # earlier processes of this module, all stopped
        self.start_error = None  # why the server could not start, if so

    def ensure(self):
        if self.start_error is not None:
            # Do not wait --startup-timeout again for every test of the module.
            pytest.fail("(an earlier test of this module could not start the "
                        "server)\n" + self.start_error, pytrace=False)
        if self.current is None or not self.current.alive():
            if self.current is not None:
                self.finished.append(self.current)
            workdir = self.tmp_path_factory.mktemp(self.name)
            try:
                self.current = launch(self.suite, workdir)
            except pytest.fail.Exception as exc:
                self.start_error = str(exc)
                raise
        return self.current


def stop_session(request, message):
    """Fail this test with `message` and run no more: what every later test
    would fail on too (no server, no FLUSHALL) is said once."""
    request.config.workshop.stopped = message
    request.config.workshop.stopped_step = step_of(request.node).id
    request.session.shouldstop = message.splitlines()[0]
    pytest.fail(message, pytrace=False)


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def suite(request):
    """The suite's configuration (stage, server command, wrapper ...)."""
    suite = request.config.workshop
    if suite.own_binary and not suite.binary.is_file():
        pytest.exit("%s does not exist: build it first (`make stage%d`), pick "
                    "another --stage or --build-dir, or test another server "
                    "with --server-cmd." % (suite.binary, suite.stage),
                    returncode=4)
    return suite


@pytest.fixture(scope="module")
def _module_server(request, suite, tmp_path_factory):
    name = "stage%d-%s" % (suite.stage, request.module.__name__)
    shared = ModuleServer(suite, tmp_path_factory, name)
    yield shared
    if shared.current is not None:
        shared.current.stop()
        shared.current.check_stopped_cleanly()


@pytest.fixture
def server(request, _module_server):
    """The module's server, (re)started if needed and checked after the test.

    If the process died during the test (a crash, an exit), the test fails
    with the log tail, and the next test gets a fresh server. A server that
    does not start at all stops the session: no test can pass without it.
    """
    # A server that never started in this run will not start for the next
    # module either; one that did and fails now is this module's problem.
    never_started = not request.config.workshop.any_server_started
    problem = None
    try:
        process = _module_server.ensure()
    except pytest.fail.Exception as exc:
        if not never_started:
            raise
        problem = str(exc)
    if problem is not None:
        stop_session(request, problem)
    yield process
    if not process.alive() and not process.stopped_by_suite:
        pytest.fail("The server exited during this test (%s).\nLog tail (%s):"
                    "\n%s" % (describe_exit(process.proc.returncode),
                              process.log_path, process.log_tail()),
                    pytrace=False)


@pytest.fixture
def transcript(request):
    """What the test's connections sent and received (explain.Transcript),
    turned into the explanation of a failure."""
    request.node.transcript = explain.Transcript()
    return request.node.transcript


@pytest.fixture
def r(request, server, suite, transcript):
    """A redis-py client of the module's server; FLUSHALL first (for the
    tests of stage 2 on).

    A server that does not know FLUSHALL cannot run any test that needs an
    empty database: the session stops at once, saying what to build first,
    instead of failing every test the same way.
    """
    client = explain.recording_client(server.host, server.port, transcript,
                                      socket_timeout=10,
                                      decode_responses=False)
    if stage_of(request.node) >= 2:
        unknown = False
        try:
            client.flushall()
        except redis.ResponseError as exc:
            if "unknown command" not in str(exc):
                raise
            unknown = True
        if unknown:
            stop_session(request, "From stage 2 on, every test starts "
                         "with FLUSHALL, which this server does not know: "
                         "%s." % explain.missing_command_advice("FLUSHALL"))
    yield client
    client.close()
    client.connection_pool.disconnect()


@pytest.fixture
def connect(server, transcript):
    """connect() opens a RawConnection to the module's server.

    Every connection it opened is closed after the test. Stage 0 serves one
    client at a time, so its tests close each connection before opening the
    next one.
    """
    from helpers import RawConnection
    opened = []

    def _connect(timeout=None):
        kwargs = {} if timeout is None else {"timeout": timeout}
        conn = RawConnection(server.host, server.port, **kwargs)
        conn.sock = explain.RecordingSocket(conn.sock, transcript)
        opened.append(conn)
        return conn

    yield _connect
    for conn in opened:
        conn.close()


class ServerFactory:
    """Starts fresh servers for one test and stops them all afterwards."""

    def __init__(self, suite, tmp_path_factory, name):
        self.suite = suite
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.servers = []

    def start(self, *extra_args, dir=None, config_file=None):
        """Start a server with `extra_args` after the usual ones.

        It gets a fresh directory, or, with dir=, that existing directory:
        dir=old.workdir restarts a stopped server on the files it left
        (the append-only file of stage 5). Its log is appended to the same
        server.log; ServerProcess.log_since_start() reads this run's part.
        With config_file=path the server reads that config file: the path
        is its first argument, before the options, as Redis wants it.
        """
        if dir is None:
            workdir = self.tmp_path_factory.mktemp(self.name)
        else:
            workdir = Path(dir)
        server = launch(self.suite, workdir, extra_args, config_file)
        self.servers.append(server)
        return server

    def run_until_exit(self, *extra_args, config_file=None, timeout=10.0):
        """Run the server under test with a command line it should refuse.

        The command line is the one start() would use. Returns (exit status,
        output), stdout and stderr merged; a server still running after
        `timeout` seconds is killed and its status is None.
        """
        workdir = self.tmp_path_factory.mktemp(self.name)
        server = ServerProcess(self.suite, workdir, extra_args, config_file)
        try:
            done = subprocess.run(server.argv, cwd=workdir,
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            output = (exc.output or b"").decode(errors="replace")
            return None, output
        return done.returncode, done.stdout.decode(errors="replace")

    def start_other(self, server_cmd, *extra_args, dir=None):
        """Like start(), but runs `server_cmd`, not the server under test.

        `server_cmd` is a --server-cmd style line with {port} and {dir}. The
        stage 5 interop tests start the real redis-server next to our binary
        this way; it is stopped with the others after the test.
        """
        other = copy.copy(self.suite)
        other.server_cmd = server_cmd
        other.wrapper = []
        workdir = (self.tmp_path_factory.mktemp(self.name) if dir is None
                   else Path(dir))
        server = launch(other, workdir, extra_args)
        self.servers.append(server)
        return server

    def stop_all(self):
        for server in self.servers:
            server.stop()
        for server in self.servers:
            server.check_stopped_cleanly()


@pytest.fixture
def server_factory(request, suite, tmp_path_factory):
    """server_factory.start(*extra_args): a fresh server for this test only.

    server_factory.start(*extra_args, dir=path) starts it in an existing
    directory instead, e.g. to restart a server on the files it wrote.
    """
    factory = ServerFactory(suite, tmp_path_factory,
                            "fresh-" + request.node.name[:40])
    yield factory
    factory.stop_all()


@pytest.fixture
def run_binary(suite, tmp_path):
    """run_binary(*args): run our binary (under the wrapper) to completion.

    Returns (exit status, output lines), stdout and stderr merged, with the
    wrapper's own lines (valgrind's "==PID==") left out.
    """
    def _run(*args, timeout=None):
        argv = suite.wrapper + [str(suite.binary)] + list(args)
        done = subprocess.run(argv, cwd=tmp_path, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout or suite.stop_timeout)
        lines = [line for line in
                 done.stdout.decode(errors="replace").splitlines()
                 if line.strip() and not _is_wrapper_line(line)]
        return done.returncode, lines
    return _run


def _is_wrapper_line(line):
    """Valgrind prefixes its lines with ==PID== or --PID--."""
    for mark in ("==", "--"):
        if line.startswith(mark):
            end = line.find(mark, 2)
            if end > 2 and line[2:end].isdigit():
                return True
    return False


# ---------------------------------------------------------------------------
# On failure: the tail of every server log the test used
# ---------------------------------------------------------------------------

def _servers_of(item):
    found = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, ServerProcess):
            found.append(value)
        elif isinstance(value, ServerFactory):
            found.extend(value.servers)
    unique = []
    for server in found:
        if server not in unique:
            unique.append(server)
    return unique


def failure_explanation(item, report):
    """The step's hint and section, after what the test sent and received
    (left out when the assertion already showed it, as expect_reply does)."""
    transcript = getattr(item, "transcript", None)
    if transcript is None or "Redis replies:" in report.longreprtext:
        transcript = explain.Transcript()
    try:
        return explain.explanation(transcript, step_of(item),
                                   item.config.workshop)
    except Exception as exc:    # never hide the failure it should explain
        return "(no explanation: %s: %s)" % (type(exc).__name__, exc)


def pytest_terminal_summary(terminalreporter, config):
    """One line on the tests of later stages, which are not run."""
    later = getattr(config.workshop, "later_stage_tests", 0)
    if later:
        terminalreporter.write_line(
            "workshop: %d tests of stages after %d deselected (run with "
            "--stage N to include them)" % (later, config.workshop.stage))


def _outside_redis_py(entry):
    path = str(entry.path)
    return "/redis/" not in path and not path.endswith("/explain.py")


def _without_redis_py_frames(item, call, report):
    """A reply redis-py raised as an exception is explained below; the
    frames inside redis-py that raised it say nothing to a learner."""
    excinfo = call.excinfo
    if excinfo is None or not excinfo.errisinstance(redis.RedisError):
        return
    traceback = excinfo.traceback.cut(path=item.path)
    excinfo.traceback = traceback.filter(_outside_redis_py)
    style = item.config.getoption("tbstyle", "auto")
    report.longrepr = excinfo.getrepr(
        style="long" if style == "auto" else style, tbfilter=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        if item.config.getoption("tbstyle", "auto") not in ("no", "line"):
            _without_redis_py_frames(item, call, report)
        report.sections.append(("explanation", failure_explanation(item,
                                                                   report)))
        for server in _servers_of(item):
            report.sections.append((
                "server log tail (%s)" % server.describe(),
                server.log_tail()))
