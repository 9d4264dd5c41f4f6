"""The Corpus tab of the real app (a server on loopback, the real embedding model), driven
the way the page drives it (queue/join + SSE): a long upload is ingested in the
background, a removal (by a second facilitator's page) answers meanwhile, and the stop
button ends the upload early."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.test_app_api import _component, _config, _raw_call
from tests.ui_harness import App, model_ready, run_cli

FILES = 6
PARAGRAPHS = 200  # about 100 chunks a file at the default 250 tokens: seconds each, real model


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ready, why = model_ready()
    if not ready:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("corpus-app")
    note = root / "ancien.md"
    note.write_text("# Ancien\n\nLe dirigeable est parti de Saint-Ours.\n", encoding="utf-8")
    done = run_cli(root / "store", "ingest", str(note), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    with App(home=root / "store", log_dir=root) as running:
        yield running


def _upload(app: App, config: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    files = []
    for name in names:
        paragraphs = [
            f"Le zeppelin {name} numéro {i} survole la vallée, ses habitants et leurs services." * 4
            for i in range(PARAGRAPHS)
        ]
        files.append(("files", (name, ("# Note\n\n" + "\n\n".join(paragraphs)).encode())))
    base = app.url.rstrip("/") + config.get("api_prefix", "/gradio_api")
    sent = httpx.post(f"{base}/upload", files=files, timeout=60)
    sent.raise_for_status()
    meta = {"_type": "gradio.FileData"}
    return [
        {"path": path, "orig_name": name, "meta": meta}
        for path, name in zip(sent.json(), names, strict=True)
    ]


def _dep(config: dict[str, Any], elem_id: str, where: str) -> dict[str, Any]:
    target = _component(config, elem_id)["id"]
    (dep,) = [d for d in config["dependencies"] if target in d[where]]
    return dep


def _login(app: App, config: dict[str, Any]) -> str:
    session = uuid.uuid4().hex[:11]
    login = _dep(config, "password", "inputs")
    password = _component(config, "password")["id"]
    data = [app.password if i == password else None for i in login["inputs"]]
    assert "wall" in json.dumps(_raw_call(app.url, config, login, data, session))
    return session


def _start_ingest(
    app: App, config: dict[str, Any], session: str, files: list[dict[str, Any]]
) -> tuple[threading.Thread, dict[str, Any]]:
    ingest = _dep(config, "upload", "inputs")
    upload = _component(config, "upload")["id"]
    data = [files if i == upload else None for i in ingest["inputs"]]
    out: dict[str, Any] = {}

    def call() -> None:
        out["output"] = _raw_call(app.url, config, ingest, data, session)

    thread = threading.Thread(target=call)
    thread.start()
    return thread, out


def _rows(app: App, config: dict[str, Any], session: str) -> list[list[Any]]:
    refresh = _dep(config, "remove-pick", "inputs")  # removing nothing refreshes the table
    output = _raw_call(app.url, config, refresh, [None, None, None], session)
    table = output["data"][1]
    rows: list[list[Any]] = (table.get("value") or table)["data"]
    return rows


def _documents(app: App, config: dict[str, Any], session: str) -> list[str]:
    return [row[1] for row in _rows(app, config, session)]


def test_a_removal_answers_during_a_long_upload_which_can_be_stopped(app: App) -> None:
    config = _config(app.url)
    session = _login(app, config)
    (old,) = _documents(app, config, session)
    names = [f"note-{i}.md" for i in range(FILES)]
    thread, out = _start_ingest(app, config, session, _upload(app, config, names))
    other = _login(app, config)  # a page has one event stream: act from a second session
    uploads = app.home / "uploads"
    deadline = time.monotonic() + 120
    while not (uploads.exists() and any(uploads.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    remove = _dep(config, "remove-pick", "inputs")
    pick = _component(config, "remove-pick")["id"]
    doc_id = next(row[0] for row in _rows(app, config, other) if row[1] == old)
    data = [doc_id if i == pick else None for i in remove["inputs"]]
    began = time.perf_counter()
    removed = _raw_call(app.url, config, remove, data, other)
    waited = time.perf_counter() - began
    assert "Retiré" in json.dumps(removed["data"][0], ensure_ascii=False), removed
    assert thread.is_alive(), "the upload ended before the removal could be tried"
    assert waited < 5, f"the removal waited {waited:.1f} s for the upload"
    cancel_id = _component(config, "cancel-ingest")["id"]
    (cancel,) = [d for d in config["dependencies"] if [cancel_id, "click"] in d["targets"]]
    forged = _raw_call(app.url, config, cancel, ["facilitator", None])  # a new session
    assert "facilitat" in json.dumps(forged["data"]) and thread.is_alive(), forged
    stopped = _raw_call(app.url, config, cancel, [None, None], other)
    assert "Arrêt demandé" in json.dumps(stopped["data"], ensure_ascii=False), stopped
    thread.join(180)
    report = json.dumps(out["output"]["data"][0], ensure_ascii=False)
    assert "cancelled" in report and "indexé" in report, report
    remaining = _documents(app, config, session)
    assert old not in remaining and 1 <= len(remaining) < FILES
