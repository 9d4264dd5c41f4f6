"""A generated answer that never loses what the evidence gave: the extractive answer's
sentences that the model's checked sentences do not restate are quoted after them.

A small model writes one sentence where the extractive answer quotes two or three, and
drops figures ("39,3 millions de logements" without "soit 89 % des locaux", a population
without its year). An extractive sentence is *restated* by the model's kept text when
every figure it holds is in that text and most of its content terms are (the checker's
idf-weighted coverage, at least `RESTATED`); otherwise it is added after the model's
prose, as it stands in the source (its own text at its offsets, cited like any quote),
under a label saying it was added (`ADDED`), with `Sentence.added` set (`Answer.added_sentences`
counts them).

`without_unsupported` is the other half of keeping a generated answer: its unsupported
sentences removed and counted, the citations renumbered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ..citations import SupportChecker, numbers_of
from ..types import Answer, Citation, Sentence

RESTATED = 0.7  # share of an extractive sentence's (weighted) terms the model's text must give
ADDED = {
    "fr": "Cité tel quel (la réponse ne le reprend pas)",
    "en": "Quoted as is (the answer leaves it out)",
}
Claim = tuple[str, Sequence[tuple[int, int, int]], str]  # text, (passage, start, end)s, label
Body = Callable[[Sequence[Sentence], str], str]


def restates(checker: SupportChecker, text: str, sentence: str) -> bool:
    """Whether `text` (the model's kept sentences) gives every figure of `sentence` and
    most of its content terms."""
    if not numbers_of(sentence) <= numbers_of(text):
        return False
    return checker.lexical(sentence, [text]) >= RESTATED


def left_out(
    checker: SupportChecker, kept: Sequence[Sentence], claims: Sequence[Claim], lang: str
) -> list[Claim]:
    """The extractive claims the kept generated sentences do not restate, labelled as
    added, in the extractive answer's order."""
    text = " ".join(s.text for s in kept)
    label = ADDED.get(lang, ADDED["fr"])
    return [(t, spans, label) for t, spans, _ in claims if not restates(checker, text, t)]


def with_added(answer: Answer, extra: Answer, body: Body) -> Answer:
    """The generated `answer` followed by `extra`'s sentences (the quotes it left out,
    assembled on their own), marked added; a span cited by both keeps one number."""
    if not extra.sentences:
        return answer
    citations = list(answer.citations)
    by_span = {(c.chunk_id, c.start, c.end): c.n for c in citations}
    renumber: dict[int, int] = {}
    for c in extra.citations:
        key = (c.chunk_id, c.start, c.end)
        if key not in by_span:
            by_span[key] = len(citations) + 1
            citations.append(replace(c, n=by_span[key]))
        renumber[c.n] = by_span[key]
    added = tuple(
        replace(s, citations=tuple(renumber[n] for n in s.citations), added=True)
        for s in extra.sentences
    )
    sentences = answer.sentences + added
    return replace(
        answer,
        answer=body(sentences, answer.language),
        sentences=sentences,
        citations=tuple(citations),
    )


def without_unsupported(
    answer: Answer, body: Body, fragments: int = 0, unfinished: int = 0
) -> Answer:
    """The generated answer less its unsupported sentences (counted, with the fragments and
    the unfinished last sentence of a cut reply that the writer left out), citations
    renumbered in order of first use among those kept."""
    kept = [s for s in answer.sentences if s.verdict != "unsupported"]
    used = list(dict.fromkeys(n for s in kept for n in s.citations))
    renumber = {old: new for new, old in enumerate(used, start=1)}
    by_n: dict[int, Citation] = {c.n: c for c in answer.citations}
    citations = tuple(replace(by_n[old], n=new) for old, new in renumber.items())
    sentences = tuple(replace(s, citations=tuple(renumber[n] for n in s.citations)) for s in kept)
    return replace(
        answer,
        answer=body(sentences, answer.language),
        sentences=sentences,
        citations=citations,
        removed_sentences=len(answer.sentences) - len(kept) + fragments + unfinished,
        cut_sentences=unfinished,
    )
