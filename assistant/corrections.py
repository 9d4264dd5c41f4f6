"""The facilitator's corrections of what was detected in a scenario text: rename a
scenario, merge two, split at a line, map a label to a part, mark a file as a scenario text.

Corrections are kept in the store folder (`structure-corrections.json`), keyed by the
document's absolute path, never next to the file: a corpus folder holds only documents.
They are re-applied at every ingest of the file, in the order they were made, by title
(the line disambiguates, and finds the line of a split): an edited file keeps them while
the titles they name are still there; one that no longer applies is a warning in the
ingest report, and is kept (the facilitator removes it with `assistant structure undo`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import AssistantError
from .text_norm import fold, slugify
from .types import KINDS, Scenario, Segment

FILE_NAME = "structure-corrections.json"
FORMAT = "assistant-structure-corrections/1"
OPS = ("rename", "merge", "split", "map", "mark")


@dataclass(frozen=True)
class Correction:
    """One correction. `line` is 1-based in the document's canonical text."""

    op: str
    line: int = 0  # rename, merge: the scenario's heading line; split: the line cut at
    title: str = ""  # rename, merge: the scenario's title; split: the line's text
    to: str = ""  # rename, split: the new title; merge: the title kept; map: the part; mark: kind
    to_line: int = 0  # merge: the kept scenario's heading line
    label: str = ""  # map: the label as written
    number: int = 0  # split: the new scenario's number

    def describe(self) -> str:
        """The correction in a few words, for warnings and listings."""
        if self.op == "rename":
            return f"rename '{self.title}' (line {self.line}) to '{self.to}'"
        if self.op == "merge":
            return f"merge '{self.title}' (line {self.line}) into '{self.to}'"
        if self.op == "split":
            return f"split at line {self.line} ('{self.title}') as scenario {self.number}"
        if self.op == "map":
            return f"map label '{self.label}' to part '{self.to}'"
        return f"mark as a {self.to} text"


def from_json(data: Any) -> Correction:
    """A correction from its JSON form; AssistantError when it is not one."""
    if not isinstance(data, dict) or data.get("op") not in OPS:
        raise AssistantError(f"not a structure correction: {str(data)[:80]!r}")
    try:
        c = Correction(
            op=str(data["op"]),
            line=int(data.get("line", 0)),
            title=str(data.get("title", "")),
            to=str(data.get("to", "")),
            to_line=int(data.get("to_line", 0)),
            label=str(data.get("label", "")),
            number=int(data.get("number", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise AssistantError(f"malformed structure correction: {exc}") from None
    if c.op == "mark" and c.to not in KINDS:
        raise AssistantError(f"a mark correction needs a kind among {', '.join(KINDS)}")
    return c


def to_json(c: Correction) -> dict[str, Any]:
    """The JSON form, without empty fields."""
    return {k: v for k, v in asdict(c).items() if v or k == "op"}


def digest(corrections: list[Correction]) -> str:
    """What the ingest's version depends on (empty when there is none)."""
    return json.dumps([to_json(c) for c in corrections], sort_keys=True) if corrections else ""


def marked_kind(corrections: list[Correction]) -> str | None:
    """The kind the last `mark` correction gives, if any."""
    kinds = [c.to for c in corrections if c.op == "mark"]
    return kinds[-1] if kinds else None


class CorrectionBook:
    """The corrections file of one store: absolute path -> corrections."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, list[Correction]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AssistantError(f"cannot read {self.path}: {exc}") from None
        return parse_documents(data)

    def all(self) -> dict[str, list[Correction]]:
        """Every document's corrections."""
        return self._read()

    def get(self, doc_path: str | Path) -> list[Correction]:
        """The corrections of the document at this absolute path."""
        return self._read().get(str(doc_path), [])

    def set(self, doc_path: str | Path, corrections: list[Correction]) -> None:
        """Replace one document's corrections."""
        book = self._read()
        if corrections:
            book[str(doc_path)] = corrections
        else:
            book.pop(str(doc_path), None)
        self.replace(book)

    def replace(self, book: dict[str, list[Correction]]) -> None:
        """Write the whole file atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = documents_json(book)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".corrections-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)


def documents_json(book: dict[str, list[Correction]]) -> dict[str, Any]:
    """The file's (and the workshop export's) JSON form."""
    return {
        "format": FORMAT,
        "documents": {p: [to_json(c) for c in cs] for p, cs in sorted(book.items()) if cs},
    }


def parse_documents(data: Any) -> dict[str, list[Correction]]:
    """Check a corrections object whole; AssistantError naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AssistantError(f"not a structure corrections object (expected format {FORMAT})")
    docs = data.get("documents")
    if not isinstance(docs, dict) or not all(isinstance(v, list) for v in docs.values()):
        raise AssistantError("the structure corrections have no documents")
    return {str(p): [from_json(c) for c in cs] for p, cs in docs.items()}


# -- applying them ------------------------------------------------------------------------


@dataclass
class Applied:
    """What applying a document's corrections gave: part names for labels, and the ones
    that no longer apply (their index and why)."""

    parts: dict[str, str] = field(default_factory=dict)  # folded label -> part
    failed: list[tuple[int, str]] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)  # about a table's or a list's scenario

    def warnings(self, corrections: list[Correction]) -> list[str]:
        """One line per correction that no longer applies."""
        return [
            f"correction {n + 1} ({corrections[n].describe()}) no longer applies: {why}"
            for n, why in self.failed
        ]


def _nearest(candidates: list[int], line: int) -> int | None:
    return min(candidates, key=lambda i: (abs(i - line), i)) if candidates else None


def _unique_id(number: int, title: str, heads: dict[int, Scenario], keep: str = "") -> str:
    base = f"s{number}-{slugify(title, 40)}"
    taken = {s.id for s in heads.values()} - {keep}
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def apply_heads(
    corrections: list[Correction],
    heads: dict[int, Scenario],
    lines: list[str],
    first_line: int,
    applied: Applied,
) -> dict[int, Scenario]:
    """The scenario headings (line index -> scenario) after the corrections."""
    heads = dict(heads)

    def find(title: str, line: int) -> int | None:
        same = [i for i, s in heads.items() if s.title == title]
        same = same or [i for i, s in heads.items() if fold(s.title) == fold(title)]
        if not same:
            return None
        first = {s.id: min(j for j, t in heads.items() if t.id == s.id) for s in heads.values()}
        return _nearest(sorted({first[heads[i].id] for i in same}), line - first_line)

    def rename(n: int, c: Correction) -> None:
        at = find(c.title, c.line)
        if at is None:
            applied.deferred.append(n)  # maybe a scenario of a table or a list
            return
        old = heads[at]
        new = Scenario(old.number, _unique_id(old.number, c.to, heads, old.id), c.to)
        for i, s in list(heads.items()):
            if s.id == old.id:
                heads[i] = new

    def merge(n: int, c: Correction) -> None:
        gone, kept = find(c.title, c.line), find(c.to, c.to_line)
        if gone is None or kept is None:
            applied.deferred.append(n)
            return
        gone_id, into = heads[gone].id, heads[kept]
        if gone_id == into.id:
            applied.failed.append((n, "it is the same scenario"))
            return
        for i, s in list(heads.items()):
            if s.id == gone_id:
                heads[i] = into

    def split(n: int, c: Correction) -> None:
        same = [i for i, text in enumerate(lines) if text.strip() == c.title]
        at = _nearest(same, c.line - first_line)
        if at is None:
            applied.failed.append((n, f"no line '{c.title[:60]}' any more"))
            return
        if at in heads:
            applied.failed.append((n, f"line {at + first_line} already starts a scenario"))
            return
        heads[at] = Scenario(c.number, _unique_id(c.number, c.to, heads), c.to)

    ops: dict[str, Callable[[int, Correction], None]] = {
        "rename": rename,
        "merge": merge,
        "split": split,
    }
    for n, c in enumerate(corrections):
        if c.op in ops:
            ops[c.op](n, c)
        elif c.op == "map":
            applied.parts[fold(c.label).strip(" :")] = c.to
    return dict(sorted(heads.items()))


def check_labels(corrections: list[Correction], labels_seen: set[str], applied: Applied) -> None:
    """A `map` correction whose label no scenario line starts with no longer applies."""
    for n, c in enumerate(corrections):
        if c.op == "map" and fold(c.label).strip(" :") not in labels_seen:
            applied.failed.append((n, f"no line of a scenario starts with '{c.label}'"))


def apply_segments(
    corrections: list[Correction], segments: list[Segment], applied: Applied
) -> list[Segment]:
    """The renames and merges about scenarios that no heading starts (a table's columns,
    an announced list's items), applied to the segments; those that find no scenario of
    the title they name no longer apply."""
    if not applied.deferred:
        return segments
    now: dict[str, Scenario] = {}  # a detected scenario's id -> what it is now
    for seg in segments:
        if seg.scenario is not None:
            now.setdefault(seg.scenario.id, seg.scenario)

    def find(title: str) -> Scenario | None:
        live = list({s.id: s for s in now.values()}.values())
        same = [s for s in live if s.title == title]
        same = same or [s for s in live if fold(s.title) == fold(title)]
        return same[0] if same else None

    for n in applied.deferred:
        c = corrections[n]
        target = find(c.title)
        kept = find(c.to) if c.op == "merge" else None
        if target is None or (c.op == "merge" and kept is None):
            missing = c.title if target is None else c.to
            applied.failed.append((n, f"no scenario titled '{missing}'"))
            continue
        if kept is not None and kept.id == target.id:
            applied.failed.append((n, "it is the same scenario"))
            continue
        if kept is None:
            taken = {s.id for s in now.values()} - {target.id}
            base = sid = f"s{target.number}-{slugify(c.to, 40)}"
            k = 2
            while sid in taken:
                sid, k = f"{base}-{k}", k + 1
            kept = Scenario(target.number, sid, c.to)
        for key, s in now.items():
            if s.id == target.id:
                now[key] = kept
    applied.failed.sort()
    return [
        seg
        if seg.scenario is None or now[seg.scenario.id] == seg.scenario
        else Segment(seg.start, seg.end, seg.section, now[seg.scenario.id], seg.page)
        for seg in segments
    ]
