"""Figures on the scenario-layout examples: scenarios found / expected, parts, compare
coverage, exact citations, and (for the real examples, with the real model) questions
that describe a scenario answered from it. Prints one block per example.

    python scripts/layout_figures.py [--model multilingual-e5-small|fake] [FILE...]

Expectations come from `tests/fixtures/real-scenarios/expected.json`; the older ADEME
excerpts (`tests/fixtures/scenario-layouts/`) are reported without them.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from assistant.citations import SupportChecker
from assistant.config import Settings
from assistant.tasks.compare import compare
from assistant.tasks.extractive import ExtractiveWriter
from assistant.wiring import make_ask_task, make_embedder, make_ingestor, make_retriever, make_store

REAL = Path("tests/fixtures/real-scenarios")
EXPECTED: dict[str, Any] = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
EXAMPLES = sorted(Path("tests/fixtures/scenario-layouts").glob("ademe-*")) + [
    REAL / name for name in EXPECTED
]


def figures(path: Path, model: str) -> None:
    """Ingest one example in a fresh store and print its figures."""
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), embedding_model=model)
        embedder = make_embedder(settings)
        store = make_store(settings, embedder)
        report = make_ingestor(settings, store, embedder).run([path], kind="scenario")
        retriever = make_retriever(settings, store, embedder)
        extractive = ExtractiveWriter(embedder, retriever.lexical)
        checker = SupportChecker(embedder=embedder, idf=retriever.lexical.idf)
        matrix = compare(retriever, extractive, checker)
        covered = sum(c.status == "covered" for c in matrix.cells)
        exact = all(
            (store.get_text(c.doc_id) or "")[c.start : c.end] == c.quote for c in matrix.citations
        )
        (record,) = store.records()
        print(path.name)
        for w in report.warnings:
            print(f"  warning: {w.warning}")
        found = [(s.number, s.title) for s in record.scenarios]
        expected = EXPECTED.get(path.name)
        if expected:
            want = [tuple(t) for t in expected["titles"]]
            same = sum(f == w for f, w in zip(found, want, strict=False))
            print(f"  scenarios found: {len(found)}/{len(want)}, titles and numbers exact: {same}")
        for number, title in found:
            print(f"  scenario {number}: {title}")
        parts = sorted(
            {str(m["section"]) for _c, _t, m in store.chunks_where({"doc_id": record.doc_id})
             if m.get("scenario_id")}
        )  # fmt: skip
        print(f"  parts: {', '.join(parts)}")
        print(f"  aspects: {', '.join(matrix.aspects)}")
        share = covered / len(matrix.cells) if matrix.cells else 0.0
        print(f"  cells covered: {covered}/{len(matrix.cells)} ({share:.0%}); exact: {exact}")
        if expected and model != "fake":
            task = make_ask_task(settings, retriever)
            right = 0
            for question, number in expected["questions"]:
                answer = task.ask(question)
                first = answer.citations[0].scenario if answer.citations else None
                ok = answer.answerable and first is not None and first.number == number
                right += ok
                print(f"    {'ok ' if ok else 'NO '} {question}")
            print(f"  description questions right: {right}/{len(expected['questions'])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--model", default="multilingual-e5-small")
    args = parser.parse_args()
    for path in args.files or EXAMPLES:
        figures(path, args.model)


if __name__ == "__main__":
    main()
