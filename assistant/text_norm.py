"""Small text normalisations shared by the structure detectors."""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"^(?:\*\*|__)(.*?)(?:\*\*|__)([\s:.]*)$")


def fold(text: str) -> str:
    """Lower-case and strip accents, for case- and accent-insensitive matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slugify(text: str, max_len: int = 48) -> str:
    """A short ASCII id made from a title."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_len].rstrip("-") or "x"


def strip_marks(text: str) -> str:
    """A line without the bold marks around it (`**Forces :**` -> `Forces :`)."""
    text = text.strip()
    match = _MARKS.match(text)
    return (match.group(1) + match.group(2)).strip() if match else text
