"""load -> structure -> chunk -> embed -> store, one file at a time, idempotent and crash-safe."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .chunking import chunk_segments
from .embeddings import Embedder
from .errors import AssistantError, LoadError
from .loaders import SUPPORTED_EXTENSIONS, load_file
from .store import ChromaStore
from .structure import scenarios_of, segment, slugify
from .types import KINDS, Chunk, DocumentRecord

PIPELINE_VERSION = "1"  # bump when loaders or structure change what a file turns into
KIND_FOLDERS = {"scenarios": "scenario", "diagnostics": "diagnostic", "method": "method"}
SECTION_LABELS = {
    "narrative": "Récit",
    "levers": "Leviers",
    "interest": "Intérêt",
    "limits": "Limites",
}


@dataclass(frozen=True)
class FailedFile:
    """A file that could not be ingested, with a one-line reason."""

    path: str
    error: str


@dataclass
class IngestReport:
    """What one `ingest` run did."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0


class IngestCallbacks:
    """No-op progress hooks; the CLI and the UI override what they show."""

    def on_start(self, total: int) -> None:
        """Called once with the number of files to look at."""

    def on_file(self, path: Path, status: str) -> None:
        """Called after each file with 'ingested', 'skipped' or 'failed'."""

    def on_chunks_added(self, record: DocumentRecord) -> None:
        """Called after a new version's chunks are stored, before it becomes active."""


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FailedFile]]:
    """Files named or found below the folders named; hidden files and READMEs are left out."""
    files: list[Path] = []
    missing: list[FailedFile] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                for name in sorted(names):
                    if name.startswith((".", "~$")) or name.lower() in ("readme.md", "readme.txt"):
                        continue
                    files.append(Path(root) / name)
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            missing.append(FailedFile(str(path), "no such file or directory"))
    return list(dict.fromkeys(files)), missing


def resolve_kind(front_matter: str | None, path: Path, cli_kind: str | None) -> str:
    """Front matter `kind:`, else the folder, else `--kind`, else `diagnostic`."""
    if front_matter:
        kind = front_matter.strip().lower()
        if kind not in KINDS:
            raise LoadError(f"unknown kind '{front_matter}' in front matter (use {', '.join(KINDS)})")
        return kind
    for parent in path.parents:
        if parent.name in KIND_FOLDERS:
            return KIND_FOLDERS[parent.name]
    return cli_kind or "diagnostic"


def doc_id_for(path: Path) -> str:
    """A stable, readable id for the document at this absolute path."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    return f"{slugify(path.stem, 32)}-{digest}"


def display_source(path: Path) -> str:
    """The path relative to the working folder when below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def embedding_text(record: DocumentRecord, chunk: Chunk) -> str:
    """What the model sees for a chunk: its address (scenario, section) then its text."""
    section = SECTION_LABELS.get(chunk.section, chunk.section)
    if chunk.scenario is not None:
        head = f'Scénario {chunk.scenario.number} "{chunk.scenario.title}" — {section}'
    else:
        head = f"{record.title} — {section}" if section else record.title
    return f"{head}\n{chunk.text}"


@dataclass
class Ingestor:
    """Ingests files into one store with one embedder and one splitter."""

    store: ChromaStore
    embedder: Embedder
    split: Callable[[str], list[str]]
    max_bytes: int
    callbacks: IngestCallbacks = field(default_factory=IngestCallbacks)

    def run(self, paths: Sequence[Path], *, kind: str | None = None, prune: bool = False) -> IngestReport:
        """Ingest every file under `paths`; one bad file never stops the others."""
        started = time.perf_counter()
        report = IngestReport()
        files, report.failed = discover(paths)
        self.callbacks.on_start(len(files))
        for path in files:
            status = self._one(path.absolute(), kind, report)
            self.callbacks.on_file(path, status)
        if prune:
            for record in self.store.records():
                if not Path(record.path).exists():
                    self.store.remove(record.doc_id)
                    report.pruned.append(record.source)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _one(self, path: Path, kind: str | None, report: IngestReport) -> str:
        source = display_source(path)
        doc_id = doc_id_for(path)
        active = None
        try:
            active = self.store.get_record(doc_id)
            # Leftovers of an interrupted run are invisible to readers; clean them first.
            if active is None or self.store.count_chunks(doc_id) != active.chunks:
                self.store.drop_stale_chunks(doc_id, active.version if active else None)
            record, text, chunks = self._prepare(path, source, doc_id, kind)
            if active is not None and active.version == record.version:
                report.skipped.append(source)
                return "skipped"
            vectors = self.embedder.embed([embedding_text(record, c) for c in chunks], query=False)
            self.store.add_chunks(record, chunks, vectors)
            self.callbacks.on_chunks_added(record)
            self.store.activate(record, text)
            self.store.drop_stale_chunks(doc_id, record.version)
        except Exception as exc:  # one file's failure, whatever it is, must not stop the run
            reason = str(exc) if isinstance(exc, AssistantError) else f"{type(exc).__name__}: {exc}"
            report.failed.append(FailedFile(source, reason.splitlines()[0] if reason else "error"))
            try:  # forget the half-written new version, keep the active one
                self.store.drop_stale_chunks(doc_id, active.version if active else None)
            except Exception:  # noqa: S110 - the store itself is failing; nothing more to do
                pass
            return "failed"
        report.ingested.append(source)
        report.chunks += len(chunks)
        return "ingested"

    def _prepare(
        self, path: Path, source: str, doc_id: str, cli_kind: str | None
    ) -> tuple[DocumentRecord, str, list[Chunk]]:
        loaded = load_file(path, max_bytes=self.max_bytes)
        kind = resolve_kind(loaded.meta.get("kind"), path, cli_kind)
        content_hash = hashlib.sha256(loaded.text.encode()).hexdigest()
        version = hashlib.sha256(
            f"{content_hash}|{kind}|{PIPELINE_VERSION}".encode()
        ).hexdigest()[:16]
        segments = segment(loaded, kind)
        title = loaded.meta.get("title") or loaded.title or path.stem
        chunks = chunk_segments(loaded.text, segments, self.split, doc_id, version)
        if not chunks:
            raise LoadError("no text to index")
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
        return record, loaded.text, chunks
