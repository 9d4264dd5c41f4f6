"""Figures on the scenario-layout examples: scenarios found, compare coverage, exact
citations. Prints one block per example.

    python scripts/layout_figures.py [--model multilingual-e5-small|fake] [FILE...]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from assistant.citations import SupportChecker
from assistant.config import Settings
from assistant.tasks.compare import compare
from assistant.tasks.extractive import ExtractiveWriter
from assistant.wiring import make_embedder, make_ingestor, make_retriever, make_store

EXAMPLES = sorted(Path("tests/fixtures/scenario-layouts").glob("ademe-*"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--model", default="multilingual-e5-small")
    args = parser.parse_args()
    for path in args.files or EXAMPLES:
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(home=Path(home), embedding_model=args.model)
            embedder = make_embedder(settings)
            store = make_store(settings, embedder)
            report = make_ingestor(settings, store, embedder).run([path], kind="scenario")
            retriever = make_retriever(settings, store, embedder)
            extractive = ExtractiveWriter(embedder, retriever.lexical)
            checker = SupportChecker(embedder=embedder, idf=retriever.lexical.idf)
            matrix = compare(retriever, extractive, checker)
            covered = sum(c.status == "covered" for c in matrix.cells)
            exact = all(
                (store.get_text(c.doc_id) or "")[c.start : c.end] == c.quote
                for c in matrix.citations
            )
            print(path.name)
            for w in report.warnings:
                print(f"  warning: {w.warning}")
            for s in matrix.scenarios:
                print(f"  scenario {s.number}: {s.title}")
            print(f"  aspects: {', '.join(matrix.aspects)}")
            share = covered / len(matrix.cells) if matrix.cells else 0.0
            print(f"  cells covered: {covered}/{len(matrix.cells)} ({share:.0%}); exact: {exact}")


if __name__ == "__main__":
    main()
