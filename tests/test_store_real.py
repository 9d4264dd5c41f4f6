"""The store against the real things: a `chroma run` server, a killed ingest, the real model."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.e5_model import is_prepared
from assistant.types import Passage
from assistant.wiring import make_embedder, make_ingestor, make_retriever, make_store

from .conftest import CORPUS, cli_env
from .test_ingest import _consistent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real Chroma server on a free loopback port, stopped after the test."""
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def test_ingest_and_search_through_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path, ASSISTANT_CHROMA_URL=chroma_server)
    base = [sys.executable, "-m", "assistant"]
    out = subprocess.run(
        [*base, "ingest", str(CORPUS), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["ingested"] == 6
    out = subprocess.run(
        [*base, "search", "fibre", "--json", "--chroma-url", chroma_server],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(out.stdout)["passages"]) == 5
    assert not (tmp_path / "store" / "chroma").exists()  # nothing written locally
    settings = Settings(home=tmp_path / "store", embedding_model="fake", chroma_url=chroma_server)
    store = make_store(settings, make_embedder(settings))
    assert len(store.records()) == 6
    _consistent(store)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    env = cli_env(tmp_path, ASSISTANT_CHROMA_URL=f"http://127.0.0.1:{_free_port()}")
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "sources"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "chroma" in proc.stderr.lower()


def test_an_ingest_killed_midway_leaves_a_consistent_store(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(400):
        (folder / f"f{i:03d}.md").write_text(f"# Fiche {i}\n\nVersion un, commune {i}.\n", "utf-8")
    env = cli_env(tmp_path)
    cmd = [sys.executable, "-m", "assistant", "ingest", str(folder), "--json"]
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    for i in range(400):  # every file changes: the next run replaces all of them
        (folder / f"f{i:03d}.md").write_text(f"# Fiche {i}\n\nVersion deux, n°{i}.\n", "utf-8")
    settings = Settings(home=tmp_path / "store", embedding_model="fake")
    for delay in (2.5, 3.5):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = make_store(settings, make_embedder(settings))
        records = store.records()
        assert len(records) == 400  # never nothing: old or new, each document whole
        _consistent(store, allow_stale=True)
        hits = store.query([1.0] + [0.0] * 255, 50)
        assert all(h[3]["version"] == store.get_record(h[3]["doc_id"]).version for h in hits)  # type: ignore[union-attr]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    assert not json.loads(done.stdout)["failed"]
    store = make_store(settings, make_embedder(settings))
    assert all("deux" in (store.get_text(r.doc_id) or "") for r in store.records())
    assert store.count_chunks() == 400
    _consistent(store)


real_model = pytest.mark.skipif(
    not is_prepared(Settings().models_dir / "multilingual-e5-small"),
    reason="run `assistant models prepare` first",
)


@pytest.mark.slow
@real_model
def test_real_model_finds_the_right_scenario_in_french_and_english(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "store", embedding_model="multilingual-e5-small")
    embedder = make_embedder(settings)
    store = make_store(settings, embedder)
    report = make_ingestor(settings, store, embedder).run([CORPUS])
    assert not report.failed
    retriever = make_retriever(settings, store, embedder)

    def search(question: str, top_k: int, kind: str | None = None) -> list[Passage]:
        return retriever.search(question, top_k=top_k, kind=kind, mode="dense")

    cases = [
        ("Quelles sont les limites du tout numérique pour les personnes fragiles ?", 1, "limits"),
        ("Sur quoi repose le scénario des expérimentations locales ?", 4, None),
        ("What are the weaknesses of relying on networks of partners?", 2, "limits"),
        ("Pourquoi l'interopérabilité des données pose problème ?", 3, "limits"),
    ]
    for question, number, section in cases:
        top = search(question, top_k=3, kind="scenario")
        assert top[0].scenario is not None and top[0].scenario.number == number, question
        if section:
            assert any(p.section == section for p in top), question
    top = search("temps d'accès aux urgences en haute vallée", top_k=5)
    assert any(p.kind == "diagnostic" and "urgences" in p.text for p in top)
