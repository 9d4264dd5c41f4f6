"""The LLM writer: a chat model answers from fenced passages; its citations are re-checked.

The model's `[n]` markers are mapped back to the passages it was shown. Markers that name
no shown passage are dropped and counted. Each kept marker becomes a citation of the
sentence of that passage that best matches the claim (the whole chunk when none does).
A sentence without a usable marker is tied to the passage sentence that best matches it,
so that an evaluator can still check it; the support checker then scores it like any
other, and weak or unsupported sentences are flagged, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..citations import SupportChecker, sentence_spans
from ..llm import ChatModel
from ..prompts import CANNOT_ANSWER, answer_messages
from ..types import Passage

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
Claim = tuple[str, list[tuple[int, int, int]]]


@dataclass
class GeneratedWriter:
    """Writes answers with a chat model, then ties every sentence to exact spans."""

    model: ChatModel
    checker: SupportChecker
    max_tokens: int = 400

    def write(
        self,
        question: str,
        lang: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]],
        on_text: Callable[[str], None] | None = None,
    ) -> tuple[list[Claim], int]:
        """Claims (sentence, [(passage index, start, end)]) and the count of dropped ids."""
        messages = answer_messages(question, lang, passages, history)
        pieces: list[str] = []
        for delta in self.model.stream(messages, max_tokens=self.max_tokens, temperature=0.0):
            pieces.append(delta)
            if on_text is not None:
                on_text(delta)
        return self.parse("".join(pieces), passages)

    def parse(self, text: str, passages: Sequence[Passage]) -> tuple[list[Claim], int]:
        """Sentences of the model's text with their checked spans; dropped-marker count."""
        stripped = text.strip()
        if not stripped or any(stripped.startswith(s) for s in CANNOT_ANSWER.values()):
            return [], 0
        claims: list[Claim] = []
        dropped = 0
        for start, end in sentence_spans(stripped):
            raw = stripped[start:end]
            cited: list[int] = []
            for group in _MARKER.findall(raw):
                for number in (int(n) for n in group.split(",")):
                    if 1 <= number <= len(passages):
                        cited.append(number - 1)
                    else:
                        dropped += 1
            sentence = " ".join(_MARKER.sub("", raw).split()).replace(" .", ".")
            if not re.search(r"\w", sentence):
                continue
            candidates = list(dict.fromkeys(cited)) or range(len(passages))
            spans = [self._best_span(sentence, i, passages[i]) for i in candidates]
            if not cited:
                spans = [max(spans, key=lambda s: s[3])]
            claims.append((sentence, [(i, s, e) for i, s, e, _ in spans]))
        return claims, dropped

    def _best_span(
        self, sentence: str, index: int, passage: Passage
    ) -> tuple[int, int, int, float]:
        """The passage sentence that best supports the claim, or the whole passage."""
        best = (index, 0, len(passage.text), 0.0)
        for s, e in sentence_spans(passage.text):
            score = self.checker.lexical(sentence, [passage.text[s:e]])
            if score > best[3]:
                best = (index, s, e, score)
        if best[3] < 0.3:
            return (index, 0, len(passage.text), best[3])
        return best
