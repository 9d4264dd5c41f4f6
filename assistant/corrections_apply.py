"""Applying the facilitator's corrections (`corrections.py`) to what was detected in one
scenario text: the renames, merges and splits of scenario headings, the part names given
to labels, then the renames and merges of scenarios that no heading starts (a table's
columns, an announced list's items). A correction that no longer applies is recorded in
`Applied`, never raised: it becomes a warning of the ingest report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .corrections import Correction
from .text_norm import fold, slugify
from .types import Scenario, Segment


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
