"""Which of the scored sentences make the answer: the best few, never one twice nor more
than two of one passage; when the question names several scenarios, the best sentence of
each first; for a definition question, the sentences that name what it asks about. A
sentence that announces a list ("Il intègre trois éléments :") brings the list's items
with it, right after it, when they were retrieved: alone, it says that there are three,
not which."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..analysis import analyze
from ..types import Passage

LIST_ITEMS = 6  # the items a lead-in brings at most
# what may stand between a list's lead-in and an item, or two items: a line break and the
# item's marker ("- ", "• ", "2. ", "b) ")
_BETWEEN_ITEMS = re.compile(r"\s*\n[\s\-*•–·]*(?:(?:\d{1,2}|[a-z])[.)]\s*)?")
# a table's rule under its header row ("|---|:--|"): rows are the items, the rule no marker
_TABLE_RULE = re.compile(r"^[ \t|:-]*-[ \t|:-]*\n", re.MULTILINE)


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


def with_lists(
    chosen: list[Pick],
    picks: Sequence[Pick],
    passages: Sequence[Passage],
    document: Callable[[str], str | None],
) -> list[Pick]:
    """`chosen`, each sentence ending with a colon followed by the list it announces: the
    candidates of its document that come next, each on a line of its own (up to
    LIST_ITEMS; a table's rows are items too), from its passage or from a retrieved passage
    after it (a chunk may end after the lead-in). `document`: a document's text, where what
    lies between two items is read (a line break, a list marker, a table's rule)."""
    out: list[Pick] = []
    spans: set[tuple[str, int]] = set()  # (document, start) of the sentences kept

    def at(c: Pick) -> int:
        return passages[c.passage].start + c.start

    for k in chosen:
        doc = passages[k.passage].doc_id
        if (doc, at(k)) in spans:
            continue
        out.append(k)
        spans.add((doc, at(k)))
        if not passages[k.passage].text[k.start : k.end].rstrip().endswith(":"):
            continue
        text = document(doc) or ""
        end, items, marked = passages[k.passage].start + k.end, 0, None
        after = sorted((c for c in picks if passages[c.passage].doc_id == doc), key=at)
        for item in after:
            if at(item) < end:
                continue
            gap = _TABLE_RULE.sub("", text[end : at(item)])
            if items == LIST_ITEMS or not _BETWEEN_ITEMS.fullmatch(gap):
                break
            # the first item sets the list's style: every item has a marker, or none has
            # and they are lines in a row (a paragraph after the list is not an item)
            has_marker = bool(gap.strip())
            if marked is not None and (
                has_marker != marked or (not has_marker and gap.count("\n") > 1)
            ):
                break
            marked = has_marker
            if (doc, at(item)) not in spans:
                out.append(item)
                spans.add((doc, at(item)))
            end, items = passages[item.passage].start + item.end, items + 1
    return out


def _overlaps(a: Pick, b: Pick) -> bool:
    return a.passage == b.passage and a.start < b.end and b.start < a.end
