"""Tensions: where two scenarios pull in opposite directions on the same aspect.

Deliberately simple and explainable. Each axis has two poles, each a list of cue words
(folded prefixes, as in `topics.py`). A cell *leans* to a pole when its cited sentences
hold more cues of that pole than of the other. Two scenarios whose cells on one aspect
lean to opposite poles of one axis are in tension; each side cites the sentences holding
its cues, and the explanation names the words found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..indexed import SECTION_LABELS
from ..structure import fold
from ..types import Scenario
from .topics import cue_pattern

if TYPE_CHECKING:
    from .compare import Cell

Pole = tuple[str, tuple[str, ...]]  # (name, folded cue prefixes)

AXES: tuple[tuple[str, Pole, Pole], ...] = (
    (
        "numérique / présence humaine",
        ("le numérique", (
            "numeri", "en ligne", "dematerialis", "e-service", "visio", "a distance",
            "teleservice", "telemedecine", "internet", "web", "smartphone", "digital",
        )),
        ("la présence humaine", (
            "accueil humain", "accueil de proximite", "accueil physique", "proximite",
            "interlocuteur", "face a face", "guichet", "points d'accueil", "point d'accueil",
            "lieux d'accueil", "personnel d'accueil", "accompagnement", "lien social",
            "humain",
        )),
    ),
    (
        "cadre commun / initiatives locales",
        ("un cadre commun", (
            "centralis", "standardis", "interoperab", "coheren", "echelle departementale",
            "en commun", "uniform", "harmonis",
        )),
        ("les initiatives locales", (
            "experimentation", "initiatives locales", "a la carte", "territorialise",
            "contexte local", "realites locales", "specificites", "specifiques", "s'adapte",
            "solidarites locales", "benevol",
        )),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Side:
    """One scenario's side of a tension: its pole, the words found, the citing sentences."""

    scenario: Scenario
    pole: str
    cues: tuple[str, ...]
    citations: tuple[int, ...]


@dataclass(frozen=True)
class Tension:
    """Two scenarios leaning to opposite poles of an axis on the same aspect."""

    aspect: str
    axis: str
    sides: tuple[Side, Side]
    explanation: str


def _words(pattern: re.Pattern[str], text: str) -> list[str]:
    """The words matched by a cue pattern, as written in the text when folding kept offsets."""
    folded = fold(text)
    same = len(folded) == len(text)
    found = []
    for match in re.finditer(pattern.pattern + r"[\w'-]*", folded):
        found.append(text[match.start() : match.end()] if same else match.group())
    return found


def _lean(cell: Cell, a: Pole, b: Pole) -> tuple[Pole, list[str], list[int]] | None:
    """The pole a cell leans to, with the words found and the citing sentence numbers."""
    counts: list[tuple[Pole, list[str], list[int]]] = []
    for pole in (a, b):
        pattern = cue_pattern(pole[1])
        words: list[str] = []
        numbers: list[int] = []
        for sentence in cell.sentences:
            found = _words(pattern, sentence.text)
            if found:
                words += found
                numbers += sentence.citations
        counts.append((pole, words, numbers))
    (pa, wa, na), (pb, wb, nb) = counts
    if len(wa) == len(wb):
        return None
    pole, words, numbers = (pa, wa, na) if len(wa) > len(wb) else (pb, wb, nb)
    return pole, list(dict.fromkeys(words)), list(dict.fromkeys(numbers))


def describe(aspect: str, sides: Sequence[Side], ref: Callable[[int], str] = "[{}]".format) -> str:
    """One sentence naming each side's pole, the words found and the citations."""

    def side_text(side: Side) -> str:
        cues = ", ".join(f"« {w} »" for w in side.cues[:4])
        refs = "".join(ref(n) for n in side.citations)
        return f"le scénario {side.scenario.number} tire vers {side.pole} ({cues}) {refs}"

    label = SECTION_LABELS.get(aspect, aspect)
    return f"{label} : " + " ; ".join(side_text(side) for side in sides) + "."


def find_tensions(cells: Sequence[Cell]) -> list[Tension]:
    """Pairs of scenarios whose cells on the same aspect lean to opposite poles of an axis;
    each side cites its cells' sentences by their numbers."""
    out: list[Tension] = []
    aspects = list(dict.fromkeys(c.aspect for c in cells))
    for aspect in aspects:
        row = [c for c in cells if c.aspect == aspect and c.sentences]
        for axis, a, b in AXES:
            leans = [(c, _lean(c, a, b)) for c in row]
            for i, (left, lean_l) in enumerate(leans):
                for right, lean_r in leans[i + 1 :]:
                    if lean_l is None or lean_r is None or lean_l[0] == lean_r[0]:
                        continue
                    sides = (
                        Side(left.scenario, lean_l[0][0], tuple(lean_l[1]), tuple(lean_l[2])),
                        Side(right.scenario, lean_r[0][0], tuple(lean_r[1]), tuple(lean_r[2])),
                    )
                    out.append(Tension(aspect, axis, sides, describe(aspect, sides)))
    return out
