"""Citations: sentence spans inside passages, exact quotes, and a support checker.

The checker does not trust whoever wrote the sentence. Its score in [0, 1] combines
lexical evidence (the share of the sentence's content terms, weighted by rarity, found in
the cited quotes) and embedding evidence (cosine between the sentence and its best quote).
A sentence found verbatim in a cited quote scores 1. Then what a paraphrase must not
change caps it, whatever the overlap (`claim_checks`): a figure the quotes do not give,
give with another unit or of another thing, or a figure computed from them makes it
unsupported; a negation the quotes lack, or a name (a capitalised word inside the
sentence) they do not contain, keeps it below supported (two such names: unsupported).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .analysis import analyze
from .claim_checks import NUMBER as _NUMBER
from .claim_checks import limit
from .embeddings import Embedder
from .sentences import line_breaks
from .types import Citation, Passage

SUPPORTED = 0.7  # support at or above: "supported"
WEAK = 0.4  # at or above: "weak"; below: "unsupported"

_BOUNDARY = re.compile(
    r"(?<=[.!?…])(?:[ \u00a0\u202f]?[\"»)])?\s+(?=[«\"(A-ZÀ-ÖØ-Ý0-9])"  # a sentence end
    r"|\n\s*\n\s*"  # a blank line
    r"|(?<=[.!?…:;»|])[ \t]*\n"  # a line that ends a sentence or a table row
    r"|\n(?=[ \t]*(?:[-*•–|#>]|\d+[.)]\s))"  # a line that starts an item, a row, a heading
)
_ITEM_NUMBER = re.compile(r"^\d+[.)]$")  # "1." left alone by a numbered heading's split
# a list bullet or an item's number, after any block quote's "> " (but "> 50 %" compares)
_BULLET = re.compile(r"^(?:>[ \t]+(?=[^\d\s]))*(?:[-*•–]\s+|\d+[.)]\s+)?")


def _quoted(text: str, bound: re.Match[str]) -> bool:
    """Whether a full stop's boundary lies inside guillemets that close later on its line
    (within 200 characters): « Transition(s) 2050. Choisir maintenant. » is one title."""
    if "\n" in bound.group() or "»" in bound.group():
        return False
    start = text.rfind("\n", 0, bound.start()) + 1
    before = text[start : bound.start()]
    if before.count("«") <= before.count("»"):
        return False
    line_end = text.find("\n", bound.end())
    stop = min(len(text) if line_end < 0 else line_end, bound.end() + 200)
    return text.find("»", bound.end(), stop) >= 0


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans [start, end) of a text, trimmed of spaces and list bullets, so that
    each reads as one clean quote. A line break inside a sentence (wrapped prose, PDF text)
    does not split it; list items, table rows, headings and titles are sentences of their
    own, final punctuation or not (see `sentences.py`)."""
    spans: list[tuple[int, int]] = []
    start = 0
    bounds = sorted(
        [(m.start(), m.end()) for m in _BOUNDARY.finditer(text) if not _quoted(text, m)]
        + [(b, b + 1) for b in line_breaks(text)]
    )
    for bound in [*bounds, None]:
        if bound and bound[0] < start:  # the same line break, found by both rules
            continue
        end = bound[0] if bound else len(text)
        closing = text[bound[0] : bound[1]].strip() if bound else ""
        if bound and closing in ('"', "»", ")"):  # the sentence ends with its closing mark
            end = text.index(closing, bound[0]) + 1
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        bullet = _BULLET.match(piece[lead:])
        lead += bullet.end() if bullet else 0
        s, e = start + lead, start + len(piece.rstrip())
        if text.startswith("#", s) and "\n" in text[s:e]:  # a heading, then its text
            cut = text.index("\n", s)
            head_end = s + len(text[s:cut].rstrip())
            if any(c.isalnum() for c in text[s:head_end]):
                spans.append((s, head_end))
            s = cut + len(text[cut:e]) - len(text[cut:e].lstrip())
        if e > s and any(c.isalnum() for c in text[s:e]) and not _ITEM_NUMBER.match(text[s:e]):
            spans.append((s, e))
        start = bound[1] if bound else len(text)
    return spans


def numbers_of(text: str) -> set[str]:
    """Numbers written in a text, normalised (spaces and thousands separators removed)."""
    return {re.sub(r"[ \u202f\u00a0]", "", n).replace(",", ".") for n in _NUMBER.findall(text)}


def without_numbers(text: str, numbers: set[str]) -> str:
    """The text with the given numbers (as `numbers_of` writes them) taken out."""

    def drop(match: re.Match[str]) -> str:
        found = re.sub(r"[ \u202f\u00a0]", "", match.group(0)).replace(",", ".")
        return "" if found in numbers else match.group(0)

    return _NUMBER.sub(drop, text)


def citation_for(n: int, passage: Passage, start: int, end: int) -> Citation:
    """A citation of [start, end) (offsets in the passage's text) with canonical offsets."""
    if not 0 <= start < end <= len(passage.text):
        raise ValueError("the span must lie inside the passage")
    return Citation(
        n=n,
        chunk_id=passage.chunk_id,
        doc_id=passage.doc_id,
        source=passage.source,
        kind=passage.kind,
        scenario=passage.scenario,
        section=passage.section,
        start=passage.start + start,
        end=passage.start + end,
        quote=passage.text[start:end],
        page=passage.page,
    )


def verdict_of(support: float) -> str:
    """The verdict for a support score."""
    if support >= SUPPORTED:
        return "supported"
    return "weak" if support >= WEAK else "unsupported"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class SupportChecker:
    """Scores how well cited quotes support a sentence; independent of the generator."""

    embedder: Embedder | None = None
    idf: Callable[[str], float] | None = None

    def lexical(self, sentence: str, quotes: Sequence[str]) -> float:
        """Weighted share of the sentence's content terms found in the quotes."""
        terms = set(analyze(sentence))
        if not terms:
            return 0.0
        found = set().union(*(analyze(q) for q in quotes)) if quotes else set()
        weight = self.idf or (lambda _t: 1.0)
        total = sum(max(weight(t), 0.5) for t in terms)
        return sum(max(weight(t), 0.5) for t in terms if t in found) / total

    def score(self, sentence: str, quotes: Sequence[str]) -> float:
        """Support of a sentence by its quotes, in [0, 1]."""
        if not quotes:
            return 0.0
        sentence = re.sub(r"\[\d+\]", "", sentence)  # citation markers are not claims
        bare = _norm(sentence).strip(" .")
        if bare and any(bare in _norm(q) for q in quotes):
            return 1.0
        lexical = self.lexical(sentence, quotes)
        semantic = lexical
        if self.embedder is not None:
            vectors = np.asarray(self.embedder.embed([sentence, *quotes], query=False))
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
            cosine = float((vectors[1:] @ vectors[0]).max())
            semantic = min(max((cosine - 0.80) / 0.15, 0.0), 1.0)  # e5 cosines live in 0.7-1
        support = min(0.6 * lexical + 0.4 * semantic, limit(sentence, quotes)[0])
        return round(min(max(support, 0.0), 1.0), 3)
