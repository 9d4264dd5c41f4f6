"""Hardening of the REAL app (issue 10, items 2, 3, 7, 8), driven over HTTP like a hostile or
careless client would: the workshop import says what it did (or why it did nothing), the
evaluation view shows a participant only their own answers, logins are rate-limited per
client, uploads and long queries or many aspects are bounded, Gradio's cache is cleaned.

Handlers are called the way the page calls them (queue/join + SSE), with every State forged
to claim the facilitator role: the server must ignore it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.conftest import ROOT, cli_env
from tests.test_app_api import _component, _config, _forged, _raw_call
from tests.ui_harness import EVALUATOR_PASSWORD, GUARD_SETTINGS, App

pytest_plugins = ["tests.ui_fixtures"]


class Page:
    """One browser session of the app, over raw HTTP: its own session hash and states."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.config = _config(app.url)
        self.session = uuid.uuid4().hex[:11]
        self.deps = self.config["dependencies"]
        self.load()

    def id_of(self, elem_id: str) -> int:
        return int(_component(self.config, elem_id)["id"])

    def dep(self, *, inputs: str | None = None, outputs: str | None = None,
            trigger: str | None = None) -> dict[str, Any]:  # fmt: skip
        """The one handler with this input / output / triggering component (elem_ids)."""
        found = [
            d for d in self.deps
            if (inputs is None or self.id_of(inputs) in d["inputs"])
            and (outputs is None or self.id_of(outputs) in d["outputs"])
            and (trigger is None or [self.id_of(trigger), "click"] in d["targets"])
        ]  # fmt: skip
        assert len(found) == 1, (inputs, outputs, trigger, len(found))
        return found[0]

    def call(self, dep: dict[str, Any], by_type: dict[str, Any] | None = None) -> Any:
        """Call a handler in this session, with forged States; its output."""
        data = _forged(self.config, dep, by_type or {})
        return _raw_call(self.app.url, self.config, dep, data, self.session)

    def load(self) -> None:
        (load,) = [d for d in self.deps if any(t[1] == "load" for t in d["targets"])]
        _raw_call(self.app.url, self.config, load, ["fr-FR"], self.session)

    def login(self, password: str, field: str = "password") -> str:
        """Log in with the password box `field`; the status text shown."""
        dep = self.dep(inputs=field)
        output = self.call(dep, {"textbox": password})
        assert "error" not in output, output
        status = self.id_of("login-status" if field == "password" else "evaluator-status")
        return str(output["data"][dep["outputs"].index(status)])

    def ask(self, question: str) -> None:
        output = self.call(self.dep(trigger="send"), {"textbox": question})
        assert "error" not in output, output

    def evaluation_choices(self) -> list[tuple[str, str]]:
        output = self.call(self.dep(trigger="evaluate-refresh"))
        return [(str(label), str(value)) for label, value in output["data"][0]["choices"]]

    def evaluate(self, value: str) -> str:
        """What the evaluation view shows for this pick (or the error Gradio answers)."""
        dep = self.dep(inputs="evaluate-pick", outputs="evaluation")
        output = self.call(dep, {"dropdown": value})
        if "error" in output:
            return f"error: {output['error']}"
        return str(output["data"][dep["outputs"].index(self.id_of("evaluation"))])

    def upload(self, name: str, content: bytes) -> dict[str, Any]:
        """Post a file to Gradio's upload route; the FileData a File input takes."""
        base = self.app.url.rstrip("/") + self.config.get("api_prefix", "/gradio_api")
        sent = httpx.post(f"{base}/upload", files=[("files", (name, content))], timeout=60)
        sent.raise_for_status()
        meta = {"_type": "gradio.FileData"}
        return {"path": sent.json()[0], "orig_name": name, "meta": meta}

    def export(self) -> dict[str, Any]:
        """The whole workshop, as the export button downloads it."""
        output = self.call(self.dep(outputs="workshop-download"))
        assert "error" not in output, output
        path = output["data"][1]["value"]["path"]
        return json.loads(Path(path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def import_(self, data: bytes) -> Any:
        """Import a workshop file through the import box; the handler's whole output."""
        dep = self.dep(inputs="workshop-import")
        return self.call(dep, {"file": self.upload("atelier.json", data)})


# -- 2. the workshop import ---------------------------------------------------------------------
def _draft(n: int) -> dict[str, Any]:
    draft = {"sections": [], "citations": []}
    return {"written_at": f"2026-01-0{n}T10:00:00+00:00", "draft": draft}


def test_an_import_replaces_the_workshop_and_says_what_it_did(ui_app: App) -> None:
    page = Page(ui_app)
    page.ask("Combien de France Services ? (avant import)")
    assert "Connecté" in page.login(ui_app.password)
    page.call(page.dep(trigger="box-show"))  # the box exists: the export carries it
    exported = page.export()
    assert exported["box"] and len(exported["questions"]) >= 1
    kept = exported["questions"][:1]
    data = {**exported, "questions": kept, "drafts": [_draft(1), _draft(2), _draft(3)]}
    output = page.import_(json.dumps(data).encode())
    assert "error" not in output, output  # before: ComponentProcessingError, a bare "Error"
    message = str(output["data"][0])
    assert "1 question" in message and "3 brouillons" in message and "boîte" in message, message
    after = page.export()
    assert [q["question"] for q in after["questions"]] == [q["question"] for q in kept]
    assert len(after["drafts"]) == 3 and after["box"]["cells"] == exported["box"]["cells"]
    page.import_(json.dumps(exported).encode())  # put the workshop back for the other tests


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda d: b"{not json", "JSON"),
        (lambda d: json.dumps({**d, "box": {"format": 1, "themes": []}}).encode(), "box"),
        (lambda d: json.dumps({**d, "questions": [*d["questions"], {"question": "x"}]}).encode(),
         "question"),
        (lambda d: json.dumps({**d, "format": "autre/1"}).encode(), "format"),
    ],
)  # fmt: skip
def test_a_malformed_import_changes_nothing_and_says_why(
    ui_app: App, mangle: Any, reason: str
) -> None:
    page = Page(ui_app)
    page.login(ui_app.password)
    page.call(page.dep(trigger="box-show"))
    before = page.export()
    output = page.import_(mangle(before))
    assert "error" not in output, output  # the reason, not a bare "Error"
    message = str(output["data"][0])
    assert reason in message and "rien" in message.lower(), message
    after = page.export()
    assert after["questions"] == before["questions"] and after["drafts"] == before["drafts"]
    assert after["box"] == before["box"]


def test_an_import_with_a_forged_role_is_refused(ui_app: App) -> None:
    page = Page(ui_app)  # never logged in; every State claims "facilitator"
    empty = {"format": "scenario-assistant-workshop/1", "questions": [], "drafts": [], "box": None}
    output = page.import_(json.dumps(empty).encode())
    assert "facilitat" in json.dumps(output), output
    facilitator = Page(ui_app)
    facilitator.login(ui_app.password)
    assert facilitator.export()["questions"]  # nothing was emptied


# -- 3. who sees what in the evaluation view ----------------------------------------------------
def test_a_participant_checks_only_their_own_answers(ui_app: App) -> None:
    mine = "Combien de France Services ?"  # questions the sources answer, with citations
    theirs = "Quel est le temps d'accès aux urgences en haute vallée ?"
    api = "Que proposent les habitants pour le bus France Services ?"
    participant, other = Page(ui_app), Page(ui_app)
    participant.ask(mine)
    other.ask(theirs)
    Client(ui_app.url, verbose=False).predict(api, api_name="/ask")

    labels = [label for label, _ in participant.evaluation_choices()]
    assert any(mine in label for label in labels), labels
    assert not any(theirs[:60] in label or api[:60] in label for label in labels), labels
    assert not any("Brouillon" in label for label in labels)

    evaluator = Page(ui_app)
    assert "évaluat" in evaluator.login(EVALUATOR_PASSWORD, "evaluator-password").lower()
    everything = evaluator.evaluation_choices()  # the latest first
    other_id = next(v for label, v in everything if theirs[:60] in label)
    assert any(api[:60] in label for label, _ in everything)
    assert "<mark>" in evaluator.evaluate(other_id)  # evaluators open any answer

    # a participant picking another's answer by id, or the draft: refused (Gradio refuses a
    # value outside the choices the server gave this session; the handler checks again:
    # tests/test_access.py)
    for value in (other_id, "draft"):
        refused = participant.evaluate(value)
        assert "<mark>" not in refused and "58 minutes" not in refused, refused
        assert "réservé" in refused.lower() or "not in the list of choices" in refused, refused
    mine_id = next(v for label, v in participant.evaluation_choices() if mine in label)
    assert "<mark>" in participant.evaluate(mine_id)

    # the evaluator's password opens the evaluation view, not the facilitator's tools
    assert evaluator.call(evaluator.dep(trigger="wall-refresh"))["data"] == [""]
    assert "facilitat" in json.dumps(evaluator.call(evaluator.dep(outputs="workshop-download")))
    facilitator = Page(ui_app)  # and the facilitator's opens the evaluation view too
    facilitator.login(ui_app.password, "evaluator-password")
    assert any(theirs[:60] in label for label, _ in facilitator.evaluation_choices())


# -- 7. login rate limit ------------------------------------------------------------------------
def test_repeated_failed_logins_lock_the_client_out_for_a_while(guarded_app: App) -> None:
    page = Page(guarded_app)
    failures = int(GUARD_SETTINGS["ASSISTANT_LOGIN_MAX_FAILURES"])
    lockout = float(GUARD_SETTINGS["ASSISTANT_LOGIN_LOCKOUT_SECONDS"])
    for _ in range(failures):
        assert "incorrect" in page.login("not-the-password")
    locked_at = time.monotonic()
    status = page.login(guarded_app.password)  # the right one, during the lockout: refused
    assert "Connecté" not in status and "essais" in status, status
    other_session = Page(guarded_app)  # a new session of the same client is locked out too
    assert "Connecté" not in other_session.login(guarded_app.password)
    time.sleep(max(0.0, lockout - (time.monotonic() - locked_at)) + 0.5)
    assert "Connecté" in page.login(guarded_app.password)  # and works after it
    log = guarded_app.log_path.read_text(encoding="utf-8", errors="replace")
    assert "failed login" in log and "127.0.0.1" in log, log[-2000:]


# -- 8. bounded anonymous work ------------------------------------------------------------------
def test_uploads_are_bounded_per_file_and_per_client_and_the_cache_is_cleaned(
    guarded_app: App,
) -> None:
    config = _config(guarded_app.url)
    base = guarded_app.url.rstrip("/") + config.get("api_prefix", "/gradio_api")
    cache = Path(guarded_app.env["GRADIO_TEMP_DIR"])

    def post(size: int) -> httpx.Response:
        body = b"x" * size
        return httpx.post(f"{base}/upload", files=[("files", ("f.md", body))], timeout=60)

    mb = 1024 * 1024
    assert post(int(1.5 * mb)).status_code == 413  # larger than ASSISTANT_MAX_UPLOAD_MB
    statuses = [post(int(0.8 * mb)) for _ in range(6)]
    codes = [r.status_code for r in statuses]
    assert codes[0] == 200 and 429 in codes, codes  # before: 6 x 200
    refused = next(r for r in statuses if r.status_code == 429)
    assert "MB" in refused.text, refused.text
    accepted = sum(1 for c in codes if c == 200)
    assert accepted * 0.8 <= float(GUARD_SETTINGS["ASSISTANT_UPLOAD_BUDGET_MB"])
    stored = [p for p in cache.rglob("*") if p.is_file()]
    assert stored, "the uploads should be in the app's Gradio folder"
    deadline = time.monotonic() + 3 * float(GUARD_SETTINGS["ASSISTANT_CACHE_MAX_AGE_SECONDS"]) + 5
    while time.monotonic() < deadline and any(p.exists() for p in stored):
        time.sleep(0.5)
    assert not any(p.exists() for p in stored), "Gradio's cache was never cleaned"


def test_a_long_query_is_refused_at_once(ui_app: App) -> None:
    client = Client(ui_app.url, verbose=False)
    assert client.predict("bus " * 500, None, 3, api_name="/search")["passages"]  # 2,000: fine
    started = time.monotonic()
    with pytest.raises(AppError, match="too long"):
        client.predict("urgences " * 120_000, None, 5, api_name="/search")  # ~1 MB
    assert time.monotonic() - started < 30  # a generous bound to catch a hang


def test_too_many_free_aspects_are_refused(ui_app: App) -> None:
    client = Client(ui_app.url, verbose=False)
    with pytest.raises(AppError, match="8 free aspects at most"):
        client.predict(None, [f"aspect {i}" for i in range(9)], api_name="/compare")
    with pytest.raises(AppError, match="too long"):
        client.predict(None, ["santé " * 1000], api_name="/compare")


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=ROOT, env=cli_env(tmp_path),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_command_line_shares_the_bounds(tmp_path: Path) -> None:
    done = _cli(tmp_path, "search", "x" * 2001)
    assert done.returncode == 1 and "too long" in done.stderr and "Traceback" not in done.stderr
    aspects = [a for i in range(9) for a in ("--aspect", f"aspect {i}")]
    done = _cli(tmp_path, "compare", *aspects)
    assert done.returncode == 1 and "8 free aspects at most" in done.stderr, done.stderr
