"""Where a line break ends a sentence although the line has no final punctuation.

Text keeps its line breaks (Markdown, DOCX and CSV rows, PDF lines), and a break inside a
sentence (wrapped prose, a PDF line) must not split it. A line stands alone when it is:

- a Markdown heading (`# ...`) or a table row (`| a | b |`, or `col : val ; col : val`
  as the CSV and DOCX loaders write rows): always;
- a list item (`-`, `*`, `•`, `–`, `1.`, `1)`): unless the next line continues it
  (indented, or starting in lower case);
- a title: a line that starts with a capital or a digit, does not end on a comma, a
  hyphen or a word that joins it to what follows ("de", "et", "the"...), followed by a
  line that starts with a capital, a digit or an opening quote, and short: under
  `TITLE_SHARE` of the next line's length, or at most `TITLE_CHARS` (when the next line
  starts with a digit, only if the line ends on a figure, like a row of a PDF table).

Wrapped prose fails the title test (its lines are long, or the next starts in lower
case, or it ends on a joining word), so it stays one sentence.
"""

from __future__ import annotations

import re

TITLE_CHARS = 60  # a line this short, with no final punctuation, reads as a title
TITLE_SHARE = 0.75  # ... as does a line under this share of the (longer) next line
_ITEM = re.compile(r"(?:[-*•–]|\d+[.)])\s")
_KV_ROW = re.compile(r"[^:;\n]{1,80} : [^\n]* ; [^:;\n]{1,80} : ")  # col : val ; col : val
_STARTS_TITLE = re.compile(r"[A-ZÀ-ÖØ-Ý0-9]")
_STARTS_NEXT = re.compile(r"[A-ZÀ-ÖØ-Ý0-9«\"“(]")
_ENDS_FIGURE = re.compile(r"\d\s*%?$")
_ENDS_OPEN = re.compile(r"[,\-–—(/'’]$")
_JOINING = frozenset(
    {
        "à", "au", "aux", "avec", "d", "dans", "de", "des", "du", "en", "et", "l", "la", "le",
        "les", "leur", "leurs", "ni", "ou", "par", "pour", "que", "qui", "dont", "sans", "sur",
        "un", "une", "son", "sa", "ses", "ce", "cette", "ces", "est", "sont",
        "a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "by",
    }
)  # fmt: skip


def _line_stands_alone(line: str, following: str) -> bool:
    """Whether the break after `line` (stripped, no final punctuation) ends a sentence."""
    if line.startswith("#") or line.startswith("|") or line.endswith("|"):
        return True
    if _KV_ROW.match(line):
        return True
    nxt = following.strip()
    if not nxt:
        return False  # a blank line or the end: a boundary already
    if _ITEM.match(line):
        continued = following[:1] in (" ", "\t") and not _ITEM.match(nxt)
        return not continued and not nxt[0].islower()
    if not _STARTS_TITLE.match(line) or not _STARTS_NEXT.match(nxt):
        return False
    if _ENDS_OPEN.search(line):
        return False
    last = re.split(r"[\s'’]+", line)[-1].casefold()
    if last in _JOINING:
        return False
    if len(line) < TITLE_SHARE * len(nxt):  # not filled up to the width the next line has
        return True
    if nxt[0].isdigit():  # "... atteint\n12 % en 2023." is prose; "... 486 40 %\n65 ..." a row
        return len(line) <= TITLE_CHARS and bool(_ENDS_FIGURE.search(line))
    return len(line) <= TITLE_CHARS


def line_breaks(text: str) -> list[int]:
    """Offsets of the line breaks that end a sentence by the structure of the line alone
    (a line with final punctuation or followed by a blank line is not listed)."""
    breaks: list[int] = []
    lines = text.split("\n")
    offset = 0
    for line, following in zip(lines, lines[1:], strict=False):
        offset += len(line)
        stripped = line.strip()
        ended = stripped.endswith((".", "!", "?", "…", ":", ";", "»"))
        if stripped and not ended and _line_stands_alone(stripped, following):
            breaks.append(offset)
        offset += 1
    return breaks
