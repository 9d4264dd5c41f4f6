"""Cold start of the command line: `assistant sources`, `search` and `ask` each timed as a
fresh process (`python -m assistant ...`) over a store where the bundled corpus was ingested,
the median of --runs; then the top imports of `ask` by `python -X importtime`.

It ends with `| measure | value |` rows of the speed table (issue 12) and the load average.
Settings come from the ASSISTANT_* environment as usual (ASSISTANT_EMBEDDING_BACKEND=torch
for the torch runtime). It runs on older trees too: copy it into a checkout and run it there.

    .venv/bin/python evals/bench_start.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Combien de France Services ?"


def command(home: Path, *args: str, importtime: bool = False) -> tuple[float, str]:
    """Run the CLI once; seconds and stderr."""
    env = {**os.environ, "ASSISTANT_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    flags = ["-X", "importtime"] if importtime else []
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *flags, "-m", "assistant", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"assistant {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return elapsed, proc.stderr


def top_imports(stderr: str, count: int = 8) -> list[tuple[str, float]]:
    """The slowest top-level imports (cumulative seconds) in -X importtime output."""
    found: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():  # the header line
            continue
        if not name.startswith(" ") or name.startswith("  "):  # top level only
            continue
        found[name.strip()] = int(cumulative) / 1e6
    return sorted(found.items(), key=lambda kv: -kv[1])[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        home = Path(tmp) / "store"
        command(home, "ingest", str(ROOT / "corpus"))
        command(home, "ask", QUESTION)  # the BM25 index is built once, then loaded
        times: dict[str, float] = {}
        for name, cmd in (
            ("sources", ["sources"]),
            ("search", ["search", QUESTION]),
            ("ask", ["ask", QUESTION]),
        ):
            times[name] = statistics.median(command(home, *cmd)[0] for _ in range(args.runs))
        _, stderr = command(home, "ask", QUESTION, importtime=True)
    print("slowest top-level imports of `ask`:")
    for name, seconds in top_imports(stderr):
        print(f"  {seconds:6.2f} s  {name}")
    print("\n| measure | value |\n|---|---|")
    print(
        f'| cold `assistant ask "…"` in a terminal (median of {args.runs}) | '
        f"{times['ask']:.1f} s (`sources` alone {times['sources']:.1f} s, `search` "
        f"{times['search']:.1f} s); load average {os.getloadavg()[0]:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
