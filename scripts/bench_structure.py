"""Time scenario detection and the ingest of one scenario text; prints numbers.

    python scripts/bench_structure.py [FILE] [--model fake|multilingual-e5-small]

`detect` (structure only) is timed over 50 runs; the ingest (load, structure, chunk,
embed, store) into a fresh temporary store, best of 3.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.loaders import load_file
from assistant.structure import segment
from assistant.wiring import make_embedder, make_ingestor, make_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default="corpus/scenarios/scenarios-exploratoires.md")
    parser.add_argument("--model", default="multilingual-e5-small")
    args = parser.parse_args()
    path = Path(args.file)
    loaded = load_file(path)
    started = time.perf_counter()
    for _ in range(50):
        segments = segment(loaded, "scenario")
    per_run = (time.perf_counter() - started) / 50
    print(f"structure: {per_run * 1000:.2f} ms per run, {len(segments)} segments")
    best = float("inf")
    for _ in range(3):
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(home=Path(home), embedding_model=args.model)
            embedder = make_embedder(settings)
            store = make_store(settings, embedder)
            ingestor = make_ingestor(settings, store, embedder)
            embedder.embed(["warm-up"], query=False)
            started = time.perf_counter()
            report = ingestor.run([path], kind="scenario")
            best = min(best, time.perf_counter() - started)
    print(f"ingest: {best:.3f} s best of 3, {report.chunks} chunks ({args.model})")


if __name__ == "__main__":
    main()
