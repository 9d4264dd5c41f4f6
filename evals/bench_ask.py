"""Warm `ask` latency with the extractive answerer: the model loaded once, then every
question of the evaluation suite asked in turn, timed end to end (query embedding,
dense + BM25 retrieval, sentence scoring, citation checking).

Two passes are timed: "first time" (every question new to the process; sentence vectors of
passages seen by earlier questions may be remembered, as in a running workshop) and
"repeat" (the same questions again). It ingests the bundled corpus into a temporary store,
prints a table, then one JSON line with the figures.

Run from the project root:

    .venv/bin/python evals/bench_ask.py                    # e5 model, 2 torch threads
    .venv/bin/python evals/bench_ask.py --torch-threads 1
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="embedding model (default: settings)")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.torch_threads)
    from assistant.config import get_settings
    from assistant.wiring import (
        make_ask_task,
        make_embedder,
        make_ingestor,
        make_retriever,
        make_store,
    )

    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "evals" / "suite.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        settings = get_settings(home=Path(tmp) / "store", embedding_model=args.model)
        embedder = make_embedder(settings)
        store = make_store(settings, embedder)
        started = time.perf_counter()
        make_ingestor(settings, store, embedder).run([ROOT / "corpus"])
        ingest_s = time.perf_counter() - started
        task = make_ask_task(settings, make_retriever(settings, store, embedder))
        task.ask("Combien de France Services ?")  # load the model, build the BM25 index
        figures: dict[str, object] = {
            "questions": len(questions),
            "torch_threads": args.torch_threads,
            "ingest_s": round(ingest_s, 1),
        }
        for name in ("first", "repeat"):
            times = []
            for question in questions:
                t0 = time.perf_counter()
                task.ask(question)
                times.append((time.perf_counter() - t0) * 1000)
            figures[f"{name}_p50_ms"] = round(statistics.median(times), 1)
            figures[f"{name}_p95_ms"] = round(percentile(times, 95), 1)
            figures[f"{name}_max_ms"] = round(max(times), 1)
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        figures["load_1min"] = round(os.getloadavg()[0], 2)
    print(f"ask (extractive), {len(questions)} questions, {args.torch_threads} torch threads")
    for name in ("first", "repeat"):
        print(
            f"  {name:7s} p50 {figures[f'{name}_p50_ms']:7.1f} ms   "
            f"p95 {figures[f'{name}_p95_ms']:7.1f} ms   max {figures[f'{name}_max_ms']:7.1f} ms"
        )
    print(f"  peak RSS {figures['peak_rss_mb']} MB, load average {figures['load_1min']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
