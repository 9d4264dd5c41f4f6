"""The evaluation suite: retrieval quality per retriever, citation exactness, support,
gold-passage citation, refusal precision/recall and latency, on the current store.

A suite is JSONL (see `evals/README.md`): questions with gold quotes, each an exact
substring of a stored document's canonical text, found by the file's name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AssistantError
from .eval_metrics import MODES, summarise
from .query import read_question
from .retrieval import Retriever
from .store import ChromaStore
from .tasks.answer import AskTask
from .tasks.reading import QuestionReader
from .types import Answer, Passage


@dataclass(frozen=True)
class Gold:
    """A gold part of an answer: spans of stored documents, any of which gives it."""

    spans: tuple[tuple[str, int, int], ...]

    def hit_by(self, doc_id: str, start: int, end: int) -> bool:
        """Whether a span covers at least half of a gold span, or lies inside one."""
        for gold_doc, gold_start, gold_end in self.spans:
            if doc_id != gold_doc:
                continue
            overlap = min(end, gold_end) - max(start, gold_start)
            if overlap >= (gold_end - gold_start) / 2 or gold_start <= start < end <= gold_end:
                return True
        return False


@dataclass(frozen=True)
class Question:
    """One question of the suite."""

    id: str
    question: str
    answerable: bool
    golds: tuple[Gold, ...]
    history: tuple[str, ...] = ()
    scenario: str | None = None
    type: str = ""
    lang: str = ""


def load_suite(
    path: Path,
    store: ChromaStore,
    *,
    subset: str | None = None,
    ci_ids: Collection[str] = (),
) -> list[Question]:
    """Read a suite and resolve its gold quotes to spans of the stored documents.

    The CI subset is the questions marked `"ci": true`, plus those whose id is in `ci_ids`
    (for a set copied unchanged from elsewhere)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"cannot read the suite {path}: {exc.strerror}") from exc
    texts: dict[str, tuple[str, str]] = {}
    for record in store.records():
        text = store.get_text(record.doc_id) or ""
        texts[Path(record.source).name] = (record.doc_id, text)
    out: list[Question] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if subset == "ci" and not (item.get("ci") or item.get("id") in ci_ids):
            continue
        golds = [
            Gold(
                tuple(
                    _span(texts, g, f"{path}:{number}")
                    for g in [gold, *gold.get("alternatives", [])]
                )
            )
            for gold in item.get("gold", [])
        ]
        scenario = item.get("scenario")
        out.append(
            Question(
                id=str(item["id"]),
                question=str(item["question"]),
                answerable=bool(item["answerable"]),
                golds=tuple(golds),
                history=tuple(item.get("history", [])),
                scenario=None if scenario is None else str(scenario),
                type=str(item.get("type", "")),
                lang=str(item.get("lang", "")),
            )
        )
    if not out:
        raise AssistantError(f"no question in {path}" + (f" (subset {subset})" if subset else ""))
    return out


def _span(
    texts: dict[str, tuple[str, str]], gold: dict[str, str], where: str
) -> tuple[str, int, int]:
    if gold["file"] not in texts:
        raise AssistantError(
            f"{where}: {gold['file']} is not in the store; "
            "ingest the bundled corpus first (`assistant ingest corpus`)"
        )
    doc_id, text = texts[gold["file"]]
    start = text.find(gold["quote"])
    if start < 0:
        raise AssistantError(f"{where}: gold quote not found in {gold['file']}")
    return doc_id, start, start + len(gold["quote"])


def _first_hit(passages: Sequence[Passage], golds: Sequence[Gold]) -> int | None:
    for p in passages:
        if any(g.hit_by(p.doc_id, p.start, p.end) for g in golds):
            return p.rank
    return None


def _recall(passages: Sequence[Passage], golds: Sequence[Gold], k: int) -> float:
    top = passages[:k]
    return sum(any(g.hit_by(p.doc_id, p.start, p.end) for p in top) for g in golds) / len(golds)


@dataclass
class Report:
    """Metrics of one run, and per-question details."""

    metrics: dict[str, Any] = field(default_factory=dict)
    questions: list[dict[str, Any]] = field(default_factory=list)


def evaluate(
    retriever: Retriever,
    task: AskTask,
    suite: Sequence[Question],
    *,
    top_k: int = 5,
    on_question: Callable[[int, int], None] | None = None,
    answers: bool = True,
) -> Report:
    """Run the suite: retrieval per mode, then answers (unless told not), then the metrics.

    Without answers, the answer metrics are left at zero: only retrieval is measured."""
    report = Report()
    ranks: dict[str, dict[str, float]] = {}
    for q in suite:
        if q.answerable:
            ranks[q.id] = _retrieval(retriever, task.extractive.reader, q, top_k)
    if not answers:
        report.questions = [_unanswered(q, ranks.get(q.id)) for q in suite]
        report.metrics = summarise(report.questions)
        return report
    for number, q in enumerate(suite, start=1):
        history: list[tuple[str, str]] = []
        for earlier in q.history:
            history.append((earlier, task.ask(earlier, history=history).answer))
        started = time.perf_counter()
        answer = task.ask(q.question, history=history, scenarios=[q.scenario] if q.scenario else [])
        ms = (time.perf_counter() - started) * 1000
        detail = _detail(q, answer, ms)
        detail["quotes"] = len(answer.citations)
        detail["exact_quotes"] = sum(
            (retriever.store.get_text(c.doc_id) or "")[c.start : c.end] == c.quote
            for c in answer.citations
        )
        detail["supported"] = sum(s.verdict == "supported" for s in answer.sentences)
        detail["gold_cited"] = any(
            g.hit_by(c.doc_id, c.start, c.end) for c in answer.citations for g in q.golds
        )
        gold_chunks = {
            p.chunk_id
            for p in answer.passages
            if any(g.hit_by(p.doc_id, p.start, p.end) for g in q.golds)
        }
        detail["gold_passage_cited"] = any(c.chunk_id in gold_chunks for c in answer.citations)
        if q.answerable:
            detail["retrieval"] = ranks[q.id]
        report.questions.append(detail)
        if on_question is not None:
            on_question(number, len(suite))
    report.metrics = summarise(report.questions)
    return report


def _retrieval(
    retriever: Retriever, reader: QuestionReader, q: Question, top_k: int
) -> dict[str, float]:
    """recall@1, recall@5 and reciprocal rank of one answerable question, per mode."""
    out: dict[str, float] = {}
    read = read_question(retriever, reader, q.question, [(h, "") for h in q.history])
    scen = [q.scenario] if q.scenario else []
    for mode in MODES:
        ps = retriever.search(
            read.text, top_k=top_k, scenarios=scen, mode=mode, intent=read.asked.intent
        )
        first = _first_hit(ps, q.golds)
        out[f"{mode}:recall@1"] = _recall(ps, q.golds, 1)
        out[f"{mode}:recall@5"] = _recall(ps, q.golds, 5)
        out[f"{mode}:mrr"] = 1 / first if first else 0.0
    return out


def _unanswered(q: Question, ranks: dict[str, float] | None) -> dict[str, Any]:
    detail: dict[str, Any] = {"id": q.id, "type": q.type, "lang": q.lang}
    detail |= {"question": q.question, "expected_answerable": q.answerable, "answerable": False}
    detail |= {"verdicts": [], "quotes": 0, "exact_quotes": 0, "supported": 0, "ms": 0.0}
    detail |= {"gold_cited": False, "gold_passage_cited": False}
    return detail | ({"retrieval": ranks} if ranks else {})


def _detail(q: Question, answer: Answer, ms: float) -> dict[str, Any]:
    return {
        "id": q.id,
        "type": q.type,
        "lang": q.lang,
        "question": q.question,
        "expected_answerable": q.answerable,
        "answerable": answer.answerable,
        "confidence": answer.confidence,
        "declined": answer.declined,
        "verdicts": [s.verdict for s in answer.sentences],
        "answer": answer.answer,
        "note": answer.note,
        "removed_sentences": answer.removed_sentences,
        "cut_sentences": answer.cut_sentences,
        "added_sentences": answer.added_sentences,
        "ms": round(ms, 1),
    }
