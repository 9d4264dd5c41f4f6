"""What the store reads back from Chroma, as plain values: a `get` result as (chunk id,
text, metadata) rows or as vectors by id, a query's ids and distances as hits, the rows or
hits of the active version of their document, what is known or kept already and need not
be read again, and the digest of the active versions by which a reader sees that another
writer changed the store. Pure functions over lists and dicts: no chromadb (`store.py`
reads).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

Row = tuple[str, str, dict[str, Any]]  # chunk id, text, metadata
Hit = tuple[str, float, str, dict[str, Any]]  # chunk id, similarity, text, metadata
T = TypeVar("T", Row, Hit)


def rows_of(got: Mapping[str, Any]) -> list[Row]:
    """The rows of a `get` that included documents and metadata, in its order.

    After a killed writer, the vector index may still hold ids whose rows are gone (no
    metadata): those are not readable chunks and are left out."""
    return [
        (cid, str(text), dict(meta))
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        if meta
    ]


def of_active(items: Iterable[T], active: Mapping[str, str]) -> list[T]:
    """The rows or hits of the active version of their document (doc id -> version), in order."""
    return [x for x in items if active.get(str(x[-1]["doc_id"])) == x[-1]["version"]]


def known_rows(
    ids: Sequence[str],
    kept: Mapping[str, tuple[str, dict[str, Any]]],
    rows: Callable[[str], tuple[str, dict[str, Any]] | None] | None,
) -> dict[str, tuple[str, dict[str, Any]]]:
    """The (text, metadata) of the ids known already: kept from an earlier read, else `rows`'."""
    return {
        cid: row
        for cid in ids
        if (row := kept.get(cid) or (rows(cid) if rows else None)) is not None
    }


def vectors_of(got: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The vectors of a `get` that included embeddings, by id, as read-only float32 rows."""
    if not got["ids"]:
        return {}
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    vectors.setflags(write=False)  # kept and shared: nobody may change them in place
    return dict(zip(got["ids"], vectors, strict=True))


def kept_or_read(
    ids: Sequence[str],
    kept: dict[str, np.ndarray],
    read: Callable[[list[str]], dict[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """The vectors of these ids: those kept, then the others `read` finds (and now kept)."""
    missing = [cid for cid in ids if cid not in kept]
    if missing:
        kept.update(read(missing))
    return {cid: kept[cid] for cid in ids if cid in kept}


def hits_of(
    ids: Sequence[str], distances: Sequence[float], known: Mapping[str, tuple[str, dict[str, Any]]]
) -> list[Hit]:
    """A query's hits in its order (similarity: 1 - cosine distance), of the ids known."""
    return [
        (cid, 1.0 - float(dist), known[cid][0], dict(known[cid][1]))
        for cid, dist in zip(ids, distances, strict=True)
        if cid in known
    ]


def versions_digest(ids: Sequence[str], metas: Sequence[Mapping[str, Any]]) -> str:
    """A hash of the documents' active versions: it changes on every add, replace, removal."""
    pairs = sorted(f"{i}:{m['version']}" for i, m in zip(ids, metas, strict=True))
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:24]
