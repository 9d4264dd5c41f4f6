"""Dense retrieval with filters by scenario and kind, returning passages with exact spans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .embeddings import Embedder
from .errors import NotFound
from .store import ChromaStore, scenario_from_meta
from .structure import fold
from .types import KINDS, Passage, Scenario


def known_scenarios(store: ChromaStore) -> list[Scenario]:
    """Every scenario of every stored scenario text, in source order."""
    return [s for record in store.records(kind="scenario") for s in record.scenarios]


def resolve_scenarios(store: ChromaStore, wanted: Sequence[str]) -> list[Scenario]:
    """Scenarios matching a number, an id, or a case- and accent-insensitive part of a title."""
    scenarios = known_scenarios(store)
    found: dict[str, Scenario] = {}
    for query in wanted:
        q = fold(query.strip())
        matches = [
            s
            for s in scenarios
            if (q.isdigit() and s.number == int(q))
            or q in (s.id, f"s{s.number}")
            or (q and q in fold(s.title))
        ]
        if not matches:
            listing = "; ".join(f"{s.number} {s.title}" for s in scenarios) or "none stored"
            raise NotFound(f"no scenario matches '{query}' (known: {listing})")
        found.update((s.id, s) for s in matches)
    return list(found.values())


def build_where(scenarios: Sequence[Scenario], kind: str | None) -> dict[str, Any] | None:
    """A Chroma metadata filter for the chosen scenarios and kind."""
    clauses: list[dict[str, Any]] = []
    if scenarios:
        clauses.append({"scenario_id": {"$in": [s.id for s in scenarios]}})
    if kind:
        if kind not in KINDS:
            raise NotFound(f"unknown kind '{kind}' (use {', '.join(KINDS)})")
        clauses.append({"kind": kind})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


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


def search(
    store: ChromaStore,
    embedder: Embedder,
    query: str,
    *,
    top_k: int = 5,
    scenarios: Sequence[str] = (),
    kind: str | None = None,
) -> list[Passage]:
    """The top_k passages nearest to the query, within the filters."""
    where = build_where(resolve_scenarios(store, scenarios) if scenarios else [], kind)
    vector = embedder.embed([query], query=True)[0]
    hits = store.query(vector, top_k, where)
    return [to_passage(rank, hit) for rank, hit in enumerate(hits, start=1)]
