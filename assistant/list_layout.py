"""Scenario texts laid out as one list, announced by the line before it: `… selon 3
scénarios prospectifs :` then three bullets, or `l'Insee a imaginé 4 scénarios possibles`
then four. Each item is one scenario (its text is the item); its title is the name it
quotes (`Un scénario "tendanciel" qui …` -> `tendanciel`), else its first clause (`En cas
de renouveau industriel, …` -> `En cas de renouveau industriel`). Read only when the
number announced is the number of items, and only in a scenario text where no scenario
heading was found.
"""

from __future__ import annotations

import re

from .table_layout import Cell, Table
from .text_norm import fold

NUMBERS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "two": 2, "three": 3, "four": 4, "five": 5,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ANNOUNCE = re.compile(
    r"\b(?P<n>\d{1,2}|" + "|".join(NUMBERS) + r")\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:sc[ée]narios|scenarios|scenarii)\b",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^\s*(?:[-•*–—]|\d{1,2}\s*[.)])\s+(?=\S)")
_QUOTED = re.compile(r"[\"«“]\s*([^\"»”]{2,80}?)\s*[\"»”]")
MAX_TITLE_WORDS = 10


def _announced(line: str) -> int:
    match = _ANNOUNCE.search(fold(line))
    if not match:
        return 0
    n = match.group("n")
    return int(n) if n.isdigit() else NUMBERS.get(n, 0)


def item_title(text: str) -> str:
    """An item's title: the name it quotes, else its first clause, else its first words."""
    quoted = _QUOTED.search(text)
    if quoted and len(quoted.group(1).split()) <= MAX_TITLE_WORDS // 2 + 1:
        return quoted.group(1).strip()
    clause = re.split(r"[,:;.!?]", text, maxsplit=1)[0].strip()
    words = clause.split()
    return " ".join(words[:MAX_TITLE_WORDS]) + ("…" if len(words) > MAX_TITLE_WORDS else "")


def announced_lists(text: str, body_start: int = 0) -> list[Table]:
    """The lists a scenario text announces as its N scenarios, each item a cell."""
    lines: list[tuple[int, int, str]] = []
    pos = body_start
    for raw in text[body_start:].splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if body.strip():
            lines.append((pos, pos + len(body), body))
        pos += len(raw)
    tables = []
    n = 0
    while n < len(lines):
        expected = _announced(lines[n][2])
        items = []
        k = n + 1
        while expected and k < len(lines) and (m := _ITEM.match(lines[k][2])):
            items.append((lines[k][0] + m.end(), lines[k][1]))
            k += 1
        if expected >= 2 and len(items) == expected:
            cells = []
            for number, (start, end) in enumerate(items, start=1):
                cells.append(Cell(start, end, "", number, item_title(text[start:end])))
            tables.append(Table(lines[n + 1][0], items[-1][1], tuple(cells)))
            n = k
        else:
            n += 1
    return tables
