"""The facilitator edits a section of the draft; an edited sentence is unverified until checked.

A section is edited as text, one sentence per line, each ending with the numbers of its
citations (`[3]`, `[3][5]`). A line equal to a sentence of the section (text and numbers)
keeps that sentence and its verdict; any other line becomes a sentence whose verdict is
`unverified` (support 0), shown and exported as "non vérifiée", never as supported. A
number that is not one of the section's citations is dropped. `check_section` scores the
unverified sentences again with the support checker, against the quotes they cite or, when
they cite none, against the section's citation that best matches them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..citations import SupportChecker, sentence_spans, verdict_of
from ..errors import AssistantError
from .draft import Draft, DraftSection, DraftSentence
from .draft_notes import label_of

UNVERIFIED = "unverified"
MAX_EDIT_CHARS = 20_000
_MARKERS = re.compile(r"\[(\d+)\]")


def section_text(section: DraftSection) -> str:
    """A section as the facilitator edits it: one sentence per line, with its numbers."""
    return "\n".join(
        f"{s.text} {''.join(f'[{n}]' for n in s.citations)}".rstrip() for s in section.sentences
    )


def _section(draft: Draft, name: str) -> DraftSection:
    found = next((s for s in draft.sections if s.name == name), None)
    if found is None:
        raise AssistantError(f"the draft has no section '{name}'")
    return found


def _numbers(section: DraftSection) -> set[int]:
    """The citations the section was drafted from (those its sentences cite, for a draft
    made before sections recorded them)."""
    return set(section.cited) or {n for s in section.sentences for n in s.citations}


def _with(draft: Draft, section: DraftSection) -> Draft:
    return replace(
        draft, sections=tuple(section if s.name == section.name else s for s in draft.sections)
    )


def edit_section(draft: Draft, name: str, text: str) -> Draft:
    """The draft with one section's sentences replaced by the edited text."""
    if len(text) > MAX_EDIT_CHARS:
        raise AssistantError(f"the edited text is too long (at most {MAX_EDIT_CHARS} characters)")
    section = _section(draft, name)
    allowed = _numbers(section)
    known = {(s.text, s.citations): s for s in section.sentences}
    by_n = {c.n: c for c in draft.citations}
    sentences: list[DraftSentence] = []
    for line in text.splitlines():
        for start, end in sentence_spans(line):
            raw = line[start:end]
            numbers = tuple(dict.fromkeys(int(n) for n in _MARKERS.findall(raw)))
            numbers = tuple(n for n in numbers if n in allowed)
            clean = " ".join(_MARKERS.sub(" ", raw).split()).replace(" .", ".")
            if not re.search(r"\w", clean):
                continue
            same = known.get((clean, numbers))
            label = label_of(by_n[numbers[0]]) if numbers and numbers[0] in by_n else ""
            new = DraftSentence(clean, numbers, 0.0, UNVERIFIED, label=label, edited=True)
            sentences.append(same or new)
    edited = replace(section, sentences=tuple(sentences), cited=tuple(sorted(allowed)))
    return _with(draft, edited)


def check_section(draft: Draft, name: str, checker: SupportChecker) -> Draft:
    """The draft with the unverified sentences of one section scored again."""
    section = _section(draft, name)
    by_n = {c.n: c for c in draft.citations}
    pool = sorted(_numbers(section))
    checked: list[DraftSentence] = []
    for s in section.sentences:
        if s.verdict != UNVERIFIED:
            checked.append(s)
            continue
        numbers = s.citations
        if not numbers and pool:
            best = max(pool, key=lambda n: checker.lexical(s.text, [by_n[n].quote]))
            numbers = (best,)
        support = checker.score(s.text, [by_n[n].quote for n in numbers if n in by_n])
        label = label_of(by_n[numbers[0]]) if numbers and numbers[0] in by_n else s.label
        checked.append(
            replace(s, citations=numbers, support=support, verdict=verdict_of(support), label=label)
        )
    return _with(draft, replace(section, sentences=tuple(checked)))
