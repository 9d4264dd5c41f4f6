"""HTML: visible text as blocks (headings as `#` lines, list items as `- ` lines)."""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag

from assistant.budget import DEFAULT_LIMITS, Limits, spaced
from assistant.errors import LoadError
from assistant.loaders.text import check_not_binary, decode_text, one_line
from assistant.types import LoadedText

_DROPPED = {"script", "style", "noscript", "template", "title", "svg", "math", "iframe", "object"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr",
    "html", "legend", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Browsers read latin-1 and ASCII declarations as windows-1252; so do we.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii"}


def decode_html(data: bytes) -> str:
    """Decode HTML bytes: BOM, else the declared <meta> charset, else UTF-8 -> cp1252."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            encoding = codecs.lookup(match.group(1).decode("ascii")).name.replace("-", "_")
        except LookupError:
            encoding = ""
        if encoding in _AS_CP1252:
            encoding = "cp1252"
        if encoding and not encoding.startswith("utf_16"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass  # wrong declaration: fall back to the usual guesses
    return decode_text(data)


def _collapse(text: str) -> str:
    return " ".join(text.split())


class _Blocks:
    """Accumulates inline text into blocks; a block is (kind, text)."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []
        self.lines: list[list[str]] = [[]]
        self.kind = "text"

    def add(self, text: str) -> None:
        self.lines[-1].append(text)

    def line_break(self) -> None:
        self.lines.append([])

    def flush(self) -> None:
        """End the current block; a pending list item stays pending until it gets text."""
        lines = [_collapse("".join(parts)) for parts in self.lines]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append((self.kind, "- " + text if self.kind == "list" else text))
            self.kind = "text"
        self.lines = [[]]

    def push(self, kind: str, text: str) -> None:
        self.flush()
        if text:
            self.blocks.append((kind, text))


def _walk(root: Tag) -> Iterator[tuple[str, PageElement]]:
    """Yield ('enter'|'exit', tag) and ('text', string) events, without recursion."""
    stack: list[tuple[Tag, Iterator[PageElement]]] = [(root, iter(root.children))]
    while stack:
        tag, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield "exit", tag
        elif isinstance(child, Tag):
            if child.name in _DROPPED:
                continue
            yield "enter", child
            if child.name in _HEADINGS or child.name == "pre":
                continue  # read whole by the caller
            stack.append((child, iter(child.children)))
        elif type(child) is NavigableString:  # skips comments, doctype, CDATA...
            yield "text", child


def _extract(soup: BeautifulSoup) -> tuple[str, str | None]:
    title_tag = soup.find("title")
    title = _collapse(title_tag.get_text()) if isinstance(title_tag, Tag) else ""
    out = _Blocks()
    first_h1 = ""
    for event, node in _walk(soup):
        if event == "text":
            out.add(str(node))
        elif not isinstance(node, Tag):
            continue
        elif node.name in _HEADINGS and event == "enter":
            text = _collapse(node.get_text(" "))
            if text:
                out.push("heading", "#" * _HEADINGS[node.name] + " " + text)
                first_h1 = first_h1 or (text if node.name == "h1" else "")
        elif node.name == "pre" and event == "enter":
            out.push("text", node.get_text().strip("\r\n").rstrip())
        elif node.name == "br" and event == "enter":
            out.line_break()
        elif node.name in _BLOCKS:
            out.flush()
            if node.name == "li":
                out.kind = "list" if event == "enter" else "text"
    out.flush()
    parts: list[str] = []
    previous = ""
    for kind, text in out.blocks:
        if parts:
            parts.append("\n" if kind == previous == "list" else "\n\n")
        parts.append(text)
        previous = kind
    return "".join(parts), title or first_h1 or None


MARKUP_PER_CHAR = 4  # markup allowed per character of the text limit, checked before parsing


def load_html(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedText:
    """Load an HTML page: scripts and styles dropped, blocks separated by blank lines."""
    markup = decode_html(data)
    check_not_binary(markup)
    cap = MARKUP_PER_CHAR * limits.max_chars  # BeautifulSoup parses about 0.4 MB/s here
    if len(markup) > cap:
        raise LoadError(
            f"too much HTML ({spaced(len(markup))} characters of markup > {spaced(cap)} limit)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            soup = BeautifulSoup(markup, "html.parser")
            text, title = _extract(soup)
    except Exception as exc:
        raise LoadError(f"unreadable HTML: {one_line(exc)}") from exc
    if not text.strip():
        raise LoadError("no extractable text")
    return LoadedText(text=text, fmt="html", title=title)
