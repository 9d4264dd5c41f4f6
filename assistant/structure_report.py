"""What was detected in the stored scenario texts: for `assistant sources --structure` and
for errors that say what was found instead of "ingest the scenarios first"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .corrections import CorrectionBook
from .errors import NotFound
from .store import ChromaStore
from .text_norm import fold
from .types import DocumentRecord

FIRST_WORDS = 12


@dataclass(frozen=True)
class PartSize:
    """One part of one scenario and how many characters of text it holds."""

    section: str
    chars: int


@dataclass(frozen=True)
class ScenarioView:
    """One detected scenario: number, id, title, its first words and its parts."""

    number: int
    id: str
    title: str
    first_words: str
    parts: tuple[PartSize, ...]
    line: int = 0  # the line of its heading in the canonical text (for `structure split`)


@dataclass(frozen=True)
class TextStructure:
    """A stored scenario text and the scenarios detected in it."""

    doc_id: str
    source: str
    scenarios: tuple[ScenarioView, ...]
    corrections: tuple[str, ...] = ()  # the facilitator's, described


def _covered(spans: list[tuple[int, int]]) -> int:
    """Characters covered by overlapping spans (chunks overlap)."""
    total, end = 0, -1
    for start, stop in sorted(spans):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def heading_line(text: str, start: int, title: str) -> int:
    """The 1-based line of a scenario's heading, from where its first segment starts."""
    lines = text[:start].split("\n")
    n = len(lines)  # the line `start` is on
    for back in range(n - 1, max(n - 4, 0), -1):  # its heading may stand just above
        above = lines[back - 1].strip()
        if above and fold(title) in fold(above):
            return back
        if above:
            break
    return n


def scenario_lines(store: ChromaStore, record: DocumentRecord) -> dict[str, int]:
    """Scenario id -> the line its heading is on."""
    text = store.get_text(record.doc_id) or ""
    starts: dict[str, int] = {}
    for _cid, _text, meta in store.chunks_where({"doc_id": record.doc_id}):
        sid = str(meta.get("scenario_id") or "")
        if sid:
            starts[sid] = min(starts.get(sid, len(text)), int(meta["start"]))
    titles = {s.id: s.title for s in record.scenarios}
    return {sid: heading_line(text, at, titles.get(sid, "")) for sid, at in starts.items()}


def text_structure(
    store: ChromaStore, record: DocumentRecord, book: CorrectionBook | None = None
) -> TextStructure:
    """The scenarios of one stored document, with their parts' sizes, in text order."""
    rows = store.chunks_where({"doc_id": record.doc_id})
    spans: dict[str, dict[str, list[tuple[int, int]]]] = {}
    first: dict[str, str] = {}
    for _cid, text, meta in rows:
        sid = str(meta.get("scenario_id") or "")
        if not sid:
            continue
        spans.setdefault(sid, {}).setdefault(str(meta["section"]), []).append(
            (int(meta["start"]), int(meta["end"]))
        )
        first.setdefault(sid, text)
    views = []
    lines = scenario_lines(store, record)
    for s in record.scenarios:
        parts = spans.get(s.id, {})
        ordered = sorted(parts.items(), key=lambda kv: min(kv[1]))
        words = " ".join(first.get(s.id, "").split()[:FIRST_WORDS])
        views.append(
            ScenarioView(
                s.number,
                s.id,
                s.title,
                words,
                tuple(PartSize(name, _covered(sp)) for name, sp in ordered),
                lines.get(s.id, 0),
            )
        )
    fixes = tuple(c.describe() for c in book.get(record.path)) if book else ()
    return TextStructure(record.doc_id, record.source, tuple(views), fixes)


def structures(store: ChromaStore, book: CorrectionBook | None = None) -> list[TextStructure]:
    """Every stored scenario text with what was detected in it."""
    return [text_structure(store, r, book) for r in store.records(kind="scenario")]


def structure_json(found: list[TextStructure]) -> dict[str, Any]:
    """The `--json` form of `assistant sources --structure`."""
    return {
        "scenario_texts": [
            {
                "doc_id": t.doc_id,
                "source": t.source,
                "corrections": list(t.corrections),
                "scenarios": [
                    {
                        "number": s.number,
                        "id": s.id,
                        "title": s.title,
                        "line": s.line,
                        "first_words": s.first_words,
                        "parts": [{"section": p.section, "chars": p.chars} for p in s.parts],
                    }
                    for s in t.scenarios
                ],
            }
            for t in found
        ]
    }


def structure_text(found: list[TextStructure], labels: dict[str, str]) -> str:
    """The human form: per scenario text, its scenarios and their parts with sizes."""
    if not found:
        return "no scenario text in the store (ingest one with `--kind scenario`)"
    out: list[str] = []
    for t in found:
        out.append(f"{t.source}  ({t.doc_id}): {len(t.scenarios)} scenario(s)")
        if not t.scenarios:
            out.append("    no scenario detected: no title line repeats a pattern such as")
            out.append("    'Scénario 1 : Titre', '## Scénario A – Titre' or 'Image 1'")
        for s in t.scenarios:
            out.append(f"  scenario {s.number}: {s.title}  [{s.id}, line {s.line}]")
            out.append(f"      « {s.first_words} … »")
            parts = ", ".join(
                f"{labels.get(p.section, p.section)} {p.chars} chars" for p in s.parts
            )
            out.append(f"      parts: {parts or 'none'}")
        for n, c in enumerate(t.corrections, start=1):
            out.append(f"  correction {n}: {c}")
    return "\n".join(out)


def require_scenarios(store: ChromaStore) -> None:
    """Raise NotFound with what was found when the store has no detected scenario."""
    texts = store.records(kind="scenario")
    if any(r.scenarios for r in texts):
        return
    if not texts:
        raise NotFound("no scenario text in the store: ingest the scenarios first")
    sources = ", ".join(r.source for r in texts)
    n = len(texts)
    raise NotFound(
        f"{n} scenario text{'s' if n > 1 else ''} in the store, but no scenario was detected "
        f"in {'them' if n > 1 else 'it'} ({sources}): see `assistant sources --structure`"
    )
