"""Small text normalisations shared by the structure detectors."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_MARKS = re.compile(r"^(?:\*\*|__)(.*?)(?:\*\*|__)([\s:.]*)$")
_REMEMBERED = 2000  # texts up to this length are remembered (answering folds the same
# passage sentences question after question); longer ones, whole documents, are not


def fold(text: str) -> str:
    """Lower-case and strip accents, for case- and accent-insensitive matching."""
    return _fold_remembered(text) if len(text) <= _REMEMBERED else _fold(text)


@lru_cache(maxsize=8192)
def _fold_remembered(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
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
