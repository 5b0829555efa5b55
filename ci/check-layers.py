#!/usr/bin/python3
"""Check that the includes follow the workshop's layers (`make layers`).

Every `#include "..."` of common/, seed/, stages/ and tools/ is resolved to
a file, as the compiler does (the including file's folder, then -Icommon,
then -Iseed). x.c and x.h of the same path are one module. The check fails
on an include that resolves to nothing, on an edge the table below does not
allow, and on any cycle between modules, within a layer too: a cycle means
neither module can be read, tested or changed without the other.

    /usr/bin/python3 ci/check-layers.py          # check; exit 1 on a problem
    /usr/bin/python3 ci/check-layers.py --dot    # the module graph, for Graphviz
"""
import os
import re
import sys

# THE architecture: which layer may include which. A layer may always
# include itself (its modules without cycles); nothing else is allowed.
ALLOWED = {
    # the bottom: memory, logging, buffers, numbers, globs; needs nothing
    "base": set(),
    # sockets, the event loop and RESP: bytes in and out, no keyspace
    "io": {"base"},
    # the keyspace's structures: they never touch a socket
    "data": {"base"},
    # the append-only file: RESP-encoded writes to a keyspace
    "persist": {"base", "io", "data"},
    # the Redis server: clients, commands' dispatch, config, its life
    "server": {"base", "io", "data", "persist"},
    # one file per command family, on top of everything in common/
    "commands": {"base", "io", "data", "persist", "server"},
    # the seed workshop's modes: a program apart, never seen by common/
    "seed": {"base", "io"},
    # each stage's main.c puts the pieces together
    "stages": {"base", "io", "data", "persist", "server", "commands", "seed"},
    # offline tools read AOF files; they start no server
    "tools": {"base", "io", "data", "persist"},
}
ROOTS = ["common", "seed", "stages", "tools"]       # the folders read
INCLUDE_PATH = ["common", "seed"]                   # the Makefile's -I
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def module_of(path):
    """common/server/client.c -> server/client; seed/seed.h -> seed/seed."""
    name = os.path.splitext(path)[0]
    return name[len("common/"):] if name.startswith("common/") else name


def layer_of(module):       # server/client -> server; stages/stage6/main -> stages
    return module.split("/")[0]


def resolve(including, name):
    """The file an #include "name" of `including` reads, or None."""
    for folder in [os.path.dirname(including)] + INCLUDE_PATH:
        path = os.path.normpath(os.path.join(folder, name))
        if os.path.isfile(path):
            return path
    return None


def source_files():
    for root in ROOTS:
        for folder, _, names in sorted(os.walk(root)):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.join(folder, name)


def read_graph(problems):
    """modules: every module; edges: {(from, to): "file:line" of its first include}."""
    modules, edges = set(), {}
    for path in source_files():
        here = module_of(path)
        modules.add(here)
        if layer_of(here) not in ALLOWED:
            problems.append("%s: in no layer of the table ALLOWED" % path)
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                where, target = "%s:%d" % (path, number), resolve(path, match.group(1))
                if target is None:
                    problems.append('%s: #include "%s" resolves to no file' % (where, match.group(1)))
                elif module_of(target) != here:
                    edges.setdefault((here, module_of(target)), where)
    return modules, edges


def check_layers(edges, problems):
    for (source, target), where in edges.items():     # in the order read
        a, b = layer_of(source), layer_of(target)
        if a in ALLOWED and a != b and b not in ALLOWED[a]:
            problems.append("%s: %s includes %s: layer %s may not depend on layer %s"
                            % (where, source, target, a, b))


def find_cycles(modules, edges):
    """Each cycle as a list of modules [a, b, ..., a], found by a depth-first
    search: an edge back to a module still on the path closes a cycle."""
    after = {}
    for source, target in sorted(edges):
        after.setdefault(source, []).append(target)
    state, path, cycles = {}, [], []    # state: "open" on the path, "done" after

    def visit(m):
        state[m] = "open"
        path.append(m)
        for n in after.get(m, []):
            if state.get(n) == "open":
                cycles.append(path[path.index(n):] + [n])
            elif n not in state:
                visit(n)
        path.pop()
        state[m] = "done"

    for m in sorted(modules):
        if m not in state:
            visit(m)
    return cycles


def print_dot(modules, edges):
    """One box per layer, the lower layers at the bottom: `dot -Tsvg`."""
    print("digraph layers {\n  rankdir=BT;\n  node [shape=box, fontsize=10];")
    for layer in ALLOWED:
        names = " ".join('"%s";' % m for m in sorted(modules) if layer_of(m) == layer)
        print('  subgraph "cluster_%s" { label="%s"; %s }' % (layer, layer, names))
    for source, target in sorted(edges):
        print('  "%s" -> "%s";' % (source, target))
    print("}")


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    problems = []
    modules, edges = read_graph(problems)
    if "--dot" in sys.argv[1:]:
        print_dot(modules, edges)
        return 0
    check_layers(edges, problems)
    for cycle in find_cycles(modules, edges):
        steps = ["%s (%s)" % (b, edges[(a, b)]) for a, b in zip(cycle, cycle[1:])]
        problems.append("cycle: %s -> %s" % (cycle[0], " -> ".join(steps)))
    if problems:
        print("\n".join(problems) + "\nlayers: FAILED: %d problem(s)" % len(problems))
        return 1
    layers = {layer_of(m) for m in modules}
    print("layers: ok: %d modules, %d edges, %d layers" % (len(modules), len(edges), len(layers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
