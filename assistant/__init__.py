"""Scenario workshop assistant: grounded retrieval over scenario texts and diagnostics."""

from .config import Settings, get_settings
from .errors import AssistantError, LoadError, ModelNotReady, NotFound
from .types import Chunk, DocumentRecord, LoadedText, Passage, Scenario, Segment

__version__ = "0.1.0"

__all__ = [
    "AssistantError",
    "Chunk",
    "DocumentRecord",
    "LoadError",
    "LoadedText",
    "ModelNotReady",
    "NotFound",
    "Passage",
    "Scenario",
    "Segment",
    "Settings",
    "__version__",
    "get_settings",
]
