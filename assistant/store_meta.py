"""How document records and chunk scenarios are written into Chroma metadata (flat
str/int/float values only) and read back."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .types import Chunk, DocumentRecord, PageSpan, Scenario

__all__ = ["chunk_meta", "record_from_meta", "record_meta", "scenario_from_meta", "scenario_meta"]


def scenario_meta(scenario: Scenario | None) -> dict[str, Any]:
    """The scenario fields of a chunk's metadata (empty when it has none)."""
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


def record_meta(record: DocumentRecord) -> dict[str, Any]:
    """A document record as flat metadata (tuples as JSON)."""
    meta = asdict(record)
    meta["scenarios"] = json.dumps([asdict(s) for s in record.scenarios], ensure_ascii=False)
    meta["pages"] = json.dumps([asdict(p) for p in record.pages])
    return meta


def record_from_meta(meta: dict[str, Any]) -> DocumentRecord:
    """The document record stored by `record_meta`."""
    fields = dict(meta)
    fields["scenarios"] = tuple(Scenario(**s) for s in json.loads(fields["scenarios"]))
    fields["pages"] = tuple(PageSpan(**p) for p in json.loads(fields["pages"]))
    return DocumentRecord(**fields)


def chunk_meta(record: DocumentRecord, chunk: Chunk) -> dict[str, Any]:
    """A chunk's metadata: its document's id, version, source and kind, its own address."""
    return {
        "doc_id": record.doc_id,
        "version": record.version,
        "source": record.source,
        "kind": record.kind,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "page": chunk.page or 0,
        "index": chunk.index,
        **scenario_meta(chunk.scenario),
    }
