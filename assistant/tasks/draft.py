"""Draft the normative scenario from the kept and adapted cells of the box and the diagnostic.

Sections and where their sentences come from (every sentence a verbatim quote, cited):

- *Vision*: the narrative sentences of the kept cells (their `vision`, and statements
  taken from a narrative);
- *Orientations*: per kept theme, the diagnostic's finding on it, and statements taken
  from a scenario's interest; then the group's decisions, quoted and attributed;
- *Leviers retenus*: statements taken from levers, each with its mark (keep / adapt);
- *Points de vigilance*: the kept cells' `vigilance` (their scenario's limits);
- *Indicateurs de suivi*: per kept theme, diagnostic sentences that give figures.

Only kept or adapted cells and diagnostics are cited; a span a dropped cell states is
never cited, even when a kept cell also carries it. Decisions are not sources: they are
listed apart (`decisions`), never given a citation. With no marked cell, every non-empty
cell counts as kept and the draft says so. With a chat model, each section's evidence is
rewritten into prose, and every sentence is re-checked against its quotes and flagged when
unsupported, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..citations import SupportChecker, numbers_of, verdict_of
from ..errors import AssistantError
from ..retrieval import Retriever
from ..structure import fold
from ..types import Citation, Scenario
from ..workshop import KEPT, Box, BoxCell, Decision
from .box import build_box
from .draft_llm import SectionRewriter
from .evidence import Evidence, topic_evidence
from .extractive import ExtractiveWriter
from .topics import topic_of

SECTIONS = (
    "Vision",
    "Orientations",
    "Leviers retenus",
    "Points de vigilance",
    "Indicateurs de suivi",
)
_ALIASES = {
    "levers": "Leviers retenus", "leviers": "Leviers retenus", "vigilance": "Points de vigilance",
    "limits": "Points de vigilance", "limites": "Points de vigilance",
    "indicators": "Indicateurs de suivi", "indicateurs": "Indicateurs de suivi",
}  # fmt: skip
ASSUMED = (
    "Aucune cellule de la boîte n'est encore marquée : ce brouillon part de toutes les "
    "cellules, comme si toutes étaient retenues."
)
Key = tuple[str, int, int]


@dataclass(frozen=True)
class DraftSentence:
    """A sentence of the draft: its citations, checked support, and where it comes from."""

    text: str
    citations: tuple[int, ...]
    support: float
    verdict: str
    theme: str = ""
    scenario: Scenario | None = None
    mark: str = ""  # keep or adapt when the sentence states a cell of the box


@dataclass(frozen=True)
class DraftSection:
    """A section: cited sentences, and the group's decisions quoted apart."""

    name: str
    sentences: tuple[DraftSentence, ...]
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True)
class Draft:
    """The normative draft: sections, citations numbered across them, decisions, notes."""

    sections: tuple[DraftSection, ...]
    citations: tuple[Citation, ...]
    decisions: tuple[Decision, ...]
    assumed_all_kept: bool
    notes: tuple[str, ...] = ()
    writer: str = "extractive"


def section_names(wanted: Sequence[str]) -> list[str]:
    """Canonical section names for names given in any case, with or without accents."""
    if not wanted:
        return list(SECTIONS)
    out: list[str] = []
    for name in wanted:
        q = fold(" ".join(name.split()))
        found = _ALIASES.get(q) or next((s for s in SECTIONS if fold(s).startswith(q)), None)
        if not q or found is None:
            raise AssistantError(f"unknown section '{name}' (sections: {', '.join(SECTIONS)})")
        out.append(found)
    return list(dict.fromkeys(out))


Item = tuple[Citation, str, BoxCell | None]  # a cited sentence to be: quote, theme, cell


# Headings of a diagnostic's conclusions: orientations prefer what they say.
_ISSUES = re.compile(r"enjeu|synthese|conclusion|priorit|orientation|defi")
_YEAR = re.compile(r"(?:19|20)\d\d")


def figures(text: str) -> set[str]:
    """The figures a sentence gives: its numbers, years aside."""
    return {n for n in numbers_of(text) if not _YEAR.fullmatch(n)}


def _issue(ev: Evidence) -> bool:
    return bool(_ISSUES.search(fold(ev.passage.section)))


def _rough(text: str) -> tuple[bool, bool]:
    """Table rows (figures without their headers), then text that does not read as a
    sentence (a flattened PDF table): quoted last."""
    text = text.strip()
    sentence = (text[:1].isupper() or text[:1].isdigit()) and text[-1:] in ".!?»)"
    return text.startswith("|"), not sentence


def _kept(box: Box) -> tuple[list[BoxCell], bool]:
    cells = [c for c in box.cells if not c.empty]
    if not box.marked:
        return cells, True
    return [c for c in cells if c.mark in KEPT], False


def _key(c: Citation) -> Key:
    return (c.chunk_id, c.start, c.end)


def _plans(
    retriever: Retriever, extractive: ExtractiveWriter, box: Box, kept: list[BoxCell]
) -> dict[str, list[Item]]:
    """What each section will quote, theme by theme in the box's order."""
    plans: dict[str, list[Item]] = {name: [] for name in SECTIONS}
    where = {"levers": "Leviers retenus", "interest": "Orientations"}
    for theme in [t for t in box.themes if any(c.theme == t for c in kept)]:
        cells = [c for c in kept if c.theme == theme]
        topic = topic_of(theme)  # the diagnostic's issues on the theme, and its figures
        topic = replace(topic, query=f"Enjeu : {topic.name}. {topic.query}")
        found = topic_evidence(retriever, extractive, topic, kind="diagnostic")
        issues = sorted(found, key=lambda ev: (bool(figures(ev.text)), not _issue(ev)))[:1]
        plans["Orientations"] += [(ev.citation(), theme, None) for ev in issues]
        for cell in cells:
            for c in cell.citations:
                plans[where.get(c.section, "Vision")].append((c, theme, cell))
            plans["Vision"] += [(c, theme, cell) for c in cell.vision]
            plans["Points de vigilance"] += [(c, theme, cell) for c in cell.vigilance]
        numeric = sorted(
            (ev for ev in found if figures(ev.text) and ev not in issues),
            key=lambda ev: _rough(ev.text),
        )
        plans["Indicateurs de suivi"] += [(ev.citation(), theme, None) for ev in numeric[:2]]
    return plans


class _Numbering:
    """Citation numbers in order of first use across the draft; one number per span."""

    def __init__(self) -> None:
        self.by_key: dict[Key, Citation] = {}

    def __call__(self, c: Citation) -> Citation:
        if _key(c) not in self.by_key:
            self.by_key[_key(c)] = replace(c, n=len(self.by_key) + 1)
        return self.by_key[_key(c)]


def _decisions(box: Box) -> tuple[Decision, ...]:
    """The group's decisions, theme by theme in the box's order, then the general ones."""
    order = {t: i for i, t in enumerate(box.themes)}
    return tuple(sorted(box.decisions, key=lambda d: (order.get(d.theme or "", len(order)), d.id)))


def draft(
    retriever: Retriever,
    extractive: ExtractiveWriter,
    checker: SupportChecker,
    box: Box | None,
    sections: Sequence[str] = (),
    *,
    rewriter: SectionRewriter | None = None,
) -> Draft:
    """Draft the chosen sections (default: all five) from the box (None: built from the
    store, unmarked) and the diagnostics; `rewriter` turns quotes into prose with an LLM."""
    names = section_names(sections)
    notes: list[str] = []
    if box is None:
        box = build_box(retriever, extractive)
        notes.append("Pas de fichier d'atelier : la boîte est construite à partir des sources.")
    kept, assumed = _kept(box)
    if assumed:
        notes.append(ASSUMED)
    dropped = {_key(c) for cell in box.cells if cell.mark == "drop" for c in cell.citations}
    plans = _plans(retriever, extractive, box, kept)
    number = _Numbering()

    def sentence(
        text: str, cites: Sequence[Citation], theme: str, cell: BoxCell | None
    ) -> DraftSentence:
        numbered = [number(c) for c in cites]
        support = checker.score(text, [c.quote for c in numbered])
        scenario = cell.scenario if cell else numbered[0].scenario
        mark = cell.mark if cell is not None and cell.mark in KEPT else ""
        ns = tuple(dict.fromkeys(c.n for c in numbered))
        return DraftSentence(text, ns, support, verdict_of(support), theme, scenario, mark)

    out: list[DraftSection] = []
    for name in names:
        seen: set[Key] = set()
        items: list[Item] = []
        for c, theme, cell in plans[name]:
            if _key(c) not in dropped and _key(c) not in seen:
                seen.add(_key(c))
                items.append((c, theme, cell))
        claims = rewriter.rewrite(name, [c for c, *_ in items]) if rewriter and items else []
        if claims:
            sentences = [sentence(text, cites, *_origin(cites[0], items)) for text, cites in claims]
        else:
            if rewriter and items:
                notes.append(
                    f"{name} : le modèle n'a rien rédigé ; les passages sont cités tels quels."
                )
            sentences = [sentence(" ".join(c.quote.split()), [c], t, cell) for c, t, cell in items]
        decisions = _decisions(box) if name == "Orientations" else ()
        out.append(DraftSection(name, tuple(sentences), decisions))
    writer = rewriter.name if rewriter is not None else "extractive"
    citations = tuple(number.by_key.values())
    notes += _stale(retriever, citations)
    return Draft(tuple(out), citations, _decisions(box), assumed, tuple(notes), writer)


def _stale(retriever: Retriever, citations: Sequence[Citation]) -> list[str]:
    """Notes on quotes of the box that the stored documents no longer hold at their span
    (a document changed or removed since the box was built): shown, never silently kept."""
    texts: dict[str, str | None] = {}
    notes = []
    for c in citations:
        if c.doc_id not in texts:
            texts[c.doc_id] = retriever.store.get_text(c.doc_id)
        text = texts[c.doc_id]
        if text is None or text[c.start : c.end] != c.quote:
            notes.append(
                f"[{c.n}] ne correspond plus au texte actuel de {c.source} (modifié ou retiré "
                "depuis la construction de la boîte) : reconstruisez la boîte."
            )
    return notes


def _origin(c: Citation, items: Sequence[Item]) -> tuple[str, BoxCell | None]:
    """The theme and cell of the planned quote a (sub-span) citation comes from."""
    for planned, theme, cell in items:
        if planned.chunk_id == c.chunk_id and planned.start <= c.start and c.end <= planned.end:
            return theme, cell
    return "", None
