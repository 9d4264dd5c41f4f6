"""Compare: a scenarios x aspects matrix of cited sentences, and the tensions between them.

By default the aspects are the parts the chosen scenarios share (the seed's narrative,
levers, interest, limits, or a document's own: *Forces*, *Conditions de réussite*…);
scenarios that only have a narrative are compared on it, on the box's themes and on themes
drawn from their texts (`themes.py`), each kept when most of the scenarios speak of it. An aspect is
either a part of the scenario texts (the cell quotes the most representative sentences of
that scenario's own part) or a free topic ("santé", "mobilité": retrieved within that
scenario only, and the cell is `not_covered` unless one of its sentences mentions the
topic). Every sentence is a verbatim quote at an exact span; citations are numbered once
across the whole matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..citations import SupportChecker, verdict_of
from ..indexed import SECTION_LABELS
from ..retrieval import Retriever
from ..retrieval_filters import known_scenarios, resolve_scenarios
from ..structure import fold, part_key
from ..types import Citation, Scenario, Sentence
from .evidence import Evidence, section_evidence, topic_evidence
from .extractive import ExtractiveWriter
from .tensions import Tension, find_tensions
from .themes import text_themes
from .topics import DEFAULT_THEMES, topic_of

PARTS = ("narrative", "levers", "interest", "limits")
COVERED, NOT_COVERED = "covered", "not_covered"


@dataclass(frozen=True)
class Cell:
    """One scenario on one aspect: a few cited sentences, or `not_covered`."""

    scenario: Scenario
    aspect: str
    status: str
    sentences: tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """The matrix (cells aspect by aspect, scenarios in order), its tensions and citations."""

    scenarios: tuple[Scenario, ...]
    aspects: tuple[str, ...]
    cells: tuple[Cell, ...]
    tensions: tuple[Tension, ...]
    citations: tuple[Citation, ...]

    def cell(self, scenario: Scenario, aspect: str) -> Cell:
        """The cell of a scenario on an aspect."""
        return next(c for c in self.cells if c.scenario == scenario and c.aspect == aspect)


def aspect_key(aspect: str) -> str:
    """A scenario part's canonical key ("Leviers" -> "levers"); a free aspect as typed."""
    aspect = " ".join(aspect.split())
    return part_key(aspect) or (aspect.lower() if aspect.lower() in PARTS else aspect)


def aspect_label(aspect: str) -> str:
    """How an aspect is shown: the French name of a part, a free aspect as typed."""
    return SECTION_LABELS.get(aspect, aspect)


class _Numbering:
    """Citations numbered in order of first use; the same span keeps its number."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int, int], Citation] = {}

    def number(self, ev: Evidence) -> int:
        key = (ev.passage.chunk_id, ev.passage.start + ev.start, ev.passage.start + ev.end)
        if key not in self.by_key:
            self.by_key[key] = ev.citation(len(self.by_key) + 1)
        return self.by_key[key].n


def scenario_parts(retriever: Retriever, scenarios: Sequence[Scenario]) -> dict[str, set[str]]:
    """Scenario id -> the sections (parts) its chunks are in."""
    if not scenarios:
        return {}
    where = {"scenario_id": {"$in": [s.id for s in scenarios]}}
    out: dict[str, set[str]] = {s.id: set() for s in scenarios}
    for _cid, _text, meta in retriever.store.chunks_where(where):
        out.setdefault(str(meta["scenario_id"]), set()).add(str(meta["section"]))
    return out


def shared_parts(parts: dict[str, set[str]]) -> list[str]:
    """The parts found in two scenarios or more (in the only one, when there is one):
    the canonical ones first in their usual order, then the document's own by name."""
    counts: dict[str, int] = {}
    for sections in parts.values():
        for section in sections:
            if " > " not in section:
                counts[section] = counts.get(section, 0) + 1
    need = 1 if len(parts) == 1 else 2
    shared = [s for s, n in counts.items() if n >= need]
    return [p for p in PARTS if p in shared] + sorted(s for s in shared if s not in PARTS)


def cell_evidence(
    retriever: Retriever,
    extractive: ExtractiveWriter,
    scenario: Scenario,
    aspect: str,
    per_cell: int,
    sections: frozenset[str] = frozenset(),
) -> list[Evidence]:
    """The sentences quoted in one cell, in the order of the text (none: not covered).
    `sections`: the document's own part names, quoted like the canonical parts."""
    if aspect in PARTS or aspect in sections:
        found = section_evidence(retriever, extractive, scenario.id, aspect)
    else:
        found = topic_evidence(retriever, extractive, topic_of(aspect), scenario_id=scenario.id)
    return sorted(found[:per_cell], key=lambda ev: ev.key)


def compare(
    retriever: Retriever,
    extractive: ExtractiveWriter,
    checker: SupportChecker,
    *,
    scenarios: Sequence[str] = (),
    aspects: Sequence[str] = (),
    per_cell: int = 2,
) -> Comparison:
    """The comparison matrix of the chosen scenarios (default: all) on the chosen aspects
    (default: the parts the scenarios share; narratives only: the box's themes too)."""
    chosen = known_scenarios(retriever.store)
    if scenarios:
        wanted = {s.id for s in resolve_scenarios(retriever.store, scenarios)}
        chosen = [s for s in chosen if s.id in wanted]
    parts = scenario_parts(retriever, chosen)
    sections = frozenset(s for found in parts.values() for s in found)
    by_fold = {fold(s): s for s in sections}
    typed = [aspect_key(a) for a in aspects if a.strip()]
    keys = list(dict.fromkeys(by_fold.get(fold(a), a) for a in typed))
    themes_only = False
    if not keys:
        keys = shared_parts(parts) or list(PARTS)
        if all(k == "narrative" for k in keys):  # only narratives: themes of the texts
            themes = text_themes(retriever, chosen)
            keys, themes_only = ["narrative", *DEFAULT_THEMES, *themes], True
    numbering = _Numbering()
    cells: list[Cell] = []
    for aspect in keys:
        row: list[Cell] = []
        for scenario in chosen:
            found = cell_evidence(
                retriever, extractive, scenario, aspect, max(per_cell, 1), sections
            )
            sentences = []
            for ev in found:
                n = numbering.number(ev)
                support = checker.score(ev.text, [ev.text])
                sentences.append(Sentence(ev.text, (n,), support, verdict_of(support)))
            status = COVERED if sentences else NOT_COVERED
            row.append(Cell(scenario, aspect, status, tuple(sentences)))
        need = len(row) // 2 + 1  # a drawn theme is one most of the scenarios speak of
        if themes_only and aspect != "narrative" and sum(bool(c.sentences) for c in row) < need:
            continue  # (two of two, two of three, three of four): else no aspect of theirs
        cells.extend(row)
    keys = list(dict.fromkeys(c.aspect for c in cells)) if themes_only else keys
    citations = tuple(numbering.by_key.values())
    tensions = find_tensions(cells)
    return Comparison(tuple(chosen), tuple(keys), tuple(cells), tuple(tensions), citations)
