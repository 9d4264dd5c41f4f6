"""How a Chroma client is opened: a server by URL, or a folder on disk; and opened again
afresh on the same folder (see `store.ChromaStore.sync`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb

from .errors import AssistantError


def open_client(path: Path | None = None, url: str | None = None) -> Any:
    """A Chroma client: a server when `url` is given, else a folder on disk."""
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise AssistantError(f"invalid Chroma URL '{url}' (expected http://host:port)")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError here
            raise AssistantError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def reopened(client: Any) -> Any | None:
    """A new client on the same folder that reads it afresh, or None for a Chroma server.

    Chroma shares one `System` (holding the vector index loaded in memory) per folder
    within a process, so a plain second client would see the same stale index: that
    one is forgotten first. It is not stopped: calls in flight on other threads finish
    on it, and it is freed with the last of them.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    settings = client.get_settings()
    if not settings.is_persistent or not settings.persist_directory:
        return None
    SharedSystemClient._identifier_to_system.pop(settings.persist_directory, None)
    return chromadb.PersistentClient(path=settings.persist_directory, settings=settings)
