"""Rewrite a draft section's quotes into prose with a chat model; every claim re-tied.

The model sees only the quotes planned for the section (kept and adapted cells, the
diagnostics' *constats*), fenced as data and numbered; never the group's decisions, which
the draft quotes apart as decisions. Its sentences go through the same parser as generated
answers: each marker must name a quote it was shown (others are dropped), and each
sentence is tied to the exact sub-span of the quote that best supports it. The draft then
scores every sentence with the support checker.

`rewrite` never raises for the model's sake: a failure, a timeout (the whole reply within
`timeout` seconds), a "not found" or an off-format reply comes back as a `Written` whose
`failure` says why, so that the draft keeps the section's quotes and says so. A reply cut
at the token limit (`finish_reason` "length") loses its unfinished last sentence, counted
in `unfinished` (see `generated.py`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..citations import SupportChecker, citation_for
from ..llm import ChatModel, LLMError, LLMTimeout
from ..llm_stream import CUT, drain, finish_reason
from ..prompts import draft_messages
from ..types import Citation, Passage
from .generated import GeneratedWriter

# Why the model's paragraph was not used, as the draft's note says it.
FAILURES = {
    "failed": "le modèle de langue n'a pas répondu ; les passages sont cités tels quels.",
    "timeout": "le modèle de langue n'a pas répondu à temps ; les passages sont cités tels quels.",
    "no_answer": "le modèle n'a rien rédigé ; les passages sont cités tels quels.",
    "off_format": "la réponse du modèle était inutilisable ; les passages sont cités tels quels.",
    "unsupported": (
        "les passages n'appuyaient aucune phrase du modèle ; ils sont cités tels quels."
    ),
    "cut_off": (
        "la réponse du modèle a été coupée par la limite de longueur avant la fin de sa "
        "première phrase ; les passages sont cités tels quels."
    ),
}


CUT_NOTE = (
    "la dernière phrase du modèle, coupée par la limite de longueur avant sa fin, est retirée."
)


def failure_note(reason: str) -> str:
    """The note of a section whose quotes are given instead of the model's paragraph."""
    return FAILURES.get(reason, FAILURES["failed"])


def as_passage(rank: int, c: Citation) -> Passage:
    """A quote shown to the model as a passage whose text is exactly the quoted span."""
    return Passage(
        rank, 1.0, c.chunk_id, c.doc_id, c.source, c.kind, c.scenario, c.section,
        c.start, c.end, c.quote, c.page,
    )  # fmt: skip


def rewriter_for(generated: GeneratedWriter | None, timeout: float) -> SectionRewriter | None:
    """The section rewriter over the answers' chat model; None for the extractive answerer."""
    if generated is None:
        return None
    return SectionRewriter(generated.model, generated.checker, timeout=timeout)


@dataclass
class Written:
    """The model's paragraph as sentences with exact (unnumbered) citations, or why not."""

    claims: list[tuple[str, list[Citation]]] = field(default_factory=list)
    failure: str = ""  # "", "failed", "timeout", "no_answer", "off_format" or "cut_off"
    detail: str = ""
    unfinished: int = 0  # 1: the reply was cut at its token limit mid-sentence (left out)


@dataclass
class SectionRewriter:
    """Writes one section as prose from its quotes, with a chat model."""

    model: ChatModel
    checker: SupportChecker
    lang: str = "fr"
    max_tokens: int = 250  # a short paragraph: a busy CPU writes 0.5-2 tokens a second
    timeout: float = 240.0  # seconds for the whole reply (ASSISTANT_LLM_DRAFT_TIMEOUT)
    most: int = 6  # quotes shown at most: a short prompt is a fast one on a CPU
    dropped: int = 0  # markers naming no quote shown, over all sections

    @property
    def name(self) -> str:
        """The chat model's name, reported as the draft's writer."""
        return self.model.name

    def rewrite(self, section: str, quotes: Sequence[Citation]) -> Written:
        """The section's paragraph from (at most `most` of) its quotes."""
        passages = [as_passage(i, c) for i, c in enumerate(quotes[: self.most], start=1)]
        messages = draft_messages(section, self.lang, passages)
        pieces: list[str] = []
        deadline = time.monotonic() + self.timeout
        try:
            stream = self.model.stream(messages, max_tokens=self.max_tokens, temperature=0.0)
            if not drain(stream, deadline, pieces):
                raise LLMTimeout(f"no whole paragraph within {self.timeout:g} s")
        except LLMTimeout as exc:
            return Written(failure="timeout", detail=str(exc))
        except LLMError as exc:
            return Written(failure="failed", detail=str(exc))
        reply = "".join(pieces)
        cut = finish_reason(stream) == CUT
        read = GeneratedWriter(self.model, self.checker).read(reply, passages, cut=cut)
        if read.failure == "no_answer":
            return Written(failure="no_answer")
        self.dropped += read.dropped
        written = [
            (text, [citation_for(0, passages[i], s, e) for i, s, e in spans])
            for text, spans in read.claims
            if spans
        ]
        if not written:
            failure = "cut_off" if read.unfinished else "off_format"
            return Written(failure=failure, detail=reply[:300], unfinished=read.unfinished)
        return Written(written, unfinished=read.unfinished)
