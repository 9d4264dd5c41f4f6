"""Bounds on the work one file may cost: cheap limits checked before the expensive steps,
and a wall-clock budget for what a cheap check cannot bound (splitting, extraction)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import LoadError


@dataclass(frozen=True)
class Limits:
    """What one file may hold; `Settings` gives the values (see `assistant/config.py`)."""

    max_bytes: int = 50 * 1024 * 1024
    max_chars: int = 2_000_000
    max_line_chars: int = 20_000
    max_paragraphs: int = 100_000
    max_pages: int = 2_000
    max_chunks: int = 4_000
    seconds: float = 60.0


def spaced(n: int) -> str:
    """A count with its thousands separated by spaces: 2 000 000."""
    return f"{n:,}".replace(",", " ")


def check_text(text: str, limits: Limits) -> None:
    """Refuse a canonical text that is too long or holds a too-long line."""
    if len(text) > limits.max_chars:
        raise LoadError(
            f"too much text ({spaced(len(text))} characters > {spaced(limits.max_chars)} limit)"
        )
    lines = text.split("\n")
    longest = max(lines, key=len)
    if len(longest) > limits.max_line_chars:
        raise LoadError(
            f"line {lines.index(longest) + 1} is too long ({spaced(len(longest))} characters > "
            f"{spaced(limits.max_line_chars)} limit)"
        )


_local = threading.local()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Within this block (on this thread), `check()` raises once `seconds` have passed."""
    previous = getattr(_local, "until", None)
    _local.until = time.monotonic() + seconds
    _local.seconds = seconds
    try:
        yield
    finally:
        _local.until = previous


def check() -> None:
    """Raise LoadError if the current file's time budget is spent (no-op outside one)."""
    until = getattr(_local, "until", None)
    if until is not None and time.monotonic() > until:
        raise LoadError(f"took longer than the {_local.seconds:g} s allowed for one file")


DEFAULT_LIMITS = Limits()
