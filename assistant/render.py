"""Plain conversions of results to the CLI's JSON and text; shared by the CLI and the app."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .errors import AssistantError
from .types import Answer, Citation, DocumentRecord, Passage, Scenario


def scenario_json(scenario: Scenario | None) -> dict[str, Any] | None:
    """A scenario as JSON (or null)."""
    return asdict(scenario) if scenario is not None else None


def record_json(record: DocumentRecord) -> dict[str, Any]:
    """A document as `assistant sources --json` lists it."""
    return {
        "doc_id": record.doc_id,
        "source": record.source,
        "kind": record.kind,
        "title": record.title,
        "scenarios": [asdict(s) for s in record.scenarios],
        "chunks": record.chunks,
        "ingested_at": record.ingested_at,
    }


def passage_json(passage: Passage) -> dict[str, Any]:
    """A passage as `assistant search --json` prints it."""
    out = asdict(passage)
    out["scenario"] = scenario_json(passage.scenario)
    return out


def citation_json(citation: Citation) -> dict[str, Any]:
    """A citation as the CLI prints it, with its *constat*/*hypothèse* label."""
    out = asdict(citation)
    out["scenario"] = scenario_json(citation.scenario)
    out["label"] = citation.label
    return out


def citation_from_json(raw: dict[str, Any]) -> Citation:
    """A citation from its JSON form; ValueError when its quote and span disagree."""
    fields = {k: v for k, v in raw.items() if k != "label"}
    scenario = fields.get("scenario")
    fields["scenario"] = Scenario(**scenario) if scenario else None
    citation = Citation(**fields)
    if (
        not 0 <= citation.start < citation.end
        or len(citation.quote) != citation.end - citation.start
    ):
        raise ValueError(f"citation {citation.chunk_id}: quote and span disagree")
    return citation


def answer_json(answer: Answer) -> dict[str, Any]:
    """An answer as `assistant ask --json` prints it."""
    return {
        "question": answer.question,
        "language": answer.language,
        "answerable": answer.answerable,
        "answer": answer.answer,
        "sentences": [
            {
                "text": s.text,
                "citations": list(s.citations),
                "support": s.support,
                "verdict": s.verdict,
                "label": s.label,
                "added": s.added,
            }
            for s in answer.sentences
        ],
        "citations": [citation_json(c) for c in answer.citations],
        "passages": [passage_json(p) for p in answer.passages],
        "dropped_citations": answer.dropped_citations,
        "confidence": answer.confidence,
        "declined": answer.declined,
        "note": answer.note,
        "removed_sentences": answer.removed_sentences,
        "cut_sentences": answer.cut_sentences,
        "added_sentences": answer.added_sentences,
    }


def answer_text(answer: Answer) -> str:
    """Human-readable answer: the text, then each citation with its place and quote."""
    lines = [answer.answer]
    if answer.note:
        lines.append(f"({answer.note})")
    unsupported = answer.removed_sentences - answer.cut_sentences
    if unsupported:
        lines.append(f"({unsupported} unsupported sentence(s) removed)")
    if answer.cut_sentences:
        lines.append(
            f"({answer.cut_sentences} unfinished sentence removed: the model's reply was cut "
            "at its token limit)"
        )
    if answer.added_sentences:
        lines.append(
            f"({answer.added_sentences} quote(s) added after the generated answer: "
            "what it did not restate)"
        )
    if answer.sentences:
        lines.append("")
        for number, s in enumerate(answer.sentences, start=1):
            added = " (added)" if s.added else ""
            lines.append(f"  ({number}) {s.verdict}{added} {s.support:.2f}  {s.text}")
    for c in answer.citations:
        where = f"scénario {c.scenario.number}, " if c.scenario else ""
        page = f" p.{c.page}" if c.page else ""
        span = f"{c.doc_id} {c.start}-{c.end}"
        lines.append(f"[{c.n}] {c.label} — {c.source}{page} ({where}{c.section}) {span}")
        lines.append(f"    « {' '.join(c.quote.split())} »")
    return "\n".join(lines)


def passages_text(query: str, passages: list[Passage]) -> str:
    """Human-readable search results."""
    if not passages:
        return f"« {query} »: no passage found."
    lines = [f"« {query} »"]
    for p in passages:
        where = f"scénario {p.scenario.number} « {p.scenario.title} »" if p.scenario else p.kind
        section = f" / {p.section}" if p.section else ""
        page = f" p.{p.page}" if p.page else ""
        lines.append(
            f"[{p.rank}] {p.score:.3f}  {p.source}{page}  ({where}{section})  "
            f"{p.doc_id} {p.start}-{p.end}"
        )
        lines += ["    " + line for line in p.text.splitlines() if line.strip()]
    return "\n".join(lines)


def read_batch(path: Path) -> list[tuple[str | None, str, str | None]]:
    """Questions of a batch file: one a line, plain text or JSON with `question`, and
    optionally `id` and `conversation` (lines of one conversation are successive turns)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read batch file {path}: {exc}") from exc
    out: list[tuple[str | None, str, str | None]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                question = str(obj["question"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise AssistantError(f"{path}:{number}: not a JSON object with 'question'") from exc
            qid, conversation = obj.get("id"), obj.get("conversation")
            out.append(
                (
                    None if qid is None else str(qid),
                    question,
                    None if conversation is None else str(conversation),
                )
            )
        else:
            out.append((None, line, None))
    return out
