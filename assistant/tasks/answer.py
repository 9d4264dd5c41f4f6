"""Ask: retrieve, write (extractive or LLM), verify every citation, or refuse plainly.

The refusal decision is the extractive writer's, made first whoever writes: without
evidence the model is never called. The model is shown the parts of the passages that
evidence came from (`shown` passages at most). Its answer replaces the extractive one
only when it came back in format and at least one sentence is supported or weak; its
unsupported sentences are removed and counted, and the extractive quotes it does not
restate (a figure it dropped, a sentence it left out) are added after it, verbatim and
marked added (`left_out.py`; `add_quotes`). Otherwise (failure, timeout, "not found",
off-format, nothing supported) the extractive answer is given with a note saying so.

Whoever writes, the same pipeline turns the result into an `Answer`: citations resolved
to retrieved chunks at exact spans, numbered in order of first use; each sentence scored
by the support checker; citation ids that were not retrieved removed and counted. The
extractive writer's quotes are grouped under short labels (`layout.py`): "Scénario 2 —
Limites :", one line per group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ..citations import SupportChecker, citation_for, verdict_of
from ..intent import Intent
from ..query import Turn, read_question
from ..query import contextual_query as contextual_query  # re-exported
from ..retrieval import Retriever
from ..retrieval_filters import resolve_scenarios
from ..types import Answer, Citation, Passage, Sentence
from .choice import Pick
from .extractive import ExtractiveWriter
from .features import Asked
from .generated import GeneratedWriter, excerpt, fallback_note, shown_parts
from .layout import COLON, arrange, label
from .left_out import Claim, left_out, with_added, without_unsupported

log = logging.getLogger(__name__)

FRAMING = {"fr": "D'après les sources :", "en": "According to the sources (quoted in French):"}
REFUSAL = {
    "fr": "Les sources ne répondent pas à cette question.",
    "en": "The sources do not answer this question.",
}
NEAREST = {
    "fr": "Passages les plus proches, qui ne répondent pas :",
    "en": "Nearest passages, which do not answer it:",
}


@dataclass(frozen=True)
class Gathered:
    """The evidence for a question (see `AskTask.gather`)."""

    asked: Asked  # the question, read once (language, terms, figure, intent…)
    query: str
    passages: list[Passage]
    refused: str | None = None  # why it is refused before any writer, if it is


@dataclass
class AskTask:
    """The `ask` use case over one retriever and one writer."""

    retriever: Retriever
    extractive: ExtractiveWriter
    generated: GeneratedWriter | None = None  # None: the extractive answerer
    checker: SupportChecker | None = None
    top_k: int = 5
    shown: int = 3  # passages shown to the model, cut to the evidence (see `generated.shown_parts`)
    add_quotes: bool = True  # after a generated answer, the extractive quotes it left out
    _titles: dict[str, str] = field(default_factory=dict)

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
        found = self.gather(question, history=history, scenarios=scenarios, top_k=top_k)
        asked, query, passages = found.asked, found.query, found.passages
        lang, intent = asked.lang, asked.intent
        if found.refused is not None:
            return _refusal(question, lang, passages, on_text, None, found.refused)
        # The refusal decision comes first, whoever writes: no evidence, no model call.
        vector = self.retriever.embed_query(query)
        written = self.extractive.write(question, query, vector, passages, intent, asked)
        claims = self._labelled(asked, passages, written.picks)
        if not claims:
            return _refusal(question, lang, passages, on_text, written.best, written.declined)
        note = ""
        if self.generated is not None:
            shown = shown_parts(passages, written.picks, self.shown)
            excerpts = [excerpt(passages[i], a, b) for i, a, b in shown]
            made = self.generated.generate(question, lang, excerpts, history, on_text)
            if not made.failure:
                generated = [
                    (
                        text,
                        [(shown[i][0], shown[i][1] + s, shown[i][1] + e) for i, s, e in spans],
                        "",
                    )
                    for text, spans in made.claims
                ]
                answer = self._assemble(question, lang, passages, generated, made.dropped, None)
                if any(s.verdict != "unsupported" for s in answer.sentences):
                    answer = without_unsupported(answer, _body, made.fragments, made.unfinished)
                    return self._with_left_out(answer, passages, claims)
                made.failure = "unsupported"
            log.warning("generated answer not used (%s): %s", made.failure, made.detail)
            note = fallback_note(made.failure, lang)
        answer = self._assemble(question, lang, passages, claims, 0, on_text)
        return replace(answer, confidence=written.best, note=note)

    def _with_left_out(
        self, answer: Answer, passages: Sequence[Passage], claims: Sequence[Claim]
    ) -> Answer:
        """The generated answer, then the extractive quotes it does not restate (see
        `left_out.py`), unless `add_quotes` is off."""
        if not self.add_quotes:
            return answer
        checker = self.checker or SupportChecker(idf=self.retriever.lexical.idf)
        added = left_out(checker, answer.sentences, claims, answer.language)
        if not added:
            return answer
        extra = self._assemble(answer.question, answer.language, passages, added, 0, None)
        return with_added(answer, extra, _body)

    def gather(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        scenarios: Sequence[str] = (),
        top_k: int | None = None,
    ) -> Gathered:
        """The evidence for a question, before any writer: its language, the retrieval
        query, what it points at, the passages; or why it is refused outright (nothing
        retrieved, a scenario number that does not exist)."""
        read = read_question(self.retriever, self.extractive.reader, question, history)
        query, asked, intent = read.text, read.asked, read.asked.intent
        k = top_k or self.top_k
        passages = (
            self.retriever.search(query, top_k=k, scenarios=scenarios, intent=intent)
            if question
            else []
        )
        if not passages:
            return Gathered(asked, query, [], "no passage")
        passages = self._each_named(query, passages, scenarios, intent)
        if intent.missing:
            known = ", ".join(str(s.number) for s in self.retriever.lexical.scenarios())
            reason = f"no scenario {', '.join(map(str, intent.missing))} (the texts have {known})"
            return Gathered(asked, query, passages, reason)
        return Gathered(asked, query, passages)

    def _labelled(
        self, asked: Asked, passages: Sequence[Passage], picks: Sequence[Pick]
    ) -> list[Claim]:
        """The writer's sentences as claims, grouped and labelled (see `layout.py`)."""
        labels = [label(passages[p.passage], p.start, asked.lang, self._title) for p in picks]
        groups = arrange(
            [(p.passage, p.start) for p in picks],
            passages,
            labels,
            scenario_order=asked.intent.scenario_ids,
            method_first=bool(asked.defined),
        )
        return [
            (passages[k.passage].text[k.start : k.end], [(k.passage, k.start, k.end)], labels[n])
            for group in groups
            for n, k in ((n, picks[n]) for n in group)
        ]

    def _each_named(
        self, query: str, passages: list[Passage], scenarios: Sequence[str], intent: Intent
    ) -> list[Passage]:
        """A question naming several scenarios ("la différence entre le 2 et le 4") gets
        the best passages of a named scenario that retrieval left out, so that each can
        be quoted (within the user's scenario filter)."""
        if len(intent.scenario_ids) < 2:
            return passages
        allowed = {s.id for s in resolve_scenarios(self.retriever.store, scenarios)}
        present = {p.scenario.id for p in passages if p.scenario}
        out = list(passages)
        for scenario_id in intent.scenario_ids:
            if scenario_id in present or (allowed and scenario_id not in allowed):
                continue
            found = self.retriever.search(query, top_k=2, scenarios=[scenario_id], intent=intent)
            known = {p.chunk_id for p in out}
            out += [
                replace(p, rank=len(out) + n + 1)
                for n, p in enumerate(q for q in found if q.chunk_id not in known)
            ]
        return out

    def _title(self, doc_id: str) -> str:
        """A document's title (for labels), remembered."""
        if doc_id not in self._titles:
            record = self.retriever.store.get_record(doc_id)
            self._titles[doc_id] = record.title if record else ""
        return self._titles[doc_id]

    def _assemble(
        self,
        question: str,
        lang: str,
        passages: Sequence[Passage],
        claims: Sequence[Claim],
        dropped: int,
        on_text: Callable[[str], None] | None,
    ) -> Answer:
        citations: dict[tuple[str, int, int], Citation] = {}
        sentences: list[Sentence] = []
        checker = self.checker or SupportChecker(idf=self.retriever.lexical.idf)
        for text, spans, where in claims:
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
            sentences.append(Sentence(text, tuple(numbers), support, verdict_of(support), where))
        answer = _body(sentences, lang)
        if on_text is not None:
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


def _body(sentences: Sequence[Sentence], lang: str) -> str:
    """The framing phrase, then the sentences each followed by its citation numbers:
    labelled sentences one line per label, the label first."""
    if not any(s.label for s in sentences):
        body = (f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in sentences)
        return f"{FRAMING[lang]} {' '.join(body)}"
    lines = [FRAMING[lang]]
    previous = None
    for s in sentences:
        cited = f"{' '.join(s.text.split())} {''.join(f'[{n}]' for n in s.citations)}"
        if s.label != previous:
            lines.append(f"{s.label}{COLON.get(lang, ':')} {cited}" if s.label else cited)
        else:
            lines[-1] += f" {cited}"
        previous = s.label
    return "\n".join(lines)


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
