"""Questions that arrive together are embedded together: a micro-batcher in front of an Embedder.

A query that arrives while no query is being embedded is embedded at once, alone: a lone
question never waits (a timed wait cost it tens of ms on a busy machine, where a sleeping
thread waits for a time slice to wake up). Its caller becomes the round's leader; queries
that arrive while its model call runs queue up, and when the call ends the leader waits at
most `wait_ms` more for stragglers (a burst is on), takes every query queued (up to
`max_batch`), embeds them in one model call and hands each caller its own vector, or the
error of that call (when a shared call fails, each query is tried again alone, so that
an error reaches only the caller whose query caused it). Passages, and calls with several
texts, go straight to the model.

With an int8 model a vector depends slightly on its batchmates (activations are scaled per
call): a query embedded in a burst has a cosine >= 0.998 to the same query embedded alone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from .embeddings import Embedder, Vectors


@dataclass
class _Waiting:
    """One caller's query, and where its answer goes."""

    text: str
    done: threading.Event = field(default_factory=threading.Event)
    vector: list[float] | None = None
    error: BaseException | None = None


class QueryBatcher:
    """An Embedder that batches concurrent single-query calls to the one it wraps."""

    def __init__(self, inner: Embedder, *, wait_ms: float = 3.0, max_batch: int = 32) -> None:
        self.inner = inner
        self.name = inner.name  # the same vectors: the same index
        self.wait = max(0.0, wait_ms) / 1000
        self.max_batch = max(1, max_batch)
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leader = False
        self._full = threading.Event()  # set when a round's batch is full: no more waiting
        self.calls = 0  # model calls made for queries (for tests and benchmarks)
        self.batched = 0  # queries that shared a call with others

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        """Embed; a lone query may share a model call with queries of other threads."""
        if not query or len(texts) != 1 or self.wait == 0:
            return self.inner.embed(texts, query=query)
        me = _Waiting(texts[0])
        with self._lock:
            self._queue.append(me)
            lead = not self._leader
            if lead:
                self._leader = True
                self._full.clear()
            elif len(self._queue) >= self.max_batch:
                self._full.set()
        if lead:
            self._drain()
        me.done.wait()
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return [me.vector]

    def _drain(self) -> None:
        """Embed everything queued, batch after batch, then give up the lead. The first
        batch goes at once; a later one (a burst is on) waits up to `wait` for more."""
        first = True
        while True:
            with self._lock:
                if not self._queue:
                    self._leader = False
                    return
            if not first:
                self._full.wait(self.wait)  # others join meanwhile; a full batch does not wait
            first = False
            with self._lock:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                if len(self._queue) >= self.max_batch:
                    self._full.set()
                else:
                    self._full.clear()
            self._run(batch)

    def _run(self, batch: list[_Waiting]) -> None:
        try:
            vectors = self.inner.embed([w.text for w in batch], query=True)
            if len(vectors) != len(batch):
                raise RuntimeError(f"{len(vectors)} vectors for {len(batch)} queries")
        except BaseException as exc:
            if len(batch) > 1:  # whose query failed? each alone, then
                for waiting in batch:
                    self._run([waiting])
                return
            batch[0].error = exc
            batch[0].done.set()
            return
        self.calls += 1
        self.batched += len(batch) if len(batch) > 1 else 0
        for waiting, vector in zip(batch, vectors, strict=True):
            waiting.vector = list(vector)
            waiting.done.set()
