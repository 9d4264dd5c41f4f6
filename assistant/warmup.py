"""A server's warm-up before it listens: the sentences of the indexed passages embedded.

An answer scores the sentences of its passages; the first time a passage is quoted its
sentences are embedded (`ExtractiveWriter.passage_vectors`, remembered after). Right after
start, a burst of 30 questions needs some 70 passages never seen: about 7 s of CPU on
this 2-core machine, spent while the phones wait. `warm_passages` embeds them before the
server listens, on every core, for at most a given time; what is left is embedded in the
background while it serves (`ExtractiveWriter.warm`, which steps aside for questions).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def warm_up(extractive: Any, seconds: float, say: Callable[[str], None] = print) -> None:
    """A server's start: `warm_passages` for up to `seconds` (a failure is logged, and the
    server serves anyway), then the rest in a background thread (`ExtractiveWriter.warm`)."""
    began = time.monotonic()
    try:
        warmed = warm_passages(extractive, seconds)
    except Exception:  # a head start, not a condition of serving
        log.exception("the warm-up failed; serving without it")
        warmed = 0
    if warmed:
        say(f"{warmed} passages ready in {time.monotonic() - began:.1f} s")
    threading.Thread(target=extractive.warm, daemon=True).start()  # the rest, if any


def warm_passages(extractive: Any, seconds: float, workers: int | None = None) -> int:
    """Embed the indexed passages' sentences for up to `seconds` on `workers` threads (one
    per core by default); how many passages were embedded or found ready."""
    if seconds <= 0:
        return 0
    extractive.warm(limit=0)  # the corpus's facets, front matter and mean vector
    texts = list(dict.fromkeys(extractive.lexical.texts()))
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    done = 0

    def work() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            with lock:
                if not texts:
                    return
                text = texts.pop()
            extractive.passage_vectors(text)
            with lock:
                done += 1

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers or _cores())]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def _cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
