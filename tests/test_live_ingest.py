"""The CLI and a running app on one store: a real `assistant serve` on loopback over a
real on-disk Chroma store, the real `assistant ingest` in a subprocess while it runs,
and `/ask` and `/search` through gradio_client throughout.

The app must keep answering (nothing raises, unrelated questions included), find a new
document within a few seconds, and never cite a replaced document's old version nor a
removed document once the CLI has returned.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from tests.ui_harness import App, model_ready, prepare_store, run_cli

pytestmark = pytest.mark.slow  # the real model, the real app and the CLI in subprocesses

FOUND_WITHIN = 20.0  # seconds: generous (the app checks the store every 2 s)
NOTE_V1 = """# La fromagerie coopérative du Vallon-Brûlé

La fromagerie coopérative du Vallon-Brûlé ouvre trois jours par semaine et emploie \
sept salariés.
"""
NOTE_V2 = """# La fromagerie coopérative du Vallon-Brûlé

La fromagerie coopérative du Vallon-Brûlé ouvre désormais six jours par semaine et \
emploie onze salariés.
"""
QUESTION = "Combien de jours par semaine ouvre la fromagerie coopérative du Vallon-Brûlé ?"
UNRELATED = "Quel est le temps d'accès aux urgences en haute vallée ?"


@pytest.fixture
def live(tmp_path: Path) -> Any:
    """(app, client, folder of the extra note) over a store holding the bundled corpus."""
    ready, why = model_ready()
    if not ready:
        pytest.skip(why)
    home, _ = prepare_store(tmp_path)
    extra = tmp_path / "extra"
    extra.mkdir()
    app = App(home=home, log_dir=tmp_path)
    app.start()
    try:
        yield app, Client(app.url, verbose=False), extra
    finally:
        app.stop()


class Hammer(threading.Thread):
    """Asks an unrelated question and searches, back to back, recording every failure."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.client = Client(url, verbose=False)
        self.stopped = threading.Event()
        self.done = 0
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                answer = self.client.predict(UNRELATED, None, api_name="/ask")
                assert answer["answerable"], answer
                _search(self.client)
            except Exception as exc:  # anything at all is a failure the test reports
                self.failures.append(f"{type(exc).__name__}: {exc}")
            self.done += 1


def _note_citations(answer: dict[str, Any], note: Path) -> list[dict[str, Any]]:
    return [c for c in answer["citations"] if Path(c["source"]).name == note.name]


def _note_passages(found: dict[str, Any], note: Path) -> list[dict[str, Any]]:
    return [p for p in found["passages"] if Path(p["source"]).name == note.name]


def _search(client: Client) -> dict[str, Any]:
    return dict(client.predict(QUESTION, None, 5, api_name="/search"))


def _ingest(app: App, *args: str) -> None:
    done = run_cli(app.home, "ingest", *args, "--json")
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_cli_ingest_into_the_running_apps_store_is_seen_and_nothing_fails(live: Any) -> None:
    app, client, extra = live
    note = extra / "fromagerie-vallon-brule.md"
    assert client.predict(UNRELATED, None, api_name="/ask")["answerable"]
    hammer = Hammer(app.url)
    hammer.start()
    try:
        # 1. a new document: found within a few seconds, through /ask and /search
        note.write_text(NOTE_V1, encoding="utf-8")
        _ingest(app, str(note))
        deadline = time.monotonic() + FOUND_WITHIN
        while True:
            answer = client.predict(QUESTION, None, api_name="/ask")
            cited = _note_citations(answer, note)
            if cited:
                break
            assert time.monotonic() < deadline, f"the new note was not cited: {answer}"
            time.sleep(0.5)
        assert "trois jours" in " ".join(c["quote"] for c in cited)
        assert _note_passages(_search(client), note)

        # 2. the note replaced: its old version is never cited once the CLI returned
        note.write_text(NOTE_V2, encoding="utf-8")
        _ingest(app, str(note))
        seen_new, started = False, time.monotonic()
        deadline = started + FOUND_WITHIN
        while not seen_new or time.monotonic() < started + 4.0:
            answer = client.predict(QUESTION, None, api_name="/ask")
            for citation in _note_citations(answer, note):
                assert citation["quote"] == NOTE_V2[citation["start"] : citation["end"]]
                assert "trois jours" not in citation["quote"]
                seen_new = seen_new or "six jours" in citation["quote"]
            for passage in _note_passages(_search(client), note):
                assert "trois jours" not in passage["text"], passage
            assert time.monotonic() < deadline, f"the new version was not cited: {answer}"
            time.sleep(0.3)

        # 3. the note removed (ingest --prune): never cited nor found again
        note.unlink()
        _ingest(app, str(extra), "--prune")
        until = time.monotonic() + 5.0
        while time.monotonic() < until:
            answer = client.predict(QUESTION, None, api_name="/ask")
            assert not _note_citations(answer, note), answer
            assert not _note_passages(_search(client), note)
            time.sleep(0.3)
    finally:
        hammer.stopped.set()
        hammer.join(timeout=60)
    assert hammer.done > 0
    assert not hammer.failures, hammer.failures[:5]
    assert "Traceback" not in app.log_tail(200_000), app.log_tail()
