"""Warm `ask` latency with the extractive answerer: the model loaded once, then every
question of the evaluation suite asked in turn, timed end to end (query embedding,
dense + BM25 retrieval, sentence scoring, citation checking).

Two passes are timed: "first time" (every question new to the process; sentence vectors of
passages seen by earlier questions may be remembered, as in a running workshop) and
"repeat" (the same questions again). It ingests the bundled corpus into a temporary store,
prints a table, then one JSON line with the figures.

Run from the project root:

    .venv/bin/python evals/bench_ask.py                    # e5 model, 2 threads
    .venv/bin/python evals/bench_ask.py --torch-threads 1
    ASSISTANT_EMBEDDING_BACKEND=torch .venv/bin/python evals/bench_ask.py   # the torch runtime

It ends with `| measure | value |` rows of the speed table (issue 12). It runs on older trees
too (copy it into a checkout): there, the embedding runs on torch.
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
    parser.add_argument(
        "--torch-threads", type=int, default=2, help="embedding threads (torch or ONNX Runtime)"
    )
    parser.add_argument("--model", default=None, help="embedding model (default: settings)")
    args = parser.parse_args()

    from assistant.config import DEFAULT_MODEL, get_settings

    probe = get_settings(embedding_model=args.model)
    backend = getattr(probe, "embedding_backend", "torch")  # older trees: torch only
    if probe.embedding_model != DEFAULT_MODEL:
        backend = "torch"
    if backend == "torch" and probe.embedding_model != "fake":
        import torch

        torch.set_num_threads(args.torch_threads)
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
        extra = {"embed_threads": args.torch_threads} if backend == "onnx" else {}
        settings = get_settings(home=Path(tmp) / "store", embedding_model=args.model, **extra)
        started = time.perf_counter()
        embedder = make_embedder(settings)
        embedder.embed(["chauffe"], query=True)  # load the model
        model_load_s = time.perf_counter() - started
        store = make_store(settings, embedder)
        started = time.perf_counter()
        make_ingestor(settings, store, embedder).run([ROOT / "corpus"])
        retriever = make_retriever(settings, store, embedder)
        if hasattr(retriever, "refresh"):  # the sentence index, as `assistant ingest` builds it
            retriever.refresh()
        ingest_s = time.perf_counter() - started
        task = make_ask_task(settings, retriever)
        task.ask("Combien de France Services ?")  # load the model, build the BM25 index
        figures: dict[str, object] = {
            "questions": len(questions),
            "torch_threads": args.torch_threads,
            "backend": backend,
            "embedder": embedder.name,
            "model_load_s": round(model_load_s, 2),
            "ingest_s": round(ingest_s, 1),
        }
        for name in ("first", "repeat"):
            times, cpu = [], []
            for question in questions:
                t0, c0 = time.perf_counter(), time.process_time()
                task.ask(question)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            figures[f"{name}_cpu_p50_ms"] = round(statistics.median(cpu), 1)
            figures[f"{name}_cpu_p95_ms"] = round(percentile(cpu, 95), 1)
            figures[f"{name}_p50_ms"] = round(statistics.median(times), 1)
            figures[f"{name}_p95_ms"] = round(percentile(times, 95), 1)
            figures[f"{name}_max_ms"] = round(max(times), 1)
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        figures["load_1min"] = round(os.getloadavg()[0], 2)
    print(
        f"ask (extractive), {len(questions)} questions, {embedder.name} on {backend}, "
        f"{args.torch_threads} threads, model load {figures['model_load_s']} s"
    )
    for name in ("first", "repeat"):
        print(
            f"  {name:7s} p50 {figures[f'{name}_p50_ms']:7.1f} ms   "
            f"p95 {figures[f'{name}_p95_ms']:7.1f} ms   max {figures[f'{name}_max_ms']:7.1f} ms   "
            f"CPU p50 {figures[f'{name}_cpu_p50_ms']:6.1f} ms "
            f"p95 {figures[f'{name}_cpu_p95_ms']:6.1f} ms"
        )
    print(f"  peak RSS {figures['peak_rss_mb']} MB, load average {figures['load_1min']}")
    print(json.dumps(figures))
    print("\n| measure | value |\n|---|---|")
    print(
        f"| warm `ask`, `evals/bench_ask.py` ({backend}) | first p50 {figures['first_p50_ms']:.0f}"
        f" ms, p95 {figures['first_p95_ms']:.0f} ms (repeat p50 {figures['repeat_p50_ms']:.0f} ms);"
        f" CPU an answer p50 {figures['first_cpu_p50_ms']:.0f} ms, p95"
        f" {figures['first_cpu_p95_ms']:.0f} ms;"
        f" peak RSS {figures['peak_rss_mb']} MB; load average {figures['load_1min']} |"
    )


if __name__ == "__main__":
    main()
