"""Speed changes that must not change a result (issue 12): each against the slow original."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import analysis
from assistant.config import Settings
from assistant.embeddings import Embedder
from assistant.ingest import Ingestor
from assistant.retrieval import _mmr
from assistant.store import ChromaStore
from assistant.wiring import make_ask_task, make_retriever


def _mmr_reference(relevance: np.ndarray, matrix: np.ndarray, lam: float, k: int) -> list[int]:
    """MMR as it was: penalties recomputed from the chosen set at every step."""
    rel = relevance / relevance.max()
    pairwise = matrix @ matrix.T
    chosen: list[int] = []
    left = list(range(len(rel)))
    while left and len(chosen) < k:
        if chosen:
            penalty = pairwise[np.ix_(left, chosen)].max(axis=1)
            scores = lam * rel[left] - (1 - lam) * penalty
        else:
            scores = rel[left]
        best = left[int(np.argmax(scores))]
        chosen.append(best)
        left.remove(best)
    return chosen + left


@pytest.mark.parametrize("seed", range(40))
def test_incremental_mmr_chooses_what_the_original_chose(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    matrix = rng.normal(size=(n, 16)).astype(np.float32)
    if seed % 4 == 0 and n > 3:  # duplicates: ties in similarity
        matrix[1] = matrix[0]
        matrix[3] = matrix[2]
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    relevance = rng.uniform(0.001, 0.05, size=n)
    if seed % 5 == 0:  # ties in relevance (RRF scores often tie)
        relevance = np.round(relevance, 2) + 0.01
    for lam in (0.9, 0.5, 0.0, 1.0):
        for k in (1, 5, 15, n + 3):
            assert _mmr(relevance, matrix, lam, k) == _mmr_reference(relevance, matrix, lam, k)


def test_analysis_is_remembered_and_callers_get_their_own_list() -> None:
    text = "Les maisons France Services accueillent les habitants du Plateau."
    first = analysis.analyze(text)
    first.append("mutated by a caller")
    again = analysis.analyze(text)
    assert "mutated by a caller" not in again
    assert again == first[:-1]
    assert analysis._analyzed.cache_info().hits >= 1


def _query_reference(store: ChromaStore, vector: list[float], k: int, where: Any) -> list[Any]:
    """store.query as it was: documents and metadata fetched by the Chroma query itself."""
    total = int(store.chunks.count())
    got = store.chunks.query(
        query_embeddings=[vector],
        n_results=min(total, k * 2 + 8),
        where=where or None,
        include=["documents", "metadatas", "distances"],
    )
    ids, docs, metas, dists = (
        got[key][0] for key in ("ids", "documents", "metadatas", "distances")
    )
    active = store.active_versions([str(m["doc_id"]) for m in metas if m])
    hits = [
        (cid, 1.0 - float(dist), str(text), dict(meta))
        for cid, text, meta, dist in zip(ids, docs, metas, dists, strict=True)
        if meta and active.get(str(meta["doc_id"])) == meta["version"]
    ]
    return hits[:k]


def test_store_query_returns_what_the_fuller_chroma_query_returned(
    ingestor: Ingestor, store: ChromaStore, embedder: Embedder, corpus_copy: Path
) -> None:
    ingestor.run([corpus_copy])
    scenario = next(r for r in store.records() if r.kind == "scenario")
    wheres: list[Any] = [
        None,
        {"kind": "diagnostic"},
        {"kind": "scenario"},
        {"doc_id": scenario.doc_id},
        {"kind": "nothing of this kind"},
    ]
    questions = ["mobilité en zone rurale", "France Services", "santé", "numérique", "école"]
    for question in questions:
        vector = list(embedder.embed([question], query=True)[0])
        for where in wheres:
            for k in (1, 5, 30, 500):
                assert store.query(vector, k, where) == _query_reference(store, vector, k, where)
    assert store.query(list(embedder.embed(["x"], query=True)[0]), 0) == []


def test_warming_steps_aside_while_questions_come(
    settings: Settings,
    ingestor: Ingestor,
    store: ChromaStore,
    embedder: Embedder,
    corpus_copy: Path,
) -> None:
    """The server's background warm-up pauses while questions are read, then finishes."""
    ingestor.run([corpus_copy])
    writer = make_ask_task(settings, make_retriever(settings, store, embedder)).extractive
    writer.warm_pause = 2.0
    writer.understand("Combien de France Services ?", "Combien de France Services ?")
    done: list[int] = []
    warming = threading.Thread(target=lambda: done.append(writer.warm()), daemon=True)
    warming.start()
    for _ in range(20):  # a question every 50 ms for a second: the warm-up must wait
        writer.understand("Et le samedi ?", "Et le samedi ?")
        time.sleep(0.05)
    assert not writer._cache and not done
    warming.join(60.0)  # generous: only turns a stuck warm-up into a failure
    assert done and done[0] > 0 and len(writer._cache) == done[0]
