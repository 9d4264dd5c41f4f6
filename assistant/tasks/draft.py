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
cell counts as kept and the draft says so. A section with nothing to quote says why
(`reason`); each quoted item carries its scenario and part (`label`).

With a chat model (`draft_llm.py`), each section's quotes become a short paragraph: every
sentence tied to exact sub-spans of them and scored by the support checker; a sentence
they do not support is removed and counted (`removed`), a weak one is flagged; so is the
unfinished last sentence of a reply cut at the token limit (`cut`, also in `removed`). A model
that fails, times out, declines or answers off-format (or whose every sentence is
unsupported) leaves the section's quotes, and a note says so. Sentences edited by the
facilitator lose their verdict until checked again (`draft_edit.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..citations import SupportChecker, numbers_of, verdict_of
from ..claim_checks import YEAR
from ..errors import AssistantError
from ..retrieval import Retriever
from ..structure import fold
from ..types import Citation, Scenario
from ..workshop import KEPT, Box, BoxCell, Decision
from .box import build_box
from .draft_llm import CUT_NOTE, SectionRewriter, failure_note
from .draft_notes import label_of, reason, stale
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
    label: str = ""  # where a quoted item comes from: "Scénario 2 — Leviers", "Constat"
    edited: bool = False  # written or changed by the facilitator (`draft_edit.py`)


@dataclass(frozen=True)
class DraftSection:
    """A section: cited sentences, the group's decisions quoted apart, why it is empty,
    who wrote it, and how many unsupported sentences of the model were removed."""

    name: str
    sentences: tuple[DraftSentence, ...]
    decisions: tuple[Decision, ...] = ()
    reason: str = ""  # why the section has nothing to quote
    writer: str = "extractive"  # or the chat model's name when it wrote the paragraph
    removed: int = 0  # the model's sentences removed as unsupported by their citations...
    cited: tuple[int, ...] = ()  # the citations drafted from: what an edited sentence may cite
    cut: int = 0  # ...or, among `removed`, the unfinished last one of a reply cut at its limit


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


def figures(text: str) -> set[str]:
    """The figures a sentence gives: its numbers, years aside."""
    return {n for n in numbers_of(text) if not YEAR.fullmatch(n)}


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

    def sentence(text: str, cites: Sequence[Citation], support: float, item: Item) -> DraftSentence:
        numbered = [number(c) for c in cites]
        _, theme, cell = item
        scenario = cell.scenario if cell else numbered[0].scenario
        mark = cell.mark if cell is not None and cell.mark in KEPT else ""
        ns = tuple(dict.fromkeys(c.n for c in numbered))
        label = label_of(numbered[0])
        return DraftSentence(text, ns, support, verdict_of(support), theme, scenario, mark, label)

    out: list[DraftSection] = []
    for name in names:
        seen: set[Key] = set()
        items: list[Item] = []
        for c, theme, cell in plans[name]:
            if _key(c) not in dropped and _key(c) not in seen:
                seen.add(_key(c))
                items.append((c, theme, cell))
        decisions = _decisions(box) if name == "Orientations" else ()
        why = "" if items else reason(name, kept, len(plans[name]))
        written = rewriter.rewrite(name, [c for c, *_ in items]) if rewriter and items else None
        sentences: list[DraftSentence] = []
        removed = 0
        if written is not None and not written.failure:
            for text, cites in written.claims:
                support = checker.score(text, [c.quote for c in cites])
                if verdict_of(support) == "unsupported":
                    removed += 1  # never shown, counted
                    continue
                sentences.append(sentence(text, cites, support, _origin(cites[0], items)))
            if removed:
                notes.append(
                    f"{name} : {removed} phrase(s) du modèle retirée(s), les passages cités ne "
                    "les appuyant pas."
                )
            if written.unfinished:
                notes.append(f"{name} : {CUT_NOTE}")
            removed += written.unfinished
        prose = bool(sentences)
        if written is not None and not prose:
            notes.append(f"{name} : {failure_note(written.failure or 'unsupported')}")
        if not prose:
            for item in items:
                c = item[0]
                text = " ".join(c.quote.split())
                sentences.append(sentence(text, [c], checker.score(text, [c.quote]), item))
        by = rewriter.name if rewriter is not None and prose else "extractive"
        cited = tuple(dict.fromkeys(n for x in sentences for n in x.citations))
        cut = written.unfinished if written is not None and not written.failure else 0
        out.append(
            DraftSection(name, tuple(sentences), decisions, why, by, removed, cited, cut=cut)
        )
    writer = rewriter.name if rewriter is not None else "extractive"
    citations = tuple(number.by_key.values())
    notes += stale(retriever, citations)
    return Draft(tuple(out), citations, _decisions(box), assumed, tuple(notes), writer)


def _origin(c: Citation, items: Sequence[Item]) -> Item:
    """The planned quote (with its theme and cell) a (sub-span) citation comes from."""
    for planned, theme, cell in items:
        if planned.chunk_id == c.chunk_id and planned.start <= c.start and c.end <= planned.end:
            return planned, theme, cell
    return c, "", None
