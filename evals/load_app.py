"""Load test of the web app: simulated participants asking questions at the same time
through the app's `/ask` endpoint, each with its own gradio_client, against a real server.

By default it starts nothing and drives the app at --url. With --start it ingests the
bundled corpus into a temporary store and starts the app itself (`python -m assistant serve`
on a free loopback port, real embedding model, extractive answerer), like the app tests.
Questions come from the evaluation suite, spread over the participants. Latency is timed
per call, client side (queue wait included); an error is an exception or a reply that is
not an answer. It prints a summary, then one JSON line with the figures.

Run from the project root:

    .venv/bin/python evals/load_app.py --start                 # 30 participants x 5 questions
    .venv/bin/python evals/load_app.py --url http://127.0.0.1:7860/ --participants 50
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.ui_harness (how the app tests start the app)

ANSWER_KEYS = {"question", "answerable", "answer", "sentences", "citations"}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@dataclass
class Participant:
    """One simulated participant: its questions, then its timings and errors."""

    number: int
    questions: list[str]
    pauses: list[float]
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_participant(url: str, me: Participant, start: threading.Barrier) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # a participant who cannot connect: errors
        me.errors.extend([f"connect: {exc}"] * len(me.questions))
        start.wait()
        return
    start.wait()  # everyone starts asking at the same moment
    for question, pause in zip(me.questions, me.pauses, strict=True):
        time.sleep(pause)  # reading the previous answer, typing the next question
        began = time.perf_counter()
        try:
            answer = client.predict(question, None, api_name="/ask")
        except Exception as exc:
            me.errors.append(f"{type(exc).__name__}: {exc}")
            continue
        finally:
            me.latencies.append(time.perf_counter() - began)
        if not isinstance(answer, dict) or not set(answer) >= ANSWER_KEYS:
            me.errors.append(f"not an answer: {str(answer)[:120]}")


def load(
    url: str, questions: list[str], participants: int, each: int, think: float = 0.0, seed: int = 0
) -> dict[str, object]:
    rng = random.Random(seed)
    people = [
        Participant(
            i,
            [questions[(i * each + k) % len(questions)] for k in range(each)],
            [rng.uniform(0, 2 * think) for _ in range(each)],
        )
        for i in range(participants)
    ]
    barrier = threading.Barrier(participants + 1)
    threads = [
        threading.Thread(target=run_participant, args=(url, p, barrier), daemon=True)
        for p in people
    ]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies = [x for p in people for x in p.latencies]
    errors = [e for p in people for e in p.errors]
    return {
        "url": url,
        "participants": participants,
        "questions_each": each,
        "think_s": think,
        "requests": participants * each,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "mean_s": round(sum(latencies) / len(latencies), 3) if latencies else None,
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2) if wall else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/", help="app to drive")
    parser.add_argument(
        "--start", action="store_true", help="start the app on a temporary store first"
    )
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--questions", type=int, default=5, help="questions per participant")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause before each question, uniform in [0, 2 x THINK] s (default 0: "
        "everyone asks again as soon as answered, a stress test)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the pauses")
    parser.add_argument("--suite", default=str(ROOT / "evals" / "suite.jsonl"))
    args = parser.parse_args()

    with open(args.suite, encoding="utf-8") as handle:
        questions = [json.loads(line)["question"] for line in handle if line.strip()]

    if not args.start:
        result = load(args.url, questions, args.participants, args.questions, args.think, args.seed)
        return report(result)

    from tests.ui_harness import App, model_ready, prepare_store

    ready, why = model_ready()
    if not ready:
        print(f"load_app: {why}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="load-app-") as tmp:
        print("ingesting the bundled corpus into a temporary store…", file=sys.stderr)
        home, _ = prepare_store(Path(tmp))
        with App(home=home, log_dir=Path(tmp)) as app:
            print(f"app started on {app.url}", file=sys.stderr)
            result = load(
                app.url, questions, args.participants, args.questions, args.think, args.seed
            )
            result["server"] = "started by load_app.py (extractive answerer, bundled corpus)"
    return report(result)


def report(result: dict[str, object]) -> int:
    print(
        f"{result['participants']} participants x {result['questions_each']} questions "
        f"(think {result['think_s']} s) = {result['requests']} /ask calls in {result['wall_s']} s "
        f"({result['answers_per_s']} answers/s)\n"
        f"latency p50 {result['p50_s']} s · p95 {result['p95_s']} s · max {result['max_s']} s"
        f" · errors {result['errors']}"
    )
    for sample in result["error_samples"]:  # type: ignore[attr-defined]
        print(f"  error: {sample}")
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
