"""Turn a file into its canonical text: one loader per format, every failure a LoadError."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from assistant.budget import Limits, check_text
from assistant.errors import LoadError
from assistant.loaders.csv import load_csv
from assistant.loaders.docx import load_docx
from assistant.loaders.html import load_html
from assistant.loaders.pdf import load_pdf
from assistant.loaders.text import load_text, one_line
from assistant.types import LoadedText

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS", "load_file"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_LOADERS: dict[str, Callable[[bytes, Path], LoadedText]] = {
    ".md": load_text,
    ".markdown": load_text,
    ".txt": load_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
    ".csv": load_csv,
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_LOADERS)


def _size(n: int) -> str:
    """A human size in MB (KB or bytes when small, so that tiny limits read sensibly)."""
    if n >= 100 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise LoadError("file not found") from exc
    except PermissionError as exc:
        raise LoadError("cannot read file: permission denied") from exc
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or one_line(exc)}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise LoadError("not a regular file")
    try:
        with open(path, "rb") as handle:
            extension = path.suffix.lower()
            if extension not in _LOADERS:
                shown = f"'{extension}'" if extension else "(no extension)"
                supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
                raise LoadError(f"unsupported file type {shown} (supported: {supported})")
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise LoadError(f"file is too large ({_size(size)} > {_size(max_bytes)} limit)")
            if size == 0:
                raise LoadError("empty file")
            data = handle.read(max_bytes + 1)
    except PermissionError as exc:
        raise LoadError("cannot read file: permission denied") from exc
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or one_line(exc)}") from exc
    if len(data) > max_bytes:
        raise LoadError(f"file is too large (over the {_size(max_bytes)} limit)")
    if not data:
        raise LoadError("empty file")
    return data


def load_file(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None
) -> LoadedText:
    """Load a supported file into a LoadedText; raise LoadError with a one-line reason.

    `max_bytes` bounds the file; `limits` (defaults: `Limits()`) the pages, paragraphs and
    HTML markup, checked before extraction, then the characters and lines of the text."""
    path = Path(path)
    limits = limits or Limits()
    data = _read(path, max_bytes)
    extension = path.suffix.lower()
    try:
        if extension == ".pdf":
            loaded = load_pdf(data, path, limits)
        elif extension == ".docx":
            loaded = load_docx(data, path, limits)
        elif extension in (".html", ".htm"):
            loaded = load_html(data, path, limits)
        else:
            loaded = _LOADERS[extension](data, path)
    except LoadError:
        raise
    except Exception as exc:  # a loader bug or library surprise: still a one-line LoadError
        raise LoadError(f"cannot read file: {one_line(exc)}") from exc
    check_text(loaded.text, limits)
    if not loaded.text[loaded.body_start :].strip():
        raise LoadError("no extractable text")
    return loaded
