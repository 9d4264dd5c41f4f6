"""One streamed reply of a chat model: its text deltas, then why the model stopped.

OpenAI-compatible servers (and llama-cpp-python) end a stream with a `finish_reason`:
"stop" when the model ended its answer, "length" when it was cut at `max_tokens`. A cut
reply's last sentence may be unfinished ("… est mis en [5]"), which no punctuation rule
can tell from a finished reply that ends without a full stop (a list of names): the
writers read `finish_reason` once the stream is exhausted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

CUT = "length"  # the finish reason of a reply cut at its token limit


class ChatStream(Iterator[str]):
    """The text deltas of one reply; `finish_reason` is set when the server says it."""

    def __init__(self, deltas: Callable[[ChatStream], Iterator[str]]) -> None:
        self.finish_reason = ""
        self._deltas = deltas(self)

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> str:
        return next(self._deltas)

    def finished(self, reason: object) -> None:
        """Note the model's finish reason (a later chunk's non-empty one wins)."""
        if isinstance(reason, str) and reason:
            self.finish_reason = reason


def finish_reason(stream: Iterable[str]) -> str:
    """Why the model's stream ended ("stop", "length"), or "" when it did not say (e.g. a
    plain generator from a test double)."""
    reason = getattr(stream, "finish_reason", "")
    return reason if isinstance(reason, str) else ""


def drain(
    stream: Iterable[str],
    deadline: float,
    pieces: list[str],
    on_text: Callable[[str], None] | None = None,
) -> bool:
    """Append the stream's deltas to `pieces` (each also to `on_text`) until it ends: True;
    False as soon as the monotonic clock passes `deadline`, the rest left unread."""
    for delta in stream:
        pieces.append(delta)
        if on_text is not None:
            on_text(delta)
        if time.monotonic() > deadline:
            return False
    return True
