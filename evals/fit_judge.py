"""Fit the judge's two models on every set pooled, cross-validate them, save the weights.

Reads the features dumped by `evals/judge_data.py`. The sentence model learns which
candidate sentences quote a gold span, as a conditional logit over each answerable
question's candidates (`assistant.tasks.judge.fit_ranking`); the refusal model, which
questions the sources do not answer, as a logistic regression
(`assistant.tasks.judge.fit_logistic`) over the question's features and those of its best
sentence by the sentence model of the same fold. Both are L2-regularised with the
textbook default (1 / the number of training items); the refusal model has no class
weights (`--balanced` measured more recall for much less precision).

Prints, per fold of a leave-one-set-out and of a pooled 5-fold cross-validation, the
refusal recall and precision, the answered rate and, for the sentences the writer would
choose, the gold span and gold passage hit rates; then the same figures out of fold per
set; then an ablation dropping each feature; then fits on everything and (with --save)
writes `assistant/data/judge.json` with how it was fitted. `--hold SET` keeps a set out of
every fit (the cross-validation and the saved models) and scores it at the end by the
model fitted on the others (`real-scen`, the real set kept out of the judge's training).

    python evals/fit_judge.py DATA.jsonl [DATA.jsonl...] [--save] [--drop NAME,NAME]
        [--hold SET,SET]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.tasks.features import TOP  # noqa: E402
from assistant.tasks.judge import (  # noqa: E402
    JUDGE_FILE,
    REFUSE_AT,
    Logistic,
    columns,
    fit_logistic,
    fit_ranking,
)

L2: float | None = None  # None: 1 / the number of training items (sklearn's C = 1)
LABEL = "span"  # what the sentence model learns: "span" (quotes a gold span) or "gold_passage"
CUT = REFUSE_AT  # the refusal model's cut
BALANCED = False  # class weights of the refusal model (balanced: more recall, less precision)
KEEP = 0.1  # the writer's `keep`: a further sentence's chance, relative to the best one's
MOST = 3


def load(paths: Sequence[str]) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    sentence: list[str] = []
    question: list[str] = []
    rows: list[dict[str, Any]] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            head = json.loads(f.readline())
            sentence, question = head["sentence"], head["question"]
            rows += [json.loads(line) for line in f if line.strip()]
    return sentence, question, rows


class Data:
    """The dumped questions, with the feature columns kept (the others dropped)."""

    def __init__(self, rows: list[dict[str, Any]], s_names: list[str], q_names: list[str],
                 drop: set[str], interact: Sequence[str] = ()) -> None:  # fmt: skip
        self.rows = rows
        self.all_s = list(s_names)
        self.top = [n for n in TOP if n in s_names]  # (a dump older than a feature lacks it)
        q_names = [*q_names, *(f"top_{n}" for n in self.top)]
        self.all_q = q_names
        self.s_keep = [i for i, n in enumerate(s_names) if n not in drop]
        self.s_names = [s_names[i] for i in self.s_keep]
        kept = [n for n in q_names if n not in drop]
        # "a*b" for each pair asked ("english*lift"), or "english" with every kept feature
        pairs = [p if "*" in p else None for p in interact]
        products = [p for p in pairs if p] + [
            f"{by}*{n}" for by in interact if "*" not in by for n in kept if n != by
        ]
        self.q_names = kept + [p for p in products if p not in drop]

    def sentences(self, r: dict[str, Any]) -> np.ndarray:
        return np.asarray([[s["f"][i] for i in self.s_keep] for s in r["sentences"]]).reshape(
            len(r["sentences"]), len(self.s_keep)
        )

    def fit_sentence(self, train: list[dict[str, Any]]) -> Logistic:
        """The conditional logit ranking each question's candidates (`judge.fit_ranking`)."""
        groups = [
            (self.sentences(r), np.asarray([float(s[LABEL]) for s in r["sentences"]]))
            for r in train
            if r["answerable"] and r.get("sentences")
        ]
        return fit_ranking(groups, self.s_names, l2=L2)

    def question_row(self, r: dict[str, Any], sentence: Logistic) -> np.ndarray:
        """The refusal model's inputs: the question's features and the best sentence's
        (`features.judged_row`), by this fold's sentence model."""
        base = np.asarray(r["question_features"], dtype=np.float64)
        top = np.zeros(len(self.top))
        if r["sentences"]:
            logits = sentence.logit(self.sentences(r))
            best = int(np.argmax(logits))
            full = r["sentences"][best]["f"]
            top = np.asarray([full[self.all_s.index(n)] for n in self.top])
        return columns(np.concatenate([base, top]), self.all_q, self.q_names)[0]

    def fit_refusal(self, train: list[dict[str, Any]], sentence: Logistic) -> Logistic:
        chosen = [r for r in train if r["prerefused"] is None]
        x = np.vstack([self.question_row(r, sentence) for r in chosen])
        y = np.asarray([float(not r["answerable"]) for r in chosen])
        return fit_logistic(x, y, self.q_names, l2=L2, balanced=BALANCED)

    def predict(self, r: dict[str, Any], sentence: Logistic, refusal: Logistic) -> dict[str, Any]:
        """What the writer would do: refuse, or choose sentences (hit gold span/passage?)."""
        if r["prerefused"] is not None or not r.get("sentences"):
            return {"refused": True, "span": False, "passage": False}
        chance = float(refusal.prob(self.question_row(r, sentence))[0])
        if chance >= CUT:
            return {"refused": True, "span": False, "passage": False}
        logits = sentence.logit(self.sentences(r))
        chosen = choose(r, np.exp(logits - logits.max()))
        return {
            "refused": False,
            "span": any(r["sentences"][n]["span"] for n in chosen),
            "passage": any(r["sentences"][n]["gold_passage"] for n in chosen),
            "quotes": len(chosen),
            "on_gold": sum(r["sentences"][n]["gold_passage"] for n in chosen),
        }


def choose(r: dict[str, Any], scores: np.ndarray) -> list[int]:
    """The writer's choice (`choice.choose`), on indices: the best sentence of each named
    scenario first, then up to MOST scoring KEEP times the best, two per passage at most."""
    order = list(np.argsort(-scores, kind="stable"))
    chosen: list[int] = []

    def take(n: int, bar: float) -> bool:
        s = r["sentences"][n]
        if (
            scores[n] < bar
            or sum(r["sentences"][c]["passage"] == s["passage"] for c in chosen) >= 2
        ):
            return False
        chosen.append(n)
        return True

    named = r.get("named", []) if len(r.get("named", [])) > 1 else []
    for scenario in named:
        for n in order:
            if r["sentences"][n]["scenario"] == scenario and n not in chosen and take(n, 0.0):
                break
    floor = KEEP * scores[order[0]]
    for n in order:
        if len(chosen) >= max(MOST, len(named)):
            break
        if n not in chosen:
            take(n, floor)
    return chosen


def figures(rows: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, float]:
    answerable = [p for r, p in zip(rows, preds, strict=True) if r["answerable"]]
    refused = [r for r, p in zip(rows, preds, strict=True) if p["refused"]]
    must = [r for r in rows if not r["answerable"]]
    right = sum(not r["answerable"] for r in refused)
    n = max(len(answerable), 1)
    return {
        "n": len(rows),
        "refusal_recall": right / len(must) if must else 1.0,
        "refusal_precision": right / len(refused) if refused else 1.0,
        "answered": sum(not p["refused"] for p in answerable) / n,
        "gold_passage": sum(p["passage"] for p in answerable) / n,
        "gold_span": sum(p["span"] for p in answerable) / n,
        "quotes": sum(p.get("quotes", 0) for p in answerable) / n,
        "on_gold": sum(p.get("on_gold", 0) for p in answerable)
        / max(sum(p.get("quotes", 0) for p in answerable), 1),
    }


def cross_validate(data: Data, folds: list[tuple[str, list[int]]]) -> tuple[list[Any], list[Any]]:
    """Per-fold figures, and every question's out-of-fold prediction (in `data.rows` order)."""
    out, preds = [], [None] * len(data.rows)
    for name, test in folds:
        held = set(test)
        train = [r for i, r in enumerate(data.rows) if i not in held]
        sentence = data.fit_sentence(train)
        refusal = data.fit_refusal(train, sentence)
        fold = [data.predict(data.rows[i], sentence, refusal) for i in test]
        for i, p in zip(test, fold, strict=True):
            preds[i] = p  # type: ignore[call-overload]
        out.append((name, figures([data.rows[i] for i in test], fold)))
    return out, preds


def folds_of(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, list[int]]]]:
    sets = list(dict.fromkeys(r["set"] for r in rows))
    loso = [(f"without {s}", [i for i, r in enumerate(rows) if r["set"] == s]) for s in sets]
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    kfold = [(f"fold {k + 1}", sorted(order[k::5])) for k in range(5)]
    if len(sets) < 2:  # nothing to fit on when the only set is left out
        return {"pooled 5-fold": kfold}
    return {"leave one set out": loso, "pooled 5-fold": kfold}


def table(title: str, items: list[tuple[str, dict[str, float]]]) -> str:
    lines = [
        title,
        "| fold | n | refusal R | refusal P | answered | gold passage | gold span | quotes "
        "| quotes in a gold passage |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in items:
        lines.append(
            f"| {name} | {f['n']} | {f['refusal_recall']:.3f} | {f['refusal_precision']:.3f} | "
            f"{f['answered']:.3f} | {f['gold_passage']:.3f} | {f['gold_span']:.3f} | "
            f"{f['quotes']:.2f} | {f['on_gold']:.3f} |"
        )
    return "\n".join(lines)


def by_set(rows: list[dict[str, Any]], preds: list[Any], styles: bool = True) -> list[Any]:
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r["set"], []).append(i)
        if styles and r.get("style"):
            groups.setdefault(f"rd:{r['style']}", []).append(i)
    groups["all"] = list(range(len(rows)))
    return [(g, figures([rows[i] for i in ix], [preds[i] for i in ix])) for g, ix in groups.items()]


def summary(data: Data) -> dict[str, dict[str, float]]:
    out = {}
    for scheme, folds in folds_of(data.rows).items():
        _, preds = cross_validate(data, folds)
        out[scheme] = figures(data.rows, preds) | {
            "real-dev R": figures(*_only(data.rows, preds, "real-dev"))["refusal_recall"],
            "real-dev P": figures(*_only(data.rows, preds, "real-dev"))["refusal_precision"],
        }
    return out


def _only(rows: list[Any], preds: list[Any], name: str) -> tuple[list[Any], list[Any]]:
    ix = [i for i, r in enumerate(rows) if r["set"] == name]
    return [rows[i] for i in ix], [preds[i] for i in ix]


def main() -> int:
    global LABEL, L2, KEEP, CUT, BALANCED
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="+")
    parser.add_argument("--save", action="store_true", help=f"write {JUDGE_FILE.name}")
    parser.add_argument("--drop", default="", help="features left out (comma-separated)")
    parser.add_argument("--ablate", action="store_true", help="drop each feature in turn")
    parser.add_argument("--label", choices=("span", "gold_passage"), default=LABEL)
    parser.add_argument("--l2", type=float, default=None)
    parser.add_argument("--keep", type=float, default=KEEP)
    parser.add_argument("--cut", type=float, default=CUT, help="refuse at this chance or more")
    parser.add_argument("--balanced", action="store_true", help="balanced class weights")
    parser.add_argument("--interact", default="", help="refusal interactions: a*b or a (a*each)")
    parser.add_argument("--hold", default="", help="sets kept out of every fit, scored at the end "
                        "by the model fitted on the others (comma-separated)")  # fmt: skip
    args = parser.parse_args()
    LABEL, L2, KEEP, CUT, BALANCED = args.label, args.l2, args.keep, args.cut, args.balanced
    s_names, q_names, rows = load(args.data)
    held_sets = {h for h in args.hold.split(",") if h}
    held = [r for r in rows if r["set"] in held_sets]
    rows = [r for r in rows if r["set"] not in held_sets]
    drop = {d for d in args.drop.split(",") if d}
    interact = [i for i in args.interact.split(",") if i]
    data = Data(rows, s_names, q_names, drop, interact)
    print(f"{len(rows)} questions, {sum(not r['answerable'] for r in rows)} to refuse, "
          f"{sum(len(r.get('sentences', [])) for r in rows)} candidate sentences\n")  # fmt: skip
    cv: dict[str, Any] = {}
    for scheme, folds in folds_of(rows).items():
        per_fold, preds = cross_validate(data, folds)
        print(table(f"### {scheme}, per fold", per_fold) + "\n")
        print(table(f"### {scheme}, out of fold, per set", by_set(rows, preds)) + "\n")
        cv[scheme] = {name: f for name, f in per_fold} | {"pooled": figures(rows, preds)}
    if args.ablate:
        base = summary(data)
        print("### ablation: each feature dropped (pooled out-of-fold figures)")
        print("| dropped | scheme | refusal R | refusal P | answered | gold passage | gold span "
              "| real-dev R | real-dev P |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
        for name in ["(none)", *data.s_names, *data.q_names]:
            without = Data(rows, s_names, q_names, drop | {name}, interact)
            found = base if name == "(none)" else summary(without)
            for scheme, f in found.items():
                print(f"| {name} | {scheme} | {f['refusal_recall']:.3f} | "
                      f"{f['refusal_precision']:.3f} | {f['answered']:.3f} | "
                      f"{f['gold_passage']:.3f} | {f['gold_span']:.3f} | {f['real-dev R']:.3f} | "
                      f"{f['real-dev P']:.3f} |")  # fmt: skip
    sentence = data.fit_sentence(rows)
    refusal = data.fit_refusal(rows, sentence)
    for model in (sentence, refusal):
        pairs = zip(model.names, model.weights, strict=True)
        print("weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in pairs), f"bias {model.bias:+.2f}")
    if held:
        preds = [data.predict(r, sentence, refusal) for r in held]
        print("\n" + table("### held out of every fit, by the model fitted on the others",
                            by_set(held, preds)))  # fmt: skip
    if args.save:
        fitted = {
            "by": "evals/fit_judge.py",
            "date": time.strftime("%Y-%m-%d"),
            "data": sorted({r["set"] for r in rows}),
            "questions": len(rows),
            "l2": L2,
            "sentence_label": LABEL,
            "refusal_class_weights": "balanced" if BALANCED else "none",
            "keep": KEEP,
            "refuse_at": CUT,
            "dropped": sorted(drop),
            "interactions": interact,
            "cv": {k: v["pooled"] for k, v in cv.items()},
        }
        payload = {"fitted": fitted, "sentence": sentence.to_json(), "refusal": refusal.to_json()}
        JUDGE_FILE.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"saved {JUDGE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
