"""The support checker measured on real generated sentences, against hand labels.

`evals/support_labels.json` holds sentences that the packaged local model wrote for
real-dev questions (`evals/llm_bench.py --dump`), each with the exact quotes it was tied
to and a label given by hand (the labelling rule is in the file). This script scores each
sentence with the current checker (real-dev's BM25 weights, the e5 model) and prints the
checker's precision and recall for "unsupported" (verdict `unsupported`), and for "not
supported" (verdict `weak` or `unsupported`, i.e. not shown as `supported`), and how many
sentences labelled unsupported the checker calls `supported`; then the same figures apart
for the labels the checks were written from (`"seen": true`) and for the held-out ones.

    .venv/bin/python evals/support_labels.py                      # measure
    .venv/bin/python evals/support_labels.py --collect DUMP...    # add unlabelled items
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

LABELS = Path(__file__).resolve().parent / "support_labels.json"
WANTED = 80  # at most, in all


def collect(dumps: list[str]) -> None:
    """Add the dumps' sentences (unique, in order) as unlabelled items, up to 80 in all."""
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["items"]
    seen = {item["sentence"] for item in items}
    for dump in dumps:
        for line in Path(dump).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "sentence" not in row or row["sentence"] in seen or len(items) >= WANTED:
                continue
            seen.add(row["sentence"])
            items.append(
                {
                    "question": row["question"],
                    "sentence": row["sentence"],
                    "quotes": row["quotes"],
                    "sources": row["sources"],
                    "dump": Path(dump).name,
                    "label": "",
                }
            )
    LABELS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} items, {sum(not i['label'] for i in items)} unlabelled")


def rates(truth: list[bool], predicted: list[bool]) -> tuple[float, float, int, int]:
    """Precision, recall, true positives, predicted positives."""
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    pp, positives = sum(predicted), sum(truth)
    return (tp / pp if pp else 1.0), (tp / positives if positives else 1.0), tp, pp


def measure(home: Path) -> None:
    from llm_bench import real_dev

    from assistant.citations import SupportChecker

    _, retriever = real_dev(home)
    checker = SupportChecker(embedder=retriever.embedder, idf=retriever.lexical.idf)
    items = [i for i in json.loads(LABELS.read_text(encoding="utf-8"))["items"] if i["label"]]
    verdicts = []
    for item in items:
        from assistant.citations import verdict_of

        verdicts.append(verdict_of(checker.score(item["sentence"], item["quotes"])))
    report("all labels", items, verdicts)
    seen = [n for n, i in enumerate(items) if i.get("seen")]
    if seen:  # the checks were written looking at these: the others are held out
        rest = [n for n in range(len(items)) if n not in seen]
        for name, part in (("seen while writing the checks", seen), ("held out", rest)):
            report(name, [items[n] for n in part], [verdicts[n] for n in part], quiet=True)


def report(
    name: str, items: list[dict[str, Any]], verdicts: list[str], quiet: bool = False
) -> None:
    """Print the checker's figures on these labelled items."""
    from assistant.claim_checks import limit

    truth = [i["label"] == "unsupported" for i in items]
    print(f"{name}: {len(items)} labelled sentences, {sum(truth)} unsupported by hand")
    for what, predicted in (
        ("unsupported", [v == "unsupported" for v in verdicts]),
        ("not supported (weak or unsupported)", [v != "supported" for v in verdicts]),
    ):
        precision, recall, tp, pp = rates(truth, predicted)
        print(f"  checker '{what}': precision {precision:.2f} ({tp}/{pp}), recall {recall:.2f}")
    shown = [i for i, v, t in zip(items, verdicts, truth, strict=True) if t and v == "supported"]
    print(f"  labelled unsupported but shown as supported: {len(shown)}")
    removed = [
        i for i, v, t in zip(items, verdicts, truth, strict=True) if not t and v == "unsupported"
    ]
    flagged = [i for i, v, t in zip(items, verdicts, truth, strict=True) if not t and v == "weak"]
    print(f"  labelled supported but removed: {len(removed)}, flagged weak: {len(flagged)}")
    if quiet:
        return
    for title, group in (("shown as supported", shown), ("removed", removed), ("weak", flagged)):
        for item in group:
            why = limit(item["sentence"], item["quotes"])[1] or "low overlap"
            print(f"    {title}: {item['sentence'][:110]} ({why})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collect", nargs="+", metavar="DUMP")
    parser.add_argument("--home", default="/tmp/assistant-llm-eval", help="real-dev store")
    args = parser.parse_args()
    if args.collect:
        collect(args.collect)
    else:
        measure(Path(args.home))


if __name__ == "__main__":
    main()
