"""Which of the scored sentences make the answer: the best few, never one twice nor more
than two of one passage; when the question names several scenarios, the best sentence of
each first; for a definition question, the sentences that name what it asks about."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..analysis import analyze
from ..types import Passage


@dataclass(frozen=True)
class Pick:
    """A chosen sentence: passage index (0-based), span inside the passage text, score."""

    passage: int
    start: int
    end: int
    score: float


def defining(
    picks: list[Pick],
    passages: Sequence[Passage],
    terms: set[str],
    expand: Callable[[Sequence[str]], list[str]],
    bar: float,
) -> list[Pick]:
    """The sentences holding every one of the defined `terms` (acronyms `expand`ed), when
    the best of them scores `bar` or more; else all the picks."""
    found = [
        k for k in picks if terms <= set(expand(analyze(passages[k.passage].text[k.start : k.end])))
    ]
    return found if found and found[0].score >= bar else picks


def choose(
    picks: list[Pick],
    passages: Sequence[Passage],
    named: Sequence[str],
    threshold: float,
    keep: float,
    most: int,
) -> list[Pick]:
    """Up to `most` sentences (or one per named scenario) scoring at least `threshold` and
    `keep` times the best one, best first; the best sentence of each `named` scenario id
    (scoring 0.8 x `threshold` or more) is taken first."""
    chosen: list[Pick] = []
    seen: set[str] = set()

    def take(k: Pick, bar: float) -> bool:
        key = " ".join(passages[k.passage].text[k.start : k.end].split()).casefold()
        if k.score < bar or key in seen or any(_overlaps(k, c) for c in chosen):
            return False
        if sum(c.passage == k.passage for c in chosen) >= 2:
            return False
        chosen.append(k)
        seen.add(key)
        return True

    for scenario_id in named:
        for k in picks:
            scenario = passages[k.passage].scenario
            if scenario and scenario.id == scenario_id and take(k, threshold * 0.8):
                break
    floor = max(threshold, keep * picks[0].score) if picks else threshold
    for k in picks:
        if len(chosen) >= max(most, len(named)):
            break
        take(k, floor)
    return sorted(chosen, key=lambda k: -k.score)


def _overlaps(a: Pick, b: Pick) -> bool:
    return a.passage == b.passage and a.start < b.end and b.start < a.end
