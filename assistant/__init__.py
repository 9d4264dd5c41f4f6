"""Scenario workshop assistant: grounded retrieval over scenario texts and diagnostics."""

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
