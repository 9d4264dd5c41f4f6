"""Where the app writes the files it offers for download (draft exports, workshop file,
evaluation audit), bounded.

Each download gets a fresh folder (Gradio copies the file into its own cache, under an
unguessable name, as the handler returns), all of them inside ONE private folder per
process, `<tmp>/assistant-exports-<pid>-<random>`. Making a new download removes the
folders of earlier ones older than `KEEP_SECONDS` (long copied by then); the process's
folder is removed at exit, and a folder left by a killed process (or an earlier version's
`assistant-export-*` folders), once older than `KEEP_SECONDS`, by the next process that
exports.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

KEEP_SECONDS = 300.0  # a download's folder outlives Gradio's copy of it by this much
PREFIX = "assistant-exports-"
LEGACY = "assistant-export-"  # earlier versions: one folder per download, never removed

_root: Path | None = None
_lock = threading.Lock()  # two first downloads at once make one folder


def export_root() -> Path:
    """This process's private folder of downloads (made, and earlier leftovers swept, on
    first use; removed at exit)."""
    global _root
    with _lock:
        if _root is None or not _root.is_dir():
            base = Path(tempfile.gettempdir())
            sweep(base)
            _root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
            atexit.register(shutil.rmtree, _root, True)
        return _root


def export_folder() -> Path:
    """A fresh private folder for one download; earlier downloads' folders older than
    `KEEP_SECONDS` are removed."""
    root = export_root()
    _remove_older(root.iterdir(), time.time() - KEEP_SECONDS)
    return Path(tempfile.mkdtemp(dir=root))


def sweep(base: Path) -> None:
    """Remove, in `base`, this user's folders of processes that are gone and an earlier
    version's download folders, when older than `KEEP_SECONDS`."""
    mine = os.getuid()
    gone = []
    for found in base.glob(f"{PREFIX}*"):
        pid = found.name[len(PREFIX) :].split("-", 1)[0]
        if found.is_dir() and _owned(found, mine) and pid.isdigit() and not _alive(int(pid)):
            gone.append(found)
    # older than KEEP_SECONDS too: a process in another PID namespace may share this folder
    _remove_older(gone, time.time() - KEEP_SECONDS)
    legacy = [f for f in base.glob(f"{LEGACY}*") if f.is_dir() and _owned(f, mine)]
    _remove_older(legacy, time.time() - KEEP_SECONDS)


def _remove_older(folders: Iterable[Path], before: float) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):  # another process may be removing it too
            if folder.stat().st_mtime <= before:
                shutil.rmtree(folder)


def _owned(path: Path, uid: int) -> bool:
    try:
        return path.stat().st_uid == uid
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
