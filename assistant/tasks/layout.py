"""How an extractive answer reads: its quotes grouped under short labels.

The chosen sentences are grouped by scenario and part ("Scénario 2 — Limites"), or by
document and heading ("Diagnostic — Santé"), each group under its label in the question's
language; the quotes themselves are never changed. The labels come from the chunk's
metadata only: the scenario's number and part, the document's kind and nearest heading,
else its title. A scenario's parts keep their order in the text (narrative, levers,
interest, limits), so advantages come before drawbacks; a comparison lists the scenarios in
the order the question names them; a definition puts the method text first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import PurePath

from ..analysis import analyze
from ..indexed import SECTION_LABELS
from ..structure import fold
from ..types import Passage
from .quotable import heading_before

PARTS = {
    "fr": dict(SECTION_LABELS),
    "en": {
        "narrative": "Narrative",
        "levers": "Levers",
        "interest": "Interest",
        "limits": "Limits",
    },
}
PART_ORDER = ("narrative", "levers", "interest", "limits")
KINDS = {
    "fr": {"scenario": "Scénario", "diagnostic": "Diagnostic", "method": "Méthode"},
    "en": {"scenario": "Scenario", "diagnostic": "Diagnostic", "method": "Method"},
}
COLON = {"fr": " :", "en": ":"}
# How a question asks what something is ("c'est quoi un X", "qu'est-ce que le X", "que
# signifie X", "what is a X", "what does X mean", "define X"): the language's question forms.
_ARTICLE = r"(?:(?:un|une|le|la|les|des|du|de|a|an|the)\s+|l'|l’|d'|d’)?"
_DEFINITION = re.compile(
    r"^\s*(?:c'est quoi|qu'est[- ]ce que?|qu'est[- ]ce qu'|que (?:veut dire|signifie|designe)"
    r"|quelle est la definition d[eu']?|definition d[eu']?|defini[rs]?|what is meant by"
    rf"|what(?:'s| is| are) (?=(?:a|an)\s)|define|what does)\s*{_ARTICLE}(?P<term>[^?]+?)"
    r"(?:\s+mean)?\s*\??\s*$"
    r"|^\s*(?P<before>[^?,]+?)\s*,?\s*c'est quoi\s*\??\s*$",
)
LABEL_WORDS = 10  # a label's place (a heading, a title) is cut to this many words
_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")  # a trailing "(rapport n° 577, 2021-2022)"
_DIGIT = re.compile(r"\d")  # "Enjeu 1 : l'accès aux soins": a number heads, the rest names
_SUBTITLE = re.compile(r"\s+(?::|–|—|-)\s+")  # "Titre : sous-titre", "Titre – sous-titre"
DEFINED_TERMS = 4  # a defined term has at most this many content words


def defined_terms(question: str) -> list[str]:
    """The analysed terms of what a definition question asks about ("C'est quoi un
    scénario normatif ?": scenario, normatif), or [] when it is not one."""
    match = _DEFINITION.match(fold(question).replace("’", "'"))
    if match is None:
        return []
    terms = analyze(match.group("term") or match.group("before") or "")
    return terms if 0 < len(terms) <= DEFINED_TERMS else []


def label(passage: Passage, start: int, lang: str, title: Callable[[str], str]) -> str:
    """A short label for where a sentence (at `start` in the passage) stands: "Scénario 2
    — Limites", "Diagnostic — Santé": its heading, or the nearest heading line before it
    in the passage (PDF text), or else its document's title (`title`, by doc id)."""
    lang = lang if lang in KINDS else "fr"
    if passage.scenario is not None:
        part = PARTS[lang].get(passage.section, passage.section.split(" > ")[-1])
        head = f"{KINDS[lang]['scenario']} {passage.scenario.number}"
        return f"{head} — {part}" if part else head
    kind = KINDS[lang].get(passage.kind, passage.kind.capitalize())
    where = passage.section.split(" > ")[-1].strip() or heading_before(passage.text, start)
    where = where or title(passage.doc_id).strip()
    where = short(where or PurePath(passage.source).name)
    return f"{kind} — {where}" if where else kind


def short(place: str) -> str:
    """A heading or title cut to a label: without its closing aside in parentheses, its
    subtitle (unless what comes before it is a number, "Enjeu 1 : l'accès aux soins"),
    its quotation marks, and at most `LABEL_WORDS` words ("…" marks a cut)."""
    place = " ".join(place.split()).strip()
    place = _ASIDE.sub("", place) or place
    head = _SUBTITLE.split(place, maxsplit=1)[0]
    place = head if len(head.split()) >= 2 and not _DIGIT.search(head) else place
    place = place.strip('«»"“” ').strip()
    words = place.split()
    return place if len(words) <= LABEL_WORDS else " ".join(words[:LABEL_WORDS]) + "…"


def arrange(
    chosen: Sequence[tuple[int, int]],
    passages: Sequence[Passage],
    labels: Sequence[str],
    *,
    scenario_order: Sequence[str] = (),
    method_first: bool = False,
) -> list[list[int]]:
    """Groups of the chosen sentences, each a list of indexes into `chosen`, in reading
    order; `chosen` holds (passage index, start) pairs, best first, `labels` their labels.
    A group is one scenario's or one document's sentences under one label."""
    groups: dict[tuple[str, str], list[int]] = {}
    for n, (i, _) in enumerate(chosen):
        p = passages[i]
        groups.setdefault((p.scenario.id if p.scenario else p.doc_id, labels[n]), []).append(n)
    units = list(dict.fromkeys(key[0] for key in groups))

    def place(key: tuple[str, str]) -> tuple[int, int, int, int]:
        first = passages[chosen[groups[key][0]][0]]
        named = list(scenario_order).index(key[0]) if key[0] in scenario_order else 99
        part = PART_ORDER.index(first.section) if first.section in PART_ORDER else len(PART_ORDER)
        method = 0 if (method_first and first.kind == "method") else 1
        return method, named, units.index(key[0]), part

    ordered = sorted(groups, key=place)
    return [
        sorted(groups[key], key=lambda n: passages[chosen[n][0]].start + chosen[n][1])
        for key in ordered
    ]
