"""The server's warm-up: every indexed passage's sentences embedded before it listens, on
several threads, within its time budget; the answers then embed no passage."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.embeddings import Embedder, Vectors
from assistant.tasks.extractive import ExtractiveWriter
from assistant.warmup import warm_passages, warm_up

from .workshop_helpers import Wired, wire


class Counting:
    """An embedder that counts its passage calls and the threads making them."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name = inner, inner.name
        self.passages = 0
        self.threads: set[int] = set()
        self.lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        if not query:
            with self.lock:
                self.passages += 1
                self.threads.add(threading.get_ident())
            time.sleep(0.002)  # a model call takes time: the other thread takes the next
        return self.inner.embed(texts, query=query)


def _writer(wired: Wired) -> tuple[ExtractiveWriter, Counting]:
    counting = Counting(wired.retriever.embedder)
    return ExtractiveWriter(counting, wired.retriever.lexical), counting


def test_every_passage_is_ready_before_the_first_question(tmp_path: Path) -> None:
    wired = wire(tmp_path / "store")
    writer, counting = _writer(wired)
    passages = len(set(wired.retriever.lexical.texts()))
    assert warm_passages(writer, 60.0, workers=2) == passages
    assert counting.passages == passages and len(counting.threads) == 2
    before = counting.passages
    for text in set(wired.retriever.lexical.texts()):
        writer.passage_vectors(text)
    assert counting.passages == before  # all remembered: an answer embeds none of them


def test_the_warm_up_stops_at_its_budget(tmp_path: Path) -> None:
    wired = wire(tmp_path / "store")
    writer, counting = _writer(wired)
    assert warm_passages(writer, 0.0) == 0 and counting.passages == 0  # 0: all in background
    assert warm_passages(writer, 1e-9, workers=1) <= 1


def test_a_failed_warm_up_does_not_stop_the_server(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        warmed = threading.Event()

        def warm(self, limit: int = 5_000) -> int:
            if limit == 0:
                raise RuntimeError("no store")
            self.warmed.set()  # the background warm-up still runs
            return 0

    said: list[str] = []
    with caplog.at_level(logging.ERROR, logger="assistant"):
        warm_up(Broken(), 60.0, said.append)
    assert "the warm-up failed" in caplog.text and said == []
    assert Broken.warmed.wait(10)
