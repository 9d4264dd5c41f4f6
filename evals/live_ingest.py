"""The CLI and a running app on one store: how soon the app finds what the CLI ingested,
and how many of its requests fail meanwhile.

It ingests the bundled corpus into a temporary store, starts the real app on a free
loopback port (`python -m assistant serve`, real embedding model, like the app tests),
keeps a participant asking and searching back to back (gradio_client) and then, for each
round: writes a new note, runs `python -m assistant ingest NOTE` in a subprocess, and polls
`/search` and `/ask` until the note comes back, timed from the moment the CLI returned.
Then the notes are replaced (old versions must never be cited again) and removed with
`ingest --prune` (never found again). It prints a summary, then one JSON line.

Run from the project root:

    .venv/bin/python evals/live_ingest.py --rounds 3
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.ui_harness (how the app tests start the app)

PLACES = ["Vallon-Brûlé", "Roche-Aiguë", "Pré-Fleuri", "Combe-Noire", "Val-Doré"]
UNRELATED = "Quel est le temps d'accès aux urgences en haute vallée ?"


def note_text(place: str, days: str) -> str:
    return (
        f"# La fromagerie coopérative de {place}\n\n"
        f"La fromagerie coopérative de {place} ouvre {days} jours par semaine.\n"
    )


def question(place: str) -> str:
    return f"Combien de jours par semaine ouvre la fromagerie coopérative de {place} ?"


class Hammer(threading.Thread):
    """A participant asking an unrelated question and searching, back to back."""

    def __init__(self, url: str) -> None:
        from gradio_client import Client

        super().__init__(daemon=True)
        self.client = Client(url, verbose=False)
        self.stopped = threading.Event()
        self.requests = 0
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            for call in (
                lambda: self.client.predict(UNRELATED, None, api_name="/ask"),
                lambda: self.client.predict(UNRELATED, None, 5, api_name="/search"),
            ):
                self.requests += 1
                try:
                    call()
                except Exception as exc:  # any failure is counted and reported
                    self.failures.append(f"{type(exc).__name__}: {exc}")


def sources(result: dict[str, Any], key: str) -> set[str]:
    return {Path(item["source"]).name for item in result[key]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="notes ingested one after another")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a note")
    args = parser.parse_args()

    from gradio_client import Client

    from tests.ui_harness import App, model_ready, prepare_store, run_cli

    ready, why = model_ready()
    if not ready:
        print(why, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="live-ingest-") as tmp:
        root = Path(tmp)
        home, _ = prepare_store(root)
        extra = root / "extra"
        extra.mkdir()
        with App(home=home, log_dir=root) as app:
            client = Client(app.url, verbose=False)
            hammer = Hammer(app.url)
            hammer.start()
            rounds: list[dict[str, Any]] = []
            stale_citations = removed_found = own_failures = 0

            def attempt(call: Any) -> dict[str, Any]:
                nonlocal own_failures
                try:
                    return dict(call())
                except Exception as exc:  # counted and shown, the run goes on
                    own_failures += 1
                    print(f"  request failed: {type(exc).__name__}: {exc}")
                    return {"citations": [], "passages": []}

            for place in PLACES[: args.rounds]:
                note = extra / f"fromagerie-{place.lower()}.md"
                note.write_text(note_text(place, "trois"), encoding="utf-8")
                started = time.monotonic()
                done = run_cli(home, "ingest", str(note), "--json")
                returned = time.monotonic()
                assert done.returncode == 0, done.stderr
                found: dict[str, float] = {}
                while len(found) < 2 and time.monotonic() - returned < args.timeout:
                    try:
                        if "search" not in found:
                            hit = client.predict(question(place), None, 5, api_name="/search")
                            if note.name in sources(hit, "passages"):
                                found["search"] = time.monotonic() - returned
                        if "ask" not in found:
                            answer = client.predict(question(place), None, api_name="/ask")
                            if note.name in sources(answer, "citations"):
                                found["ask"] = time.monotonic() - returned
                    except Exception as exc:
                        own_failures += 1
                        print(f"  request failed: {type(exc).__name__}: {exc}")
                    time.sleep(0.2)
                rounds.append(
                    {
                        "note": note.name,
                        "cli_seconds": round(returned - started, 2),
                        "search_found_after": round(found.get("search", -1.0), 2),
                        "ask_cited_after": round(found.get("ask", -1.0), 2),
                    }
                )
                print(f"  {rounds[-1]}")
            for place in PLACES[: args.rounds]:  # replaced: the old version never again
                note = extra / f"fromagerie-{place.lower()}.md"
                note.write_text(note_text(place, "six"), encoding="utf-8")
                assert run_cli(home, "ingest", str(note), "--json").returncode == 0
                for _ in range(5):
                    answer = attempt(
                        lambda p=place: client.predict(question(p), None, api_name="/ask")
                    )
                    stale_citations += sum("trois jours" in c["quote"] for c in answer["citations"])
            for place in PLACES[: args.rounds]:
                (extra / f"fromagerie-{place.lower()}.md").unlink()
            assert run_cli(home, "ingest", str(extra), "--prune", "--json").returncode == 0
            for place in PLACES[: args.rounds]:  # removed: never found again
                for _ in range(3):
                    hit = attempt(
                        lambda p=place: client.predict(question(p), None, 5, api_name="/search")
                    )
                    removed_found += any(
                        s.startswith("fromagerie-") for s in sources(hit, "passages")
                    )
            hammer.stopped.set()
            hammer.join(timeout=120)
    figures = {
        "rounds": rounds,
        "max_search_found_after": max(r["search_found_after"] for r in rounds),
        "max_ask_cited_after": max(r["ask_cited_after"] for r in rounds),
        "background_requests": hammer.requests,
        "background_failures": len(hammer.failures),
        "poll_failures": own_failures,
        "stale_citations_after_replace": stale_citations,
        "removed_found_after_prune": removed_found,
    }
    print(
        f"found by /search within {figures['max_search_found_after']} s, cited by /ask within "
        f"{figures['max_ask_cited_after']} s after the CLI returned (worst of {len(rounds)}); "
        f"{hammer.requests} background requests, {len(hammer.failures)} failed; "
        f"{own_failures} polling requests failed; {stale_citations} stale citations; "
        f"{removed_found} removed documents found"
    )
    for failure in hammer.failures[:5]:
        print(f"  background failure: {failure}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
