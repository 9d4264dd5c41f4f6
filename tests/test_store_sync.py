"""The store seam when another process writes to the same folder (the real CLI in a
subprocess, a real Chroma folder on disk), and a vector that cannot be read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from chromadb.errors import InternalError

import assistant.store
from assistant.config import Settings
from assistant.ingest import Ingestor
from assistant.ingest_files import doc_id_for
from assistant.store import ChromaStore
from assistant.wiring import make_retriever

from .conftest import ROOT, cli_env, fixture_chunking

NOTE = """# La fromagerie coopérative du Vallon-Brûlé

La fromagerie coopérative du Vallon-Brûlé ouvre trois jours par semaine.
"""


def _cli_ingest(tmp_path: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", *args, "--json"],
        cwd=ROOT, env=cli_env(tmp_path, **fixture_chunking()), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


@pytest.fixture
def live_store(tmp_path: Path, store: ChromaStore, ingestor: Ingestor, corpus_copy: Path) -> Any:
    """The store, holding the method document, with its vector index loaded in memory."""
    ingestor.run([corpus_copy / "method"])
    assert store.query([1.0] * 256, 3)  # the vector index is now in this process's memory
    return store


def _note_ids(store: ChromaStore, note: Path) -> list[str]:
    return [cid for cid, _, _ in store.chunks_where({"doc_id": doc_id_for(note.absolute())})]


def test_vectors_another_process_wrote_are_read_not_raised(
    tmp_path: Path, live_store: ChromaStore
) -> None:
    live_store.check_every = 3600.0  # no periodic check: the failed read must recover alone
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    assert _cli_ingest(tmp_path, str(note))["ingested"] == 1
    ids = _note_ids(live_store, note)
    assert ids  # its rows are visible at once; its vectors were not before re-opening
    assert set(live_store.vectors(ids)) == set(ids)


def test_dense_search_finds_what_another_process_wrote_and_not_what_it_removed(
    tmp_path: Path, live_store: ChromaStore, settings: Settings, embedder: Any
) -> None:
    live_store.check_every = 0.0
    note = tmp_path / "extra" / "note.md"
    note.parent.mkdir()
    note.write_text(NOTE, encoding="utf-8")
    assert _cli_ingest(tmp_path, str(note))["ingested"] == 1
    vector = embedder.embed(["fromagerie coopérative du Vallon-Brûlé"], query=True)[0]
    hits = live_store.query(vector, 50)
    assert set(_note_ids(live_store, note)) <= {cid for cid, *_ in hits}
    retriever = make_retriever(settings, live_store, embedder)
    found = retriever.search("fromagerie coopérative Vallon-Brûlé", top_k=3, mode="dense")
    assert found and found[0].source.endswith("note.md")
    assert live_store.reopens >= 1

    note.unlink()
    assert _cli_ingest(tmp_path, str(note.parent), "--prune")["pruned"] == 1
    assert not [h for h in live_store.query(vector, 50) if h[3]["source"].endswith("note.md")]
    for mode in ("hybrid", "dense", "lexical"):
        passages = retriever.search("fromagerie coopérative Vallon-Brûlé", top_k=5, mode=mode)
        assert not [p for p in passages if p.source.endswith("note.md")], mode


class LosingOne:
    """A chunks collection that cannot read one chunk's vector (lost by a crashed writer)."""

    def __init__(self, inner: Any, lost: str, *, query_fails: bool = False) -> None:
        self.inner, self.lost, self.query_fails = inner, lost, query_fails

    def get(self, ids: Any = None, include: Any = (), **kw: Any) -> Any:
        if ids and self.lost in ids and "embeddings" in include:
            raise InternalError("Error executing plan: Internal error: Error finding id")
        return self.inner.get(ids=ids, include=include, **kw)

    def query(self, **kw: Any) -> Any:
        if self.query_fails:
            raise InternalError("Error executing plan: Internal error: Error finding id")
        return self.inner.query(**kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_vector_that_cannot_be_read_is_skipped_not_raised(
    live_store: ChromaStore, settings: Settings, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assistant.store, "reopened", lambda client: None, raising=False)
    ids, _, _ = live_store.active_chunks()
    lost = ids[0]
    live_store.chunks = LosingOne(live_store.chunks, lost)
    got = live_store.vectors([*ids, "no-such-chunk"])
    assert set(got) == set(ids) - {lost}
    retriever = make_retriever(settings, live_store, embedder)
    for mode in ("hybrid", "dense", "lexical"):
        passages = retriever.search("scénarios prospective atelier", top_k=50, mode=mode)
        assert passages and lost not in {p.chunk_id for p in passages}, mode


def test_a_failing_vector_query_leaves_the_lexical_hits(
    live_store: ChromaStore, settings: Settings, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assistant.store, "reopened", lambda client: None, raising=False)
    live_store.chunks = LosingOne(live_store.chunks, "none", query_fails=True)
    assert live_store.query([1.0] * 256, 5) == []
    retriever = make_retriever(settings, live_store, embedder)
    assert retriever.search("scénarios prospective atelier", top_k=5, mode="hybrid")


def test_the_store_is_reopened_only_when_another_writer_changed_it(
    tmp_path: Path, live_store: ChromaStore
) -> None:
    live_store.check_every = 0.0
    assert live_store.query([1.0] * 256, 3)  # (its own ingest changed it too: re-opened once)
    settled = live_store.reopens
    for _ in range(5):
        assert live_store.query([1.0] * 256, 3)
    assert live_store.reopens == settled
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    _cli_ingest(tmp_path, str(note))
    for _ in range(5):
        assert live_store.query([1.0] * 256, 3)
    assert live_store.reopens == settled + 1
