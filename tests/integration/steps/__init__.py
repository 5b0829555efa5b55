"""The steps of every chapter: what `make grade` grades, one idea each.

A chapter of workshop.md is divided into steps, and so is its part of the
suite. A step has an id (the chapter's number and a letter: "0a", "1c",
"11b"), a title, the commands it covers and a hint; the chapter's "Build it
yourself" section teaches it under the same id ("**Step 1c: ...**"). Every test says which step it checks with
`@pytest.mark.step("1c")` (or its module's `pytestmark`), and a step's tests
are written to fail for the wrong servers its module's docstring lists.

Chapters 0 to 6 are the stages; chapters 8 to 13 are the extensions of the
final server (Part II), each graded as its own row. The steps of chapter N
live in chapterNN.py, in the order a learner takes them.
"""

import importlib
import pkgutil


class Step:
    """One step: an idea, the commands it covers, what to do if it fails."""

    def __init__(self, id, title, commands=(), hint=""):
        self.id = id
        self.title = title
        self.commands = tuple(commands)
        self.hint = hint
        self.chapter = int(id.rstrip("abcdefghijklmnopqrstuvwxyz"))

    def where_to_read(self):
        return ('workshop.md chapter %d, "Build it yourself", step %s'
                % (self.chapter, self.id))

    def __repr__(self):
        return "Step(%r, %r)" % (self.id, self.title)


class Chapter:
    """The steps of one chapter, and the row it is graded as."""

    def __init__(self, module):
        self.number = module.CHAPTER
        self.title = module.TITLE
        self.stage = getattr(module, "STAGE", None)          # chapters 0..6
        self.extension = getattr(module, "EXTENSION", None)  # chapters 8..13
        self.steps = list(module.STEPS)
        for step in self.steps:
            if step.chapter != self.number:
                raise ValueError("step %s is listed in chapter %d"
                                 % (step.id, self.number))

    @property
    def row(self):
        """The grade table's first column: "stage 1" or "hashes"."""
        if self.extension:
            return self.extension
        return "stage %d" % self.stage


def _load_chapters():
    chapters = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("chapter"):
            module = importlib.import_module(__name__ + "." + info.name)
            chapters.append(Chapter(module))
    chapters.sort(key=lambda c: c.number)
    return chapters


CHAPTERS = _load_chapters()
STEPS = {step.id: step for chapter in CHAPTERS for step in chapter.steps}
ORDER = {step_id: i for i, step_id in enumerate(STEPS)}


def find(step_id):
    """The Step named `step_id`, or None."""
    return STEPS.get(step_id)


def chapter_of_stage(stage):
    for chapter in CHAPTERS:
        if chapter.stage == stage:
            return chapter
    return None


def chapter_of_extension(name):
    for chapter in CHAPTERS:
        if chapter.extension == name:
            return chapter
    return None


def chapter_of_step(step):
    """The Chapter `step` belongs to."""
    for chapter in CHAPTERS:
        if chapter.number == step.chapter:
            return chapter
    return None


def stage_of_step(step):
    """The stage whose binary can run `step`'s tests: the chapter's stage,
    or 6 for the extensions of the final server."""
    chapter = chapter_of_step(step)
    if chapter is None:
        return None
    return chapter.stage if chapter.stage is not None else 6


def rows(last_stage, extensions=None):
    """The chapters graded, in order: the stages up to `last_stage`, then,
    from the final stage on, the extensions named in `extensions` (a set;
    None for all of them)."""
    graded = [c for c in CHAPTERS
              if c.stage is not None and c.stage <= last_stage]
    if last_stage >= 6:
        graded += [c for c in CHAPTERS if c.extension and (
            extensions is None or c.extension in extensions)]
    return graded


def step_for_command(name):
    """The first step that covers command `name` (upper case), or None."""
    for step in STEPS.values():
        if name in step.commands:
            return step
    return None
