"""Extractive vs. generated answers on real-dev, in one run, with the real local model.

Ingests `evals/real-dev/docs` into its own store (kept under `--home`, re-used), then asks
the same questions twice: with the extractive answerer, then with a chat model behind an
OpenAI-compatible server (`assistant llm serve`). Prints, side by side: exact-quote rate,
gold passage cited, gold span quoted, facts contained (the answer holds the gold quote's
numbers, or its three rarest content terms when it has none), refusal precision and
recall, fallbacks, removed sentences, the quotes added after a generated answer (and the
facts contained without them), and p50/p95 seconds per answer; the load average
before and after; the table so far every `--every` questions, for a long run stopped
early (the extractive column then cut to the same questions). The CI slice is asked
first, so that a full run prints its table too. `--dump FILE` writes every
generated sentence (before any removal) with its cited quotes, for
`evals/support_labels.py`.

    .venv/bin/assistant llm serve --port 8091 &
    .venv/bin/python evals/llm_bench.py --base-url http://127.0.0.1:8091/v1 --subset ci
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL_DEV = ROOT / "evals" / "real-dev"
ANSWERS: dict[str, Any] = {}  # the generated run's answers by question, as `ask` gave them


def real_dev(home: Path) -> Any:
    """A retriever over the real-dev documents (e5 model), ingested once under `home`."""
    from assistant.config import Settings
    from assistant.eval_sets import _ingested
    from assistant.wiring import make_embedder

    settings = Settings(home=home, embedding_model="multilingual-e5-small")
    return settings, _ingested(settings, REAL_DEV / "docs", make_embedder(settings), print)


def gold_quotes(subset: str | None, limit: int | None) -> dict[str, dict[str, Any]]:
    """The suite's questions by id (subset - "ci" or the "rest" - and limit applied), with
    their gold quotes."""
    manifest = json.loads((ROOT / "evals" / "sets.json").read_text(encoding="utf-8"))
    ci = next(s.get("ci", []) for s in manifest["sets"] if s["name"] == "real-dev")
    out: dict[str, dict[str, Any]] = {}
    for line in (REAL_DEV / "suite.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            in_ci = bool(item.get("ci")) or item["id"] in ci
            if subset is None or in_ci == (subset == "ci"):
                out[item["id"]] = {**item, "in_ci": in_ci}
    return dict(list(out.items())[:limit]) if limit else out


def facts_contained(answer: str, quote: str, idf: Callable[[str], float]) -> bool:
    """The answer gives the gold quote's numbers; or, without any, its 3 rarest terms."""
    from assistant.analysis import analyze
    from assistant.citations import numbers_of

    numbers = numbers_of(quote)
    if numbers:
        return numbers <= numbers_of(answer)
    terms = sorted(set(analyze(quote)), key=idf, reverse=True)[:3]
    return bool(terms) and set(terms) <= set(analyze(answer))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8091/v1")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--home", default="/tmp/assistant-llm-eval", help="store folder")
    parser.add_argument(
        "--subset", choices=["ci", "rest"], help="only real-dev's CI questions, or only the others"
    )
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per answer")
    parser.add_argument("--dump", help="JSONL of every generated sentence and its quotes")
    parser.add_argument("--skip-extractive", action="store_true")
    parser.add_argument(
        "--every", type=int, default=10, help="print the table so far every N questions"
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)  # the model server has the 2 cores' threads
    from assistant.eval_metrics import summarise
    from assistant.evaluation import Report, evaluate, load_suite
    from assistant.wiring import make_ask_task

    settings, retriever = real_dev(Path(args.home))
    wanted = gold_quotes(args.subset, args.limit)
    suite = [q for q in load_suite(REAL_DEV / "suite.jsonl", retriever.store) if q.id in wanted]
    suite.sort(key=lambda q: not wanted[q.id]["in_ci"])  # the CI slice first: a table of its own
    in_ci = sum(wanted[q.id]["in_ci"] for q in suite)
    load_before = os.getloadavg()
    runs: dict[str, Any] = {}
    if not args.skip_extractive:
        runs["extractive"] = evaluate(retriever, make_ask_task(settings, retriever), suite)
    llm_settings = settings.model_copy(
        update={
            "answerer": "openai",
            "llm_base_url": args.base_url,
            "llm_model": args.model,
            "llm_timeout": args.timeout,
        }
    )
    task = make_ask_task(llm_settings, retriever)
    dump = Path(args.dump) if args.dump else None
    if dump is not None:
        dump.write_text("", encoding="utf-8")

    def record(row: dict[str, Any]) -> None:  # as it comes: a long run can be stopped
        if dump is not None:
            with dump.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")

    generate = task.generated.generate  # type: ignore[union-attr]

    def recording(question: str, lang: str, passages: Any, *rest: Any, **kw: Any) -> Any:
        found = generate(question, lang, passages, *rest, **kw)
        for sentence, spans in found.claims:
            quotes = [passages[i].text[s:e] for i, s, e in spans]
            record(
                {
                    "question": question,
                    "sentence": sentence,
                    "quotes": quotes,
                    "sources": [passages[i].source.rsplit("/", 1)[-1] for i, _, _ in spans],
                    "support": task.checker.score(sentence, quotes),  # type: ignore[union-attr]
                }
            )
        record({"question": question, "reply": found.text, "failure": found.failure})
        return found

    task.generated.generate = recording  # type: ignore[union-attr, method-assign]
    ask = task.ask

    def keeping(question: str, **kw: Any) -> Any:  # the answers, for the added quotes
        answer = ask(question, **kw)
        own = [x.text for x in answer.sentences if not x.added]
        added = [x.text for x in answer.sentences if x.added]
        record({"question": question, "own": " ".join(own), "added": added})
        ANSWERS[question] = answer
        return answer

    task.ask = keeping  # type: ignore[method-assign]
    done: list[dict[str, Any]] = []
    for number, question in enumerate(suite, start=1):  # one by one: a partial table
        done += evaluate(retriever, task, [question]).questions
        if (number % args.every == 0 or number == in_ci) and number < len(suite):
            runs["llm"] = Report(summarise(done), done)
            slice_ = " = the CI slice" if number == in_ci else ""
            print(f"after the first {number} of {len(suite)} questions{slice_}:")
            _print_table(runs, wanted, retriever.lexical.idf, len(done))
            print(f"load average now {os.getloadavg()[0]:.2f} (1 min)", flush=True)
    runs["llm"] = Report(summarise(done), done)
    load_after = os.getloadavg()
    rows = _print_table(runs, wanted, retriever.lexical.idf, len(done))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(json.dumps({"rows": rows, "load": [load_before[0], load_after[0]]}))


def _print_table(
    runs: dict[str, Any],
    wanted: dict[str, dict[str, Any]],
    idf: Callable[[str], float],
    first: int,
) -> dict[str, dict[str, str]]:
    """Print the side-by-side table (the extractive run cut to the `first` questions the
    model has answered, so that both columns are the same questions); return its rows."""
    from assistant.eval_metrics import summarise
    from assistant.evaluation import Report
    from assistant.tasks.generated import FALLBACK_NOTES

    rows: dict[str, dict[str, str]] = {}
    for name, full in runs.items():
        qs = full.questions[:first]
        report = Report(summarise(qs), qs)
        m = report.metrics
        answerable = [q for q in qs if q["expected_answerable"]]
        facts = sum(
            q["answerable"]
            and facts_contained(q["answer"], wanted[q["id"]]["gold"][0]["quote"], idf)
            for q in answerable
        )
        own = sum(  # the same, less the quotes added after a generated answer
            q["answerable"]
            and facts_contained(_own(name, q), wanted[q["id"]]["gold"][0]["quote"], idf)
            for q in answerable
        )
        added = [q.get("added_sentences", 0) for q in qs]
        seconds = [q["ms"] / 1000 for q in qs]
        p95 = sorted(seconds)[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
        reasons = [
            next((k for k, v in FALLBACK_NOTES.items() if n in v.values()), "other")
            for n in _notes(qs)
            if n
        ]
        by_reason = ", ".join(f"{k} {reasons.count(k)}" for k in sorted(set(reasons)))
        rows[name] = {
            "questions (answerable)": f"{m['questions']} ({m['answerable']})",
            "exact-quote rate": f"{m['exact_quote_rate']:.3f} ({m['citations']})",
            "gold passage cited": f"{m['gold_passage_cited_rate']:.3f}",
            "gold span quoted": f"{m['gold_cited_rate']:.3f}",
            "facts contained": f"{facts / max(len(answerable), 1):.3f}",
            "facts contained, added quotes left out": f"{own / max(len(answerable), 1):.3f}",
            "quotes added (answers)": f"{sum(added)} ({sum(map(bool, added))})",
            "answerable answered": f"{m['answered_rate']:.3f}",
            "refusal precision": f"{m['refusal_precision']:.3f}",
            "refusal recall": f"{m['refusal_recall']:.3f}",
            "sentences supported": f"{m['supported_share']:.3f} ({m['sentences']})",
            "removed sentences": str(sum(q.get("removed_sentences", 0) for q in qs)),
            "fallbacks (note)": f"{len(reasons)}" + (f" ({by_reason})" if reasons else ""),
            "seconds p50 / p95": f"{statistics.median(seconds):.1f} / {p95:.1f}",
        }
    names = list(rows)
    print("| metric | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for metric in rows[names[0]]:
        print(f"| {metric} | " + " | ".join(rows[n][metric] for n in names) + " |")
    return rows


def _own(name: str, q: dict[str, Any]) -> str:
    """The answer's text without the quotes added after a generated answer."""
    answer = ANSWERS.get(q["question"]) if name == "llm" else None
    if answer is None or not answer.added_sentences:
        return str(q["answer"])
    return " ".join(s.text for s in answer.sentences if not s.added)


def _notes(questions: Any) -> list[str]:
    return [q.get("note", "") for q in questions]


if __name__ == "__main__":
    main()
