"""Scenario texts laid out as a table with one column per scenario: a Markdown table
(`| | Scénario 1 : Repli | Scénario 2 : Ouverture |`) or a Word table (the DOCX loader writes
each data row as `Récit ; Scénario 1 : Repli : texte ; Scénario 2 : Ouverture : texte`).

A table is read this way when two of its column headers or more are scenario title lines
(see `layouts.title_line`): each cell becomes a segment of its column's scenario, under its
row's label as the part (a known name maps to a canonical part). Cells are exact spans of
the canonical text, so citations stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .layouts import SCENARIO_WORDS, TitleLine, identifier_number, is_table_row, title_line
from .text_norm import slugify, strip_marks
from .types import Scenario, Segment

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
MAX_HEADER_WORDS = 14


@dataclass(frozen=True)
class Cell:
    """One scenario's cell: its span, its row's label, its column's scenario."""

    start: int
    end: int
    label: str
    number: int
    title: str


@dataclass(frozen=True)
class Table:
    """A table read as scenario columns: where it lies, and its cells."""

    start: int
    end: int
    cells: tuple[Cell, ...]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pipe_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of a Markdown table row, as trimmed spans (outer pipes left out)."""
    cuts = [start - 1] + [i for i in range(start, end) if text[i] == "|" and text[i - 1] != "\\"]
    cuts.append(end)
    spans = [_trimmed(text, a + 1, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    line = text[start:end].strip()
    if line.startswith("|"):
        spans = spans[1:]
    if line.endswith("|"):
        spans = spans[:-1]
    return spans


def _scenario_columns(headers: list[TitleLine | None]) -> set[int]:
    """The columns whose headers are scenario title lines of one pattern (two or more)."""
    by_label: dict[str, set[int]] = {}
    idents: dict[str, set[str]] = {}
    for j, t in enumerate(headers):
        if t is not None:
            by_label.setdefault(t.label, set()).add(j)
            idents.setdefault(t.label, set()).add(t.ident)
    chosen = [cols for label, cols in by_label.items() if label in SCENARIO_WORDS]
    chosen = chosen or [cols for label, cols in by_label.items() if len(idents[label]) > 1]
    best = max(chosen, key=len, default=set())
    return best if len(best) >= 2 else set()


def _scenario(t: TitleLine, running: int) -> tuple[int, str]:
    number = identifier_number(t.ident, running) if not t.qualified else running
    return number, t.title


def _markdown(text: str, rows: list[tuple[int, int]]) -> list[Cell]:
    if len(rows) < 2 or not _SEPARATOR.match(text[rows[1][0] : rows[1][1]]):
        return []
    header = _pipe_spans(text, *rows[0])
    titles = [title_line(0, strip_marks(text[a:b]), True) for a, b in header]
    columns = _scenario_columns(titles)
    if not columns:
        return []
    named = {j: _scenario(t, n) for n, j in enumerate(sorted(columns), 1) if (t := titles[j])}
    cells = []
    for start, end in rows[2:]:
        spans = _pipe_spans(text, start, end)
        labels = [strip_marks(text[a:b]).strip() for j, (a, b) in enumerate(spans)]
        label = next((lb for j, lb in enumerate(labels) if j not in columns and lb), "")
        for j, (a, b) in enumerate(spans):
            if j in named and a < b:
                cells.append(Cell(a, b, label, *named[j]))
    return cells


def _pair_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts, pos = [], start
    while (found := text.find(" ; ", pos, end)) != -1:
        cuts.append((pos, found))
        pos = found + 3
    return [*cuts, (pos, end)]


def _header_end(pair: str, same: list[str]) -> int:
    """Where the header of a `Header : value` pair ends: the longest `header : ` prefix that
    every pair of the same column shares, with a value left after it."""
    best = -1
    for m in re.finditer(" : ", pair):
        head = pair[: m.start()]
        if len(head.split()) > MAX_HEADER_WORDS or m.end() >= len(pair):
            break
        if all(p.startswith(head + " : ") and len(p) > m.end() for p in same):
            best = m.start()
    return best


def _word_rows(text: str, rows: list[tuple[int, int]]) -> list[Cell]:
    parsed = []  # per row: (start, end, title line or None)
    for start, end in rows:
        pairs = []
        for a, b in _pair_spans(text, start, end):
            t = title_line(0, text[a:b].partition(" : ")[0] if " : " in text[a:b] else "", True)
            pairs.append((a, b, t))
        parsed.append(pairs)
    flat = [t for pairs in parsed for _, _, t in pairs]
    idents = {t.ident for t in flat if t and t.label in SCENARIO_WORDS}
    if len(idents) < 2:
        return []
    by_ident: dict[str, list[str]] = {}
    for pairs in parsed:
        for a, b, t in pairs:
            if t is not None and t.ident in idents:
                by_ident.setdefault(t.ident, []).append(text[a:b])
    order = {
        ident: n for n, ident in enumerate(sorted(idents, key=lambda i: flat_index(flat, i)), 1)
    }
    cells = []
    for pairs in parsed:
        label = ""
        for a, b, t in pairs:
            if t is None or t.ident not in idents:
                piece = text[a:b]
                label = label or strip_marks(piece.partition(" : ")[2] or piece).strip()
        for a, b, t in pairs:
            if t is None or t.ident not in idents:
                continue
            cut = _header_end(text[a:b], by_ident[t.ident])
            if cut < 0:
                continue
            head = title_line(0, text[a : a + cut], True) or t
            value = _trimmed(text, a + cut + 3, b)
            if value[0] < value[1]:
                cells.append(Cell(*value, label, *_scenario(head, order[t.ident])))
    return cells


def flat_index(flat: list[TitleLine | None], ident: str) -> int:
    """Where an identifier first appears among a table's headers."""
    return next(n for n, t in enumerate(flat) if t is not None and t.ident == ident)


def scenario_tables(text: str, body_start: int = 0) -> list[Table]:
    """The tables of a text that have one column per scenario."""
    blocks: list[list[tuple[int, int]]] = [[]]
    pos = body_start
    for raw in text[body_start:].splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        if line.strip() and is_table_row(line):
            blocks[-1].append((pos, pos + len(line)))
        elif blocks[-1]:
            blocks.append([])
        pos += len(raw)
    tables = []
    for rows in blocks:
        if not rows:
            continue
        first = text[rows[0][0] : rows[0][1]].lstrip()
        cells = _markdown(text, rows) if first.startswith("|") else _word_rows(text, rows)
        if cells:
            tables.append(Table(rows[0][0], rows[-1][1], tuple(cells)))
    return tables


def carve(
    segments: list[Segment], tables: list[Table], section_of: Callable[[str], str]
) -> list[Segment]:
    """The segments with each scenario table replaced by its cells (each cell a segment of
    its scenario; a scenario already detected by its number keeps its id)."""
    if not tables:
        return segments
    known: dict[int, Scenario] = {}
    for seg in segments:
        if seg.scenario is not None:
            known.setdefault(seg.scenario.number, seg.scenario)
    out: list[Segment] = []
    for seg in segments:
        start = seg.start
        for t in tables:
            if t.end <= start or t.start >= seg.end:
                continue
            if t.start > start:
                out.append(Segment(start, t.start, seg.section, seg.scenario, seg.page))
            start = max(start, t.end)
        if start < seg.end:
            out.append(Segment(start, seg.end, seg.section, seg.scenario, seg.page))
    for t in tables:
        for c in t.cells:
            scenario = known.get(c.number)
            if scenario is None:
                scenario = Scenario(c.number, f"s{c.number}-{slugify(c.title, 40)}", c.title)
                known[c.number] = scenario
            out.append(Segment(c.start, c.end, section_of(c.label), scenario))
    return sorted(out, key=lambda s: s.start)
