"""Dump the judge's features for every question of every set, so fitting is offline.

For each set of `evals/sets.json` (each on its own store, as `assistant eval --sets`
builds them), each question goes through the answer pipeline up to the writer
(`AskTask.gather`, which reads the question once, then the extractive writer's `scored`
and `verdict`); the
script writes one JSON line per question: its set, id, style, whether it is answerable,
whether the pipeline refuses it before the writer, the question's features, and for every
candidate sentence its features, its passage, and whether it quotes a gold span or lies in
a gold passage. `evals/fit_judge.py` fits and cross-validates the models on that file.

    python evals/judge_data.py [--store DIR] [--out FILE] [--sets NAME,NAME]
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

from assistant import wiring  # noqa: E402
from assistant.config import get_settings  # noqa: E402
from assistant.eval_sets import _ingested, load_manifest  # noqa: E402
from assistant.evaluation import Question, load_suite  # noqa: E402
from assistant.tasks.answer import AskTask  # noqa: E402
from assistant.tasks.features import QUESTION, SENTENCE  # noqa: E402


def question_record(task: AskTask, q: Question) -> dict[str, Any]:
    """The features and labels of one question."""
    history = [(h, "") for h in q.history]
    found = task.gather(q.question, history=history, scenarios=[q.scenario] if q.scenario else [])
    out: dict[str, Any] = {
        "id": q.id,
        "question": q.question,
        "answerable": q.answerable,
        "prerefused": found.refused,
    }
    if found.refused is not None:
        return out
    writer = task.extractive
    vector = task.retriever.embed_query(found.query)
    asked = found.asked
    picks, rows = writer.scored(asked, vector, found.passages, asked.intent)
    out["question_features"] = writer.verdict(asked, picks, rows, found.passages, vector).tolist()
    gold_chunks = [any(g.hit_by(p.doc_id, p.start, p.end) for g in q.golds) for p in found.passages]
    sentences = []
    for k, row in zip(picks, rows, strict=True):
        p = found.passages[k.passage]
        start, end = p.start + k.start, p.start + k.end
        sentences.append(
            {
                "f": [round(float(v), 5) for v in row],
                "passage": k.passage,
                "scenario": p.scenario.id if p.scenario else "",
                "span": any(g.hit_by(p.doc_id, start, end) for g in q.golds),
                "gold_passage": gold_chunks[k.passage],
                "text": p.text[k.start : k.end],
                "source": p.source,
                "section": p.section,
            }
        )
    out["sentences"] = sentences
    out["named"] = list(asked.intent.scenario_ids)
    out["defined"] = bool(asked.defined)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", default=None, help="store folder (holds eval/stores/)")
    parser.add_argument("--out", default="judge-data.jsonl", help="output JSONL file")
    parser.add_argument("--sets", default="", help="only these sets (comma-separated names)")
    args = parser.parse_args()
    settings = get_settings()
    if args.store:
        settings = settings.model_copy(update={"home": Path(args.store)})
    sets = load_manifest(ROOT / "evals" / "sets.json")
    wanted = {s for s in args.sets.split(",") if s}
    embedder = wiring.make_embedder(settings)
    started = time.perf_counter()
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(json.dumps({"sentence": SENTENCE, "question": QUESTION}) + "\n")
        by_docs: dict[Path, list[Any]] = {}
        for item in sets:
            if not wanted or item.name in wanted:
                by_docs.setdefault(item.docs, []).append(item)
        for docs, items in by_docs.items():
            retriever = _ingested(settings, docs, embedder, lambda m: print(m, file=sys.stderr))
            task = wiring.make_ask_task(settings, retriever)
            for item in items:
                suite = load_suite(item.suite, retriever.store)
                for q in suite:
                    record = question_record(task, q)
                    record |= {"set": item.name, "style": item.styles.get(q.id, "")}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                print(f"{item.name}: {len(suite)} questions, "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
