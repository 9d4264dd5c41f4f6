"""load -> structure -> chunk -> embed -> store, one file at a time, idempotent and crash-safe
(which files, and what each is called: `ingest_files.py`)."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import budget
from .budget import Limits, spaced
from .chunking import chunk_segments
from .corrections import CorrectionBook, digest, marked_kind
from .embeddings import Embedder
from .errors import AssistantError, LoadError
from .indexed import PIPELINE_VERSION, embedding_text
from .ingest_files import FailedFile, discover, display_source, doc_id_for, resolve_kind
from .loaders import load_file
from .store import ChromaStore
from .structure import detect, scenarios_of
from .types import Chunk, DocumentRecord

CANCELLED = "cancelled before it was stored"


@dataclass(frozen=True)
class FileWarning:
    """Something to check in a file that was ingested (e.g. no scenario detected)."""

    path: str
    warning: str


@dataclass
class IngestReport:
    """What one `ingest` run did."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0


class IngestCallbacks:
    """No-op progress hooks; the CLI and the UI override what they show."""

    def on_start(self, total: int) -> None:
        """Called once with the number of files to look at."""

    def on_file(self, path: Path, status: str) -> None:
        """Called after each file with 'ingested', 'skipped' or 'failed'."""

    def on_chunks_added(self, records: list[DocumentRecord]) -> None:
        """Called after new versions' chunks are stored, before they become active."""


@dataclass
class _Staged:
    """A new document version, loaded and chunked, waiting to be embedded and stored."""

    path: Path
    record: DocumentRecord
    text: str
    chunks: list[Chunk]
    active_version: str | None


def _reason(exc: Exception) -> str:
    reason = str(exc) if isinstance(exc, AssistantError) else f"{type(exc).__name__}: {exc}"
    return reason.splitlines()[0] if reason.strip() else type(exc).__name__


@dataclass
class Ingestor:
    """Ingests files into one store with one embedder and one splitter.

    New versions are staged and written in batches (a Chroma write costs tens of ms
    whatever its size): embed the batch, add its chunks, activate its records, then
    drop the replaced chunks. A crash at any step leaves each document whole.
    """

    store: ChromaStore
    embedder: Embedder
    split: Callable[[str], list[str]]
    max_bytes: int
    callbacks: IngestCallbacks = field(default_factory=IngestCallbacks)
    batch_chunks: int = 256
    batch_files: int = 64
    limits: Limits = field(default_factory=Limits)
    stop: threading.Event | None = None  # set to cancel: checked between files and batches
    write_lock: contextlib.AbstractContextManager[object] = field(
        default_factory=contextlib.nullcontext
    )  # held around store writes only, never while loading or embedding
    corrections: CorrectionBook | None = None  # the facilitator's structure corrections

    def _stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def run(
        self, paths: Sequence[Path], *, kind: str | None = None, prune: bool = False
    ) -> IngestReport:
        """Ingest every file under `paths`; one bad file never stops the others."""
        started = time.perf_counter()
        report = IngestReport()
        files, report.failed = discover(paths)
        self.callbacks.on_start(len(files))
        staged: list[_Staged] = []
        for position, path in enumerate(files):
            if self._stopped():
                for rest in [s.path for s in staged] + files[position:]:
                    self._fail(rest.absolute(), LoadError(CANCELLED), report)
                staged = []
                break
            item = self._stage(path.absolute(), kind, report)
            if item is None:
                continue
            staged.append(item)
            if (
                sum(len(s.chunks) for s in staged) >= self.batch_chunks
                or len(staged) >= self.batch_files
            ):
                self._flush(staged, report)
                staged = []
        self._flush(staged, report)
        if prune and not self._stopped():
            for record in self.store.records():
                if not Path(record.path).exists():
                    with self.write_lock:
                        self.store.remove(record.doc_id)
                    report.pruned.append(record.source)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _fail(self, path: Path, exc: Exception, report: IngestReport) -> None:
        report.failed.append(FailedFile(display_source(path), _reason(exc)))
        self.callbacks.on_file(path, "failed")

    def _stage(self, path: Path, kind: str | None, report: IngestReport) -> _Staged | None:
        """Load and chunk one file; None when it is unchanged or failed (both reported)."""
        source, doc_id = display_source(path), doc_id_for(path)
        try:
            active = self.store.get_record(doc_id)
            record, text, chunks, warnings = self._prepare(path, source, doc_id, kind)
        except Exception as exc:  # one file's failure, whatever it is, must not stop the run
            self._fail(path, exc, report)
            return None
        report.warnings += [FileWarning(source, w) for w in warnings]
        if active is not None and active.version == record.version:
            if self.store.count_chunks(doc_id) != active.chunks:  # an interrupted run's leftovers
                self.store.drop_stale_chunks(doc_id, active.version)
            report.skipped.append(source)
            self.callbacks.on_file(path, "skipped")
            return None
        return _Staged(path, record, text, chunks, active.version if active else None)

    def _flush(self, staged: list[_Staged], report: IngestReport) -> None:
        if not staged:
            return
        try:
            texts = [embedding_text(s.record, c) for s in staged for c in s.chunks]
            vectors = self.embedder.embed(texts, query=False)  # a batch embedded is kept
            with self.write_lock:
                for item in staged:  # leftovers of an interrupted run are invisible; clean them
                    self.store.drop_stale_chunks(item.record.doc_id, item.active_version)
                self.store.add_chunks([(s.record, s.chunks) for s in staged], vectors)
                self.callbacks.on_chunks_added([s.record for s in staged])
                self.store.activate([(s.record, s.text) for s in staged])
        except Exception as exc:  # the whole batch failed: forget its new versions
            for item in staged:
                with contextlib.suppress(Exception), self.write_lock:  # the store may be failing
                    self.store.drop_stale_chunks(item.record.doc_id, item.active_version)
                self._fail(item.path, exc, report)
            return
        for item in staged:
            with self.write_lock:
                self.store.drop_stale_chunks(item.record.doc_id, item.record.version)
            report.ingested.append(item.record.source)
            report.chunks += len(item.chunks)
            self.callbacks.on_file(item.path, "ingested")

    def _prepare(
        self, path: Path, source: str, doc_id: str, cli_kind: str | None
    ) -> tuple[DocumentRecord, str, list[Chunk], list[str]]:
        with budget.deadline(self.limits.seconds):
            return self._prepare_within(path, source, doc_id, cli_kind)

    def _prepare_within(
        self, path: Path, source: str, doc_id: str, cli_kind: str | None
    ) -> tuple[DocumentRecord, str, list[Chunk], list[str]]:
        loaded = load_file(path, max_bytes=self.max_bytes, limits=self.limits)
        fixes = self.corrections.get(path) if self.corrections is not None else []
        kind = marked_kind(fixes) or resolve_kind(loaded.meta.get("kind"), path, cli_kind, loaded)
        content_hash = hashlib.sha256(loaded.text.encode()).hexdigest()
        key = f"{content_hash}|{kind}|{PIPELINE_VERSION}" + (f"|{digest(fixes)}" if fixes else "")
        version = hashlib.sha256(key.encode()).hexdigest()[:16]
        segments, warnings = detect(loaded, kind, fixes)
        if kind == "scenario" and not scenarios_of(segments):
            warnings = [
                "a scenario text in which no scenario was detected "
                "(see `assistant sources --structure`)",
                *warnings,
            ]
        title = loaded.meta.get("title") or loaded.title or path.stem
        chunks = chunk_segments(loaded.text, segments, self.split, doc_id, version)
        if not chunks:
            raise LoadError("no text to index")
        if len(chunks) > self.limits.max_chunks:
            raise LoadError(
                f"too many chunks ({spaced(len(chunks))} > {spaced(self.limits.max_chunks)} limit)"
            )
        record = DocumentRecord(
            doc_id=doc_id,
            source=source,
            path=str(path),
            kind=kind,
            title=title,
            fmt=loaded.fmt,
            content_hash=content_hash,
            version=version,
            chunks=len(chunks),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            scenarios=scenarios_of(segments),
            pages=loaded.pages,
        )
        return record, loaded.text, chunks, warnings
