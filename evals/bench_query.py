"""One query embedding, in process: the embedder alone against it behind the query batcher.

Each of 40 distinct French questions is embedded once as a lone query (nothing else in
flight), straight through the embedder, then through `QueryBatcher` with the app's
settings, twice each, alternating; it prints wall and CPU (process, every thread) p50 in
ms and the load average. It shows what the batcher costs a question that comes alone, and
what ONNX Runtime's thread settings (`ASSISTANT_EMBED_THREADS`, `ASSISTANT_EMBED_SPINNING`)
cost one query. It runs on older trees too (PYTHONPATH pointed at a checkout).

    .venv/bin/python evals/bench_query.py
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import json
import statistics
import time


def main() -> None:
    from assistant.batching import QueryBatcher
    from assistant.config import get_settings
    from assistant.wiring import make_embedder

    settings = get_settings()
    inner = make_embedder(settings)
    inner.embed(["chauffe"], query=True)  # load the model
    batcher = QueryBatcher(
        inner, wait_ms=settings.query_batch_ms, max_batch=settings.query_batch_size
    )
    questions = [f"Quelles solutions pour la mobilité en zone rurale, cas {i} ?" for i in range(40)]
    figures: dict[str, float] = {}
    for name, embedder in [("direct", inner), ("batcher", batcher)] * 2:
        wall, cpu = [], []
        for question in questions:
            t0, c0 = time.perf_counter(), time.process_time()
            embedder.embed([question], query=True)
            wall.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
        for key, values in ((f"{name}_wall_p50_ms", wall), (f"{name}_cpu_p50_ms", cpu)):
            figures[key] = round(min(figures.get(key, 1e9), statistics.median(values)), 1)
    figures["load_1min"] = round(os.getloadavg()[0], 2)
    print(
        f"one query ({inner.name}, query_batch_ms={settings.query_batch_ms}): "
        f"direct wall p50 {figures['direct_wall_p50_ms']} ms, CPU {figures['direct_cpu_p50_ms']} "
        f"ms; behind the batcher wall p50 {figures['batcher_wall_p50_ms']} ms, CPU "
        f"{figures['batcher_cpu_p50_ms']} ms; load average {figures['load_1min']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
