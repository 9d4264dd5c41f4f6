"""DOCX: paragraphs and tables in document order, headings as Markdown `#` lines."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from assistant import budget
from assistant.budget import DEFAULT_LIMITS, Limits, spaced
from assistant.errors import LoadError
from assistant.loaders.text import one_line
from assistant.types import LoadedText

_HEADING_STYLE = re.compile(r"^(?:heading|titre)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titre"}
_LIST_STYLE = re.compile(r"^(?:list|liste|paragraphe de liste)\b", re.IGNORECASE)
_PARAGRAPH_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
_XML_BYTES_PER_CHAR = 40  # a body's XML is rarely more than 20x its text


def check_paragraphs(data: bytes, limits: Limits) -> None:
    """Count the body's paragraphs in its XML, before python-docx builds an object for each
    (2 million empty paragraphs fit in 20 KB and cost it a minute and 1 GB)."""
    cap = max(64 * 1024 * 1024, _XML_BYTES_PER_CHAR * limits.max_chars)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("word/document.xml") as f:
            xml = f.read(cap + 1)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise LoadError(f"corrupt or unreadable DOCX: {one_line(exc)}") from exc
    if len(xml) > cap:
        raise LoadError(f"the document body is too large (over {cap // (1024 * 1024)} MB of XML)")
    count = len(_PARAGRAPH_TAG.findall(xml))
    if count > limits.max_paragraphs:
        raise LoadError(
            f"too many paragraphs ({spaced(count)} > {spaced(limits.max_paragraphs)} limit)"
        )


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except Exception:
        return ""
    name = style.name if style is not None else None
    return (name or "").strip()


def _is_numbered(paragraph: Paragraph) -> bool:
    p_pr = paragraph._p.pPr
    return p_pr is not None and p_pr.numPr is not None


def _is_bold(paragraph: Paragraph) -> bool:
    """A short paragraph whose every run of text is bold (directly or by its style)."""
    runs = [r for r in paragraph.runs if r.text.strip()]
    if not runs or len(paragraph.text) > 160:
        return False
    try:
        style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    except Exception:
        style_bold = False
    return all(r.bold or (r.bold is None and style_bold) for r in runs)


def _paragraph(paragraph: Paragraph) -> tuple[str, str] | None:
    """Return (kind, line) for a paragraph, kind being 'heading', 'list', 'bold' (a short
    paragraph set in bold: a structure hint, its text unchanged) or 'text'."""
    raw = paragraph.text.strip()
    if not raw:
        return None
    style = _style_name(paragraph)
    heading = _HEADING_STYLE.match(style)
    if heading:
        return "heading", "#" * int(heading.group(1)) + " " + _collapse(raw)
    if style.lower() in _TITLE_STYLES:
        return "heading", "# " + _collapse(raw)
    if _LIST_STYLE.match(style) or _is_numbered(paragraph):
        return "list", "- " + _collapse(raw)
    return ("bold" if _is_bold(paragraph) else "text"), raw


def _table(table: Table) -> str | None:
    """One line per data row: `col1 : val1 ; col2 : val2`, the first row being the header."""
    rows = [[_collapse(cell.text) for cell in row.cells] for row in table.rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return None
    if len(rows) == 1:
        return " ; ".join(cell for cell in rows[0] if cell)
    header, lines = rows[0], []
    for row in rows[1:]:
        pairs = []
        for index, value in enumerate(row):
            if not value:
                continue
            name = header[index] if index < len(header) else ""
            pairs.append(f"{name} : {value}" if name and name != value else value)
        if pairs:
            lines.append(" ; ".join(pairs))
    return "\n".join(lines) or None


def _blocks(data: bytes) -> tuple[list[tuple[str, str]], str | None]:
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable DOCX: {one_line(exc)}") from exc
    blocks: list[tuple[str, str]] = []
    try:
        core_title = _collapse(document.core_properties.title or "")
    except Exception:
        core_title = ""
    try:
        for item in document.iter_inner_content():
            budget.check()
            if isinstance(item, Paragraph):
                block = _paragraph(item)
                if block is not None:
                    blocks.append(block)
            else:
                table_text = _table(item)
                if table_text is not None:
                    blocks.append(("table", table_text))
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable DOCX: {one_line(exc)}") from exc
    return blocks, core_title or None


def load_docx(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedText:
    """Load a DOCX: headings as `#` lines, list items as `- ` lines, table rows as lines."""
    check_paragraphs(data, limits)
    blocks, title = _blocks(data)
    if not blocks:
        raise LoadError("no extractable text")
    parts: list[str] = []
    bold: list[int] = []  # where the bold short paragraphs start: structure hints
    previous, offset = "", 0
    for kind, line in blocks:
        if parts:
            parts.append("\n" if kind == "list" and previous == "list" else "\n\n")
            offset += len(parts[-1])
        if kind == "bold":
            bold.append(offset)
        parts.append(line)
        offset += len(line)
        previous = kind
    if title is None:
        title = next((line.lstrip("#").strip() for kind, line in blocks if kind == "heading"), None)
    return LoadedText(text="".join(parts), fmt="docx", title=title, headings=tuple(bold))
