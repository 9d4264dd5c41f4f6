"""Shared fixtures: every test gets its own store; the fake embedder unless a test asks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embeddings import HashEmbedder
from assistant.ingest import Ingestor
from assistant.store import ChromaStore
from assistant.tasks.answer import AskTask
from assistant.wiring import (
    make_ask_task,
    make_ingestor,
    make_retriever,
    make_store,
    offline_environment,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = ROOT.parent / "shared" / "seed" / "scenarios-source.txt"

offline_environment()
FAKE_CHUNK_TOKENS, FAKE_CHUNK_OVERLAP = 120, 20  # the fake-embedder tests' chunks (see settings)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the store at tmp_path and use the fake embedder by default."""
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "store"))
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "fake")
    monkeypatch.delenv("ASSISTANT_CHROMA_URL", raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a fresh store in tmp_path with the fake embedder.

    The fake-embedder tests keep the 120-token chunks they were written on (the default
    became 250 in issue 14; the real-model tests and `assistant eval --sets` measure it):
    with hashed vectors, which passages share a chunk decides some of their answers."""
    return Settings(
        home=tmp_path / "store",
        embedding_model="fake",
        chunk_tokens=FAKE_CHUNK_TOKENS,
        chunk_overlap=FAKE_CHUNK_OVERLAP,
    )


class CountingEmbedder(HashEmbedder):
    """The fake embedder, counting how many texts it embedded."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.texts = 0

    def embed(self, texts, *, query):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.texts += len(texts)
        return super().embed(texts, query=query)


@pytest.fixture
def embedder() -> CountingEmbedder:
    """A counting fake embedder."""
    return CountingEmbedder()


@pytest.fixture
def store(settings: Settings, embedder: CountingEmbedder) -> ChromaStore:
    """A real Chroma store on disk in tmp_path."""
    return make_store(settings, embedder)


@pytest.fixture
def ingestor(settings: Settings, store: ChromaStore, embedder: CountingEmbedder) -> Ingestor:
    """A real ingestor over the real store, with the counting fake embedder."""
    return make_ingestor(settings, store, embedder)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the bundled corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    yield dest


def fixture_chunking() -> dict[str, str]:
    """Environment giving a subprocess the `settings` fixture's chunking (the same index)."""
    return {
        "ASSISTANT_CHUNK_TOKENS": str(FAKE_CHUNK_TOKENS),
        "ASSISTANT_CHUNK_OVERLAP": str(FAKE_CHUNK_OVERLAP),
    }


def task_over(
    files: dict[str, str],
    settings: Settings,
    store: ChromaStore,
    embedder: CountingEmbedder,
    tmp_path: Path,
) -> AskTask:
    """The ask task over these documents (name: text), ingested into the test's store."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in files.items():
        (docs / name).write_text(text, "utf-8")
    assert not make_ingestor(settings, store, embedder).run([docs]).failed
    return make_ask_task(settings, make_retriever(settings, store, embedder))


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for running the real `assistant` command in a subprocess."""
    env = dict(os.environ)
    env.update(
        ASSISTANT_HOME=str(tmp_path / "store"),
        ASSISTANT_EMBEDDING_MODEL="fake",
        HF_HUB_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
    )
    env.pop("ASSISTANT_CHROMA_URL", None)
    env.update(extra)
    return env
