"""The LLM writer: a chat model answers from fenced passages; its citations are re-checked.

The model's `[n]` markers are mapped back to the passages it was shown, but they are only a
hint: small models often cite the wrong number. Each sentence is tied to the exact span
(one sentence of a passage, or two adjacent ones) that best matches it, first among the
passages it cites; when another shown passage matches it clearly better, the citation
moves there and the wrong marker is counted as dropped, like a marker naming no shown
passage. The support checker then scores every sentence like any other.

`generate` never raises for the model's sake: a failure, a timeout (the whole reply must
arrive within `timeout` seconds), a "not found" or an off-format reply (no sentence: only
markers, headings or lone words) comes back. A lone figure ("534 [1]", a small model's
favourite reply to "how many") is a claim, tied to a span and checked like a sentence; a
question (the model's echo of the one asked) is not.
A sentence without a marker is tied to the best-matching span of any shown passage and
checked like the others: markers are hints.
Each of these comes back as a `Generation` whose `failure` says why, so that the caller
can fall back to the extractive answer and say so.

A reply the model stopped at its token limit (the stream's `finish_reason` is "length")
may end on an unfinished sentence ("… est mis en [5]"): when its last sentence does not
end a sentence, it is left out and counted (`unfinished`), never tied to a quote and
shown. Only the finish reason tells a cut reply: a finished one may end without a full
stop (a list of names). A cut reply with nothing else in it is a "cut_off" failure.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ..citations import SupportChecker, sentence_spans
from ..llm import ChatModel, LLMError, LLMTimeout
from ..llm_stream import CUT, drain, finish_reason
from ..prompts import CANNOT_ANSWER, answer_messages
from ..types import Passage
from .choice import Pick

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_LOOSE_MARKER = re.compile(r"\[\s*(?:passage|source)?\s*(\d+)\s*\]", re.IGNORECASE)
_LATE_MARKERS = re.compile(r"([.!?…])[ \t]*((?:\[\d+(?:\s*[,;]\s*\d+)*\][ \t]*)+)(?=\s|$)")
Claim = tuple[str, list[tuple[int, int, int]]]
_SPAN_FLOOR = 0.3  # below: the best sentence of a passage is no match, cite the passage
_MIN_WORDS = 2  # a shorter "sentence" ("PIRATÉ.", "Voir.") claims nothing checkable...
_FIGURE = re.compile(r"\d")  # ...unless it is a figure ("534 [1]", "90% [1]"): checked as any
_BRACKETED_FIGURE = re.compile(r"(?<=[^\W\d_] )\[(\d+)\](?= [^\W\d_])")
_OPEN_MARKER = re.compile(r"\[[^\]]*$")  # "… mis en [5" : a marker the limit cut
_ENDED = re.compile(r"[.!?…][\"'»”’)\]*_\s]*$")  # a sentence's end, closing quotes after

_PAIR_GAIN = 0.1  # two adjacent sentences are cited when they match this much better
_MOVE_MARGIN = 0.25  # another passage must match this much better to take the citation

# Why a generation was not used, in the words shown to the participant.
FALLBACK_NOTES = {
    "failed": {
        "fr": "Le modèle de langue n'a pas répondu : voici les extraits des sources.",
        "en": "The language model did not answer: here are the source extracts.",
    },
    "timeout": {
        "fr": "Le modèle de langue n'a pas répondu à temps : voici les extraits des sources.",
        "en": "The language model did not answer in time: here are the source extracts.",
    },
    "no_answer": {
        "fr": "Le modèle de langue n'a pas trouvé de réponse : voici les extraits des sources.",
        "en": "The language model found no answer: here are the source extracts.",
    },
    "off_format": {
        "fr": "La réponse du modèle de langue était inutilisable : voici les extraits des sources.",
        "en": "The language model's answer was unusable: here are the source extracts.",
    },
    "unsupported": {
        "fr": "Les sources n'appuyaient pas la réponse du modèle de langue : voici les extraits.",
        "en": "The sources did not support the language model's answer: here are the extracts.",
    },
    "cut_off": {
        "fr": "La réponse du modèle de langue a été coupée avant la fin de sa première phrase : "
        "voici les extraits des sources.",
        "en": "The language model's answer was cut off before its first sentence ended: here "
        "are the source extracts.",
    },
}


def fallback_note(reason: str, lang: str) -> str:
    """The sentence shown with an extractive answer given instead of a generated one."""
    notes = FALLBACK_NOTES.get(reason, FALLBACK_NOTES["failed"])
    return notes.get(lang, notes["fr"])


@dataclass
class Generation:
    """What the model wrote, tied to spans; `failure` is empty when it can be used."""

    claims: list[Claim] = field(default_factory=list)
    dropped: int = 0
    fragments: int = 0  # "sentences" too short to claim anything (e.g. a lone word), left out
    failure: str = ""  # "", "failed", "timeout", "no_answer", "off_format" or "cut_off"
    detail: str = ""  # the error message, for logs and evaluators
    text: str = ""  # the raw reply
    unfinished: int = 0  # 1 when the reply was cut at its token limit mid-sentence: left out


@dataclass
class GeneratedWriter:
    """Writes answers with a chat model, then ties every sentence to exact spans."""

    model: ChatModel
    checker: SupportChecker
    max_tokens: int = 400
    timeout: float = 60.0  # seconds for the whole reply

    def generate(
        self,
        question: str,
        lang: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]],
        on_text: Callable[[str], None] | None = None,
    ) -> Generation:
        """The model's answer to the question about the passages, tied to spans."""
        messages = answer_messages(question, lang, passages, history)
        pieces: list[str] = []
        deadline = time.monotonic() + self.timeout
        try:
            stream = self.model.stream(messages, max_tokens=self.max_tokens, temperature=0.0)
            if not drain(stream, deadline, pieces, on_text):
                raise LLMTimeout(f"no whole answer within {self.timeout:g} s")
        except LLMTimeout as exc:
            return Generation(failure="timeout", detail=str(exc), text="".join(pieces))
        except LLMError as exc:
            return Generation(failure="failed", detail=str(exc), text="".join(pieces))
        return self.read("".join(pieces), passages, cut=finish_reason(stream) == CUT)

    def read(self, text: str, passages: Sequence[Passage], *, cut: bool = False) -> Generation:
        """The model's whole reply tied to spans, or why it cannot be used; `cut`: the
        model stopped at its token limit (its unfinished last sentence is left out)."""
        if declines(text):
            return Generation(failure="no_answer", text=text)
        claims, dropped, _, fragments, unfinished = self._tie(text, passages, cut)
        if not claims:  # e.g. only markers, headings or lone words, or one cut sentence
            failure = "cut_off" if unfinished else "off_format"
            return Generation(claims, dropped, fragments, failure, text[:300], text, unfinished)
        return Generation(claims, dropped, fragments, text=text, unfinished=unfinished)

    def parse(self, text: str, passages: Sequence[Passage]) -> tuple[list[Claim], int]:
        """Sentences of the model's text with their checked spans; dropped-marker count."""
        if declines(text):
            return [], 0
        claims, dropped, *_ = self._tie(text, passages)
        return claims, dropped

    def _tie(
        self, text: str, passages: Sequence[Passage], cut: bool = False
    ) -> tuple[list[Claim], int, int, int, int]:
        """Claims, dropped markers, how many sentences carried a usable marker, how many
        fragments were left out, and whether an unfinished last sentence was (`cut`)."""
        stripped = _LOOSE_MARKER.sub(r"[\1]", text.strip())
        # "… selon l'Insee. [2]": a marker after the full stop belongs to that sentence.
        stripped = _LATE_MARKERS.sub(
            lambda m: f" {' '.join(m.group(2).split())}{m.group(1)}", stripped
        )
        # "cibler [400] territoires": a figure in brackets, inside a sentence, naming no
        # shown passage, is the figure.
        stripped = _BRACKETED_FIGURE.sub(
            lambda m: m.group(1) if int(m.group(1)) > len(passages) else m.group(0), stripped
        )
        claims: list[Claim] = []
        dropped = marked = fragments = unfinished = 0
        lines = sentence_spans(stripped)
        if cut and lines and not _ends(stripped[slice(*lines[-1])]):
            lines, unfinished = lines[:-1], 1  # "… est mis en [5]": never shown
        for start, end in lines:
            raw = stripped[start:end]
            cited: list[int] = []
            for group in _MARKER.findall(raw):
                for number in (int(n) for n in re.split(r"[,;]", group)):
                    if 1 <= number <= len(passages):
                        cited.append(number - 1)
                    else:
                        dropped += 1
            sentence = " ".join(_MARKER.sub("", raw).split()).replace(" .", ".")
            sentence = re.sub(r"\s+([,;:!?])", r"\1", sentence)
            sentence = re.sub(r"([.!?…])\.$", r"\1", sentence)  # "proximité. [1]." once
            if not re.search(r"\w", sentence) or _is_heading(sentence):
                continue
            short = len(re.findall(r"\w+", sentence)) < _MIN_WORDS
            if (short and not _FIGURE.search(sentence)) or sentence.endswith("?"):
                fragments += 1
                continue
            cited = list(dict.fromkeys(cited))
            marked += bool(_MARKER.search(raw))  # a wrong number is re-tied, not off-format
            everywhere = [self._best_span(sentence, i, p) for i, p in enumerate(passages)]
            best = max(everywhere, key=lambda s: s[3])
            if cited:
                spans = [everywhere[i] for i in cited]
                own = max(s[3] for s in spans)
                if best[3] >= own + _MOVE_MARGIN and best[0] not in cited:
                    dropped += len(cited)
                    spans = [best]
                else:
                    spans = [s for s in spans if s[3] >= own - _MOVE_MARGIN] or spans
            else:
                spans = [best]
            claims.append((sentence, [(i, s, e) for i, s, e, _ in spans]))
        return claims, dropped, marked, fragments, unfinished

    def _best_span(
        self, sentence: str, index: int, passage: Passage
    ) -> tuple[int, int, int, float]:
        """The passage sentence (or pair of adjacent sentences, when clearly better) that
        best supports the claim, or the whole passage when none matches."""
        spans = sentence_spans(passage.text)

        def scored(windows: Sequence[tuple[int, int]]) -> tuple[float, int, int]:
            found = [
                (self.checker.lexical(sentence, [passage.text[s:e]]), s, e) for s, e in windows
            ]
            return max(found, key=lambda f: f[0], default=(0.0, 0, len(passage.text)))

        best = scored(spans)
        pair = scored([(a[0], b[1]) for a, b in zip(spans, spans[1:], strict=False)])
        if pair[0] >= best[0] + _PAIR_GAIN:
            best = pair
        if best[0] < _SPAN_FLOOR:
            return (index, 0, len(passage.text), best[0])
        return (index, best[1], best[2], best[0])


def _ends(raw: str) -> bool:
    """Whether a sentence of the reply ends as a sentence does (its markers aside), or says
    nothing at all."""
    tail = _OPEN_MARKER.sub("", _MARKER.sub("", raw)).rstrip()
    return not re.search(r"\w", tail) or bool(_ENDED.search(tail))


def declines(text: str) -> bool:
    """Whether the model's reply is empty or the "cannot answer" sentinel."""
    stripped = text.strip().strip("*_`\"' ")
    return not stripped or any(stripped.startswith(s) for s in CANNOT_ANSWER.values())


def _is_heading(sentence: str) -> bool:
    """A line like "Réponse :" or "# Réponse" that says nothing."""
    short = len(sentence.split()) <= 3
    return short and (sentence.startswith("#") or sentence.rstrip().endswith(":"))


def shown_parts(
    passages: Sequence[Passage], picks: Sequence[Pick], most: int
) -> list[tuple[int, int, int]]:
    """What a model is shown: (passage index, start, end) of the part of each passage the
    extractive evidence came from (its picked sentences, one sentence either side), for
    the `most` best-ranked such passages. A short prompt is a fast one on a CPU, and
    leaves less to cite wrongly."""
    out = []
    for index in sorted({p.passage for p in picks})[:most]:
        spans = sentence_spans(passages[index].text)
        chosen = [n for n, (s, e) in enumerate(spans) for p in picks
                  if p.passage == index and s < p.end and p.start < e]  # fmt: skip
        if not chosen:
            out.append((index, 0, len(passages[index].text)))
            continue
        first, last = max(min(chosen) - 1, 0), min(max(chosen) + 1, len(spans) - 1)
        out.append((index, spans[first][0], spans[last][1]))
    return out


def excerpt(passage: Passage, start: int, end: int) -> Passage:
    """The part [start, end) of a passage, as a passage of its own (canonical offsets)."""
    return replace(
        passage, start=passage.start + start, end=passage.start + end, text=passage.text[start:end]
    )
