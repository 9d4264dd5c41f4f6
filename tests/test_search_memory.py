"""What search keeps in memory between questions (issue 12: search cheap at 10k chunks):
vectors, texts and metadata read from Chroma, the BM25 index's rows, a filter's mask.
Kept, they must never hide a change: a chunk added is found, a version replaced is never
returned, and results are those of a search that reads everything afresh. Real Chroma on
disk, the real ingest pipeline, the fake embedder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import text_norm
from assistant.analysis import analyze
from assistant.config import Settings
from assistant.ingest import Ingestor
from assistant.ingest_files import doc_id_for
from assistant.retrieval import Retriever
from assistant.store import ChromaStore
from assistant.wiring import make_retriever

NOTE = """# La fromagerie coopérative du Vallon-Brûlé

La fromagerie coopérative du Vallon-Brûlé ouvre trois jours par semaine.
"""
REPLACED = """# La fromagerie coopérative du Vallon-Brûlé

La fromagerie coopérative du Vallon-Brûlé a fermé ses portes en mars.
"""
QUESTION = "fromagerie coopérative du Vallon-Brûlé"
MODES = ("hybrid", "dense", "lexical")


def _sources(retriever: Retriever, mode: str, **filters: Any) -> list[str]:
    return [p.source for p in retriever.search(QUESTION, top_k=5, mode=mode, **filters)]  # type: ignore[arg-type]


def test_a_chunk_ingested_after_searches_is_found(
    tmp_path: Path, settings: Settings, store: ChromaStore, ingestor: Ingestor, corpus_copy: Path,
    embedder: Any,
) -> None:  # fmt: skip
    ingestor.run([corpus_copy])
    retriever = make_retriever(settings, store, embedder)
    retriever.lexical.check_every = 0.0
    for mode in MODES:  # vectors, rows and the kind filter's mask are now kept
        assert not [s for s in _sources(retriever, mode) if s.endswith("note.md")]
        assert not [s for s in _sources(retriever, mode, kind="method") if s.endswith("note.md")]
    assert store._kept
    note = tmp_path / "extra" / "note.md"
    note.parent.mkdir()
    note.write_text("---\nkind: method\n---\n\n" + NOTE, encoding="utf-8")
    assert ingestor.run([note]).ingested
    for mode in MODES:
        assert _sources(retriever, mode)[0].endswith("note.md"), mode
        assert _sources(retriever, mode, kind="method")[0].endswith("note.md"), mode


def test_kept_vectors_are_the_stored_ones_and_cannot_be_changed(
    store: ChromaStore, ingestor: Ingestor, corpus_copy: Path
) -> None:
    ingestor.run([corpus_copy / "method"])
    ids, _, _ = store.active_chunks()
    first = store.vectors(ids)
    again = store.vectors(ids)
    assert all(again[cid] is first[cid] for cid in ids)  # kept, not read again
    got = store.chunks.get(ids=ids, include=["embeddings"])
    for cid, stored in zip(got["ids"], got["embeddings"], strict=True):
        assert np.array_equal(first[cid], np.asarray(stored, dtype=np.float32))
    with pytest.raises(ValueError):
        first[ids[0]][0] = 1.0


def test_a_replaced_version_is_never_returned_even_by_a_stale_bm25_index(
    tmp_path: Path, settings: Settings, store: ChromaStore, ingestor: Ingestor,
    embedder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A writer stopped between switching a document to its new version and deleting the
    old chunks leaves them in Chroma; the BM25 index (checked every 2 s) may still hold
    them. No mode may return them: their text is not the document's any more."""
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    ingestor.run([note])
    retriever = make_retriever(settings, store, embedder)
    retriever.lexical.check_every = 3600.0
    old = {cid for cid, _, _ in store.chunks_where({"doc_id": doc_id_for(note.absolute())})}
    for mode in MODES:
        assert {p.chunk_id for p in retriever.search(QUESTION, mode=mode)} & old, mode
    monkeypatch.setattr(store, "drop_stale_chunks", lambda *args: None)  # the stopped writer
    note.write_text(REPLACED, encoding="utf-8")
    assert ingestor.run([note]).ingested
    assert store.count_chunks(doc_id_for(note.absolute())) > len(old)  # both versions stored
    for mode in MODES:
        found = retriever.search(QUESTION, top_k=10, mode=mode)
        assert not {p.chunk_id for p in found} & old, mode


def test_results_are_those_of_a_search_that_reads_everything_afresh(
    settings: Settings, store: ChromaStore, ingestor: Ingestor, corpus_copy: Path,
    embedder: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    ingestor.run([corpus_copy])
    kept = make_retriever(settings, store, embedder)
    scenario = kept.lexical.scenarios()[0].title
    questions = ["mobilité en zone rurale", "France Services", "les limites du scénario 2",
                 "santé", "numérique", "Quels leviers pour le scénario 1 ?"]  # fmt: skip
    variants: list[dict[str, Any]] = [{}, {"kind": "scenario"}, {"scenarios": [scenario]}]
    for _ in range(2):  # the second round answers from what the first one kept
        for question in questions:
            for mode in MODES:
                for filters in variants:
                    got = kept.search(question, top_k=8, mode=mode, **filters)  # type: ignore[arg-type]
                    with monkeypatch.context() as patch:  # nothing kept, nothing known
                        store._kept, store._rows = {}, {}
                        patch.setattr(kept.lexical, "row", lambda cid: None)
                        patch.setattr(kept.lexical, "_masks", ([], {}))
                        fresh = kept.search(question, top_k=8, mode=mode, **filters)  # type: ignore[arg-type]
                    assert got == fresh, (question, mode, filters)


def test_fold_remembers_short_texts_and_gives_the_same_folding() -> None:
    short = "Évaluer l'accès aux SERVICES à Saint-Étienne-de-Cœur"
    long = short * 100  # a whole document: folded, not remembered
    before = text_norm._fold_remembered.cache_info().currsize
    assert (
        text_norm.fold(short)
        == text_norm._fold(short)
        == "evaluer l'acces aux services a saint-etienne-de-cœur"
    )
    assert text_norm.fold(short) is text_norm.fold(short)
    assert text_norm.fold(long) == text_norm._fold(long)
    assert text_norm._fold_remembered.cache_info().currsize <= before + 1


def test_an_acronym_the_corpus_comes_to_define_expands_queries(
    tmp_path: Path, settings: Settings, store: ChromaStore, ingestor: Ingestor, corpus_copy: Path,
    embedder: Any,
) -> None:  # fmt: skip
    ingestor.run([corpus_copy / "method"])
    lexical = make_retriever(settings, store, embedder).lexical
    lexical.check_every = 0.0
    lexical.refresh()
    terms = analyze("les ZQX du plateau")
    assert lexical.expand(terms) == terms  # remembered: nothing to add
    note = tmp_path / "zqx.md"
    note.write_text(
        "# Zones\n\nLes zones de quiétude extrême (ZQX) protègent la faune du plateau.\n",
        encoding="utf-8",
    )
    ingestor.run([note])
    assert lexical.refresh()
    expanded = lexical.expand(terms)
    assert expanded[: len(terms)] == terms and set(analyze("quiétude extrême")) <= set(expanded)
    assert lexical.expand(terms) == expanded
    expanded.append("changed by a caller")
    assert "changed by a caller" not in lexical.expand(terms)
