"""What a question points at in the scenario texts: which scenarios, which part.

Workshop questions name scenarios the way people do ("le scénario 3", "the first
scenario", "le scénario du numérique"; in English, "the partnership scenario": the words
describing it are compared with the French titles by the embedding model, and name a
scenario only when one title is clearly the closest) and ask for a part under one of the
names the corpus's scenarios give it ("ses limites", "les atouts", "quels points de
vigilance ?": `part_cues.py`). Retrieval uses this to fuse in a ranking
restricted to the named scenario and to prefer chunks of the named part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .analysis import analyze
from .part_cues import Part, asked_parts
from .structure import fold
from .types import Scenario

_ORDINALS = {
    "premier": 1, "first": 1, "1er": 1, "deuxieme": 2, "second": 2, "seconde": 2,
    "troisieme": 3, "third": 3, "quatrieme": 4, "fourth": 4, "cinquieme": 5, "fifth": 5,
}  # fmt: skip
_UNIT = r"(?!\d|\s*(?:ans?|km|min|minutes?|h|heures?|euros?|mois|jours?|habitants?)\b|\s*[%€])"
# "2 et 4", "2 et le 4", "2 or scenario 4", "2 vs 4"
_AND = r"\s*(?:,|et|and|&|ou|or|vs\.?|versus)\s*(?:(?:le|la|the)\s+)?(?:sc[eé]nario\s*)?"
_NUMBERED = re.compile(
    rf"\bsc[eé]nari[oi]s?\s*(?:n[°o]\s*)?(\d{{1,2}}{_UNIT}(?:{_AND}\d{{1,2}}{_UNIT})*)",
    re.I,
)
_ORDINAL = re.compile(r"(?<![\w-])(\w+)\s+sc[eé]nario\b", re.I)  # not "information-first"
SCENARIO_WORD = re.compile(r"\bsc[eé]nari[oi]s?\b", re.I)
# "the partnership scenario", "the digital-first scenario", "the scenario built on data"
_DESCRIBED = re.compile(
    r"\b(?:the|a|this|that)\s+((?:[\w-]+\s+){0,2}?[\w-]+)\s+scenario\b"
    r"|\bscenario\s+(?:of|about|on|built on|based on|focused on)\s+((?:[\w-]+\s+){0,2}[\w-]+)",
    re.I,
)
_NOT_DESCRIPTIONS = {
    "other", "same", "each", "every", "normative", "exploratory", "best", "worst", "next",
    "previous", "last", "whole", "chosen", "extreme", "one", "any", "which", "what", "this",
    "that", "my", "our", "your", "their", "its",
}  # fmt: skip
TITLE_SIMILARITY = 0.84  # the description must be this close to the closest title (e5 cosine)
TITLE_MARGIN = 0.02  # and this much closer than to any other title


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


def without_scenario_numbers(question: str) -> str:
    """The question less the scenario numbers it names ("scénario 2 et le 4"), so that its
    own figures (a year, a count) can be read."""
    return _NUMBERED.sub(" ", question)


def numbers_named(question: str) -> set[int]:
    """Scenario numbers the question names ("scénario 5", "the fifth scenario")."""
    numbers = {int(n) for m in _NUMBERED.finditer(question) for n in re.findall(r"\d+", m.group(1))}
    for match in _ORDINAL.finditer(fold(question)):
        if match.group(1) in _ORDINALS:
            numbers.add(_ORDINALS[match.group(1)])
    return numbers


def named_scenarios(
    question: str,
    scenarios: Sequence[Scenario],
    similarity: Callable[[str, Sequence[str]], Sequence[float]] | None = None,
) -> list[Scenario]:
    """Scenarios the question names by number, ordinal, an English description (with
    `similarity`), or the words of its title."""
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
    if not found and similarity is not None:
        described = described_scenario(question, scenarios, similarity)
        found.update({described.id: described} if described else {})
    if not found and SCENARIO_WORD.search(question):
        terms = set(analyze(question))
        scored = [(len(_title_terms(s) & terms), s) for s in scenarios]
        best = max((n for n, _ in scored), default=0)
        if best:
            found.update((s.id, s) for n, s in scored if n == best)
    return list(found.values())


def described_scenario(
    question: str,
    scenarios: Sequence[Scenario],
    similarity: Callable[[str, Sequence[str]], Sequence[float]],
) -> Scenario | None:
    """The scenario an English description names ("the partnership scenario"), when one
    title is clearly the closest to it; `similarity` gives a text's cosine to each title."""
    match = _DESCRIBED.search(question)
    if match is None or len(scenarios) < 2:
        return None
    words = (match.group(1) or match.group(2)).split()
    if any(fold(w) in _NOT_DESCRIPTIONS or fold(w) in _ORDINALS for w in words):
        return None
    sims = sorted(
        zip(similarity(" ".join(words), [s.title for s in scenarios]), scenarios, strict=True),
        key=lambda pair: -pair[0],
    )
    (best, scenario), (second, _) = sims[0], sims[1]
    return scenario if best >= TITLE_SIMILARITY and best - second >= TITLE_MARGIN else None


def intent_of(
    question: str,
    scenarios: Sequence[Scenario],
    history: Sequence[str] = (),
    similarity: Callable[[str, Sequence[str]], Sequence[float]] | None = None,
    parts: Sequence[Part] = (),
) -> Intent:
    """The question's intent; a follow-up without a scenario of its own inherits the last one.
    With `similarity`, an English description can name a scenario too; the parts it asks
    for are among `parts`, the corpus's own (`part_cues.py`)."""
    named = named_scenarios(question, scenarios, similarity)
    if not named:
        for earlier in reversed(history):
            named = named_scenarios(earlier, scenarios, similarity)
            if named:
                break
    missing = sorted(numbers_named(question) - {s.number for s in scenarios}) if scenarios else []
    asked = asked_parts(question, parts)
    return Intent(tuple(s.id for s in named), tuple(asked), tuple(missing))
