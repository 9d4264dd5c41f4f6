"""The files the app writes for a download stay bounded: one private folder per process,
each download's folder removed once it is a few minutes old, the whole removed at exit."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assistant.ui import downloads
from assistant.ui.workshop_ops import Workshop, export_folder

ROOT = Path(__file__).resolve().parent.parent


def _age(folder: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(folder, (past, past))


def test_repeated_exports_do_not_accumulate_folders(tmp_path: Path) -> None:
    from assistant.tasks.box import build_box
    from assistant.tasks.draft import draft

    from .workshop_helpers import wire

    wired = wire(tmp_path / "store")
    box = build_box(wired.retriever, wired.extractive)
    workshop_draft = draft(wired.retriever, wired.extractive, wired.checker, box)
    tmp_before = set(Path(tempfile.gettempdir()).glob("assistant-export*"))
    seen: set[Path] = set()
    for _ in range(5):
        files = [Path(f) for f in Workshop.files(workshop_draft)]
        assert all(f.is_file() for f in files)
        folder = files[0].parent
        seen.add(folder)
        _age(folder, downloads.KEEP_SECONDS + 60)  # as if Gradio had copied it long ago
    root = downloads.export_root()
    assert all(f.parent == root for f in seen)  # all inside the process's one folder
    assert len(list(root.iterdir())) == 1  # the earlier downloads' folders are gone
    assert set(Path(tempfile.gettempdir()).glob("assistant-export*")) <= tmp_before | {root}


def test_a_recent_download_is_kept_and_the_folder_is_private() -> None:
    first = export_folder()
    (first / "atelier.json").write_text("{}", encoding="utf-8")
    second = export_folder()  # the first is seconds old: Gradio may not have copied it yet
    assert first.is_dir() and second.is_dir() and first != second
    assert downloads.export_root().stat().st_mode & 0o077 == 0


def test_the_folder_is_removed_when_the_process_ends(tmp_path: Path) -> None:
    code = (
        "from assistant.ui.downloads import export_folder\n"
        "f = export_folder(); (f / 'x.md').write_text('brouillon'); print(f.parent)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    root = Path(done.stdout.strip())
    assert root.parent == tmp_path and not root.exists()


def test_a_dead_process_folder_is_removed_by_the_next_one(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    left = tmp_path / f"assistant-exports-{dead.stdout.strip()}-abc"  # killed: no atexit
    (left / "one").mkdir(parents=True)
    _age(left, downloads.KEEP_SECONDS + 60)
    recent = tmp_path / f"assistant-exports-{dead.stdout.strip()}-new"  # seconds old: kept
    recent.mkdir()
    legacy = tmp_path / "assistant-export-old"  # an earlier version's download folder
    legacy.mkdir()
    _age(legacy, downloads.KEEP_SECONDS + 60)
    fresh_legacy = tmp_path / "assistant-export-new"
    fresh_legacy.mkdir()
    alive = tmp_path / f"assistant-exports-{os.getpid()}-xyz"  # a live process's: kept
    alive.mkdir()
    _age(alive, downloads.KEEP_SECONDS + 60)  # old, but its process is running
    downloads.sweep(tmp_path)
    assert not left.exists() and not legacy.exists()
    assert fresh_legacy.exists() and alive.exists() and recent.exists()


@pytest.fixture(autouse=True)
def _own_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test its own process folder (the module keeps one per process)."""
    monkeypatch.setattr(downloads, "_root", None)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
