#!/usr/bin/python3
"""Check README.md, workshop.md and docs/*.md against the code (`make docs-check`).

One line per problem, "document:line: what is wrong, and what to do"; exit 1 if any:
  1. a function `like_this()` (in backticks or a code block; after `server_enable_aof()`,
     `_threads()` reads server_enable_threads) that no .c/.h under common/ seed/ stages/
     tools/ defines or declares;
  2. a `file.c:function` (anywhere in a document: workshop.md's reading orders are made
     of them) whose file does not define that function (a declaration is not enough),
     or a `file.h:name` whose header neither declares nor defines that name;
     workshop.md's "Where it lives in this project" sections without such a reading order;
  3. a file or folder in backticks or a link that exists neither from the root nor
     under common/ (`io/loop.c` is common/io/loop.c; build/ paths are skipped);
  4. any mention of DESIGN.md, anywhere in the repository: it is not in it;
  5. a figure quoted from the code (FIGURES) that is no longer true;
  6. a step of tests/integration/steps (what `make grade` grades) that its chapter's
     "Build it yourself, step by step" section of workshop.md does not teach under a
     line starting "**Step <id>: <title>", in the order of the chapter's step file.
To fix one, write the name, path or figure as it is now in the document; only a name
that is not the project's (libc, POSIX, Redis, a client) goes in the lists below.
Usage: /usr/bin/python3 ci/check-docs.py [path/to/stage6]     (default build/stage6)
"""
import functools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE6 = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "build/stage6"
SOURCE_DIRS = ("common", "seed", "stages", "tools")
SKIPPED_DIRS = {".git", "build", "node_modules", "__pycache__", ".pytest_cache"}
ALLOWED_FUNCTIONS = {
    # C library, POSIX, Linux, glibc
    "read", "write", "epoll_wait", "fsync", "fdatasync", "fork", "memcmp", "malloc", "free",
    "accept", "listen", "bind", "socket", "getaddrinfo", "rename", "strtol", "getcwd", "close",
    "shutdown", "pthread_mutex_lock", "pthread_mutex_trylock", "malloc_usable_size",
    "malloc_consolidate",
    # Redis's own, which the documents cite as Redis's
    "keyIsExpired", "dbSwapDatabases", "sdssplitargs", "processCommand",
    # the clients' (redis-py, ioredis, node-redis)
    "pipeline", "multi", "execAsPipeline", "transaction", "watch", "scanStream", "scan_iter",
    "hscan_iter", "sscan_iter", "hscanStream", "sscanStream", "scanIterator",
    # the workshop's pseudocode, for learners to write in their own words
    "now_ms", "before_sleep",
}
NOT_OUR_FILES = {"ae.c", "anet.c", "server.py", "other.conf"}  # Redis's sources, examples
NOT_OUR_DIRS = ("appendonlydir/", "src/", "DIR/", "unit/")  # Redis 7's AOF folder, Redis's tree, placeholder, its test units
PATH_EXTENSIONS = (".c", ".h", ".py", ".sh", ".md", ".conf", ".yml", ".json", ".mk")

# Figures the documents quote from the code: what it is, the phrasings that
# quote it (group 1: the figure, in digits or words), how to compute it.
FIGURES = [
    ("the line count of stages/stage0/main.c",
     [r"[Ss]tage\s+0's\s+(\w+)\s+(?:hand-written\s+)?lines", r"stage0/main\.c`?\s+\((\w+)\s+lines"],
     lambda: len((ROOT / "stages/stage0/main.c").read_text().splitlines())),
    ("the number of CONFIG parameters (the rows of config_table in common/server/config.c)",
     [r"CONFIG\**\s+knows\s+(\w+)\s+parameters", r"\b(\w+)\s+CONFIG\s+parameters"],
     lambda: len(re.findall(r'^\s*\{\.name = "[\w-]+"',
                            (ROOT / "common/server/config.c").read_text(), re.M))),
    ("COMMAND COUNT of stage 6",
     [r"\b(\d+)\s+commands\s+\(`COMMAND\s+COUNT`", r"`COMMAND\s+COUNT`[^\n]*?`:(\d+)`"],
     lambda: command_count()),
]
WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen twenty").split()

problems = set()                # (document, line, text)
BASENAMES = {}                  # file name -> its paths in the repository


def command_count():
    """Start stage 6 on a free loopback port, ask COMMAND COUNT, stop it by its PID."""
    if not STAGE6.exists():
        print(f"check-docs: note: no {STAGE6}, COMMAND COUNT not checked", file=sys.stderr)
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([STAGE6, "--port", str(port), "--bind", "127.0.0.1",
                                   "--appendonly", "no", "--dir", tmp], cwd=tmp,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{STAGE6} did not listen on port {port}")
                    time.sleep(0.05)
            with conn:
                conn.sendall(b"*2\r\n$7\r\nCOMMAND\r\n$5\r\nCOUNT\r\n")
                reply = b""
                while not reply.endswith(b"\r\n") and (chunk := conn.recv(64)):
                    reply += chunk
        finally:
            server.terminate()  # SIGTERM to its PID
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    if not re.fullmatch(rb":\d+\r\n", reply):
        raise RuntimeError(f"{STAGE6} answered COMMAND COUNT with {reply!r}")
    return int(reply[1:])


def defined_functions(path):
    """Names at the start of a definition or declaration, and function-like macros."""
    found = re.findall(r"^#\s*define\s+(\w+)\(|^(?![\s#/*}])[^;=(\n]*?\b(\w+)\s*\(",
                       path.read_text(errors="replace"), re.M)
    return {a or b for a, b in found}


@functools.lru_cache(maxsize=None)
def source_text(path):
    return path.read_text(errors="replace")


def defines(path, name):
    """Whether a .c file defines function `name` (its body follows: a prototype is not a
    definition) or a function-like macro; whether a .h file declares or defines `name`:
    a prototype, an inline function, a macro, a struct, union, enum or typedef, a variable."""
    text, n = source_text(path), re.escape(name)
    if re.search(rf"^(?![\s#/*}}])[^;=(\n]*?\b{n}\s*\([^;{{]*?\)\s*\{{|^#\s*define\s+{n}\(", text, re.M):
        return True
    return path.suffix == ".h" and bool(re.search(
        rf"^(?![\s#/*}}])[^;=(\n]*?\b{n}\s*\(|^#\s*define\s+{n}\b|\b(?:struct|union|enum)\s+{n}\s*\{{"
        rf"|^(?:\}}|typedef\b[^;]*?|extern\b[^;]*?)\s*\b{n}\s*[;\[]", text, re.M))


def reading_orders(doc, text):
    """workshop.md: each "Where it lives in this project" must give its reading order,
    a numbered list whose items open with a `file.c:function`."""
    if doc != "workshop.md":
        return
    for m in re.finditer(r"^### Where it lives in this project\n(.*?)(?=^#{1,3} |\Z)", text, re.M | re.S):
        if not re.search(r"^\d+\. `[\w./-]+\.[ch]:\w+`", m.group(1), re.M):
            problems.add((doc, text.count("\n", 0, m.start()) + 1,
                          "no reading order: list the functions this chapter adds, in the order "
                          "to read them, as numbered items opening with `path/file.c:function`"))


def section_lines(text, heading, after):
    """(its heading's line number, its lines) of the section under `heading` (a "### "
    line) in the chapter whose "## " heading is line index `after`, up to the next heading
    of level 1 to 3; (None, []) if the chapter has no such section. Lines in code blocks
    (a "# comment" in a shell session) are not headings."""
    lines, start, in_block = text.splitlines(), None, False
    for i in range(after + 1, len(lines)):
        if lines[i].lstrip().startswith("```"):
            in_block = not in_block
        elif in_block or not re.match(r"#{1,3} ", lines[i]):
            continue
        elif start is not None or lines[i].startswith(("# ", "## ")):
            return (start + 1, lines[start + 1:i]) if start is not None else (None, [])
        elif lines[i] == heading:
            start = i
    return (start + 1, lines[start + 1:]) if start is not None else (None, [])


def build_it_steps(doc, text):
    """workshop.md: each step of tests/integration/steps/chapterNN.py, the steps `make grade`
    grades and names ('read workshop.md chapter 1, "Build it yourself", step 1c'), has its
    part of the chapter's "Build it yourself, step by step" section, opened by a line
    starting "**Step 1c: a command split across reads", in the order of the chapter's file."""
    if doc != "workshop.md":
        return
    sys.path.insert(0, str(ROOT / "tests/integration"))
    try:
        import steps
    except Exception as e:  # a broken step file is a problem to report, not a crash
        problems.add(("tests/integration/steps/__init__.py", 0, f"cannot import the steps ({e}): fix that"))
        return
    finally:
        sys.path.pop(0)
    lines = text.splitlines()
    for chapter in steps.CHAPTERS:
        source = f"tests/integration/steps/chapter{chapter.number:02d}.py"
        top = next((i for i, line in enumerate(lines) if line.startswith(f"## Chapter {chapter.number}:")), None)
        if top is None:
            problems.add((doc, 0, f"no \"## Chapter {chapter.number}:\" for the steps of {source}"))
            continue
        first, section = section_lines(text, "### Build it yourself, step by step", top)
        if first is None or not any(line.startswith("**Step ") for line in section):
            problems.add((doc, top + 1, f"chapter {chapter.number} has no \"Build it yourself, step by step\" "
                          f"divided into the steps of {source}: open each step's part with a line "
                          f"\"**Step <id>: <title>.**\""))
            continue
        heads = {}              # step id -> line number of its head
        for number, line in enumerate(section, first + 1):
            m = re.match(r"\*\*Step (\d+[a-z]+): ", line)
            if m and m.group(1) not in heads:
                heads[m.group(1)] = number
                step = steps.find(m.group(1))
                if step is None or step.chapter != chapter.number:
                    problems.add((doc, number, f"step {m.group(1)} is not a step of {source}: "
                                  "name the steps as that file does"))
                elif not line.startswith(f"**Step {step.id}: {step.title}"):
                    problems.add((doc, number, f"step {step.id} is titled \"{step.title}\" in {source}: "
                                  f"open its part with \"**Step {step.id}: {step.title}.**\""))
        last = None             # the previous step found
        for step in chapter.steps:
            if step.id not in heads:
                problems.add((doc, first, f"chapter {chapter.number}'s \"Build it yourself\" has no step "
                              f"{step.id} ({source}): teach it under a line \"**Step {step.id}: "
                              f"{step.title}.**\""))
                continue
            if last and heads[step.id] < heads[last]:
                problems.add((doc, heads[step.id], f"step {step.id} comes before step {last} in chapter "
                              f"{chapter.number}'s \"Build it yourself\": put the steps in the order of {source}"))
            last = step.id


def check_references(doc, text):
    """Every file.c:function and file.h:name, in code or prose."""
    for number, line in enumerate(text.splitlines(), 1):
        for file, name in re.findall(r"(?<![\w./-])([\w./-]+\.[ch]):([A-Za-z_]\w*)", line):
            found = resolve(file)
            if not any(defines(p, name) for p in found):
                kind = "define" if file.endswith(".c") else "declare or define"
                what = f"{file} does not {kind} {name}" if found else f"{file} does not exist"
                problems.add((doc, number, f"{file}:{name}: {what}: cite them as they are now"))


def resolve(path):
    """The files a cited path names: from the root or common/ (stageN: any stage),
    or for a bare file name, wherever it is."""
    pattern = re.sub(r"stageN\b", "stage[0-9]", path.rstrip("/"))
    found = [p for base in (ROOT, ROOT / "common") for p in base.glob(pattern)]
    return found or ([ROOT / p for p in BASENAMES.get(path, ())] if "/" not in path else [])


def code_spans(text):
    """(line, code, in a block?) for each backtick span and each line of a code block."""
    in_block = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
        elif in_block:
            yield number, line, True
        else:
            for span in re.findall(r"`([^`\n]+)`", line):
                yield number, span, False


def check_document(doc, known):
    text = (ROOT / doc).read_text()
    full = {}                   # line -> its last full name, to read `_threads()` after it
    for number, code, in_block in code_spans(text):
        for name in re.findall(r"(?<![\w.>])([A-Za-z_]\w*)\(\)", code):
            if not name.startswith("_"):
                full[number] = name
            parts = full.get(number, "").split("_") if name.startswith("_") else [""]
            if not any("_".join(parts[:i]) + name in known for i in range(len(parts))):
                problems.add((doc, number, f"{name}() is defined or declared nowhere in common/ "
                              "seed/ stages/ tools/: name the function as it is now "
                              "(or add it to ALLOWED_FUNCTIONS if it is not ours)"))
        for token in [] if in_block else code.split():
            check_path(doc, number, token.rstrip(".,;:)"))
    check_references(doc, text)
    reading_orders(doc, text)
    build_it_steps(doc, text)
    for number, line in enumerate(text.splitlines(), 1):
        for target in re.findall(r"\]\(([^)\s#]+)[^)]*\)", line):
            if not re.match(r"[a-z]+:", target) and not (ROOT / doc).parent.joinpath(target).exists():
                problems.add((doc, number, f"the link to {target} leads nowhere: link the file as it is"))


def check_path(doc, number, token):
    if re.search(r"[^\w./*-]|^(/|\.\.?/)|^\W*$", token):
        return                  # not a path: options, URLs, <placeholders>, absolute or shell paths
    if "/" not in token and not token.endswith(PATH_EXTENSIONS) or token in NOT_OUR_FILES:
        return                  # a word, or a file that is not ours
    if token.startswith(("build/",) + NOT_OUR_DIRS) or "DESIGN" in token:
        return                  # generated, not ours, or the DESIGN check's
    if not resolve(token):
        moved = sorted(BASENAMES.get(Path(token).name, ()))
        hint = f" ({' or '.join(moved)}?)" if 0 < len(moved) < 3 else ""
        problems.add((doc, number, f"{token}: no such file or folder, from the root or under common/: "
                      f"cite it as it is now{hint}, or add it to NOT_OUR_* if it is not ours"))


def check_figures(docs):
    for what, patterns, compute in FIGURES:
        claims = []             # (document, line, as written, as a number)
        for doc in docs:
            text = (ROOT / doc).read_text()
            for m in (m for pattern in patterns for m in re.finditer(pattern, text)):
                word = m.group(1).lower()
                if word.isdigit() or word in WORDS:
                    claims.append((doc, text.count("\n", 0, m.start(1)) + 1, m.group(1),
                                   int(word) if word.isdigit() else WORDS.index(word)))
        if not claims:
            continue            # a figure the documents no longer quote is fine
        try:
            value = compute()
        except (OSError, RuntimeError) as e:
            problems.add(("ci/check-docs.py", 0, f"could not compute {what}: {e}: fix that"))
            continue
        for doc, line, said, claimed in claims:
            if value is not None and claimed != value:
                problems.add((doc, line, f"says {said} for {what}, which is {value}: write {value}"))


def main():
    files, known = [], set(ALLOWED_FUNCTIONS)
    for top, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        files += [Path(top, name).relative_to(ROOT) for name in names]
    for f in files:
        BASENAMES.setdefault(f.name, set()).add(str(f))
        if f.parts[0] in SOURCE_DIRS and f.suffix in (".c", ".h"):
            known |= defined_functions(ROOT / f)
    docs = ["README.md", "workshop.md"] + sorted(f"docs/{p.name}" for p in ROOT.glob("docs/*.md"))
    for doc in docs:
        check_document(doc, known)
    for f in files:
        try:
            lines = (ROOT / f).read_text().splitlines()
        except (UnicodeDecodeError, OSError):
            continue            # binary files (the fuzz corpus ...)
        for number, line in enumerate(lines, 1):
            if re.search(r"\bDESIGN\b", line) and f != Path(__file__).resolve().relative_to(ROOT):
                problems.add((str(f), number, "cites DESIGN.md, which is not in the repository: "
                              "say what it says here, or cite a document that is"))
    check_figures(docs)
    for doc, line, text in sorted(problems):
        print(f"{doc}:{line}: {text}")
    if problems:
        print(f"check-docs: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
