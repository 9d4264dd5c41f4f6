"""The sentence index: every chunk's sentences embedded at ingest, kept on disk beside the
store, in step with it (new, removed, damaged), and the ranking the retriever fuses in."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from assistant.citations import sentence_spans
from assistant.config import Settings
from assistant.ingest import Ingestor
from assistant.store import ChromaStore
from assistant.wiring import make_retriever

from .conftest import CORPUS, CountingEmbedder, cli_env, fixture_chunking

NEEDLE = "Le marché couvert de Saint-Aubin-des-Prés accueille une permanence fiscale le jeudi."
DOC = f"""# Services de proximité à Saint-Aubin

La commune compte deux écoles, une boulangerie et une pharmacie ouverte six jours sur sept.
Les habitants se rendent à la préfecture en car, trois fois par jour. {NEEDLE}
La médiathèque prête des ordinateurs portables aux familles qui n'en ont pas.
"""


def _file(settings: Settings, store: ChromaStore) -> Path:
    return settings.home / "sentences" / store.name / "sentences.npz"


def _saved(path: Path) -> dict[str, int]:
    with np.load(path, allow_pickle=False) as saved:
        return {str(c): int(n) for c, n in zip(saved["ids"], saved["counts"], strict=True)}


def test_ingest_cli_embeds_every_sentence_once_and_reports_it(tmp_path: Path) -> None:
    env = cli_env(tmp_path, **fixture_chunking())
    cmd = [sys.executable, "-m", "assistant", "ingest", str(CORPUS), "--json"]
    first = json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True).stdout)
    assert first["chunks"] > 0 and first["sentence_chunks"] == first["chunks"]
    again = json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True).stdout)
    assert again["skipped"] == first["ingested"] and again["sentence_chunks"] == 0
    (path,) = (tmp_path / "store" / "sentences").glob("*/sentences.npz")
    counts = _saved(path)
    assert len(counts) == first["chunks"]
    assert all(n >= 1 for n in counts.values())


def test_a_new_document_is_found_by_its_sentence_and_forgotten_when_removed(
    settings: Settings, store: ChromaStore, ingestor: Ingestor, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    ingestor.run([CORPUS])
    retriever = make_retriever(settings, store, ingestor.embedder)
    retriever.refresh()
    before = _saved(_file(settings, store))
    (docs / "saint-aubin.md").write_text(DOC, encoding="utf-8")
    ingestor.run([docs])
    assert retriever.refresh() >= 1
    (top, *_) = retriever.search(NEEDLE, mode="sentence")
    assert NEEDLE in top.text and top.source.endswith("saint-aubin.md")
    after = _saved(_file(settings, store))
    assert set(before) < set(after)
    assert after[top.chunk_id] == len(sentence_spans(top.text))
    store.remove(top.doc_id)
    retriever.refresh()
    assert set(_saved(_file(settings, store))) == set(before)
    assert all(NEEDLE not in p.text for p in retriever.search(NEEDLE, mode="sentence"))


def test_a_damaged_or_missing_file_is_embedded_again_on_the_first_search(
    settings: Settings, store: ChromaStore, ingestor: Ingestor
) -> None:
    ingestor.run([CORPUS])
    make_retriever(settings, store, ingestor.embedder).refresh()
    path = _file(settings, store)
    expected = _saved(path)
    path.write_bytes(b"not an npz file")
    counting = CountingEmbedder()
    retriever = make_retriever(settings, store, counting)  # a server started on that store
    hits = retriever.search("accueil de proximité", mode="sentence")
    assert hits and counting.calls >= len(expected)  # each chunk's sentences, one call each
    assert _saved(path) == expected
    counting.calls = 0
    fresh = make_retriever(settings, store, counting)  # the next start reads the file
    assert [p.chunk_id for p in fresh.search("accueil de proximité", mode="sentence")] == [
        p.chunk_id for p in hits
    ]
    assert counting.calls == 1  # the query alone


def test_the_hybrid_fuses_the_sentence_ranking_within_the_filters(
    settings: Settings, store: ChromaStore, ingestor: Ingestor
) -> None:
    ingestor.run([CORPUS])
    retriever = make_retriever(settings, store, ingestor.embedder)
    (scenario, *_) = retriever.lexical.scenarios()
    query = "Quelles sont les limites de ce scénario ?"
    hits = retriever.search(query, mode="sentence", scenarios=[str(scenario.number)])
    assert hits and {p.scenario.id for p in hits if p.scenario} == {scenario.id}
    assert len({p.chunk_id for p in hits}) == len(hits)
    retriever.sentence_ranking = False
    without = [p.chunk_id for p in retriever.search(query, top_k=30)]
    retriever.sentence_ranking = True
    fused = [p.chunk_id for p in retriever.search(query, top_k=30)]
    assert fused != without  # the third ranking changes the fused order


class _Held(CountingEmbedder):
    """Passages wait for `go` (an ingest's sentences still being embedded); queries do not."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()
        self.holding = threading.Event()

    def embed(self, texts, *, query):  # type: ignore[no-untyped-def]
        if not query:
            self.holding.set()
            assert self.go.wait(30)
        return super().embed(texts, query=query)


def test_searches_do_not_wait_for_an_ingest_embedding_sentences(
    settings: Settings, store: ChromaStore, ingestor: Ingestor, tmp_path: Path
) -> None:
    ingestor.run([CORPUS])
    make_retriever(settings, store, ingestor.embedder).refresh()
    held = _Held()
    retriever = make_retriever(settings, store, held)
    held.go.set()
    retriever.search("accueil", mode="sentence")  # the file is read: nothing to embed
    held.go.clear()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "saint-aubin.md").write_text(DOC, encoding="utf-8")
    ingestor.run([docs])
    syncing = threading.Thread(target=retriever.refresh)
    syncing.start()
    assert held.holding.wait(30)
    found = retriever.search(NEEDLE, mode="sentence")  # answered from the state before
    assert found and all(NEEDLE not in p.text for p in found)
    held.go.set()
    syncing.join(30)
    assert not syncing.is_alive()
    assert NEEDLE in retriever.search(NEEDLE, mode="sentence")[0].text


def test_the_sentence_index_can_be_turned_off_for_a_faster_ingest(tmp_path: Path) -> None:
    env = cli_env(tmp_path, ASSISTANT_SENTENCE_INDEX="false", **fixture_chunking())
    cmd = [sys.executable, "-m", "assistant", "ingest", str(CORPUS), "--json"]
    done = json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True).stdout)
    assert done["chunks"] > 0 and done["sentence_chunks"] == 0
    assert not (tmp_path / "store" / "sentences").exists()
    search = [sys.executable, "-m", "assistant", "search", "accueil de proximité", "--json"]
    found = subprocess.run(search, env=env, capture_output=True, text=True)
    assert found.returncode == 0 and json.loads(found.stdout)


def test_a_server_reads_the_sentences_another_process_embedded(
    settings: Settings, store: ChromaStore, ingestor: Ingestor, tmp_path: Path
) -> None:
    ingestor.run([CORPUS])
    make_retriever(settings, store, CountingEmbedder()).refresh()  # `assistant ingest`
    served = CountingEmbedder()
    server = make_retriever(settings, store, served)
    server.lexical.check_every = 0
    server.search("accueil", mode="sentence")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "saint-aubin.md").write_text(DOC, encoding="utf-8")
    ingestor.run([docs])  # another `assistant ingest`, while the server runs
    make_retriever(settings, store, CountingEmbedder()).refresh()
    served.texts = 0
    assert NEEDLE in server.search(NEEDLE, mode="sentence")[0].text
    assert served.texts == 1  # the query alone: the new sentences were read, not embedded


def test_a_server_embeds_another_process_new_sentences_aside_from_its_searches(
    settings: Settings, store: ChromaStore, ingestor: Ingestor, tmp_path: Path
) -> None:
    ingestor.run([CORPUS])
    held = _Held()
    held.go.set()
    server = make_retriever(settings, store, held, server=True)
    server.lexical.check_every = 0
    server.search("accueil", mode="sentence")  # at start: the whole store, embedded inline
    held.go.clear()
    held.holding.clear()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "saint-aubin.md").write_text(DOC, encoding="utf-8")
    ingestor.run([docs])  # another process's ingest that left its sentences to do
    first = server.search(NEEDLE, mode="sentence")  # does not wait for them
    assert first and all(NEEDLE not in p.text for p in first)
    assert held.holding.wait(30)  # they are being embedded, in the server's thread
    held.go.set()
    deadline = time.monotonic() + 30
    while NEEDLE not in server.search(NEEDLE, mode="sentence")[0].text:
        assert time.monotonic() < deadline, "the new sentences were never embedded"
        time.sleep(0.05)
