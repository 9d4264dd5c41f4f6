"""Load test of the web app: simulated participants asking questions at the same time
through the app's `/ask` endpoint, each as its own session, against a real server.

Each participant is one Gradio session over one keep-alive HTTP connection, making the
page's own calls: join the queue (`POST <api>/queue/join`), then read the session's
event stream (`GET <api>/queue/data`) until the answer. That costs the load generator
about 4 ms of CPU an answer; a gradio_client per participant (`--client gradio`, what
this script used before) costs about 100 ms an answer, three times the server's own, on
the same cores: its figures measured the clients as much as the server. Every run prints
both (`server_cpu_ms_per_answer`, `client_cpu_ms_per_answer`). Each participant's first
question opens its session on the server, as a phone's first call does.

By default it starts nothing and drives the app at --url. With --start it ingests the
bundled corpus into a temporary store and starts the app itself (`python -m assistant serve`
on a free loopback port, real embedding model, extractive answerer), like the app tests.
Questions come from the evaluation suite, spread over the participants. Latency is timed
per call, client side (queue wait included); an error is an exception or a reply that is
not an answer. It prints a summary, then one JSON line with the figures.

With --start --table it measures the rows of the speed table (issue 12) on one started
server: a burst of 30 participants x 1 question right after start, one question alone,
the same burst once warm, 30 participants x 5 questions with 0-10 s pauses, 100 at that
pace (unless --no-hundred), and the server's resident memory (VmRSS, peak VmHWM). It
prints `| measure | value |` rows with the 1-minute load average.

Run from the project root:

    .venv/bin/python evals/load_app.py --start                 # 30 participants x 5 questions
    .venv/bin/python evals/load_app.py --start --table         # the issue's table rows
    .venv/bin/python evals/load_app.py --url http://127.0.0.1:7860/ --participants 50

The app started with --start gets ASSISTANT_EMBEDDING_BACKEND from this process, and any
ASSISTANT_* setting given with --setting KEY=VALUE. The app started is the tree this script
sits in: to measure an older commit, copy evals/*.py into a checkout of it (`git worktree
add /tmp/before a26f508`) and run them there, in the same sitting.
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
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def ask_fn_index(url: str) -> tuple[str, int]:
    """(the queue's base URL, the `/ask` endpoint's index), from the app's config."""
    import httpx

    config = httpx.get(url.rstrip("/") + "/config", timeout=30).json()
    base = url.rstrip("/") + config.get("api_prefix", "/gradio_api")
    for dep in config["dependencies"]:
        if dep.get("api_name") == "ask":
            return base, int(dep["id"])
    raise RuntimeError(f"no /ask endpoint at {url}")


def raw_ask(http: Any, base: str, fn_index: int, session: str, question: str) -> Any:
    """One `/ask` call as the page's own script makes it: join the queue, then read the
    session's event stream (server-sent events) until the answer; the answer's JSON."""
    body = {"data": [question, None], "fn_index": fn_index, "session_hash": session,
            "event_data": None, "trigger_id": None}  # fmt: skip
    joined = http.post(f"{base}/queue/join", json=body)
    joined.raise_for_status()
    with http.stream("GET", f"{base}/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                if not message.get("success"):
                    raise RuntimeError(str(message.get("output", {}).get("error"))[:200])
                return message["output"]["data"][0]
            if message.get("msg") in ("close_stream", "unexpected_error"):
                raise RuntimeError(f"stream ended: {str(message)[:200]}")
    raise RuntimeError("stream ended without an answer")


def run_participant(
    url: str, me: Participant, start: threading.Barrier, raw: tuple[str, int] | None = None
) -> None:
    """Ask the participant's questions, one after the other, as one session: with `raw`
    (queue URL, endpoint), over one keep-alive HTTP connection; else with gradio_client."""
    try:
        if raw is not None:
            import httpx

            http = httpx.Client(timeout=httpx.Timeout(120.0))
            session = uuid.uuid4().hex[:11]

            def ask(question: str) -> Any:
                return raw_ask(http, raw[0], raw[1], session, question)
        else:
            from gradio_client import Client

            client = Client(url, verbose=False)

            def ask(question: str) -> Any:
                return client.predict(question, None, api_name="/ask")
    except Exception as exc:  # a participant who cannot connect: errors
        me.errors.extend([f"connect: {exc}"] * len(me.questions))
        start.wait()
        return
    start.wait()  # everyone starts asking at the same moment
    for question, pause in zip(me.questions, me.pauses, strict=True):
        time.sleep(pause)  # reading the previous answer, typing the next question
        began = time.perf_counter()
        try:
            answer = ask(question)
        except Exception as exc:
            me.errors.append(f"{type(exc).__name__}: {exc}")
            continue
        finally:
            me.latencies.append(time.perf_counter() - began)
        if not isinstance(answer, dict) or not set(answer) >= ANSWER_KEYS:
            me.errors.append(f"not an answer: {str(answer)[:120]}")


def server_cpu_s(pid: int | None) -> float:
    """CPU seconds (user + system, every thread) a process has used so far (Linux)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds (user + system, every thread) this process has used so far."""
    times = os.times()
    return times.user + times.system


def load(
    url: str,
    questions: list[str],
    participants: int,
    each: int,
    think: float = 0.0,
    seed: int = 0,
    pid: int | None = None,
    client: str = "raw",
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
    raw = ask_fn_index(url) if client == "raw" else None
    barrier = threading.Barrier(participants + 1)
    threads = [
        threading.Thread(target=run_participant, args=(url, p, barrier, raw), daemon=True)
        for p in people
    ]
    for t in threads:
        t.start()
    barrier.wait()
    began, cpu_began, own_began = time.perf_counter(), server_cpu_s(pid), own_cpu_s()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    cpu = server_cpu_s(pid) - cpu_began
    own = own_cpu_s() - own_began
    latencies = [x for p in people for x in p.latencies]
    errors = [e for p in people for e in p.errors]
    return {
        "url": url,
        "participants": participants,
        "questions_each": each,
        "think_s": think,
        "client": client,
        "requests": participants * each,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "mean_s": round(sum(latencies) / len(latencies), 3) if latencies else None,
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(latencies) / wall, 2) if wall else None,
        # the server's CPU over the run (background warming included) per answer
        "server_cpu_ms_per_answer": round(1000 * cpu / len(latencies))
        if pid and latencies
        else None,
        # this process's CPU (the simulated participants' clients) per answer
        "client_cpu_ms_per_answer": round(1000 * own / len(latencies)) if latencies else None,
        "load_1min": round(os.getloadavg()[0], 2),
    }


def server_memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return round(fields.get("VmRSS", 0.0)), round(fields.get("VmHWM", 0.0))


def table(
    url: str, pid: int, questions: list[str], hundred: bool, client: str = "raw"
) -> list[tuple[str, str]]:
    """The issue's rows, measured in order on one freshly started server."""
    rows: list[tuple[str, str]] = []

    def burst(label: str, **kw: float) -> dict[str, object]:
        result = load(url, questions, pid=pid, client=client, **kw)  # type: ignore[arg-type]
        print(json.dumps({"measure": label, **result}, ensure_ascii=False), flush=True)
        return result

    def row(label: str, r: dict[str, object], rate: bool = False) -> None:
        value = f"p50 {r['p50_s']} s, p95 {r['p95_s']} s"
        value += f", {r['answers_per_s']} answers/s" if rate else ""
        value += f", {r['errors']} errors"
        value += f", {r['server_cpu_ms_per_answer']} ms server CPU an answer"
        value += f" ({r['client_cpu_ms_per_answer']} ms in the clients)"
        value += f" (load {r['load_1min']})"
        rows.append((label, value))

    first = burst("burst after start", participants=30, each=1)
    row("30 participants, 1 question each, all at once, right after start", first, True)
    alone = burst("one question alone", participants=1, each=5)
    rows.append(
        (
            "one question alone, warm (p50 of 5)",
            f"{alone['p50_s']} s, {alone['server_cpu_ms_per_answer']} ms server CPU an answer",
        )
    )
    warm = burst("warm burst", participants=30, each=1)
    row("the same burst once warmed up", warm, True)
    paced = burst("30 x 5, think 5", participants=30, each=5, think=5.0)
    row("30 participants x 5 questions, 0-10 s pauses", paced)
    if hundred:
        crowd = burst("100 x 5, think 5", participants=100, each=5, think=5.0)
        row("100 participants x 5 questions, 0-10 s pauses", crowd)
    rss, peak = server_memory_mb(pid)
    rows.append(("serving RSS (after all the above)", f"{rss} MB (peak {peak} MB)"))
    rows.append(("1-minute load average at the end", f"{os.getloadavg()[0]:.2f}"))
    return rows


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
    parser.add_argument(
        "--client",
        choices=("raw", "gradio"),
        default="raw",
        help="raw (default): each participant joins Gradio's queue over plain HTTP, as the "
        "page does; gradio: one gradio_client each (several times the server's CPU)",
    )
    parser.add_argument("--suite", default=str(ROOT / "evals" / "suite.jsonl"))
    parser.add_argument(
        "--table", action="store_true", help="with --start: measure the issue's table rows"
    )
    parser.add_argument(
        "--no-hundred", action="store_true", help="with --table: skip the 100-participant run"
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="with --start: an ASSISTANT_* setting of the started app (repeatable)",
    )
    args = parser.parse_args()

    with open(args.suite, encoding="utf-8") as handle:
        questions = [json.loads(line)["question"] for line in handle if line.strip()]

    if not args.start:
        result = load(
            args.url, questions, args.participants, args.questions, args.think, args.seed,
            client=args.client,
        )  # fmt: skip
        return report(result)

    from tests.ui_harness import App, model_ready, prepare_store

    ready, why = model_ready()
    if not ready:
        print(f"load_app: {why}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="load-app-") as tmp:
        print("ingesting the bundled corpus into a temporary store…", file=sys.stderr)
        home, _ = prepare_store(Path(tmp))
        env = {k: v for k, v in os.environ.items() if k == "ASSISTANT_EMBEDDING_BACKEND"}
        env.update(item.split("=", 1) for item in args.setting)  # type: ignore[misc]
        with App(home=home, log_dir=Path(tmp), env=env) as app:
            print(f"app started on {app.url}", file=sys.stderr)
            if args.table:
                assert app.proc is not None
                rows = table(app.url, app.proc.pid, questions, not args.no_hundred, args.client)
                print("\n| measure | value |\n|---|---|")
                for label, value in rows:
                    print(f"| {label} | {value} |")
                return 0
            result = load(
                app.url,
                questions,
                args.participants,
                args.questions,
                args.think,
                args.seed,
                pid=app.proc.pid if app.proc is not None else None,
                client=args.client,
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
        + (
            f"\nserver CPU {result['server_cpu_ms_per_answer']} ms an answer"
            if result.get("server_cpu_ms_per_answer") is not None
            else ""
        )
        + f" · load average {result['load_1min']}"
    )
    for sample in result["error_samples"]:  # type: ignore[attr-defined]
        print(f"  error: {sample}")
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
