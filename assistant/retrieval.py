"""Hybrid retrieval: dense (Chroma) + BM25 + chunks by their best sentence
(`sentence_index.py`), fused by reciprocal rank (equal weights, k = 60).

Filters by scenario, kind and source (`retrieval_filters.py`) apply to every retriever.
`balance=True` interleaves scenarios so that no scenario crowds the others out. Every
passage's `score` is the cosine similarity of its stored vector to the query, whichever
retriever found it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from .embeddings import Embedder
from .errors import NotFound
from .fusion import balance as _balance
from .fusion import convex as _convex
from .fusion import mmr as _mmr
from .fusion import rrf as _rrf
from .intent import Intent, intent_of
from .lexical import LexicalIndex
from .part_cues import Part, corpus_parts
from .retrieval_filters import Filters, resolve_scenarios, resolve_sources
from .sentence_index import SentenceIndex
from .store import ChromaStore
from .store_meta import scenario_from_meta
from .types import KINDS, Passage


def to_passage(rank: int, hit: tuple[str, float, str, dict[str, Any]]) -> Passage:
    """A store hit as a Passage."""
    chunk_id, score, text, meta = hit
    return Passage(
        rank=rank,
        score=round(score, 4),
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        source=str(meta["source"]),
        kind=str(meta["kind"]),
        scenario=scenario_from_meta(meta),
        section=str(meta["section"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        page=int(meta["page"]) or None,
    )


Mode = Literal["hybrid", "dense", "lexical", "sentence"]
Hit = tuple[str, float, str, dict[str, Any]]  # chunk id, score, text, metadata


@dataclass
class Retriever:
    """Dense + lexical retrieval over one store, with the query model loaded once."""

    store: ChromaStore
    embedder: Embedder
    lexical: LexicalIndex
    pool: int = 30  # candidates taken from each retriever before fusion
    mmr_lambda: float = 0.9  # 1 = relevance only, 0 = diversity only
    lexical_weight: float = 1.0  # weight of the BM25 ranking in the fusion (dense: 1)
    rrf_k: int = 60  # reciprocal-rank-fusion constant (the textbook value)
    fusion: str = "rrf"  # "rrf" (ranks) or "convex" (min-max normalised scores, summed)
    section_boost: float = 0.25  # bonus, in top-rank units, for the named scenario and part
    scenario_ranking: bool = True  # fuse in a dense ranking restricted to named scenarios
    mmr: bool = False  # diversify the fused ranking by MMR (off: it earned nothing, issue 14)
    acronyms: bool = True  # expand BM25 queries with the acronyms the corpus defines
    query_cache: int = 256  # query vectors remembered
    sentences: SentenceIndex | None = None  # every chunk's sentences, embedded
    sentence_ranking: bool = True  # fuse in a ranking of chunks by their best sentence
    chunk_ranking: bool = True  # fuse in the chunks' own dense ranking

    def __post_init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._titles: dict[str, np.ndarray] = {}  # the scenario titles' vectors
        self._parts: tuple[str | None, list[Part]] = (None, [])  # (lexical version, parts)

    def refresh(self, wait: bool = True) -> int:
        """Bring the BM25 index and the sentence vectors in step with the store now (after
        an ingest or a removal); returns how many chunks had their sentences embedded.
        `wait=False`: the sentence vectors are synced in a thread (behind any sync under
        way, such as an upload's), and 0 is returned."""
        self.lexical.refresh(force=True)
        if self.sentences is None:
            return 0
        if not wait:
            threading.Thread(target=self.sentences.sync, daemon=True).start()
            return 0
        return self.sentences.sync()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector (the last few are remembered: answering re-uses them)."""
        vector = self._vectors.get(query)
        if vector is None:
            vector = np.asarray(self.embedder.embed([query], query=True)[0], dtype=np.float32)
            if len(self._vectors) >= self.query_cache:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[query] = vector
        return vector

    def filters(
        self, scenarios: Sequence[str] = (), kind: str | None = None, sources: Sequence[str] = ()
    ) -> Filters:
        """Resolve user filters (numbers, titles, source names) to ids; errors name the choices."""
        if kind and kind not in KINDS:
            raise NotFound(f"unknown kind '{kind}' (use {', '.join(KINDS)})")
        ids = tuple(s.id for s in resolve_scenarios(self.store, scenarios)) if scenarios else ()
        docs = tuple(resolve_sources(self.store, sources)) if sources else ()
        return Filters(ids, kind, docs)

    def search(
        self,
        query: str,
        *,
        top_k: int = 5,
        scenarios: Sequence[str] = (),
        kind: str | None = None,
        sources: Sequence[str] = (),
        mode: Mode = "hybrid",
        balance: bool = False,
        intent: Intent | None = None,
    ) -> list[Passage]:
        """The top_k passages for the query within the filters."""
        filters = self.filters(scenarios, kind, sources)
        return self.search_filtered(
            query, filters, top_k=top_k, mode=mode, balance=balance, intent=intent
        )

    def intent(self, question: str, history: Sequence[str] = ()) -> Intent:
        """Scenarios and parts the question points at (see `intent.py`)."""
        scenarios = self.lexical.scenarios()
        return intent_of(question, scenarios, history, self.title_similarity, self.parts())

    def parts(self) -> list[Part]:
        """The parts of the corpus's scenarios, with the names they go by (`part_cues.py`)."""
        self.lexical.refresh()
        if self._parts[0] != self.lexical.version:
            version, _, texts, metas = self.lexical.snapshot()  # the chunks of one state
            chunks = zip(texts, metas, strict=True)
            self._parts = (version, corpus_parts(chunks, self.store.get_text))
        return self._parts[1]

    def title_similarity(self, text: str, titles: Sequence[str]) -> list[float]:
        """Cosines between a text (as a query) and scenario titles (as passages)."""
        key = "\x00".join(titles)
        if key not in self._titles:
            self._titles = {key: np.asarray(self.embedder.embed(list(titles), query=False))}
        vector = self.embed_query(text)
        return [float(v) for v in self._titles[key] @ vector]

    def search_filtered(
        self, query: str, filters: Filters, *, top_k: int = 5, mode: Mode = "hybrid",
        balance: bool = False, intent: Intent | None = None,
    ) -> list[Passage]:  # fmt: skip
        """Like `search`, with filters already resolved."""
        if top_k <= 0 or not query.strip():
            return []
        vector = self.embed_query(query)
        found: list[tuple[list[Hit], float, bool]] = []  # each ranking, its weight, dense?

        def dense(where: dict[str, Any] | None) -> None:
            want = self.pool * 2 + 8  # headroom for chunks of inactive versions
            found.append(
                (self.store.nearest(vector.tolist(), want, where, self.lexical.row), 1.0, True)
            )

        if mode == "dense" or (mode == "hybrid" and self.chunk_ranking):
            dense(filters.where())
        if mode in ("hybrid", "lexical"):
            accept = filters.accept if filters != Filters() else None  # None: every chunk
            lexical = self.lexical.search(
                query, self.pool, accept, expand=self.acronyms, key=filters
            )
            weight = self.lexical_weight if mode == "hybrid" else 1.0
            found.append(([(h.chunk_id, h.score, h.text, h.meta) for h in lexical], weight, False))
        use_sentences = mode == "sentence" or (mode == "hybrid" and self.sentence_ranking)
        if use_sentences and self.sentences is not None:
            found.append((self.sentences.best(vector, filters.accept, self.pool), 1.0, False))
        named: list[str] = []
        if mode == "hybrid":
            intent = intent or self.intent(query)
            named = [
                i
                for i in intent.scenario_ids
                if not filters.scenario_ids or i in filters.scenario_ids
            ]
            if named and self.scenario_ranking:  # a ranking restricted to the named scenarios
                dense(replace(filters, scenario_ids=tuple(named)).where())
        # One check of the active versions for every ranking: a chunk of a version replaced
        # or removed since (by another process) is never returned.
        active = self.store.only_active([h for ranking, *_ in found for h in ranking])
        alive = {h[0] for h in active}
        hits: dict[str, tuple[str, dict[str, Any]]] = {}
        ranked: list[list[str]] = []
        scored: list[list[float]] = []
        weights: list[float] = []
        for ranking, weight, is_dense in found:
            kept = [h for h in ranking if h[0] in alive]
            kept = kept[: self.pool] if is_dense else kept
            hits.update((cid, (text, meta)) for cid, _, text, meta in kept)
            ranked.append([cid for cid, *_ in kept])
            scored.append([score for _, score, *_ in kept])
            weights.append(weight)
        boost: dict[str, float] = {}
        if mode == "hybrid":
            assert intent is not None
            for cid, (_, meta) in hits.items():
                in_named = meta.get("scenario_id") in named
                in_part = bool(meta.get("scenario_id")) and meta.get("section") in intent.sections
                unit = 1.0 if self.fusion == "convex" else 1 / (self.rrf_k + 1)  # a first rank
                boost[cid] = (in_named + in_part) * self.section_boost * unit
        if self.fusion == "convex":
            fused = _convex(ranked, scored, weights, boost)
        else:
            fused = _rrf(ranked, weights, boost, self.rrf_k)
        vectors = self.store.vectors(list(fused))
        fused = {cid: s for cid, s in fused.items() if cid in vectors}  # gone since indexed
        if not fused:
            return []
        ids = list(fused)
        matrix = np.asarray([vectors[c] for c in ids], dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
        sims = matrix @ (vector / (np.linalg.norm(vector) + 1e-12))
        order = (
            _mmr(np.asarray(list(fused.values())), matrix, self.mmr_lambda, top_k * 3)
            if mode == "hybrid" and self.mmr
            else list(range(len(ids)))
        )
        if balance:
            order = _balance(order, [str(hits[ids[i]][1].get("scenario_id", "")) for i in order])
        chosen = order[:top_k]
        return [
            to_passage(rank, (ids[i], float(sims[i]), *hits[ids[i]]))
            for rank, i in enumerate(chosen, start=1)
        ]
