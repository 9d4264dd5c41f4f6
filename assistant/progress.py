"""Ingest progress on a terminal (tqdm on stderr)."""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from .ingest import IngestCallbacks


class TerminalProgress(IngestCallbacks):
    """A progress bar with a count of ingested, skipped and failed files."""

    def __init__(self) -> None:
        self.bar: tqdm[None] | None = None
        self.counts = {"ingested": 0, "skipped": 0, "failed": 0}

    def on_start(self, total: int) -> None:
        """Open the bar."""
        self.bar = tqdm(total=total, unit="file", desc="ingest", leave=True)

    def on_file(self, path: Path, status: str) -> None:
        """Advance the bar."""
        self.counts[status] += 1
        if self.bar is not None:
            self.bar.set_postfix(self.counts, refresh=False)
            self.bar.update(1)
            if self.bar.n == self.bar.total:
                self.bar.close()
