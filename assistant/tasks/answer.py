"""Ask: retrieve, write (extractive or LLM), verify every citation, or refuse plainly.

Whoever writes, the same pipeline turns the result into an `Answer`: citations resolved
to retrieved chunks at exact spans, numbered in order of first use; each sentence scored
by the support checker; citation ids that were not retrieved removed and counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..citations import SupportChecker, citation_for, verdict_of
from ..language import detect
from ..retrieval import Retriever
from ..types import Answer, Citation, Passage, Sentence
from .extractive import ExtractiveWriter
from .generated import GeneratedWriter

Turn = tuple[str, str]  # (question, answer) of an earlier turn
_FOLLOW_UP = re.compile(
    r"^\s*(et|mais|aussi|quid|pareil|idem|and|but|also|what about|how about|same)\b",
    re.IGNORECASE,
)

FRAMING = {"fr": "D'après les sources :", "en": "According to the sources (quoted in French):"}
REFUSAL = {
    "fr": "Les sources ne répondent pas à cette question.",
    "en": "The sources do not answer this question.",
}
NEAREST = {
    "fr": "Passages les plus proches, qui ne répondent pas :",
    "en": "Nearest passages, which do not answer it:",
}


def contextual_query(question: str, history: Sequence[Turn]) -> str:
    """The retrieval query for a turn: an elliptic follow-up borrows the previous question."""
    if not history:
        return question
    words = re.findall(r"\w+", question)
    if len(words) <= 6 or _FOLLOW_UP.match(question):
        return f"{history[-1][0]} {question}"
    return question


@dataclass
class AskTask:
    """The `ask` use case over one retriever and one writer."""

    retriever: Retriever
    extractive: ExtractiveWriter
    generated: GeneratedWriter | None = None  # None: the extractive answerer
    checker: SupportChecker | None = None
    top_k: int = 5

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        scenarios: Sequence[str] = (),
        top_k: int | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """A grounded answer to the question, in its language, or an honest refusal."""
        question = question.strip()
        lang = detect(question)
        query = contextual_query(question, history)
        k = top_k or self.top_k
        intent = self.retriever.intent(question, [q for q, _ in history])
        passages = (
            self.retriever.search(query, top_k=k, scenarios=scenarios, intent=intent)
            if question
            else []
        )
        if not passages:
            return _refusal(question, lang, passages, on_text)
        if intent.missing:
            known = ", ".join(str(s.number) for s in self.retriever.lexical.scenarios())
            reason = f"no scenario {', '.join(map(str, intent.missing))} (the texts have {known})"
            return _refusal(question, lang, passages, on_text, None, reason)
        if self.generated is None:
            vector = self.retriever.embed_query(query)
            written = self.extractive.write(question, query, vector, passages, intent)
            claims = [
                (passages[p.passage].text[p.start : p.end], [(p.passage, p.start, p.end)])
                for p in written.picks
            ]
            dropped, confidence, reason = 0, written.best, written.declined
        else:
            claims, dropped = self.generated.write(question, lang, passages, history, on_text)
            confidence, reason = None, "" if claims else "the model found no answer"
        if not claims:
            return _refusal(question, lang, passages, on_text, confidence, reason)
        answer = self._assemble(question, lang, passages, claims, dropped, on_text)
        return replace(answer, confidence=confidence)

    def _assemble(
        self,
        question: str,
        lang: str,
        passages: Sequence[Passage],
        claims: Sequence[tuple[str, Sequence[tuple[int, int, int]]]],
        dropped: int,
        on_text: Callable[[str], None] | None,
    ) -> Answer:
        citations: dict[tuple[str, int, int], Citation] = {}
        sentences: list[Sentence] = []
        checker = self.checker or SupportChecker(idf=self.retriever.lexical.idf)
        for text, spans in claims:
            numbers: list[int] = []
            for index, start, end in spans:
                passage = passages[index]
                key = (passage.chunk_id, start, end)
                if key not in citations:
                    citations[key] = citation_for(len(citations) + 1, passage, start, end)
                numbers.append(citations[key].n)
            numbers = list(dict.fromkeys(numbers))
            quotes = [c.quote for c in citations.values() if c.n in numbers]
            support = checker.score(text, quotes)
            sentences.append(Sentence(text, tuple(numbers), support, verdict_of(support)))
        body = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in sentences)
        answer = f"{FRAMING[lang]} {body}"
        if on_text is not None and self.generated is None:
            on_text(answer)
        return Answer(
            question=question,
            language=lang,
            answerable=True,
            answer=answer,
            sentences=tuple(sentences),
            citations=tuple(citations.values()),
            passages=tuple(passages),
            dropped_citations=dropped,
        )


def _refusal(
    question: str,
    lang: str,
    passages: Sequence[Passage],
    on_text: Callable[[str], None] | None,
    confidence: float | None = None,
    reason: str = "",
) -> Answer:
    """'Not in the sources', listing the nearest passages by place, asserting nothing."""
    answer = REFUSAL[lang]
    if passages:
        places = "; ".join(f"{p.source} ({_where(p)})" for p in passages[:3])
        answer = f"{answer} {NEAREST[lang]} {places}."
    if on_text is not None:
        on_text(answer)
    return Answer(
        question,
        lang,
        False,
        answer,
        (),
        (),
        tuple(passages),
        0,
        confidence,
        reason or "no passage",
    )


def _where(p: Passage) -> str:
    if p.scenario is not None:
        return f"scénario {p.scenario.number}, {p.section}"
    return p.section or p.kind
