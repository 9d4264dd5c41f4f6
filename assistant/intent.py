"""What a question points at in the scenario texts: which scenarios, which part.

Workshop questions name scenarios the way people do ("le scénario 3", "the first
scenario", "le scénario du numérique"; English paraphrases of a French title, such as
"the partnership scenario", are not recognised) and ask for a part
("ses limites", "what's the catch", "les atouts"). Retrieval uses this to fuse in a ranking
restricted to the named scenario and to prefer chunks of the named part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lexical import analyze
from .structure import fold
from .types import Scenario

_ORDINALS = {
    "premier": 1, "first": 1, "1er": 1, "deuxieme": 2, "second": 2, "seconde": 2,
    "troisieme": 3, "third": 3, "quatrieme": 4, "fourth": 4, "cinquieme": 5, "fifth": 5,
}  # fmt: skip
_UNIT = r"(?!\d|\s*(?:ans?|km|min|minutes?|h|heures?|euros?|mois|jours?|habitants?)\b|\s*[%€])"
_NUMBERED = re.compile(
    rf"\bsc[eé]nari[oi]s?\s*(?:n[°o]\s*)?(\d{{1,2}}{_UNIT}(?:\s*(?:,|et|and|&)\s*\d{{1,2}}{_UNIT})*)",
    re.I,
)
_ORDINAL = re.compile(r"\b(\w+)\s+sc[eé]nario\b", re.I)
SCENARIO_WORD = re.compile(r"\bsc[eé]nari[oi]s?\b", re.I)

# Words that ask for one part of a scenario (folded, matched as prefixes of words).
SECTION_CUES: dict[str, tuple[str, ...]] = {
    "levers": (
        "levier", "lever", "action", "piste", "moyen", "mesure", "measure", "propos",
        "suggest", "concret", "comment ", "how ",
    ),
    "interest": (
        "interet", "atout", "avantage", "point fort", "points forts", "positif", "apport",
        "benefi", "strength", "advantage", "benefit", "upside", "good for", "bon pour",
        "pourquoi serait",
    ),
    "limits": (
        "limit", "faibless", "point faible", "risque", "fragil", "inconvenient", "ecueil",
        "laisse de cote", "laisses de cote", "drawback", "catch", "weak", "risk", "downside",
        "left behind", "limite",
    ),
    "narrative": (
        "recit", "raconte", "decri", "story", "narrative", "describe", "en quoi consiste",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Intent:
    """Scenario ids and sections a question points at (empty: none in particular), and
    scenario numbers it names that do not exist ("le cinquième scénario" when there are 4)."""

    scenario_ids: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    missing: tuple[int, ...] = ()


def _title_terms(scenario: Scenario) -> set[str]:
    generic = set(analyze("le la les des services solution améliorer passe par une réponse"))
    return set(analyze(scenario.title)) - generic


def numbers_named(question: str) -> set[int]:
    """Scenario numbers the question names ("scénario 5", "the fifth scenario")."""
    numbers = {int(n) for m in _NUMBERED.finditer(question) for n in re.findall(r"\d+", m.group(1))}
    for match in _ORDINAL.finditer(fold(question)):
        if match.group(1) in _ORDINALS:
            numbers.add(_ORDINALS[match.group(1)])
    return numbers


def named_scenarios(question: str, scenarios: Sequence[Scenario]) -> list[Scenario]:
    """Scenarios the question names by number, ordinal, or the words of its title."""
    by_number = {s.number: s for s in scenarios}
    found: dict[str, Scenario] = {}
    for match in _NUMBERED.finditer(question):
        for n in re.findall(r"\d+", match.group(1)):
            if int(n) in by_number:
                found[by_number[int(n)].id] = by_number[int(n)]
    for match in _ORDINAL.finditer(fold(question)):
        number = _ORDINALS.get(match.group(1))
        if match.group(1) in ("dernier", "last") and scenarios:
            number = max(by_number)
        if number in by_number:
            found[by_number[number].id] = by_number[number]
    if not found and SCENARIO_WORD.search(question):
        terms = set(analyze(question))
        scored = [(len(_title_terms(s) & terms), s) for s in scenarios]
        best = max((n for n, _ in scored), default=0)
        if best:
            found.update((s.id, s) for n, s in scored if n == best)
    return list(found.values())


def wanted_sections(question: str) -> list[str]:
    """Parts of a scenario the question asks for (cues match at the start of a word)."""
    text = f" {fold(question)} "
    return [
        name
        for name, cues in SECTION_CUES.items()
        if any(re.search(rf"(?<![a-z0-9]){re.escape(cue)}", text) for cue in cues)
    ]


def intent_of(question: str, scenarios: Sequence[Scenario], history: Sequence[str] = ()) -> Intent:
    """The question's intent; a follow-up without a scenario of its own inherits the last one."""
    named = named_scenarios(question, scenarios)
    if not named:
        for earlier in reversed(history):
            named = named_scenarios(earlier, scenarios)
            if named:
                break
    missing = sorted(numbers_named(question) - {s.number for s in scenarios}) if scenarios else []
    return Intent(tuple(s.id for s in named), tuple(wanted_sections(question)), tuple(missing))
