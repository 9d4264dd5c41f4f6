"""What a search is restricted to: the user's scenario, kind and source filters resolved
to ids (a number, an id or part of a title for a scenario; a doc id or part of a source
for a document; errors name the choices), held in one `Filters` value that tests a
chunk's metadata (the BM25 and sentence retrievers) or becomes a Chroma `where` filter
(the dense retriever).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import NotFound
from .text_norm import fold
from .types import KINDS, Scenario

if TYPE_CHECKING:
    from .store import ChromaStore


def known_scenarios(store: ChromaStore) -> list[Scenario]:
    """Every scenario of every stored scenario text, in source order."""
    return [s for record in store.records(kind="scenario") for s in record.scenarios]


def resolve_scenarios(store: ChromaStore, wanted: Sequence[str]) -> list[Scenario]:
    """Scenarios matching a number, an id, or a case- and accent-insensitive part of a title."""
    if not wanted:  # nothing asked: no need to list the records
        return []
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


def resolve_sources(store: ChromaStore, wanted: Sequence[str]) -> list[str]:
    """Doc ids of documents matching a doc id or a case- and accent-insensitive part of a source."""
    if not wanted:
        return []
    records = store.records()
    found: list[str] = []
    for query in wanted:
        q = fold(query.strip())
        matches = [
            r.doc_id for r in records if q in (r.doc_id, fold(r.source)) or q in fold(r.source)
        ]
        if not q or not matches:
            raise NotFound(f"no document matches '{query}' (see `assistant sources`)")
        found += [m for m in matches if m not in found]
    return found


@dataclass(frozen=True)
class Filters:
    """Resolved filters: scenario ids, one kind, doc ids (empty means no filter)."""

    scenario_ids: tuple[str, ...] = ()
    kind: str | None = None
    doc_ids: tuple[str, ...] = ()

    def accept(self, meta: dict[str, Any]) -> bool:
        """Whether a chunk's metadata passes the filters."""
        return (
            (not self.scenario_ids or meta.get("scenario_id") in self.scenario_ids)
            and (not self.kind or meta.get("kind") == self.kind)
            and (not self.doc_ids or meta.get("doc_id") in self.doc_ids)
        )

    def where(self) -> dict[str, Any] | None:
        """The same filters as a Chroma metadata filter (see `build_where`)."""
        scenarios = [Scenario(0, sid, "") for sid in self.scenario_ids]
        return build_where(scenarios, self.kind, self.doc_ids)


def build_where(
    scenarios: Sequence[Scenario], kind: str | None, doc_ids: Sequence[str] = ()
) -> dict[str, Any] | None:
    """A Chroma metadata filter for the chosen scenarios, kind and documents."""
    clauses: list[dict[str, Any]] = []
    if scenarios:
        clauses.append({"scenario_id": {"$in": [s.id for s in scenarios]}})
    if kind:
        if kind not in KINDS:
            raise NotFound(f"unknown kind '{kind}' (use {', '.join(KINDS)})")
        clauses.append({"kind": kind})
    if doc_ids:
        clauses.append({"doc_id": {"$in": list(doc_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
