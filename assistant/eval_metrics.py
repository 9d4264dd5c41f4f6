"""The figures of an evaluation run, from its per-question details: retrieval per
retriever, citation exactness, support, gold citation, refusal, latency; and their table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from .retrieval import Mode

MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical", "sentence")


def summarise(details: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The metrics of a run, from its per-question details (any subset of them)."""
    answerable = [d for d in details if d["expected_answerable"]]
    n = max(len(answerable), 1)
    retrieval = {
        mode: {
            name: sum(d["retrieval"][f"{mode}:{name}"] for d in answerable) / n
            for name in ("recall@1", "recall@5", "mrr")
        }
        for mode in MODES
    }
    quotes = sum(d["quotes"] for d in details)
    exact = sum(d["exact_quotes"] for d in details)
    sentences = sum(len(d["verdicts"]) for d in details)
    supported = sum(d["supported"] for d in details)
    answered = [d for d in answerable if d["answerable"]]
    refused = [d for d in details if not d["answerable"]]
    refused_right = sum(not d["expected_answerable"] for d in refused)
    unanswerable = len(details) - len(answerable)
    latencies = [d["ms"] for d in details] or [0.0]
    return {
        "questions": len(details),
        "answerable": len(answerable),
        "retrieval": retrieval,
        "exact_quote_rate": exact / quotes if quotes else 1.0,
        "citations": quotes,
        "supported_share": supported / sentences if sentences else 0.0,
        "sentences": sentences,
        "answered_rate": len(answered) / n if answerable else 0.0,
        "gold_cited_rate": sum(d["gold_cited"] for d in answered) / n if answerable else 0.0,
        "gold_passage_cited_rate": (
            sum(d["gold_passage_cited"] for d in answered) / n if answerable else 0.0
        ),
        "refusal_precision": refused_right / len(refused) if refused else 1.0,
        "refusal_recall": refused_right / unanswerable if unanswerable else 1.0,
        "latency_ms_p50": statistics.median(latencies),
        "latency_ms_p95": percentile(latencies, 95),
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """The `pct`-th percentile of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def metrics_table(metrics: dict[str, Any]) -> str:
    """The metrics as a Markdown table (printed by `assistant eval`, pasted in the README)."""
    rows = ["| metric | hybrid | dense | BM25 | sentences |", "|---|---|---|---|---|"]
    for name in ("recall@1", "recall@5", "mrr"):
        values = " | ".join(f"{metrics['retrieval'][m][name]:.3f}" for m in MODES)
        rows.append(f"| {name} | {values} |")
    rows += ["", "| answers | value |", "|---|---|"]
    rows.append(f"| questions (answerable) | {metrics['questions']} ({metrics['answerable']}) |")
    rows.append(
        f"| exact-quote rate | {metrics['exact_quote_rate']:.3f} ({metrics['citations']} quotes) |"
    )
    rows.append(
        f"| sentences supported | {metrics['supported_share']:.3f} ({metrics['sentences']}) |"
    )
    rows.append(
        "| answerable answered, citing the gold passage (chunk) | "
        f"{metrics['gold_passage_cited_rate']:.3f} |"
    )
    rows.append(
        f"| answerable answered, quoting the gold span | {metrics['gold_cited_rate']:.3f} |"
    )
    rows.append(f"| answerable answered | {metrics['answered_rate']:.3f} |")
    rows.append(f"| refusal precision | {metrics['refusal_precision']:.3f} |")
    rows.append(f"| refusal recall | {metrics['refusal_recall']:.3f} |")
    rows.append(
        f"| ask latency p50 / p95 | {metrics['latency_ms_p50']:.0f} / "
        f"{metrics['latency_ms_p95']:.0f} ms |"
    )
    return "\n".join(rows)
