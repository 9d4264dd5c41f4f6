"""A dense index of every sentence of every chunk, each embedded after its chunk's address.

A question often matches one sentence of a passage better than the whole passage: a
paraphrase of one fact, in a chunk about several. The retriever fuses, beside the chunk
ranking, a ranking of chunks by their best sentence ("small-to-big" retrieval): measured on
every evaluation set, it raised recall@5 on real-dev from 0.943 to 0.971 (README).

Each sentence is read after its chunk's short address (`indexed.embedding_head`), so that it
carries its document title or its scenario and part, and its vector depends only on its
chunk. Two ways (`Settings.sentence_vectors`):

- "late" (late chunking, Günther et al. 2024), when the embedder can (`embed_pooled`, the
  ONNX backend): the chunk, address first, is embedded once, alone; a sentence's vector is
  the mean of the final embeddings of its tokens. An ingest takes the chunk's own vector
  from the same forward pass (`Ingestor.sentences`), so the sentences cost no model call.
- "separate": each chunk's sentences are embedded together and alone (the int8 model
  scales its activations per batch), each after the chunk's address; more than twice the
  embedding work of the chunks.

Vectors are computed when documents are ingested (`sync`, called by every ingest path) and
kept in `<store>/sentences/<index>/`, one file per way; a chunk the file lacks (a store
built by an older version, or by another client of a Chroma server) is embedded on the
first search that needs it.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .citations import sentence_spans
from .embeddings import Embedder
from .indexed import embedding_head, with_head
from .lexical import LexicalIndex
from .store import scenario_from_meta

# bump a way's format when what is embedded for its sentences changes
FORMATS = {"separate": "1", "late": "2"}
FILES = {"separate": "sentences.npz", "late": "sentences-late.npz"}


class PooledEmbedder(Protocol):
    """An embedder that gives, in one forward pass of a passage, the vectors of its parts."""

    def embed_pooled(
        self, text: str, spans: list[tuple[int, int]]
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """The passage's vector and each span's (None: a span cut off by truncation)."""
        ...


def pooled_embedder(embedder: Embedder) -> PooledEmbedder | None:
    """The embedder, or the one it wraps (`batching.QueryBatcher`), if it can pool parts."""
    for candidate in (embedder, getattr(embedder, "inner", None)):
        if candidate is not None and callable(getattr(candidate, "embed_pooled", None)):
            return candidate  # type: ignore[return-value]
    return None


@dataclass(frozen=True)
class _Snapshot:
    """The vectors of one state of the index: chunks in the lexical index's order."""

    version: str = ""
    ids: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    metas: tuple[dict[str, Any], ...] = ()
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


class SentenceIndex:
    """Sentence vectors of the lexical index's chunks (same chunks, same order)."""

    def __init__(
        self,
        lexical: LexicalIndex,
        embedder: Embedder,
        folder: Path,
        *,
        background: bool = False,
        late: bool = True,
    ) -> None:
        self.lexical = lexical
        self.embedder = embedder
        self.folder = folder
        self._pooled = pooled_embedder(embedder) if late else None
        self.way = "late" if self._pooled is not None else "separate"
        self._offered: dict[str, np.ndarray] = {}  # vectors an ingest made, not yet synced
        self._offer_lock = threading.Lock()
        # a server: once it has vectors, a change it did not sync itself (another process's
        # ingest) is embedded in a thread while searches go on with the vectors they have
        self.background = background
        self._syncing = threading.Lock()  # one sync at a time; searches never wait for it
        self._by_chunk: dict[str, np.ndarray] | None = None  # chunk id -> sentence vectors
        self._seen = -1.0  # the file's mtime when last read or written (-1: never)
        self._now = _Snapshot()

    def sync(self, announce: Callable[[int, int], None] | None = None) -> int:
        """Embed the sentences of the indexed chunks that have none yet, forget those of
        chunks no longer indexed, save; returns how many indexed chunks got new sentence
        vectors (embedded now, or offered by an ingest since the last sync)."""
        with self._syncing:
            return self._sync(announce)

    @property
    def shares_pass(self) -> bool:
        """Whether an ingest should embed its chunks with `embed_chunk` (one forward pass
        gives the chunk's vector and its sentences') and `offer` the sentence vectors."""
        return self._pooled is not None

    def embed_chunk(self, head: str, text: str) -> tuple[list[float] | None, np.ndarray]:
        """A chunk's embedded vector (None unless `shares_pass`) and its sentence vectors,
        the chunk read after its address `head` (`indexed.embedding_head`)."""
        spans = sentence_spans(text) or [(0, len(text))]
        vector: list[float] | None = None
        rows: list[np.ndarray | None] = [None] * len(spans)
        if self._pooled is not None:
            shift = len(with_head(head, ""))
            whole, rows = self._pooled.embed_pooled(
                with_head(head, text), [(s + shift, e + shift) for s, e in spans]
            )
            vector = np.asarray(whole, dtype=np.float32).tolist()
        missing = [i for i, r in enumerate(rows) if r is None]  # all, or cut off by truncation
        if missing:
            extra = self.embedder.embed(
                [with_head(head, text[spans[i][0] : spans[i][1]]) for i in missing], query=False
            )
            for i, v in zip(missing, extra, strict=True):
                rows[i] = np.asarray(v, dtype=np.float32)
        m = np.vstack([np.asarray(r, dtype=np.float32).reshape(1, -1) for r in rows])
        m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-12
        return vector, m

    def offer(self, by_chunk: dict[str, np.ndarray]) -> None:
        """Sentence vectors an ingest computed (`embed_chunk`): the next sync keeps them
        instead of embedding those chunks again."""
        with self._offer_lock:
            self._offered.update(by_chunk)

    def best(
        self, vector: np.ndarray, accept: Callable[[dict[str, Any]], bool], k: int
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        """The k chunks whose best sentence is closest to the query vector, among those whose
        metadata `accept` admits: (chunk id, that cosine, chunk text, metadata), best first.

        While an ingest embeds new sentences (`sync` in its thread), searches use the
        vectors of the state before it: the new chunks are found by the other rankings."""
        self.lexical.refresh()
        if self._now.version != self.lexical.version and self._syncing.acquire(blocking=False):
            # a store no ingest path of this process synced: an older version's, another
            # process's or another client's
            if self.background and self._now.version:
                threading.Thread(target=self._sync_released, daemon=True).start()
            else:
                self._sync_released()
        now = self._now
        if not len(now.starts) or k <= 0:
            return []
        unit = (vector / (np.linalg.norm(vector) + 1e-12)).astype(np.float32)
        best = np.maximum.reduceat(now.matrix @ unit, now.starts)
        out: list[tuple[str, float, str, dict[str, Any]]] = []
        for i in np.argsort(-best, kind="stable"):
            if accept(now.metas[i]):
                out.append((now.ids[i], float(best[i]), now.texts[i], now.metas[i]))
                if len(out) == k:
                    break
        return out

    # -- keeping in step ---------------------------------------------------------
    def _sync_released(self) -> None:
        """`_sync`, then release the lock the caller took."""
        try:
            self._sync(None)
        finally:
            self._syncing.release()

    def _sync(self, announce: Callable[[int, int], None] | None) -> int:
        version, ids, texts, metas = self.lexical.snapshot()
        if version == self._now.version and self._by_chunk is not None:
            return 0
        known = dict(self._by_chunk or {})
        if self._mtime() != self._seen:  # first use, or another process (an ingest) wrote it
            known |= self._load()
        with self._offer_lock:
            offered, self._offered = self._offered, {}
        known |= offered
        todo = [i for i, cid in enumerate(ids) if cid not in known]
        titles: dict[str, str] = {}
        fresh = dict(known)
        for n, i in enumerate(todo, start=1):
            fresh[ids[i]] = self._embed(texts[i], metas[i], titles)
            if announce is not None:
                announce(n, len(todo))
        active = set(ids)
        fresh = {cid: v for cid, v in fresh.items() if cid in active}
        rows = [fresh[cid] for cid in ids]
        starts = np.cumsum([0, *(len(r) for r in rows[:-1])]).astype(np.int64)[: len(rows)]
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        self._by_chunk = fresh
        self._now = _Snapshot(version, tuple(ids), tuple(texts), tuple(metas), starts, matrix)
        if todo or offered or len(fresh) != len(known):
            self._save(fresh)
        return len(todo) + len(active.intersection(offered))

    def _embed(self, text: str, meta: dict[str, Any], titles: dict[str, str]) -> np.ndarray:
        doc = str(meta.get("doc_id", ""))
        if doc not in titles:
            record = self.lexical.store.get_record(doc)
            titles[doc] = record.title if record else ""
        head = embedding_head(titles[doc], str(meta.get("section") or ""), scenario_from_meta(meta))
        return self.embed_chunk(head, text)[1]

    @property
    def path(self) -> Path:
        """The file of this way's vectors."""
        return self.folder / FILES[self.way]

    def _mtime(self) -> float:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return -1.0

    def _load(self) -> dict[str, np.ndarray]:
        self._seen = self._mtime()
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                if str(saved["format"]) != FORMATS[self.way]:
                    return {}
                ids, counts, matrix = saved["ids"], saved["counts"], saved["matrix"]
            rows = np.split(matrix.astype(np.float32), np.cumsum(counts)[:-1])
            return {str(c): r for c, r in zip(ids, rows, strict=True)}
        except Exception:  # missing, half-written or damaged in any way: embed again
            return {}

    def _save(self, by_chunk: dict[str, np.ndarray]) -> None:
        """Write to a temporary file, then swap it in (readers never see half)."""
        ids = list(by_chunk)
        counts = np.asarray([len(by_chunk[c]) for c in ids], dtype=np.int64)
        rows = [by_chunk[c] for c in ids]
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        tmp = ""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".sentences-", suffix=".npz", dir=self.folder)
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out,
                    format=np.asarray(FORMATS[self.way]),
                    ids=np.asarray(ids, dtype=str),
                    counts=counts,
                    matrix=matrix,
                )
            os.replace(tmp, self.path)
            self._seen = self._mtime()
        except OSError:  # a read-only store still answers from memory
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
