"""Scenario and section detection: cut a canonical text into addressed segments.

Scenario headings are Markdown headings (`## Scénario 1 : Titre`), the seed's plain
`1) Scénario "Titre"` lines, or the title-line pattern the document repeats (see
`layouts.py`: `Scénario A : …`, `SCÉNARIO 2 – …`, `Image 1`, `Scenario II`…). A scenario's
parts are its sub-headings and the labels that start a line (`• Leviers : …`, `Forces :`,
a short bold line): known names map to the canonical parts (levers, interest, limits,
narrative), other labels are parts under their own name when two scenarios or more use
them. Other documents keep their Markdown heading path; CSV rows are one segment each;
PDF segments never cross a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .corrections import Correction
from .corrections_apply import Applied, apply_heads, apply_segments, check_labels
from .heads import choose_heads
from .layouts import is_table_row
from .list_layout import announced_lists
from .part_names import NARRATIVE, part_key
from .table_layout import carve, scenario_tables
from .text_norm import fold, slugify, strip_marks
from .types import LoadedText, PageSpan, Scenario, Segment

__all__ = [
    "NARRATIVE",
    "detect",
    "fold",
    "names_scenarios",
    "parse_scenario_heading",
    "part_key",
    "segment",
    "slugify",
]

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NUMBERED_SCENARIO = re.compile(r"^\s*(\d+)\s*[).:\-]\s*(sc[ée]nario\b.*)$", re.IGNORECASE)
_SCENARIO_HEAD = re.compile(
    r"^sc[ée]nario\b(?:\s+n[°o]?\s*)?\s*(\d+)?\s*[:.\-–—)]?\s*(.*)$", re.IGNORECASE
)
_PART_LINE = re.compile(r"^[ \t]*(?:[•\-*][ \t]*)?([^\W\d_][\w ']{2,30}?)[ \t]*:[ \t]*(.*)$")
_QUOTED = re.compile(r'^["«“](.*?)["»”]\s*[.!?]?$')


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


@dataclass
class _Boundary:
    start: int  # where the segment's text starts
    section: str
    scenario: Scenario | None
    cut: int  # where the previous segment ends (the heading line's start)


def _explicit_heads(lines: list[_Line]) -> list[tuple[int, Scenario]]:
    """Markdown headings and the seed's `1) Scénario "X"` lines that name a scenario."""
    found: list[tuple[int, Scenario]] = []
    for i, line in enumerate(lines):
        md = _MD_HEADING.match(line.text)
        if (md or _NUMBERED_SCENARIO.match(line.text)) and not is_table_row(line.text):
            heading = md.group(2) if md else line.text
            scenario = parse_scenario_heading(heading, len(found) + 1)
            if scenario is not None:
                found.append((i, scenario))
    return found


def names_scenarios(loaded: LoadedText) -> bool:
    """Whether the text's own headings number two scenarios or more (`## Scénario 1 : X`,
    `2) Scénario "Y"`, `5. Scénario 5 : Z`): a scenario text, whatever its folder."""
    heads = _explicit_heads(_lines(loaded.text, loaded.body_start))
    return len({scenario.number for _, scenario in heads}) >= 2


def _label(line: _Line, set_apart: bool) -> str | None:
    """The part label a line starts with (`• Leviers : ...`, `Forces :`, a short line alone
    such as `**Risques**`), or None."""
    part = _PART_LINE.match(line.text)
    if part:
        name = part.group(1).strip()
        return name if len(name.split()) <= 4 else None
    body = strip_marks(line.text).rstrip(" :")
    if (
        body
        and len(body) <= 40
        and len(body.split()) <= 5
        and body[0].isupper()
        and body[-1] not in '.!?,;…»"”'
        and (set_apart or line.text.rstrip().endswith(":") or body != line.text.strip())
    ):
        return body
    return None


def _recurring_labels(
    lines: list[_Line], heads: dict[int, Scenario], set_apart: set[int]
) -> dict[str, str]:
    """Folded label -> its first spelling, for the labels found in two scenarios or more,
    and those alone on their line before a colon (`Conditions de réussite :`)."""
    where: dict[str, set[int]] = {}
    alone: set[str] = set()
    spelling: dict[str, str] = {}
    current: int | None = None
    for i, line in enumerate(lines):
        if i in heads:
            current = i
            continue
        if current is None or _MD_HEADING.match(line.text):
            continue
        name = _label(line, i in set_apart)
        if name is not None:
            key = fold(name)
            where.setdefault(key, set()).add(current)
            spelling.setdefault(key, name)
            if line.text.rstrip().endswith(":"):
                alone.add(key)
    return {k: spelling[k] for k, found in where.items() if len(found) >= 2 or k in alone}


def _heading_boundaries(
    loaded: LoadedText,
    scenario_doc: bool,
    warnings: list[str],
    corrections: list[Correction],
    applied: Applied,
) -> list[_Boundary]:
    bounds: list[_Boundary] = []
    path: list[tuple[int, str]] = []  # (level, heading) outside scenarios
    scenario: Scenario | None = None
    scenario_level = 0
    sub_path: list[tuple[int, str]] = []  # heading path inside the current scenario
    lines = _lines(loaded.text, loaded.body_start)
    hinted = set(loaded.headings)
    set_apart = {i for i, line in enumerate(lines) if line.start in hinted}
    heads: dict[int, Scenario] = {}
    recurring: dict[str, str] = {}
    if scenario_doc:
        first_line = loaded.text.count("\n", 0, loaded.body_start) + 1  # after front matter
        heads, found_warnings = choose_heads(
            _explicit_heads(lines), [line.text for line in lines], set_apart, first_line
        )
        warnings.extend(found_warnings)
        heads = apply_heads(corrections, heads, [ln.text for ln in lines], first_line, applied)
        recurring = _recurring_labels(lines, heads, set_apart)
    seen: set[str] = set()
    for i, line in enumerate(lines):
        md = _MD_HEADING.match(line.text)
        level = len(md.group(1)) if md else 0
        heading = md.group(2) if md else line.text
        # Markdown heading lines are layout: a section's text starts after its heading.
        start = line.end if md else line.start
        found = heads.get(i)
        if found and (scenario is None or not md or level <= scenario_level):
            scenario, scenario_level, sub_path = found, level or 1, []
            bounds.append(_Boundary(start, NARRATIVE, scenario, line.start))
            continue
        if md and scenario is not None and level <= scenario_level:
            scenario = None  # a heading at the scenario's level or above ends it
        if md and scenario is None:
            path = [(lv, h) for lv, h in path if lv < level] + [(level, heading)]
            bounds.append(_Boundary(start, " > ".join(h for _, h in path), None, line.start))
        elif scenario is not None and md:
            key = part_key(heading)
            if key is None:
                sub_path = [(lv, h) for lv, h in sub_path if lv < level] + [(level, heading)]
                bounds.append(
                    _Boundary(start, " > ".join(h for _, h in sub_path), scenario, line.start)
                )
            else:
                sub_path = [(level, heading)]
                bounds.append(_Boundary(start, key, scenario, line.start))
        elif scenario is not None:
            name = _label(line, i in set_apart)
            if name is None:
                continue
            seen.add(fold(name))
            key = applied.parts.get(fold(name)) or part_key(name) or recurring.get(fold(name))
            if key is not None:
                sub_path = []
                bounds.append(_Boundary(start, key, scenario, line.start))
    if scenario_doc:
        check_labels(corrections, seen, applied)
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
    return detect(loaded, kind)[0]


def detect(
    loaded: LoadedText, kind: str, corrections: list[Correction] | None = None
) -> tuple[list[Segment], list[str]]:
    """The segments of a loaded document, and warnings about its scenario structure
    (and about the facilitator's corrections that no longer apply)."""
    text = loaded.text
    warnings: list[str] = []
    fixes = corrections or []
    if loaded.fmt == "csv":
        raw = _csv_segments(loaded)
    else:
        applied = Applied()
        bounds = _heading_boundaries(loaded, kind == "scenario", warnings, fixes, applied)
        if not bounds or bounds[0].start > loaded.body_start:
            bounds.insert(0, _Boundary(loaded.body_start, "", None, loaded.body_start))
        ends = [b.cut for b in bounds[1:]] + [len(text)]
        raw = [
            Segment(b.start, e, b.section, b.scenario) for b, e in zip(bounds, ends, strict=True)
        ]
        if kind == "scenario":  # tables with one column per scenario: a segment per cell
            tables = scenario_tables(text, loaded.body_start)
            raw = carve(raw, tables, lambda label: part_key(label) or label or NARRATIVE)
            if tables:
                warnings[:] = [w for w in warnings if "inside a table row" not in w]
            if not any(seg.scenario for seg in raw):  # a list announced as the scenarios
                raw = carve(raw, announced_lists(text, loaded.body_start), lambda _: NARRATIVE)
            raw = apply_segments(fixes, raw, applied)
            warnings.extend(applied.warnings(fixes))
    if loaded.pages:
        raw = [piece for seg in raw for piece in _split_pages(seg, loaded.pages)]
    trimmed = (_trim(text, seg) for seg in raw)
    return [seg for seg in trimmed if seg is not None], warnings


def scenarios_of(segments: list[Segment]) -> tuple[Scenario, ...]:
    """The distinct scenarios of a document, in order of appearance."""
    seen: dict[str, Scenario] = {}
    for seg in segments:
        if seg.scenario is not None and seg.scenario.id not in seen:
            seen[seg.scenario.id] = seg.scenario
    return tuple(seen.values())
