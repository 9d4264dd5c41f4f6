"""Rewrite a draft section's quotes into prose with a chat model; every claim re-tied.

The model sees only the quotes planned for the section (kept cells, diagnostics), fenced
as data and numbered. Its sentences go through the same parser as generated answers: each
marker must name a quote it was shown (others are dropped), and each sentence is tied to
the exact sub-span of the quote that best supports it. The draft then scores every
sentence with the support checker; weak or unsupported ones are flagged, never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..citations import SupportChecker, citation_for
from ..llm import ChatModel, complete
from ..prompts import draft_messages
from ..types import Citation, Passage
from .generated import GeneratedWriter


def as_passage(rank: int, c: Citation) -> Passage:
    """A quote shown to the model as a passage whose text is exactly the quoted span."""
    return Passage(
        rank, 1.0, c.chunk_id, c.doc_id, c.source, c.kind, c.scenario, c.section,
        c.start, c.end, c.quote, c.page,
    )  # fmt: skip


@dataclass
class SectionRewriter:
    """Writes one section as prose from its quotes, with a chat model."""

    model: ChatModel
    checker: SupportChecker
    lang: str = "fr"
    max_tokens: int = 600
    dropped: int = 0  # markers naming no quote shown, over all sections

    @property
    def name(self) -> str:
        """The chat model's name, reported as the draft's writer."""
        return self.model.name

    def rewrite(self, section: str, quotes: Sequence[Citation]) -> list[tuple[str, list[Citation]]]:
        """Sentences of the section with their exact (unnumbered) citations; none when the
        model declines."""
        passages = [as_passage(i, c) for i, c in enumerate(quotes, start=1)]
        reply = complete(
            self.model, draft_messages(section, self.lang, passages), max_tokens=self.max_tokens
        )
        claims, dropped = GeneratedWriter(self.model, self.checker).parse(reply, passages)
        self.dropped += dropped
        return [
            (text, [citation_for(0, passages[i], s, e) for i, s, e in spans])
            for text, spans in claims
            if spans
        ]
