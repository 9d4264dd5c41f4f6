"""Uploaded files: a distinct safe name per distinct original name, a copy in the store's
upload folder, an ingest in a background thread that can be followed and cancelled, and
nothing left behind by a refused file (no Gradio here)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AssistantError
from ..ingest import IngestCallbacks, Ingestor
from ..ingest_files import display_source, doc_id_for
from ..store import ChromaStore

UPLOAD_TYPES = (".md", ".txt", ".pdf", ".docx", ".html", ".htm", ".csv")
MAX_NAME = 120


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder: no path parts, no leading dots, at most
    120 characters, the extension kept. When it differs from the file's own name (the part
    after the last `/`), 8 hex digits of that name's hash are added before the extension,
    so that `budget;2024.md` and `budget_2024.md` never land on the same file."""
    given = Path(name).name
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "document"
    if base == given and len(base) <= MAX_NAME:
        return base
    suffix = Path(base).suffix if len(Path(base).suffix) <= 16 else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    tag = hashlib.sha1(given.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem = stem[: MAX_NAME - len(suffix) - len(tag) - 1].rstrip(" .") or "document"
    return f"{stem}-{tag}{suffix}"


@dataclass
class _Accepted:
    dest: Path
    backup: Path | None  # the previous version's file, put back if the new one fails
    replaces: bool  # a document already came from this file


@dataclass
class UploadJob:
    """One upload's ingest, run in a background thread; `report` once `finished` is set."""

    total: int
    report: dict[str, Any]
    done: int = 0
    last: tuple[str, str] | None = None  # (file name, status) of the last file done
    stop: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def cancel(self) -> None:
        """Ask the ingest to stop at the next file or batch (what is stored stays)."""
        self.stop.set()

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        """Block until the ingest is over; its report."""
        self.finished.wait(timeout)
        return self.report


class _Progress(IngestCallbacks):
    def __init__(
        self, job: UploadJob, replacing: set[Path], on_file: Callable[[str, str], None] | None
    ) -> None:
        self.job, self.replacing, self.on_file_cb = job, replacing, on_file

    def on_file(self, path: Path, status: str) -> None:
        if status == "ingested" and path in self.replacing:
            status = "replaced"
        self.job.done += 1
        self.job.last = (path.name, status)
        if self.on_file_cb is not None:
            self.on_file_cb(path.name, status)


def _fail(report: dict[str, Any], name: str, error: str) -> None:
    report["failed"].append({"path": name, "error": error})


def accept(
    files: Sequence[str], upload_dir: Path, limit_mb: float, store: ChromaStore
) -> tuple[dict[str, Any], list[_Accepted]]:
    """Check each upload (type on its own name, size, safe name) and copy it in place."""
    report: dict[str, Any] = {
        "ingested": [],
        "replaced": [],
        "skipped": [],
        "failed": [],
        "warnings": [],
    }
    accepted: list[_Accepted] = []
    limit = int(limit_mb * 1024 * 1024)
    upload_dir.mkdir(parents=True, exist_ok=True)
    for raw in files:
        source = Path(raw)
        if not source.name.lower().endswith(UPLOAD_TYPES):
            _fail(report, source.name, "unsupported file type")
            continue
        if source.stat().st_size > limit:
            _fail(report, source.name, f"larger than {limit_mb:g} MB")
            continue
        dest = (upload_dir / safe_name(source.name)).resolve()
        if dest.parent != upload_dir:  # never outside the store folder
            _fail(report, source.name, "invalid file name")
            continue
        if any(item.dest == dest for item in accepted):
            _fail(report, source.name, "same name as another file of this upload")
            continue
        backup = None
        if dest.exists():
            backup = dest.with_name(f".{dest.name}.previous")
            os.replace(dest, backup)
        shutil.copyfile(source, dest)
        replaces = store.get_record(doc_id_for(dest)) is not None
        accepted.append(_Accepted(dest, backup, replaces))
    return report, accepted


def _settle(accepted: list[_Accepted], failed: set[str]) -> None:
    """Refused files leave nothing behind; a refused new version puts the old file back."""
    for item in accepted:
        if display_source(item.dest) in failed:
            if item.backup is not None:
                os.replace(item.backup, item.dest)
            else:
                item.dest.unlink(missing_ok=True)
        elif item.backup is not None:
            item.backup.unlink(missing_ok=True)


def start(
    report: dict[str, Any],
    accepted: list[_Accepted],
    new_ingestor: Callable[[IngestCallbacks], Ingestor],
    on_file: Callable[[str, str], None] | None,
    on_done: Callable[[], None],
) -> UploadJob:
    """Ingest the accepted files in a background thread; the job follows it."""
    job = UploadJob(total=len(accepted), report=report)
    replacing = {item.dest for item in accepted if item.replaces}

    def work() -> None:
        failed: set[str] = set()
        try:
            ingestor = new_ingestor(_Progress(job, replacing, on_file))
            ingestor.stop = job.stop
            done = ingestor.run([item.dest for item in accepted])
            shown = {display_source(d) for d in replacing}
            report["ingested"] += [s for s in done.ingested if s not in shown]
            report["replaced"] += [s for s in done.ingested if s in shown]
            report["skipped"] += done.skipped
            report["failed"] += [{"path": f.path, "error": f.error} for f in done.failed]
            report["warnings"] += [{"path": w.path, "warning": w.warning} for w in done.warnings]
            failed = {f.path for f in done.failed}
        except Exception as exc:  # the store failing: every file of this upload is refused
            logging.getLogger(__name__).exception("upload ingest failed")
            failed = {display_source(item.dest) for item in accepted}
            reason = str(exc) if isinstance(exc, AssistantError) else type(exc).__name__
            report["failed"] += [{"path": path, "error": reason} for path in sorted(failed)]
        finally:
            try:
                _settle(accepted, failed)
                on_done()
            finally:
                job.finished.set()  # whatever happened, the page stops waiting

    job.thread = threading.Thread(target=work, name="upload-ingest", daemon=True)
    job.thread.start()
    return job
