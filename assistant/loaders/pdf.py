"""PDF: the text of each page (pypdf), pages joined by a blank line, with page spans."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import Any

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


class _Fonts:
    """Collects the text runs of a page with their font size and weight (pypdf's visitor)."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, float, bool]] = []

    def __call__(self, text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text.strip():
            return
        try:
            scale = abs(float(tm[3]) * float(cm[3])) or 1.0
            name = str(font.get("/BaseFont", "")) if font else ""
            self.runs.append((text.strip(), float(size) * scale, "bold" in name.lower()))
        except Exception:
            return  # a font we cannot read gives no hint, never a failure

    def set_apart(self, page_text: str, offset: int) -> list[int]:
        """Starts (in the document) of the page's lines set in a larger or bold font."""
        if not self.runs:
            return []
        weight: dict[float, int] = {}
        for text, size, _bold in self.runs:
            weight[round(size, 1)] = weight.get(round(size, 1), 0) + len(text)
        body = max(weight, key=lambda k: weight[k])
        body_bold = sum(len(t) for t, _, b in self.runs if b) > sum(weight.values()) / 2
        marked = [
            t for t, size, bold in self.runs if size >= body * 1.15 or (bold and not body_bold)
        ]
        out, pos = [], offset
        for line in page_text.split("\n"):
            flat = line.strip()
            if flat and len(flat) <= 160:
                covered = sum(len(t) for t in marked if t in flat)
                if covered >= 0.6 * len(flat):
                    out.append(pos)
            pos += len(line) + 1
        return out


def _extract(data: bytes, limits: Limits) -> LoadedText:
    reader = _open(data)
    parts: list[str] = []
    spans: list[PageSpan] = []
    hints: list[int] = []
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
            fonts = _Fonts()
            page_text = (page.extract_text(visitor_text=fonts) or "").strip()
            if not page_text:
                continue  # blank or scanned page: no span, page numbers stay the PDF's
            if parts:
                offset += len(PAGE_SEPARATOR)
            hints += fonts.set_apart(page_text, offset)
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
        text=PAGE_SEPARATOR.join(parts),
        fmt="pdf",
        pages=tuple(spans),
        title=_title(reader),
        headings=tuple(hints),
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
