"""Which sentences of a passage may be quoted: none of the source's furniture.

A sentence candidate (see `citations.sentence_spans`) is cleaned, or dropped, by the
structure of the text around it, never by a list of strings:

- **Page lines.** A line at the top or bottom of at least two pages of a document (and of
  half its pages), the same once its digits are masked ("… page 1/3", "… page 2/3"), is a
  running header or footer. Every line of the document with that form is cut out of the
  sentences that contain it; what is left of the sentence (its longest piece) stays.
- **Source furniture.** A line that is a link and at most a label ("Source : https://…",
  a bare URL) holds no statement. A "Label : value" line in the head of a document (before
  its first blank line) whose label heads at least `FRONT_MATTER_DOCS` documents of the
  corpus ("Éditeur : …" on every page of a crawl) is the corpus's front matter, learnt
  from the documents themselves (`front_matter`). Both are cut out like page lines.
- **Headings glued to a sentence.** PDF text puts a heading on its own line before the
  paragraph ("5. Santé et déplacements" then "23 % des répondants…"). A first line that
  starts a line, holds no digit, has at most `HEADING_WORDS` words, ends without
  punctuation and is followed by a line starting with a capital or a digit is a heading
  (or a table's header row): it is cut off the front, as often as it repeats.
- **Headings on a line of their own**, as the sentence splitter leaves them, by the same
  signal, when the paragraph starts on the very next line and that line is not the next
  numbered item.
- **Dropped outright:** a Markdown heading line (`#`); a line of capitalised words only
  ("Caractéristique Répondants Part"); a placeholder or editorial note of the source — a
  whole line inside one pair of parentheses ("(partie à compléter…)"), which is an aside
  about the text, not a statement of it; and a piece with fewer than two words and no
  figure ("etc.", a lone list marker, a one-word heading).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..types import PageSpan

HEADING_WORDS = 8  # a heading line has at most this many words
_LINE = re.compile(r"[^\n]+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_END_PUNCTUATION = ".!?…:;,»\"')]"

Span = tuple[int, int]
_URL = re.compile(r"(?:https?://|www\.)\S+")
_LABELLED = re.compile(r"([^\W\d][^:\n]{0,40}?)\s*:\s+\S")  # "Éditeur : …" at a line's start
HEAD_LINES = 6  # a document's head: its first lines before a paragraph, at most this many
FRONT_MATTER_DOCS = 2  # a head label shared by this many documents is front matter


def url_lines(text: str) -> list[Span]:
    """Spans of the lines that are a link and at most one word of label ("Source : https://…",
    a bare URL): no statement to quote."""
    out = []
    for m in _LINE.finditer(text):
        line = m.group()
        if _URL.search(line) and len(_WORD.findall(_URL.sub(" ", line))) <= 1:
            out.append((m.start(), m.end()))
    return out


def _head_labels(text: str) -> list[tuple[str, Span]]:
    """The "Label : value" lines of a document's head (its first block of lines, up to the
    first blank line, at most `HEAD_LINES` lines), with their folded labels."""
    out = []
    at = 0
    for line in text.lstrip("\n").split("\n")[:HEAD_LINES]:
        start = text.index(line, at) if line else at
        at = start + len(line)
        if not line.strip():
            break
        found = _LABELLED.match(line.strip())
        if found and len(found.group(1).split()) <= 3:
            out.append((found.group(1).casefold(), (start, at)))
    return out


def front_matter(texts: Sequence[str]) -> frozenset[str]:
    """The labels that head the "Label : value" lines of at least `FRONT_MATTER_DOCS`
    documents' heads: the corpus's own front matter ("source", "éditeur")."""
    uses: Counter[str] = Counter()
    for text in texts:
        uses.update({name for name, _ in _head_labels(text)})
    return frozenset(name for name, n in uses.items() if n >= FRONT_MATTER_DOCS)


def furniture_lines(text: str, labels: frozenset[str]) -> list[Span]:
    """Spans of a document's link lines and its front-matter lines (see `front_matter`)."""
    found = set(url_lines(text)) | {span for name, span in _head_labels(text) if name in labels}
    return sorted(found)


def page_lines(text: str, pages: Sequence[PageSpan]) -> list[Span]:
    """Spans of the running headers and footers of a paged document (see above)."""
    if len(pages) < 2:
        return []
    edges: Counter[str] = Counter()
    for page in pages:
        lines = [m for m in _LINE.finditer(text, page.start, page.end) if m.group().strip()]
        edge_forms = {_form(lines[0].group()), _form(lines[-1].group())} if lines else set()
        edges.update(edge_forms)
    forms = {f for f, n in edges.items() if n >= max(2, len(pages) / 2) and _WORD.search(f)}
    return [
        (m.start(), m.end()) for m in _LINE.finditer(text) if forms and _form(m.group()) in forms
    ]


def _form(line: str) -> str:
    return _DIGITS.sub("0", " ".join(line.split())).casefold()


def clean(text: str, start: int, end: int, noise: Sequence[Span] = ()) -> Span | None:
    """The quotable part of the sentence text[start:end], or None when it has none."""
    pieces = [(start, end)]
    for n_start, n_end in noise:  # cut page lines out; keep the longest piece that is left
        pieces = [
            part
            for s, e in pieces
            for part in (
                ((s, min(e, n_start)), (max(s, n_end), e))
                if s < n_end and n_start < e
                else ((s, e),)
            )
            if part[1] > part[0]
        ]
    if not pieces:
        return None
    s, e = _trim(text, *max(pieces, key=lambda p: p[1] - p[0]))
    while s < e and _heading_first(text, s, e):
        s, e = _trim(text, text.index("\n", s), e)
    if s >= e or _furniture(text, s, e) or _heading_line(text, s, e):
        return None
    return s, e


def _trim(text: str, start: int, end: int) -> Span:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


def _heading_first(text: str, start: int, end: int) -> bool:
    """Whether the sentence's first line is a heading standing before its paragraph."""
    cut = text.find("\n", start, end)
    if cut < 0:
        return False
    first, rest = text[start:cut].strip(), text[cut:end].strip()
    line_start = start == 0 or text[:start].rstrip(" \t").endswith("\n") or _numbered(text, start)
    return (
        line_start
        and bool(first)
        and not _DIGITS.search(first)
        and len(first.split()) <= HEADING_WORDS
        and not first.endswith(tuple(_END_PUNCTUATION))
        and bool(rest)
        and (rest[0].isupper() or rest[0].isdigit() or rest[0] in '«"')
    )


def _heading_line(text: str, start: int, end: int) -> bool:
    """Whether the sentence is a heading on a line of its own, its paragraph on the very next
    line ("5. Santé et déplacements" then "23 % des répondants…"): the sentence splitter
    ends a title line at its line break, so the heading comes alone, not glued."""
    if "\n" in text[start:end] or not (end == len(text) or text[end] == "\n"):
        return False
    line_start = start == 0 or text[start - 1] == "\n" or _numbered(text, start)
    after = text[end + 1 :].split("\n", 1)[0].strip()
    next_item = re.match(r"\d+[.)]\s", after)
    return (
        line_start
        and not next_item
        and _heading_first(text, start, min(len(text), end + 1 + len(after)))
    )


def _numbered(text: str, start: int) -> bool:
    """Whether the sentence follows a section number at the start of its line ("5. ")."""
    line = text[:start].rsplit("\n", 1)[-1]
    return bool(re.fullmatch(r"\s*\d+[.)]\s+", line))


def _furniture(text: str, start: int, end: int) -> bool:
    """A heading line, a capitalised label, a placeholder, or a lone marker or word."""
    piece = text[start:end]
    words = _WORD.findall(piece)
    if piece.startswith("#") or (len(words) < 2 and not _DIGITS.search(piece)):
        return True
    if "\n" not in piece and not _DIGITS.search(piece) and len(words) <= HEADING_WORDS:
        tokens = piece.split()
        if all(t[0].isupper() for t in tokens) and not piece.endswith(tuple(_END_PUNCTUATION)):
            return True
    whole_line = (start == 0 or text[start - 1] == "\n") and (
        end == len(text) or text[end:].startswith("\n")
    )
    return whole_line and _parenthesised(piece)


def _parenthesised(piece: str) -> bool:
    """Whether the whole piece is one parenthesised aside: "(…)", the first "(" closing last."""
    if not (piece.startswith("(") and piece.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(piece):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return i == len(piece) - 1
    return False


def heading_before(text: str, start: int) -> str:
    """The nearest heading line standing before `start` in the text ("5. Santé et
    déplacements" in PDF text: see `_heading_first`), without its number; "" if none."""
    for line in reversed(list(_LINE.finditer(text, 0, start))):
        at = line.start() + len(line.group()) - len(line.group().lstrip())
        numbered = re.match(r"\d+[.)]\s+", text[at : line.end()])
        at += numbered.end() if numbered else 0
        if line.end() < len(text) and _heading_first(text, at, len(text)):
            return " ".join(text[at : line.end()].split())
    return ""
