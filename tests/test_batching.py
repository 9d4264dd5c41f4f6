"""The query micro-batcher: each caller its own vector, errors to the right caller, no deadlock."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from assistant.batching import QueryBatcher
from assistant.embeddings import HashEmbedder, Vectors

JOIN_TIMEOUT = 30.0  # seconds: only there to turn a deadlock into a failure


class SlowEmbedder(HashEmbedder):
    """The fake embedder, slow enough that concurrent callers pile up; records each call."""

    def __init__(self, delay: float = 0.02, fail_on: str = "") -> None:
        super().__init__()
        self.delay = delay
        self.fail_on = fail_on
        self.calls: list[tuple[tuple[str, ...], bool]] = []
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        with self._lock:
            self.calls.append((tuple(texts), query))
        time.sleep(self.delay)
        if self.fail_on and self.fail_on in texts:
            raise ValueError(f"cannot embed {self.fail_on!r}")
        return super().embed(texts, query=query)


def ask_all(batcher: QueryBatcher, texts: list[str]) -> dict[str, object]:
    """Embed each text as a lone query from its own thread, all at once."""
    results: dict[str, object] = {}
    start = threading.Barrier(len(texts))

    def one(text: str) -> None:
        start.wait()
        try:
            results[text] = batcher.embed([text], query=True)[0]
        except Exception as exc:
            results[text] = exc

    threads = [threading.Thread(target=one, args=(t,), daemon=True) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a caller never got its answer"
    return results


QUESTIONS = [f"question {i} sur les France Services numéro {i}" for i in range(24)]


def test_each_caller_gets_its_own_vector_and_calls_are_shared() -> None:
    inner = SlowEmbedder()
    batcher = QueryBatcher(inner, wait_ms=20, max_batch=8)
    results = ask_all(batcher, QUESTIONS)
    reference = HashEmbedder()
    for text in QUESTIONS:
        assert results[text] == reference.embed([text], query=True)[0]
    assert len(inner.calls) < len(QUESTIONS)  # questions shared model calls
    assert max(len(texts) for texts, _ in inner.calls) <= 8
    assert sorted(t for texts, _ in inner.calls for t in texts) == sorted(QUESTIONS)
    assert batcher.batched > 0


def test_an_error_reaches_only_the_caller_whose_query_failed() -> None:
    inner = SlowEmbedder(fail_on=QUESTIONS[3])
    batcher = QueryBatcher(inner, wait_ms=20, max_batch=32)
    results = ask_all(batcher, QUESTIONS[:10])
    assert isinstance(results[QUESTIONS[3]], ValueError)
    for text in QUESTIONS[:10]:
        if text != QUESTIONS[3]:
            assert results[text] == HashEmbedder().embed([text], query=True)[0]
    # and the batcher still works afterwards (the lead was given up)
    assert batcher.embed(["encore une"], query=True) == HashEmbedder().embed(
        ["encore une"], query=True
    )


def test_a_failing_model_fails_every_caller_without_hanging() -> None:
    class Broken(SlowEmbedder):
        def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
            time.sleep(0.005)
            raise RuntimeError("model gone")

    results = ask_all(QueryBatcher(Broken(), wait_ms=5, max_batch=4), QUESTIONS[:12])
    assert all(isinstance(r, RuntimeError) for r in results.values())


def test_passages_and_several_texts_go_straight_to_the_model() -> None:
    inner = SlowEmbedder(delay=0)
    batcher = QueryBatcher(inner, wait_ms=50)
    batcher.embed(["a passage"], query=False)
    batcher.embed(["q1", "q2"], query=True)
    assert inner.calls == [(("a passage",), False), (("q1", "q2"), True)]
    assert batcher.name == inner.name  # same vectors, same index


def test_a_lone_query_waits_at_most_the_bound() -> None:
    batcher = QueryBatcher(SlowEmbedder(delay=0), wait_ms=30)
    began = time.perf_counter()
    batcher.embed(["seule"], query=True)
    assert time.perf_counter() - began < 2.0  # generous: only catches waiting forever


def test_a_full_batch_does_not_wait() -> None:
    inner = SlowEmbedder(delay=0.5)
    batcher = QueryBatcher(inner, wait_ms=10_000, max_batch=4)
    began = time.perf_counter()
    first = threading.Thread(target=batcher.embed, args=(["d'abord"],), kwargs={"query": True})
    first.start()  # embedded at once, alone: the four below arrive during its call
    time.sleep(0.1)
    results = ask_all(batcher, QUESTIONS[:4])
    first.join(JOIN_TIMEOUT)
    assert time.perf_counter() - began < 5.0  # the 10 s wait for stragglers was cut short
    assert len(results) == 4
    assert [len(texts) for texts, _ in inner.calls] == [1, 4]


@pytest.mark.parametrize("wait_ms", [0.0])
def test_zero_wait_embeds_each_query_alone(wait_ms: float) -> None:
    inner = SlowEmbedder(delay=0.01)
    ask_all(QueryBatcher(inner, wait_ms=wait_ms), QUESTIONS[:6])
    assert len(inner.calls) == 6


def test_a_lone_query_is_embedded_at_once_without_waiting() -> None:
    """Nothing else in flight: no reason to wait (the wait cost a lone question, issue 12)."""
    inner = SlowEmbedder(delay=0)
    batcher = QueryBatcher(inner, wait_ms=10_000)
    began = time.perf_counter()
    assert batcher.embed(["seule"], query=True) == HashEmbedder().embed(["seule"], query=True)
    assert time.perf_counter() - began < 5.0  # far below the 10 s it would have waited
    assert inner.calls == [(("seule",), True)]


def test_queries_arriving_during_a_call_share_the_next_one() -> None:
    """A burst: the first query goes alone at once; those arriving meanwhile go together."""
    inner = SlowEmbedder(delay=0.2)
    batcher = QueryBatcher(inner, wait_ms=0.5, max_batch=32)
    results = ask_all(batcher, QUESTIONS[:12])
    reference = HashEmbedder()
    assert all(results[t] == reference.embed([t], query=True)[0] for t in QUESTIONS[:12])
    assert len(inner.calls) < 12
    assert sorted(t for texts, _ in inner.calls for t in texts) == sorted(QUESTIONS[:12])
