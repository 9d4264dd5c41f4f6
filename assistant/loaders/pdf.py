"""PDF: the text of each page (pypdf), pages joined by a blank line, with page spans."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from assistant import budget
from assistant.budget import DEFAULT_LIMITS, Limits, spaced
from assistant.errors import LoadError
from assistant.loaders.text import one_line as _reason
from assistant.types import LoadedText, PageSpan

PAGE_SEPARATOR = "\n\n"


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable PDF: {_reason(exc)}") from exc
    if not reader.is_encrypted:
        return reader
    try:
        result = reader.decrypt("")
    except DependencyError as exc:
        raise LoadError("encrypted PDF needs the 'cryptography' package to be read") from exc
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable PDF: {_reason(exc)}") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise LoadError("password-protected PDF")
    return reader


def _title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:
        return None
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    return None


def _extract(data: bytes, limits: Limits) -> LoadedText:
    reader = _open(data)
    parts: list[str] = []
    spans: list[PageSpan] = []
    offset = 0
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable PDF: {_reason(exc)}") from exc
    if count > limits.max_pages:
        raise LoadError(f"too many pages ({spaced(count)} > {spaced(limits.max_pages)} limit)")
    try:
        for number, page in enumerate(reader.pages, start=1):
            budget.check()
            if offset > limits.max_chars:
                raise LoadError(
                    f"too much text (over the {spaced(limits.max_chars)} characters limit)"
                )
            page_text = (page.extract_text() or "").strip()
            if not page_text:
                continue  # blank or scanned page: no span, page numbers stay the PDF's
            if parts:
                offset += len(PAGE_SEPARATOR)
            spans.append(PageSpan(page=number, start=offset, end=offset + len(page_text)))
            parts.append(page_text)
            offset += len(page_text)
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable PDF: {_reason(exc)}") from exc
    if not parts:
        raise LoadError("no extractable text")
    return LoadedText(
        text=PAGE_SEPARATOR.join(parts), fmt="pdf", pages=tuple(spans), title=_title(reader)
    )


def load_pdf(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedText:
    """Load a PDF: page texts joined by a blank line, `pages` gives each page's span."""
    # pypdf logs recoverable problems (even at ERROR level) as it goes; it raises on real
    # failures, which become LoadError. Silence it for this call only, and its warnings too.
    logger = logging.getLogger("pypdf")
    previous_level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _extract(data, limits)
    finally:
        logger.setLevel(previous_level)
