"""The vector store: the only module that imports chromadb.

Two collections per index: `<name>` holds chunks with their embeddings; `<name>-docs`
holds one record per document (its canonical text and the *active* version). A
document is replaced by adding the new version's chunks first, then switching the
record to the new version, then deleting the old chunks; readers only ever see
chunks of the active version, so a crash at any point leaves one whole version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np

from .errors import AssistantError
from .types import Chunk, DocumentRecord, PageSpan, Scenario

MAX_BATCH = 5000  # Chroma refuses batches above 5461


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


def _scenario_meta(scenario: Scenario | None) -> dict[str, Any]:
    if scenario is None:
        return {"scenario_id": "", "scenario_number": 0, "scenario_title": ""}
    return {
        "scenario_id": scenario.id,
        "scenario_number": scenario.number,
        "scenario_title": scenario.title,
    }


def scenario_from_meta(meta: dict[str, Any]) -> Scenario | None:
    """The scenario stored in a chunk's metadata, if any."""
    if not meta.get("scenario_id"):
        return None
    return Scenario(
        number=int(meta["scenario_number"]),
        id=str(meta["scenario_id"]),
        title=str(meta["scenario_title"]),
    )


def _record_meta(record: DocumentRecord) -> dict[str, Any]:
    meta = asdict(record)
    meta["scenarios"] = json.dumps([asdict(s) for s in record.scenarios], ensure_ascii=False)
    meta["pages"] = json.dumps([asdict(p) for p in record.pages])
    return meta


def _record_from_meta(meta: dict[str, Any]) -> DocumentRecord:
    fields = dict(meta)
    fields["scenarios"] = tuple(Scenario(**s) for s in json.loads(fields["scenarios"]))
    fields["pages"] = tuple(PageSpan(**p) for p in json.loads(fields["pages"]))
    return DocumentRecord(**fields)


class ChromaStore:
    """Chunks and document records of one index (one embedding model + chunking setup)."""

    def __init__(self, client: Any, name: str) -> None:
        self.name = name
        self.chunks = client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self.docs = client.get_or_create_collection(f"{name}-docs", embedding_function=None)

    # -- documents -------------------------------------------------------------
    def get_record(self, doc_id: str) -> DocumentRecord | None:
        """The active record of a document, or None."""
        got = self.docs.get(ids=[doc_id], include=["metadatas"])
        return _record_from_meta(got["metadatas"][0]) if got["ids"] else None

    def get_text(self, doc_id: str) -> str | None:
        """The canonical text of the active version of a document."""
        got = self.docs.get(ids=[doc_id], include=["documents"])
        return str(got["documents"][0]) if got["ids"] else None

    def records(self, kind: str | None = None) -> list[DocumentRecord]:
        """All active document records (of one kind if given), sorted by source."""
        got = self.docs.get(where={"kind": kind} if kind else None, include=["metadatas"])
        return sorted((_record_from_meta(m) for m in got["metadatas"]), key=lambda r: r.source)

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
        for lo in range(0, len(rows), MAX_BATCH):
            batch = rows[lo : lo + MAX_BATCH]
            self.chunks.upsert(
                ids=[c.chunk_id for _, c in batch],
                embeddings=[list(v) for v in vectors[lo : lo + MAX_BATCH]],
                documents=[c.text for _, c in batch],
                metadatas=[
                    {
                        "doc_id": r.doc_id,
                        "version": r.version,
                        "source": r.source,
                        "kind": r.kind,
                        "section": c.section,
                        "start": c.start,
                        "end": c.end,
                        "page": c.page or 0,
                        "index": c.index,
                        **_scenario_meta(c.scenario),
                    }
                    for r, c in batch
                ],
            )

    def activate(self, versions: Sequence[tuple[DocumentRecord, str]]) -> None:
        """Make these versions the ones readers see (one upsert of their records)."""
        if not versions:
            return
        self.docs.upsert(
            ids=[r.doc_id for r, _ in versions],
            embeddings=[[1.0] for _ in versions],
            documents=[text for _, text in versions],
            metadatas=[_record_meta(r) for r, _ in versions],
        )

    def drop_stale_chunks(self, doc_id: str, keep_version: str | None) -> None:
        """Delete the document's chunks of any version but `keep_version`."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_version is not None:
            where = {"$and": [where, {"version": {"$ne": keep_version}}]}
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
        got = self.chunks.get(include=["documents", "metadatas"])
        rows = sorted(
            (str(m["doc_id"]), int(m["index"]), cid, str(text), dict(m))
            for cid, text, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if m and versions.get(str(m["doc_id"])) == m["version"]
        )
        return [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows]

    def chunks_where(self, where: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of the active chunks matching a metadata filter, in text order."""
        got = self.chunks.get(where=where, include=["documents", "metadatas"])
        rows = [
            (cid, str(text), dict(meta))
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if meta
        ]
        active = self.active_versions([str(m["doc_id"]) for _, _, m in rows])
        rows = [r for r in rows if active.get(str(r[2]["doc_id"])) == r[2]["version"]]
        return sorted(rows, key=lambda r: (str(r[2]["doc_id"]), int(r[2]["index"])))

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors of these chunks, by id (missing ids are left out)."""
        if not chunk_ids:
            return {}
        got = self.chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["embeddings"])
        if not got["ids"]:
            return {}
        vectors = np.asarray(got["embeddings"], dtype=np.float32).tolist()
        return dict(zip(got["ids"], vectors, strict=True))

    def query(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        """Nearest chunks of active versions: (chunk_id, similarity, text, metadata)."""
        total = int(self.chunks.count())
        if total == 0 or k <= 0:
            return []
        want = min(total, k * 2 + 8)  # headroom for stale chunks of a half-done replacement
        got = self.chunks.query(
            query_embeddings=[list(vector)],
            n_results=want,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        ids, docs = got["ids"][0], got["documents"][0]
        metas, dists = got["metadatas"][0], got["distances"][0]
        # After a killed writer, the vector index may still hold ids whose rows are gone
        # (metadata None): those are not readable chunks and are skipped.
        active = self.active_versions([str(m["doc_id"]) for m in metas if m])
        hits = [
            (cid, 1.0 - float(dist), str(text), dict(meta))
            for cid, text, meta, dist in zip(ids, docs, metas, dists, strict=True)
            if meta and active.get(str(meta["doc_id"])) == meta["version"]
        ]
        return hits[:k]
