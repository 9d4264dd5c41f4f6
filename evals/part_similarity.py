"""Could the embedding model tell which part of a scenario a question asks for? A measure.

For every question of every evaluation set (`evals/sets.json`), the part it asks for is
read from its gold passages: the scenario part (levers, interest, limits, narrative...)
that holds its gold quotes, or none when they are not in a scenario. Three rules are
scored against that label:

- `names`: the shipped rule (`part_cues.py`): a part's name, analysed, in the question;
- `names or e5 >= t`: the same, plus: each word and 2-3-word phrase of the question
  (content words at both ends) is compared with the corpus's part names by
  multilingual-e5 (phrase as query, names as passages); a part is asked when it is a
  phrase's closest and the cosine reaches `t` (a few values, and the one that does best
  on all the sets pooled: right minus wrong answers);
- `names or e5 margin`: the same, with no threshold: a part is asked when it is closer to a phrase
  than the next part by more than the largest such margin any phrase reaches on a
  question whose gold is in no scenario (no constant fitted on the labels).

A question is "right" when a rule asks for a part and every part asked holds a gold
quote, "wrong" when it asks for a part that does not. Run:

    python evals/part_similarity.py
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.analysis import analyze
from assistant.config import Settings
from assistant.eval_sets import load_manifest
from assistant.part_cues import asked_parts
from assistant.wiring import make_embedder, make_ingestor, make_retriever, make_store

HERE = Path(__file__).resolve().parent
Predict = Callable[[list[str], np.ndarray, list[str]], list[str]]
_WORD = re.compile(r"[\w'’-]+")


def phrases(question: str) -> list[str]:
    """Words and 2-3-word phrases of the question, content words at both ends."""
    words = _WORD.findall(question)
    content = [bool(analyze(w)) and not w.isdigit() and "scenario" not in analyze(w)[0]
               for w in words]  # fmt: skip
    out: list[str] = []
    for n in (1, 2, 3):
        for i in range(len(words) - n + 1):
            if content[i] and content[i + n - 1]:
                out.append(" ".join(words[i : i + n]))
    return list(dict.fromkeys(out))


def gold_parts(item: dict[str, Any], chunks: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """The scenario parts holding the question's gold quotes."""
    golds = item.get("gold", [])
    quotes = [(g["file"], g["quote"]) for g in golds]
    quotes += [(a["file"], a["quote"]) for g in golds for a in g.get("alternatives", [])]
    found: set[str] = set()
    for file, quote in quotes:
        for text, meta in chunks:
            source = str(meta.get("source", ""))
            if meta.get("scenario_id") and source.endswith(file) and quote[:60] in text:
                found.add(str(meta["section"]))
    return found


def main() -> None:
    settings = Settings()
    embedder = make_embedder(settings)
    scored: dict[str, list[tuple[set[str], list[str], np.ndarray, list[str]]]] = defaultdict(list)
    by_docs: dict[Path, list[Any]] = defaultdict(list)
    for item in load_manifest(HERE / "sets.json"):
        by_docs[item.docs].append(item)
    for docs, items in by_docs.items():
        with tempfile.TemporaryDirectory() as home:
            local = Settings(home=Path(home), embedding_model="fake")
            fake = make_embedder(local)
            store = make_store(local, fake)
            make_ingestor(local, store, fake).run([docs])
            retriever = make_retriever(local, store, fake)
            parts = retriever.parts()
            chunks = list(zip(retriever.lexical.texts(), retriever.lexical.metas(), strict=True))
            names = [(p.key, n) for p in parts for n in p.names]
            name_vectors = (
                np.asarray(embedder.embed([n for _, n in names], query=False)) if names else None
            )
            for item in items:
                for line in item.suite.read_text("utf-8").splitlines():
                    if not line.strip():
                        continue
                    q = json.loads(line)
                    gold = gold_parts(q, chunks)
                    grams = phrases(q["question"])
                    if name_vectors is None or not grams:
                        sims = np.zeros((0, len(parts)))
                    else:
                        per_name = np.asarray(embedder.embed(grams, query=True)) @ name_vectors.T
                        columns = [
                            [i for i, (k, _) in enumerate(names) if k == p.key] for p in parts
                        ]
                        sims = np.stack([per_name[:, c].max(axis=1) for c in columns], axis=1)
                    keys = [p.key for p in parts]
                    scored[item.name].append((gold, asked_parts(q["question"], parts), sims, keys))

    def e5(sims: np.ndarray, keys: list[str], t: float | None, margin: float | None) -> list[str]:
        out: list[str] = []
        for row in sims:
            order = np.argsort(-row)
            best = row[order[0]]
            gap = best - row[order[1]] if len(order) > 1 else best
            if (t is not None and best >= t) or (margin is not None and gap > margin):
                out.append(keys[order[0]])
        return list(dict.fromkeys(out))

    def tally(predict: Predict) -> dict[str, tuple[int, int, int]]:
        out: dict[str, tuple[int, int, int]] = {}
        for name, rows in scored.items():
            right = wrong = 0
            for gold, named, sims, keys in rows:
                asked = predict(named, sims, keys)
                right += bool(asked) and set(asked) <= gold
                wrong += bool(set(asked) - gold)
            out[name] = (right, wrong, sum(bool(g) for g, *_ in rows))
        return out

    def union(t: float | None, margin: float | None) -> Predict:
        return lambda n, s, k: list(dict.fromkeys([*n, *e5(s, k, t, margin)]))

    def net(rule: Predict) -> int:
        return sum(r - w for r, w, _ in tally(rule).values())

    thresholds = [float(t) for t in np.arange(0.80, 0.95, 0.0025)]
    best_t = max(thresholds, key=lambda t: net(union(t, None)))
    gaps = [
        float(np.max(np.sort(s, axis=1)[:, -1] - np.sort(s, axis=1)[:, -2]))
        for rows in scored.values()
        for gold, _, s, _ in rows
        if not gold and s.shape[0] and s.shape[1] > 1
    ]
    free_margin = max(gaps) if gaps else 0.0
    rules: dict[str, Predict] = {"names": lambda n, s, k: n}
    for t in (0.84, 0.86, 0.88, 0.90, best_t):
        rules[f"names or e5 >= {t:.4f}" + (" (best pooled)" if t == best_t else "")] = union(
            t, None
        )
    rules[f"names or e5 margin > {free_margin:.4f}"] = union(None, free_margin)
    print("| rule | " + " | ".join(scored) + " |")
    print("|---|" + "---|" * len(scored))
    for label, rule in rules.items():
        cells = [f"{r} right, {w} wrong (of {g} in a part)" for r, w, g in tally(rule).values()]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
