"""The workshop file: the morphological box, its marks and the group's decisions, as JSON.

One file (default `<store>/workshop.json`) shared by the command line and the web app.
Rows are themes, columns scenarios; each cell holds a short statement of that scenario's
option for the theme with its full citations (exact spans and quotes, so that marking or
re-ingesting never breaks them), and a mark: keep, adapt, drop or unmarked. Decisions are
the group's own words, with author and time. Writes go to a temporary file then
`os.replace`, under an advisory lock, so a reader never sees half a file and two writers
never lose each other's change.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import AssistantError, NotFound
from .render import citation_from_json, citation_json
from .structure import fold
from .types import Citation, Scenario

MARKS = ("keep", "adapt", "drop", "unmarked")
KEPT = ("keep", "adapt")
FORMAT = 1
FILE_NAME = "workshop.json"


def now() -> str:
    """The local time, ISO 8601 to the second, with its UTC offset."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class BoxCell:
    """A scenario's option for a theme: statement, citations, context, and the group's mark.

    `vision` cites the scenario's narrative on the theme, `vigilance` its limits; both
    feed the draft when the cell is kept or adapted. An empty cell (no statement) means
    the scenario says nothing on the theme."""

    theme: str
    scenario: Scenario
    statement: str = ""
    citations: tuple[Citation, ...] = ()
    vision: tuple[Citation, ...] = ()
    vigilance: tuple[Citation, ...] = ()
    mark: str = "unmarked"

    @property
    def empty(self) -> bool:
        """Whether the scenario has no option on this theme."""
        return not self.citations


@dataclass(frozen=True)
class Decision:
    """A free-text decision of the group, quoted as such in the draft, never as a source."""

    id: int
    text: str
    author: str
    time: str  # ISO 8601, to the second, with the UTC offset
    theme: str | None = None


@dataclass(frozen=True)
class Box:
    """The morphological box: themes x scenarios, and the group's decisions."""

    themes: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    cells: tuple[BoxCell, ...]
    decisions: tuple[Decision, ...] = ()
    created: str = field(default_factory=now)
    updated: str = ""

    def cell(self, theme: str, scenario: Scenario) -> BoxCell:
        """The cell of a theme (exact name) and a scenario."""
        return next(c for c in self.cells if c.theme == theme and c.scenario.id == scenario.id)

    @property
    def marked(self) -> bool:
        """Whether the group has marked any cell yet."""
        return any(c.mark != "unmarked" for c in self.cells)


def default_path(home: Path) -> Path:
    """The workshop file of a store folder."""
    return home / FILE_NAME


# -- finding cells -------------------------------------------------------------------------


def resolve_theme(box: Box, wanted: str) -> str:
    """A theme by its number (1-based), its name, or a unique part of it (any case, accents)."""
    q = fold(" ".join(wanted.split()))
    if q.isdigit() and 1 <= int(q) <= len(box.themes):
        return box.themes[int(q) - 1]
    exact = [t for t in box.themes if fold(t) == q]
    found = exact or [t for t in box.themes if q and q in fold(t)]
    if len(found) != 1:
        listing = "; ".join(f"{i} {t}" for i, t in enumerate(box.themes, 1))
        what = "no theme" if not found else "several themes"
        raise NotFound(f"{what} match '{wanted}' (themes: {listing})")
    return found[0]


def resolve_box_scenario(box: Box, wanted: str) -> Scenario:
    """A scenario of the box by its number, id, or a unique part of its title."""
    q = fold(wanted.strip())
    found = [
        s
        for s in box.scenarios
        if (q.isdigit() and s.number == int(q)) or q in (s.id, f"s{s.number}")
    ] or [s for s in box.scenarios if q and q in fold(s.title)]
    if len(found) != 1:
        listing = "; ".join(f"{s.number} {s.title}" for s in box.scenarios)
        what = "no scenario" if not found else "several scenarios"
        raise NotFound(f"{what} match '{wanted}' in the box (scenarios: {listing})")
    return found[0]


# -- editing (pure: each returns a new box) --------------------------------------------------


def set_mark(box: Box, theme: str, scenario: str, mark: str) -> Box:
    """The box with one cell marked keep, adapt, drop or unmarked."""
    if mark not in MARKS:
        raise AssistantError(f"unknown mark '{mark}' (use {', '.join(MARKS)})")
    name, chosen = resolve_theme(box, theme), resolve_box_scenario(box, scenario)
    cell = box.cell(name, chosen)
    if cell.empty and mark in KEPT:
        raise AssistantError(
            f"scenario {chosen.number} has no option on '{name}': there is nothing to {mark}"
        )
    cells = tuple(replace(c, mark=mark) if c is cell else c for c in box.cells)
    return replace(box, cells=cells, updated=now())


def add_decision(
    box: Box, text: str, author: str, theme: str | None = None, time: str | None = None
) -> Box:
    """The box with one more decision of the group."""
    text, author = " ".join(text.split()), " ".join(author.split())
    if not text:
        raise AssistantError("a decision needs a text")
    if not author:
        raise AssistantError("a decision needs an author (--author NAME)")
    name = resolve_theme(box, theme) if theme else None
    number = max((d.id for d in box.decisions), default=0) + 1
    decision = Decision(number, text, author, time or now(), name)
    return replace(box, decisions=(*box.decisions, decision), updated=now())


def keep_decisions(box: Box, old: Box) -> Box:
    """A rebuilt box with the decisions of the old one (a theme no longer in the box is cleared)."""
    kept = tuple(d if d.theme in box.themes else replace(d, theme=None) for d in old.decisions)
    return replace(box, decisions=kept)


def remove_decision(box: Box, number: int) -> Box:
    """The box without one decision (by its id)."""
    if not any(d.id == number for d in box.decisions):
        raise NotFound(f"no decision {number} in the box")
    kept = tuple(d for d in box.decisions if d.id != number)
    return replace(box, decisions=kept, updated=now())


# -- JSON ------------------------------------------------------------------------------------


def box_json(box: Box) -> dict[str, Any]:
    """The box as the workshop file stores it (and `box show --json` prints it)."""

    def cell_json(c: BoxCell) -> dict[str, Any]:
        return {
            "theme": c.theme,
            "scenario": c.scenario.id,
            "statement": c.statement,
            "mark": c.mark,
            "citations": [citation_json(x) for x in c.citations],
            "vision": [citation_json(x) for x in c.vision],
            "vigilance": [citation_json(x) for x in c.vigilance],
        }

    return {
        "format": FORMAT,
        "created": box.created,
        "updated": box.updated,
        "themes": list(box.themes),
        "scenarios": [{"number": s.number, "id": s.id, "title": s.title} for s in box.scenarios],
        "cells": [cell_json(c) for c in box.cells],
        "decisions": [
            {"id": d.id, "text": d.text, "author": d.author, "time": d.time, "theme": d.theme}
            for d in box.decisions
        ],
    }


def box_from_json(data: Any) -> Box:
    """A box from its JSON form; ValueError, KeyError or TypeError when malformed."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a workshop file of format {FORMAT}")
    scenarios = tuple(Scenario(**s) for s in data["scenarios"])
    by_id = {s.id: s for s in scenarios}
    themes = tuple(str(t) for t in data["themes"])
    cells = []
    for raw in data["cells"]:
        if raw["mark"] not in MARKS or raw["theme"] not in themes:
            raise ValueError(f"cell {raw['theme']!r}: unknown theme or mark {raw['mark']!r}")
        cells.append(
            BoxCell(
                theme=raw["theme"],
                scenario=by_id[raw["scenario"]],
                statement=str(raw["statement"]),
                citations=tuple(citation_from_json(c) for c in raw["citations"]),
                vision=tuple(citation_from_json(c) for c in raw.get("vision", [])),
                vigilance=tuple(citation_from_json(c) for c in raw.get("vigilance", [])),
                mark=raw["mark"],
            )
        )
    decisions = tuple(
        Decision(int(d["id"]), str(d["text"]), str(d["author"]), str(d["time"]), d.get("theme"))
        for d in data.get("decisions", [])
    )
    return Box(themes, scenarios, tuple(cells), decisions, data["created"], data["updated"])


# -- the file --------------------------------------------------------------------------------


def load_box(path: Path) -> Box:
    """Read a workshop file; a one-line error when it is missing or malformed."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no workshop file at {path} (run `assistant box build`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read the workshop file {path}: {exc}") from None
    try:
        return box_from_json(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise AssistantError(
            f"workshop file {path} is not valid JSON (line {exc.lineno})"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise AssistantError(f"workshop file {path} is malformed: {exc}") from None


def save_box(box: Box, path: Path) -> None:
    """Write a workshop file atomically (a temporary file, then `os.replace`)."""
    text = json.dumps(box_json(box), ensure_ascii=False, indent=1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise AssistantError(f"cannot write the workshop file {path}: {exc.strerror}") from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An advisory lock beside the file, for read-modify-write (no-op where unsupported)."""
    try:
        import fcntl
    except ImportError:  # Windows: atomic replace only
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_box(path: Path, change: Callable[[Box], Box]) -> Box:
    """Load, change and save the workshop file under its lock; the saved box."""
    with _locked(path):
        box = change(load_box(path))
        save_box(box, path)
    return box
