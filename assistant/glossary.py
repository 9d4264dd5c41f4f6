"""Acronyms a corpus defines ("transport à la demande (TAD)"), so that a question using one
form finds passages using the other.

The long form is found as in Schwartz and Hearst (2003): the shortest run of words just
before the parenthesis that starts with the acronym's first letter and contains its
letters in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .structure import fold

_DEFINED = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)")  # "(TAD)"; the long form comes before
_PUNCTUATION = re.compile(r"[.,;:!?()\[\]«»\"\n]")
_WORD = re.compile(r"[\w'’-]+")


def long_form(words: list[str], acronym: str) -> str | None:
    """The shortest tail of `words` that the acronym abbreviates, if any."""
    letters = fold(acronym)
    for n in range(1, min(len(words), len(letters) + 4) + 1):
        tail = words[-n:]
        text = fold(" ".join(tail))
        if text[0] != letters[0] or not tail[0][0].isalpha():
            continue
        at = 0
        for letter in letters:
            at = text.find(letter, at)
            if at < 0:
                break
            at += 1
        else:
            return " ".join(tail)
    return None


def acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronym -> its long form, for every acronym the texts define in parentheses."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _DEFINED.finditer(text):
            acronym = match.group(1)
            if sum(c.isupper() for c in acronym) < 2 or acronym in found:
                continue
            before = _PUNCTUATION.split(text[max(0, match.start() - 120) : match.start()])[-1]
            words = _WORD.findall(before)  # the words since the last punctuation mark
            form = long_form(words[-10:], acronym)
            if form is not None and len(form) > len(acronym):
                found[acronym] = form
    return found
