"""Scenario workshop assistant: grounded retrieval over scenario texts and diagnostics."""

import os

# Before numpy is first imported (it reads this once): its BLAS runs on one thread. The
# products here are small (a search's 5,000 x 384 sentence ranking), and OpenBLAS's
# workers spin for a while after each one, taking the core the embedding model's second
# thread needs: a hybrid search at 1k chunks spent half its CPU time there (README,
# "Search at 1k chunks"). A value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .config import Settings, get_settings
from .errors import AssistantError, LoadError, ModelNotReady, NotFound
from .types import (
    Answer,
    Chunk,
    Citation,
    DocumentRecord,
    LoadedText,
    Passage,
    Scenario,
    Segment,
    Sentence,
)

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "AssistantError",
    "Chunk",
    "Citation",
    "DocumentRecord",
    "LoadError",
    "LoadedText",
    "ModelNotReady",
    "NotFound",
    "Passage",
    "Scenario",
    "Segment",
    "Sentence",
    "Settings",
    "__version__",
    "get_settings",
]
