"""A long upload through the services layer on a real store: it runs in the background,
tells how far it is, can be cancelled, and never makes a removal wait for it.

The embedder sleeps 0.4 s per call, standing in for the real model's cost (20-35 chunks/s
on 2 cores) so that the upload lasts long enough to act during it; the store is real."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embeddings import HashEmbedder
from assistant.errors import AssistantError
from assistant.ingest import IngestCallbacks, Ingestor
from assistant.ui.services import FACILITATOR, Forbidden, Services
from assistant.wiring import make_ingestor, make_services

EMBED_SECONDS = 0.4
FILES = 12


class SlowEmbedder(HashEmbedder):
    def embed(self, texts, *, query):  # type: ignore[no-untyped-def]
        time.sleep(EMBED_SECONDS)
        return super().embed(texts, query=query)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(home=tmp_path / "store", embedding_model="fake", facilitator_password="pw")
    services = make_services(settings, announce=lambda _m: None)
    slow = SlowEmbedder()

    def new_ingestor(callbacks: IngestCallbacks) -> Ingestor:
        ingestor = make_ingestor(settings, services.store, slow)
        ingestor.callbacks, ingestor.batch_files = callbacks, 1  # one file per batch
        return ingestor

    services.new_ingestor = new_ingestor
    return services


def _files(tmp_path: Path, count: int) -> list[str]:
    folder = tmp_path / "incoming"
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"note-{i:02d}.md"
        path.write_text(f"# Note {i}\n\nLe zeppelin numéro {i} survole la vallée.\n", "utf-8")
        paths.append(str(path))
    return paths


def _first_file_done(services: Services, paths: list[str]) -> tuple[threading.Thread, dict]:
    started = threading.Event()
    result: dict[str, object] = {}

    def upload() -> None:
        result.update(services.upload(FACILITATOR, paths, lambda _n, _s: started.set()))

    thread = threading.Thread(target=upload)
    thread.start()
    assert started.wait(60), "the upload never ingested its first file"
    return thread, result


def test_a_removal_does_not_wait_for_a_long_upload(services: Services, tmp_path: Path) -> None:
    first = tmp_path / "ancien.md"
    first.write_text("# Ancien\n\nLe dirigeable est parti.\n", encoding="utf-8")
    services.upload(FACILITATOR, [str(first)])
    (old,) = services.documents()
    thread, result = _first_file_done(services, _files(tmp_path, FILES))
    began = time.perf_counter()
    services.remove(FACILITATOR, old["doc_id"])
    waited = time.perf_counter() - began
    assert thread.is_alive(), "the upload ended before the removal could be tried"
    assert waited < FILES * EMBED_SECONDS / 2, f"the removal waited {waited:.1f} s"
    thread.join(120)
    assert len(result["ingested"]) == FILES  # type: ignore[arg-type]
    assert all(d["doc_id"] != old["doc_id"] for d in services.documents())


def test_an_upload_runs_in_the_background_and_can_be_cancelled(
    services: Services, tmp_path: Path
) -> None:
    paths = _files(tmp_path, FILES)
    job = services.start_upload(FACILITATOR, paths)
    assert job.total == FILES
    deadline = time.monotonic() + 60
    while job.done < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.done >= 2 and not job.finished.is_set()
    with pytest.raises(AssistantError, match="still being ingested"):
        services.start_upload(FACILITATOR, _files(tmp_path, 1))
    with pytest.raises(Forbidden):
        services.cancel_upload("participant")
    assert services.cancel_upload(FACILITATOR)
    report = job.wait(60)
    assert job.finished.is_set()
    ingested, failed = report["ingested"], report["failed"]
    assert 2 <= len(ingested) < FILES and len(ingested) + len(failed) == FILES
    assert all("cancelled" in f["error"] for f in failed)
    stored = sorted(p.name for p in services.upload_dir.iterdir())
    assert stored == sorted(Path(s).name for s in ingested)  # cancelled copies are gone
    assert len(services.documents()) == len(ingested)
    assert not services.cancel_upload(FACILITATOR)  # nothing left to cancel
