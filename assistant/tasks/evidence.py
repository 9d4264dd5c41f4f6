"""Evidence for a cell: sentences of the sources at exact spans, ready to be cited.

Two ways to find it. `section_evidence`: every sentence of one part of one scenario
(its narrative, levers, interest or limits), the most representative first — closest to
the mean of the part's sentence vectors. `topic_evidence`: retrieval of a topic within a
scope (one scenario, or one document kind), scored by the extractive writer, keeping only
the sentences that mention the topic (see `topics.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..citations import citation_for, sentence_spans
from ..retrieval import Retriever, to_passage
from ..retrieval_filters import Filters
from ..types import Citation, Passage
from .extractive import NO_INTENT, ExtractiveWriter
from .topics import Topic


@dataclass(frozen=True)
class Evidence:
    """One sentence of a passage, [start, end) in the passage's text, with its score."""

    passage: Passage
    start: int
    end: int
    score: float
    cues: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The sentence, verbatim."""
        return self.passage.text[self.start : self.end]

    @property
    def key(self) -> tuple[str, int, int]:
        """Identity: the document and the canonical span."""
        return (self.passage.doc_id, self.passage.start + self.start, self.passage.start + self.end)

    def citation(self, n: int = 1) -> Citation:
        """The exact citation of this sentence."""
        return citation_for(n, self.passage, self.start, self.end)


def substantive(text: str) -> bool:
    """A sentence worth quoting: two words or more, not a bracketed editorial note ("partie
    à compléter"), not a list's lead-in ending with a colon."""
    text = text.strip()
    if len(text.split()) < 2 or not any(c.isalpha() for c in text):
        return False
    return not (text.startswith("(") and text.endswith(")")) and not text.endswith(":")


_WHOLE = {True: 1.0, False: 0.7}  # a sentence cut by a chunk start counts less


def _whole(text: str) -> bool:
    return text[:1].isupper() or text[:1] in '«"(0123456789'


def _distinct(found: Sequence[Evidence]) -> list[Evidence]:
    """Drop repeats, keeping the first: the same sentence twice, or a piece of a kept one
    (chunks overlap, so a sentence may be whole in one chunk and cut in the next)."""
    kept: list[Evidence] = []
    for ev in found:
        doc, start, end = ev.key
        norm = " ".join(ev.text.split()).casefold()
        if any(
            (k.key[0] == doc and k.key[1] < end and start < k.key[2])
            or " ".join(k.text.split()).casefold() == norm
            for k in kept
        ):
            continue
        kept.append(ev)
    return kept


def chunk_passages(retriever: Retriever, where: dict[str, Any]) -> list[Passage]:
    """Every active chunk matching a metadata filter, as passages in text order."""
    rows = retriever.store.chunks_where(where)
    return [to_passage(i, (cid, 1.0, text, meta)) for i, (cid, text, meta) in enumerate(rows, 1)]


def section_evidence(
    retriever: Retriever, extractive: ExtractiveWriter, scenario_id: str, section: str
) -> list[Evidence]:
    """The sentences of one part of one scenario, the most representative first."""
    where = {"$and": [{"scenario_id": scenario_id}, {"section": section}]}
    passages = chunk_passages(retriever, where)
    every = [
        Evidence(p, s, e, 0.0)
        for p in passages
        for s, e in sentence_spans(p.text)
        if substantive(p.text[s:e])
    ]
    # whole sentences first, then the longest: a piece cut by a chunk edge loses to its whole
    found = _distinct(sorted(every, key=lambda ev: (not _whole(ev.text), ev.start - ev.end)))
    if not found:
        return []
    by_span = {
        (p.chunk_id, *span): vector
        for p in passages
        for span, vector in zip(
            sentence_spans(p.text), extractive.passage_vectors(p.text), strict=True
        )
    }
    vectors = np.stack([by_span[(ev.passage.chunk_id, ev.start, ev.end)] for ev in found])
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) + 1e-12
    scored = [
        Evidence(ev.passage, ev.start, ev.end, round(float(sim) * _WHOLE[_whole(ev.text)], 4))
        for ev, sim in zip(found, vectors @ centroid, strict=True)
    ]
    return sorted(scored, key=lambda ev: (-ev.score, ev.key))


def topic_evidence(
    retriever: Retriever,
    extractive: ExtractiveWriter,
    topic: Topic,
    *,
    scenario_id: str | None = None,
    kind: str | None = None,
    top_k: int = 10,
) -> list[Evidence]:
    """Sentences within the scope that mention the topic, best scored first (may be none)."""
    filters = Filters((scenario_id,) if scenario_id else (), kind)
    passages = retriever.search_filtered(topic.query, filters, top_k=top_k, intent=NO_INTENT)
    if not passages:
        return []
    vector = retriever.embed_query(topic.query)
    picks = extractive.candidates(topic.query, topic.query, vector, passages, NO_INTENT)
    found = []
    for pick in picks:
        ev = Evidence(passages[pick.passage], pick.start, pick.end, pick.score)
        cues = topic.mentions(ev.text)
        if cues and substantive(ev.text):
            found.append(Evidence(ev.passage, ev.start, ev.end, ev.score, cues))
    return _distinct(found)
