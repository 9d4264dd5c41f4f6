"""Scenario and section detection: cut a canonical text into addressed segments.

Two layouts are recognised for scenario texts: ordinary Markdown headings
(`## Scénario 1 : Titre`, `### Leviers`) and the seed's own plain layout
(`1) Scénario "Titre"` lines, bullet parts `• Leviers : ...`). Other documents keep
their Markdown heading path; CSV rows are one segment each; PDF segments never
cross a page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .types import LoadedText, PageSpan, Scenario, Segment

NARRATIVE = "narrative"

# Folded (lower-case, accent-free) part names -> canonical section keys.
_PARTS: dict[str, str] = {
    "leviers": "levers",
    "levier": "levers",
    "actions possibles": "levers",
    "actions": "levers",
    "levers": "levers",
    "interet": "interest",
    "interets": "interest",
    "interest": "interest",
    "limites": "limits",
    "limite": "limits",
    "limits": "limits",
    "recit": NARRATIVE,
    "narratif": NARRATIVE,
    "narrative": NARRATIVE,
}

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NUMBERED_SCENARIO = re.compile(r"^\s*(\d+)\s*[).:\-]\s*(sc[ée]nario\b.*)$", re.IGNORECASE)
_SCENARIO_HEAD = re.compile(
    r"^sc[ée]nario\b(?:\s+n[°o]?\s*)?\s*(\d+)?\s*[:.\-–—)]?\s*(.*)$", re.IGNORECASE
)
_PART_LINE = re.compile(r"^[ \t]*(?:[•\-*][ \t]*)?([^\W\d_][\w ']{2,30}?)[ \t]*:[ \t]*(.*)$")
_QUOTED = re.compile(r'^["«“](.*?)["»”]\s*[.!?]?$')


def fold(text: str) -> str:
    """Lower-case and strip accents, for case- and accent-insensitive matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slugify(text: str, max_len: int = 48) -> str:
    """A short ASCII id made from a title."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_len].rstrip("-") or "x"


@dataclass
class _Line:
    start: int
    end: int  # excluding the line break
    text: str


def _lines(text: str, offset: int) -> list[_Line]:
    out: list[_Line] = []
    pos = offset
    for raw in text[offset:].splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(_Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


def _scenario_title(rest: str) -> str:
    rest = rest.strip()
    quoted = _QUOTED.match(rest)
    return (quoted.group(1) if quoted else rest).strip() or rest


def parse_scenario_heading(heading: str, running_number: int) -> Scenario | None:
    """Recognise `1) Scénario "X"`, `Scénario 2 : X` or `Scénario : X`; None otherwise."""
    number: int | None = None
    numbered = _NUMBERED_SCENARIO.match(heading)
    if numbered:
        number = int(numbered.group(1))
        heading = numbered.group(2)
    match = _SCENARIO_HEAD.match(heading.strip())
    if not match:
        return None
    if match.group(1):
        number = int(match.group(1))
    title = _scenario_title(match.group(2))
    if not title:
        return None
    num = number if number is not None else running_number
    return Scenario(number=num, id=f"s{num}-{slugify(title, 40)}", title=title)


def part_key(name: str) -> str | None:
    """The canonical section key of a scenario part name (`Leviers` -> `levers`)."""
    return _PARTS.get(fold(name).strip(" :"))


@dataclass
class _Boundary:
    start: int  # where the segment's text starts
    section: str
    scenario: Scenario | None
    cut: int  # where the previous segment ends (the heading line's start)


def _heading_boundaries(loaded: LoadedText, scenario_doc: bool) -> list[_Boundary]:
    bounds: list[_Boundary] = []
    path: list[tuple[int, str]] = []  # (level, heading) outside scenarios
    scenario: Scenario | None = None
    scenario_level = 0
    sub_path: list[tuple[int, str]] = []  # heading path inside the current scenario
    count = 0
    for line in _lines(loaded.text, loaded.body_start):
        md = _MD_HEADING.match(line.text)
        level = len(md.group(1)) if md else 0
        heading = md.group(2) if md else line.text
        # Markdown heading lines are layout: a section's text starts after its heading.
        start = line.end if md else line.start
        if scenario_doc and (md or _NUMBERED_SCENARIO.match(line.text)):
            found = parse_scenario_heading(heading, count + 1)
            if found and (scenario is None or not md or level <= scenario_level):
                count += 1
                scenario, scenario_level, sub_path = found, level or 1, []
                bounds.append(_Boundary(start, NARRATIVE, scenario, line.start))
                continue
        if md and scenario is not None and level <= scenario_level:
            scenario = None  # a heading at the scenario's level or above ends it
        if md and scenario is None:
            path = [(lv, h) for lv, h in path if lv < level] + [(level, heading)]
            bounds.append(_Boundary(start, " > ".join(h for _, h in path), None, line.start))
        elif scenario is not None and (md or _PART_LINE.match(line.text)):
            name = heading if md else _PART_LINE.match(line.text).group(1)  # type: ignore[union-attr]
            key = part_key(name)
            if md and key is None:
                sub_path = [(lv, h) for lv, h in sub_path if lv < level] + [(level, heading)]
                bounds.append(
                    _Boundary(start, " > ".join(h for _, h in sub_path), scenario, line.start)
                )
            elif key is not None:
                sub_path = [(level, name)] if md else []
                bounds.append(_Boundary(start, key, scenario, line.start))
    return bounds


def _split_pages(segment: Segment, pages: tuple[PageSpan, ...]) -> list[Segment]:
    out: list[Segment] = []
    for page in pages:
        start, end = max(segment.start, page.start), min(segment.end, page.end)
        if start < end:
            out.append(Segment(start, end, segment.section, segment.scenario, page.page))
    return out


def _trim(text: str, segment: Segment) -> Segment | None:
    start, end = segment.start, segment.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end or all(_MD_HEADING.match(ln) for ln in text[start:end].splitlines()):
        return None  # nothing but headings: no content to cite
    return Segment(start, end, segment.section, segment.scenario, segment.page)


def _csv_segments(loaded: LoadedText) -> list[Segment]:
    return [
        Segment(line.start, line.end, f"ligne {i}")
        for i, line in enumerate(_lines(loaded.text, loaded.body_start), start=1)
    ]


def segment(loaded: LoadedText, kind: str) -> list[Segment]:
    """Cut a loaded document into segments with their scenario and section."""
    text = loaded.text
    if loaded.fmt == "csv":
        raw = _csv_segments(loaded)
    else:
        bounds = _heading_boundaries(loaded, scenario_doc=kind == "scenario")
        if not bounds or bounds[0].start > loaded.body_start:
            bounds.insert(0, _Boundary(loaded.body_start, "", None, loaded.body_start))
        ends = [b.cut for b in bounds[1:]] + [len(text)]
        raw = [
            Segment(b.start, e, b.section, b.scenario) for b, e in zip(bounds, ends, strict=True)
        ]
    if loaded.pages:
        raw = [piece for seg in raw for piece in _split_pages(seg, loaded.pages)]
    trimmed = (_trim(text, seg) for seg in raw)
    return [seg for seg in trimmed if seg is not None]


def scenarios_of(segments: list[Segment]) -> tuple[Scenario, ...]:
    """The distinct scenarios of a document, in order of appearance."""
    seen: dict[str, Scenario] = {}
    for seg in segments:
        if seg.scenario is not None and seg.scenario.id not in seen:
            seen[seg.scenario.id] = seg.scenario
    return tuple(seen.values())
