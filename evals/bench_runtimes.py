"""The embedding runtimes side by side, in one run: torch int8 (sentence-transformers,
`quantize_for_cpu`) against ONNX Runtime int8 (`assistant models prepare`'s export), each in
its own process: load time (import + model), passages/s and CPU ms per passage, query
latency (one question at a time), peak RSS, and cosine to the float32 model.

    .venv/bin/python evals/bench_runtimes.py                 # 96 chunks, 40 questions, 2 threads
    .venv/bin/python evals/bench_runtimes.py --chunks 64 --threads 1

Passages are chunks of 150-250 cl100k tokens packed from the bundled corpus (as
`bench_embed.py`), questions those of the suite. It prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "evals"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
RUNTIMES = ("float32", "torch-int8", "onnx-int8")


def child(runtime: str, chunks_n: int, threads: int, out: Path) -> None:
    """Measure one runtime in this process; save its vectors beside the figures."""
    import numpy as np
    from bench_embed import make_chunks

    from assistant.config import DEFAULT_MODEL, Settings
    from assistant.wiring import make_embedder

    chunks = make_chunks(chunks_n, 150, 250)
    suite = (ROOT / "evals" / "suite.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in suite if line.strip()][:40]
    started = time.perf_counter()
    backend = "onnx" if runtime == "onnx-int8" else "torch"
    settings = Settings(
        embedding_model=DEFAULT_MODEL,
        embedding_backend=backend,
        quantize=runtime == "torch-int8",
        embed_threads=threads,
    )
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
    embedder = make_embedder(settings)
    embedder.embed(["chauffe"], query=True)
    load_s = time.perf_counter() - started
    embedder.embed(chunks[:16], query=False)  # warm
    cpu0, wall0 = os.times(), time.perf_counter()
    passages = np.asarray(embedder.embed(chunks, query=False), dtype=np.float32)
    cpu1, wall = os.times(), time.perf_counter() - wall0
    cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    latencies, queries = [], []
    for question in questions:
        t0 = time.perf_counter()
        queries.append(embedder.embed([question], query=True)[0])
        latencies.append((time.perf_counter() - t0) * 1000)
    np.save(out.with_suffix(".p.npy"), passages)
    np.save(out.with_suffix(".q.npy"), np.asarray(queries, dtype=np.float32))
    figures = {
        "runtime": runtime,
        "embedder": embedder.name,
        "load_s": round(load_s, 2),
        "passages_per_s": round(len(chunks) / wall, 1),
        "cpu_ms_per_passage": round(cpu * 1000 / len(chunks), 1),
        "query_p50_ms": round(float(np.median(latencies)), 1),
        "query_p95_ms": round(float(np.percentile(latencies, 95)), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "torch_imported": "torch" in sys.modules,
    }
    out.write_text(json.dumps(figures), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=96)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("RUNTIME", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.chunks, args.threads, Path(args.child[1]))
        return 0
    import numpy as np

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for runtime in RUNTIMES:
            out = Path(tmp) / f"{runtime}.json"
            cmd = [sys.executable, __file__, "--chunks", str(args.chunks)]
            cmd += ["--threads", str(args.threads), "--child", runtime, str(out)]
            subprocess.run(cmd, check=True, cwd=ROOT)
            rows.append(json.loads(out.read_text(encoding="utf-8")))
        ref_p = np.load(Path(tmp) / "float32.p.npy")
        ref_q = np.load(Path(tmp) / "float32.q.npy")
        for row in rows:
            p = np.load(Path(tmp) / f"{row['runtime']}.p.npy")
            q = np.load(Path(tmp) / f"{row['runtime']}.q.npy")
            row["cos_passages_min"] = round(float((p * ref_p).sum(axis=1).min()), 4)
            row["cos_queries_min"] = round(float((q * ref_q).sum(axis=1).min()), 4)
    load = os.getloadavg()[0]
    print(f"{args.chunks} passages, 40 questions, {args.threads} threads, load average {load:.2f}")
    print(
        "| runtime | load s | passages/s | CPU ms/passage | query p50 / p95 ms | peak RSS MB "
        "| cos min vs float32 (passages / queries) | torch imported |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        print(
            f"| {r['runtime']} | {r['load_s']} | {r['passages_per_s']} | "
            f"{r['cpu_ms_per_passage']} | {r['query_p50_ms']} / {r['query_p95_ms']} | "
            f"{r['peak_rss_mb']} | {r['cos_passages_min']} / {r['cos_queries_min']} | "
            f"{'yes' if r['torch_imported'] else 'no'} |"
        )
    print(json.dumps({"load_1min": round(load, 2), "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
