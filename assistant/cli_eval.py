"""The `eval` command: the evaluation suite, or every set side by side. Parse, wire, print."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .cli_common import Add, emit
from .config import Settings
from .errors import AssistantError

DEFAULT_SUITE = Path(__file__).resolve().parent.parent / "evals" / "suite.jsonl"
DEFAULT_MANIFEST = DEFAULT_SUITE.with_name("sets.json")


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.sets:
        return _eval_sets(args, settings)
    from . import wiring
    from .eval_metrics import metrics_table
    from .evaluation import evaluate, load_suite

    retriever = wiring.open_retriever(settings)
    suite = load_suite(Path(args.suite), retriever.store, subset=args.subset)
    task = wiring.make_ask_task(settings, retriever)
    report = evaluate(retriever, task, suite, top_k=args.top_k)
    out = Path(args.out) if args.out else settings.home / "eval" / "report.json"
    payload = {"suite": str(args.suite), "subset": args.subset, "answerer": settings.answerer}
    _write_report(out, payload | {"metrics": report.metrics, "questions": report.questions})
    human = f"{metrics_table(report.metrics)}\n\nPer-question details: {out}"
    emit(args, {"metrics": report.metrics, "report": str(out)}, lambda: human)
    return 0


def _eval_sets(args: argparse.Namespace, settings: Settings) -> int:
    from .eval_sets import columns, load_manifest, run_sets, side_by_side

    options: dict[str, str] = {}
    for option in args.option or []:
        key, sep, value = option.partition("=")
        if not sep:
            raise AssistantError(f"--option wants KEY=VALUE, not '{option}'")
        options[key.strip()] = value.strip()
    sets = load_manifest(Path(args.sets))
    announce = (lambda m: print(m, file=sys.stderr)) if sys.stderr.isatty() else (lambda _: None)
    reports = run_sets(
        settings, sets, subset=args.subset, top_k=args.top_k, options=options, announce=announce
    )
    cols = columns(sets, reports)
    out = Path(args.out) if args.out else settings.home / "eval" / "sets-report.json"
    payload: dict[str, Any] = {"manifest": str(args.sets), "subset": args.subset}
    payload |= {"options": options, "answerer": settings.answerer, "columns": cols}
    payload["questions"] = {name: r.questions for name, r in reports.items()}
    _write_report(out, payload)
    human = f"{side_by_side(cols)}\n\nPer-question details: {out}"
    emit(args, {"columns": cols, "report": str(out)}, lambda: human)
    return 0


def _write_report(out: Path, payload: dict[str, Any]) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"cannot write the report {out}: {exc.strerror}") from exc


def register(add: Add) -> None:
    """Add the `eval` command to the parser."""
    p = add("eval", _cmd_eval, "run the evaluation suite on the current store and print metrics")
    p.add_argument(
        "--suite",
        default=str(DEFAULT_SUITE),
        metavar="PATH",
        help="JSONL suite (default: %(default)s)",
    )
    p.add_argument(
        "--sets",
        nargs="?",
        const=str(DEFAULT_MANIFEST),
        metavar="MANIFEST",
        help=(
            "run every set of a manifest, each on its own store of its documents, side by "
            "side (default manifest: %(const)s)"
        ),
    )
    p.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="with --sets: a setting (chunk_tokens=250) or retrieval knob (rrf_k=60) to try",
    )
    p.add_argument("--subset", choices=["ci"], help="only the questions marked for CI")
    p.add_argument("--top-k", type=int, default=5, metavar="N")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="report file (default: <store>/eval/report.json; sets-report.json with --sets)",
    )
