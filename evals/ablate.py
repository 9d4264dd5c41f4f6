"""Ablation of the retrieval: every variant on every set of `evals/sets.json`, one run.

Each variant is a set of `KEY=VALUE` options, as `assistant eval --sets --option` takes
them: a setting (`chunk_tokens=250`) or a Retriever knob (`rrf_k=60`, `lexical_weight=1`,
`section_boost=0`, `scenario_ranking=false`, `mmr=false`, `acronyms=false`); a variant of
another `embed_batch_size` is embedded again in stores of its own, which measures how much
the int8 model's per-call scaling alone moves the figures (README). Prints, per
variant, the full side-by-side table, then one summary table (hybrid recall@5 / MRR and
the gold passage cited, per set) with a mark where the hybrid does not beat both single
retrievers.

    python evals/ablate.py [--store DIR] [--variant NAME:k=v,k=v]... [--out FILE]

Without --variant, runs the plan below. Stores are built once per chunking and reused.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.eval_sets import columns, load_manifest, run_variants, side_by_side  # noqa: E402

TEXTBOOK = "rrf_k=60,lexical_weight=1"
PLAN = [
    ("current", ""),
    ("(a) RRF k=60, equal weights", TEXTBOOK),
    ("(a) without section boost", f"{TEXTBOOK},section_boost=0"),
    ("(a) without scenario ranking", f"{TEXTBOOK},scenario_ranking=false"),
    ("(a) without MMR", f"{TEXTBOOK},mmr=false"),
    ("(a) without acronym expansion", f"{TEXTBOOK},acronyms=false"),
    ("(a) chunks of 250 tokens", f"{TEXTBOOK},chunk_tokens=250,chunk_overlap=40"),
]


def parse_variant(text: str) -> tuple[str, str]:
    name, _, options = text.partition(":")
    return name.strip(), options.strip()


def options_of(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _, value = part.partition("=")
        out[key.strip()] = value.strip()
    return out


def beats(m: dict[str, Any]) -> bool:
    """Whether the hybrid beats every single retriever on recall@5 and on MRR."""
    r = m["retrieval"]
    single = [mode for mode in r if mode != "hybrid"]
    return all(r["hybrid"][k] > max(r[s][k] for s in single) for k in ("recall@5", "mrr"))


def summary(results: list[tuple[str, dict[str, dict[str, Any]]]]) -> str:
    names = list(results[0][1])
    head = "| variant | " + " | ".join(names) + " |"
    rows = [head, "|---" * (len(names) + 1) + "|"]
    for variant, cols in results:
        cells = []
        for n in names:
            m = cols[n]
            h = m["retrieval"]["hybrid"]
            mark = "" if beats(m) else " ✗"
            cells.append(
                f"{h['recall@5']:.3f} / {h['mrr']:.3f} / {m['gold_passage_cited_rate']:.2f}{mark}"
            )
        rows.append(f"| {variant} | " + " | ".join(cells) + " |")
    rows.append("")
    rows.append(
        "Cells: hybrid recall@5 / hybrid MRR / gold passage cited; ✗ where the hybrid does "
        "not beat every single retriever (dense, BM25, sentences) on recall@5 and MRR."
    )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=".assistant", help="store folder (eval stores below)")
    parser.add_argument("--sets", default=str(ROOT / "evals" / "sets.json"))
    parser.add_argument("--variant", action="append", help="NAME:KEY=VALUE,KEY=VALUE")
    parser.add_argument("--subset", choices=["ci"])
    parser.add_argument("--out", help="JSON file for every variant's columns")
    parser.add_argument(
        "--retrieval-only", action="store_true", help="skip the answers (their columns read 0)"
    )
    args = parser.parse_args()
    plan = [parse_variant(v) for v in args.variant] if args.variant else PLAN
    settings = get_settings(home=Path(args.store))
    sets = load_manifest(Path(args.sets))
    started = time.perf_counter()
    runs = run_variants(
        settings,
        sets,
        [(name, options_of(spec)) for name, spec in plan],
        subset=args.subset,
        answers=not args.retrieval_only,
        announce=lambda m: print(m, file=sys.stderr, flush=True),
    )
    results: list[tuple[str, dict[str, dict[str, Any]]]] = []
    for name, spec in plan:
        cols = columns(sets, runs[name])
        results.append((name, cols))
        print(f"## {name} ({spec or 'defaults'})\n\n{side_by_side(cols)}\n")
    print(f"{time.perf_counter() - started:.0f} s in all\n")
    print(summary(results))
    if args.out:
        payload = [
            {"variant": n, "options": s, "columns": c}
            for (n, s), (_, c) in zip(plan, results, strict=True)
        ]
        Path(args.out).write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
