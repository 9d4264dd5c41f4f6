"""The vector store: the only module that imports chromadb.

Two collections per index: `<name>` holds chunks with their embeddings; `<name>-docs`
holds one record per document (its canonical text and the *active* version). A
document is replaced by adding the new version's chunks first, then switching the
record to the new version, then deleting the old chunks; readers only ever see
chunks of the active version, so a crash at any point leaves one whole version.

Another process (the CLI beside a running app) may write to the same folder. Chroma
keeps one vector index per folder in memory per process and never re-reads it, so a
long-lived reader re-opens the folder when the active versions change (checked at most
every `check_every` seconds before a vector read or a write), and a vector it cannot
find is skipped, never raised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.errors import ChromaError

from .errors import AssistantError
from .store_meta import chunk_meta, record_from_meta, record_meta
from .store_rows import (
    Hit,
    Row,
    hits_of,
    kept_or_read,
    known_rows,
    of_active,
    rows_of,
    vectors_of,
    versions_digest,
)
from .types import Chunk, DocumentRecord

MAX_BATCH = 5000  # Chroma refuses batches above 5461
log = logging.getLogger(__name__)


def open_client(path: Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: a server when `url` is given, else a folder on disk."""
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise AssistantError(f"invalid Chroma URL '{url}' (expected http://host:port)")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError here
            raise AssistantError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def reopened(client: Any) -> Any | None:
    """A new client on the same folder that reads it afresh, or None for a Chroma server.

    Chroma shares one `System` (holding the vector index loaded in memory) per folder
    within a process, so a plain second client would see the same stale index: that
    one is forgotten first. It is not stopped: calls in flight on other threads finish
    on it, and it is freed with the last of them.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    settings = client.get_settings()
    if not settings.is_persistent or not settings.persist_directory:
        return None
    SharedSystemClient._identifier_to_system.pop(settings.persist_directory, None)
    return chromadb.PersistentClient(path=settings.persist_directory, settings=settings)


class ChromaStore:
    """Chunks and document records of one index (one embedding model + chunking setup)."""

    def __init__(self, client: Any, name: str, *, check_every: float = 2.0) -> None:
        self.name = name
        self.check_every = check_every
        self._lock = threading.Lock()
        self._kept: dict[str, np.ndarray] = {}  # vectors read, by chunk id (see `vectors`)
        self._rows: dict[str, tuple[str, dict[str, Any]]] = {}  # texts, metadata read
        self._attach(client)
        self._seen = self.versions_key()
        self._checked_at = time.monotonic()
        self.reopens = 0  # how often another writer's changes made it re-open the folder

    def _attach(self, client: Any) -> None:
        self._client = client
        self._forget()
        self.chunks = client.get_or_create_collection(
            self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self.docs = client.get_or_create_collection(f"{self.name}-docs", embedding_function=None)

    def _forget(self) -> None:
        """Drop the vectors, texts and metadata kept (on a write, or another writer's)."""
        self._kept, self._rows = {}, {}

    # -- keeping in step with other writers ------------------------------------------
    def versions_key(self) -> str:
        """A hash of the active document versions: it changes on every add, replace, removal."""
        got = self.docs.get(include=["metadatas"])
        return versions_digest(got["ids"], got["metadatas"])

    def sync(self, *, force: bool = False) -> bool:
        """Re-open the folder if the active versions changed since it was opened (at most
        every `check_every` s, unless forced); True when it was re-opened."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self.check_every:
                return False
            self._checked_at = now
            key = self.versions_key()
            if key == self._seen and not force:
                return False
            client = reopened(self._client)
            self._seen = key
            self._forget()
            if client is None:  # a Chroma server: always up to date
                return False
            self._attach(client)
            self.reopens += 1
            return True

    # -- documents -------------------------------------------------------------
    def get_record(self, doc_id: str) -> DocumentRecord | None:
        """The active record of a document, or None."""
        got = self.docs.get(ids=[doc_id], include=["metadatas"])
        return record_from_meta(got["metadatas"][0]) if got["ids"] else None

    def get_text(self, doc_id: str) -> str | None:
        """The canonical text of the active version of a document."""
        got = self.docs.get(ids=[doc_id], include=["documents"])
        return str(got["documents"][0]) if got["ids"] else None

    def records(self, kind: str | None = None) -> list[DocumentRecord]:
        """All active document records (of one kind if given), sorted by source."""
        got = self.docs.get(where={"kind": kind} if kind else None, include=["metadatas"])
        return sorted((record_from_meta(m) for m in got["metadatas"]), key=lambda r: r.source)

    def active_versions(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """doc_id -> active version, for the given documents that exist."""
        if not doc_ids:
            return {}
        got = self.docs.get(ids=list(dict.fromkeys(doc_ids)), include=["metadatas"])
        return {i: str(m["version"]) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    # -- writing ---------------------------------------------------------------
    def add_chunks(
        self,
        staged: Sequence[tuple[DocumentRecord, Sequence[Chunk]]],
        vectors: Sequence[Sequence[float]],
    ) -> None:
        """Add the chunks of (not yet active) document versions, in as few writes as possible."""
        rows = [(record, chunk) for record, chunks in staged for chunk in chunks]
        if len(rows) != len(vectors):
            raise ValueError("one vector per chunk is needed")
        self.sync()  # write on top of what other processes wrote, not on a stale index
        self._forget()
        for lo in range(0, len(rows), MAX_BATCH):
            batch = rows[lo : lo + MAX_BATCH]
            self.chunks.upsert(
                ids=[c.chunk_id for _, c in batch],
                embeddings=[list(v) for v in vectors[lo : lo + MAX_BATCH]],
                documents=[c.text for _, c in batch],
                metadatas=[chunk_meta(r, c) for r, c in batch],
            )

    def activate(self, versions: Sequence[tuple[DocumentRecord, str]]) -> None:
        """Make these versions the ones readers see (one upsert of their records)."""
        if not versions:
            return
        self.docs.upsert(
            ids=[r.doc_id for r, _ in versions],
            embeddings=[[1.0] for _ in versions],
            documents=[text for _, text in versions],
            metadatas=[record_meta(r) for r, _ in versions],
        )

    def drop_stale_chunks(self, doc_id: str, keep_version: str | None) -> None:
        """Delete the document's chunks of any version but `keep_version`."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_version is not None:
            where = {"$and": [where, {"version": {"$ne": keep_version}}]}
        self._forget()
        self.chunks.delete(where=where)

    def remove(self, doc_id: str) -> None:
        """Remove a document: its record first (readers stop seeing it), then its chunks."""
        self.docs.delete(ids=[doc_id])
        self.drop_stale_chunks(doc_id, None)

    # -- reading ---------------------------------------------------------------
    def count_chunks(self, doc_id: str | None = None) -> int:
        """Number of stored chunks, all versions included (for checks and tests)."""
        if doc_id is None:
            return int(self.chunks.count())
        return len(self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"])

    def active_chunks(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Ids, texts and metadata of every chunk of an active version, in a stable order."""
        versions = {r.doc_id: r.version for r in self.records()}
        rows = of_active(rows_of(self.chunks.get(include=["documents", "metadatas"])), versions)
        rows.sort(key=lambda r: (str(r[2]["doc_id"]), int(r[2]["index"]), r[0]))
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def chunks_where(self, where: dict[str, Any]) -> list[Row]:
        """(id, text, metadata) of the active chunks matching a metadata filter, in text order."""
        rows = rows_of(self.chunks.get(where=where, include=["documents", "metadatas"]))
        active = self.active_versions([str(m["doc_id"]) for _, _, m in rows])
        return sorted(
            of_active(rows, active), key=lambda r: (str(r[2]["doc_id"]), int(r[2]["index"]))
        )

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of these chunks, by id (missing or unreadable ids are left out).

        Vectors once read are kept in memory until this process writes or sees another
        writer's changes (a chunk id names one version of one chunk, so its vector never
        changes); until then a chunk another process deleted may still be returned:
        callers check the active versions (`active_versions`) when that matters."""
        if not chunk_ids:
            return {}
        ids = list(dict.fromkeys(chunk_ids))
        self.sync()
        return kept_or_read(ids, self._kept, self._read_vectors)

    def _read_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        try:
            return self._vectors(ids)
        except ChromaError:  # a vector another process wrote, or one lost: look afresh
            self.sync(force=True)
        try:
            return self._vectors(ids)
        except ChromaError:
            found: dict[str, np.ndarray] = {}
            for cid in ids:  # one at a time, so that one lost vector costs only itself
                try:
                    found.update(self._vectors([cid]))
                except ChromaError:
                    log.warning("chunk %s has no readable vector: skipped", cid)
            return found

    def _vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        return vectors_of(self.chunks.get(ids=ids, include=["embeddings"]))

    def query(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[Hit]:
        """Nearest chunks of active versions: (chunk_id, similarity, text, metadata)."""
        if k <= 0:
            self.sync()
            return []
        found = self.nearest(vector, k * 2 + 8, where)  # headroom for stale chunks
        return self.only_active(found)[:k]

    def nearest(
        self,
        vector: Sequence[float],
        want: int,
        where: dict[str, Any] | None = None,
        rows: Callable[[str], tuple[str, dict[str, Any]] | None] | None = None,
    ) -> list[Hit]:
        """The `want` nearest chunks, any version (see `only_active`), nearest first:
        (chunk_id, similarity, text, metadata).

        The nearest ids come first, then the texts and metadata of those ids in one `get`
        (a Chroma query that includes documents and metadata costs about twice as much),
        except the ids whose text and metadata are known: kept from an earlier read (like
        vectors, see `vectors`), or given by `rows` (the BM25 index holds every active
        chunk's). A chunk id names one version of one chunk, so what is known of it stays
        true; whether that version is still the active one is `only_active`'s to say."""
        self.sync()
        if want <= 0:
            return []
        for attempt in range(2):
            try:
                found = self.chunks.query(
                    query_embeddings=[list(vector)],
                    n_results=want,  # fewer come back when fewer chunks match
                    where=where or None,
                    include=["distances"],
                )
                ids, dists = found["ids"][0], found["distances"][0]
                kept = self._rows
                known = known_rows(ids, kept, rows)
                unknown = [cid for cid in ids if cid not in known]
                got = (
                    self.chunks.get(ids=unknown, include=["documents", "metadatas"])
                    if unknown
                    else None
                )
                break
            except ChromaError as exc:
                if attempt:  # still unreadable after re-opening: no dense hits this time
                    log.warning("vector query failed: %s", exc)
                    return []
                self.sync(force=True)
        if got is not None:  # rows gone after a killed writer are skipped (see `rows_of`)
            read = {cid: (text, meta) for cid, text, meta in rows_of(got)}
            kept.update(read)
            known.update(read)
        return hits_of(ids, dists, known)

    def only_active(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits that belong to the active version of their document, in order."""
        active = self.active_versions([str(meta["doc_id"]) for *_, meta in hits])
        return of_active(hits, active)
