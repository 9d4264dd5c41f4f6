"""Scenario title lines in a document's own layout, learnt from the document itself.

A title line is a short line (a Markdown heading, a line set apart by the loader — bold,
larger font — or a plain line) made of a label and an identifier: `Scénario 1 : Titre`,
`SCÉNARIO 2 – Titre`, `Scénario A : Titre`, `Scénario n°3`, `Image 1`, `Scenario II`,
`Hypothèse haute`. Lines are grouped by their label; a group is the document's scenario
pattern when its label is the word *scénario* / *scenario*, or when it repeats with two or
more distinct identifiers. Nothing here knows any corpus's titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text_norm import fold, slugify, strip_marks
from .types import Scenario

SCENARIO_WORDS = frozenset({"scenario", "scenarios", "scenarii"})
MAX_HEADS = 40  # more than this many title lines of one pattern: a glossary or an index
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
# Words that qualify a label instead of numbering it (`Hypothèse haute`): the language's,
# not a corpus's.
_QUALIFIERS = frozenset(
    [
        "haute",
        "basse",
        "centrale",
        "mediane",
        "moyenne",
        "intermediaire",
        "tendancielle",
        "tendanciel",
        "optimiste",
        "pessimiste",
        "volontariste",
        "reference",
        "high",
        "low",
        "central",
        "medium",
        "baseline",
    ]
)
_STOP = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "d",
        "l",
        "en",
        "au",
        "aux",
        "et",
        "ou",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
    ]
)
_TITLE = re.compile(
    r"^(?P<label>[^\W\d_][^\W\d_'’\-]{1,24})\s+(?:n\s*[°º o]\s*)?"
    r"(?P<id>\d{1,3}|[IVXLC]{1,6}|[A-Z])(?![\w'’])\s*(?:[:.\-–—)]\s*)?(?P<rest>.*)$"
)
_GLUED = re.compile(  # `S1 Génération frugale`, `H2 – …`: a capital glued to a number
    r"^(?P<label>[A-Z])(?P<id>\d{1,2})(?![\w'’])\s*(?:[:.\-–—)]\s*)?(?P<rest>.*)$"
)
_QUALIFIED = re.compile(
    r"^(?P<label>[^\W\d_][^\W\d_'’\-]{1,24})\s+(?P<id>[^\W\d_]{3,16})\s*(?:[:.\-–—]\s*(?P<rest>.*))?$"
)
_SCENARIO_QUOTED = re.compile(  # `Scénario « La mer monte »`: a title in quotes, no number
    r"^(?P<label>sc[ée]nario)\s*[:\-–—]?\s*(?P<rest>[\"«“][^\"»”]{2,120}[\"»”])\s*[.!?]?$",
    re.IGNORECASE,
)
_NUMBERED_PREFIX = re.compile(
    r"^\s*(?:#{1,6}\s+)?(?:(?:[•\-]|\*(?!\*))\s*)?(?:(?P<n>\d{1,3})\s*[).]\s*)?"
)
_QUOTED = re.compile(r'^["«“](.*?)["»”]\s*[.!?]?$')


def is_table_row(text: str) -> bool:
    """A line the loaders made from a table row (`a : 1 ; b : 2`) or a Markdown table."""
    return " ; " in text or text.lstrip().startswith("|")


def roman(text: str) -> int | None:
    """The value of a roman numeral (`IV` -> 4), None when it is not one."""
    values = [_ROMAN.get(c) for c in text.lower()]
    if not values or None in values:
        return None
    total = 0
    for i, v in enumerate(values):
        assert v is not None
        nxt = values[i + 1] if i + 1 < len(values) else 0
        total += -v if nxt is not None and v < nxt else v
    return total if total > 0 else None


def identifier_number(ident: str, running: int) -> int:
    """A number from a digit (`3`), a roman numeral (`II`) or a letter (`B` -> 2)."""
    if ident.isdigit():
        return int(ident)
    value = roman(ident) if len(ident) > 1 or ident in "IVX" else None
    if value is not None:
        return value
    if len(ident) == 1 and ident.isalpha():
        return ord(ident.upper()) - ord("A") + 1
    return running


def clean_title(rest: str) -> str:
    """A title without its quotes, bold marks, trailing separator or subtitle
    (`Génération frugale : sobriété…` -> `Génération frugale`)."""
    rest = strip_marks(rest).strip(" :–—-")
    quoted = _QUOTED.match(rest)
    if quoted:
        return quoted.group(1).strip()
    head, sep, _tail = rest.partition(" : ")
    if sep and 0 < len(head.split()) <= 6:
        return clean_title(head)
    return rest.strip()


@dataclass(frozen=True)
class TitleLine:
    """One candidate title line: its index in the document's lines, label and identifier."""

    index: int
    label: str  # folded
    ident: str
    title: str
    shown: str = ""  # the label as written
    qualified: bool = False
    bare: bool = False  # a label and a number alone (`Scénario 1`): the title may follow


def title_line(index: int, text: str, set_apart: bool) -> TitleLine | None:
    """The line as a candidate title line, or None. Qualified forms (`Hypothèse haute`)
    need a line set apart or a very short one."""
    prefix = _NUMBERED_PREFIX.match(text)
    listed = prefix.group("n") if prefix else None  # `1) Scénario "X"`: the list's number
    body = strip_marks(text[prefix.end() :] if prefix else text).strip()
    if not body or is_table_row(text):
        return None
    if len(body) > 140 and len(body.partition(" : ")[0]) > 80:
        return None  # a long line is a title only as `Titre : description`
    match = _TITLE.match(body) or _GLUED.match(body)
    if match:
        label = fold(match.group("label"))
        if label in _STOP:
            return None
        ident, rest = match.group("id"), match.group("rest")
        if ident.isalpha() and not ident.isupper():
            return None
        head = rest.partition(" : ")[0]
        if rest and len(rest.split()) > 20 and (head == rest or len(head.split()) > 6):
            return None  # prose that happens to start with a label and a number
        if ident.isalpha() and len(ident) == 1 and rest and not re.match(r"^\S", rest):
            return None
        title = clean_title(rest) or f"{match.group('label')} {ident}"
        ident = ident.upper() if not ident.isdigit() else ident
        bare = not clean_title(rest)
        return TitleLine(index, label, ident, title, match.group("label"), bare=bare)
    quoted = _SCENARIO_QUOTED.match(body)
    if quoted:
        title = clean_title(quoted.group("rest"))
        shown = quoted.group("label")
        if listed:
            return TitleLine(index, "scenario", listed, title, shown)
        return TitleLine(index, "scenario", title, title, shown, qualified=True)
    qualified = _QUALIFIED.match(body)
    if qualified and (set_apart or len(body.split()) <= 3):
        label, ident = fold(qualified.group("label")), fold(qualified.group("id"))
        if label in _STOP or ident not in _QUALIFIERS:
            return None
        title = clean_title(qualified.group("rest") or "") or body
        return TitleLine(index, label, ident, title, qualified.group("label"), qualified=True)
    return None


@dataclass
class Detected:
    """The scenario title lines chosen (line index -> scenario) and what went wrong."""

    heads: dict[int, Scenario] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    label: str = ""  # the pattern's label, folded


def _choose(groups: dict[str, list[TitleLine]]) -> tuple[str, list[TitleLine]] | None:
    scenario = [(k, g) for k, g in groups.items() if k in SCENARIO_WORDS]
    if scenario:
        return max(scenario, key=lambda kg: len(kg[1]))
    repeated = [(k, g) for k, g in groups.items() if len({t.ident for t in g}) >= 2]
    return max(repeated, key=lambda kg: len({t.ident for t in kg[1]})) if repeated else None


def _drop_lists(found: list[TitleLine], lines: list[str]) -> list[TitleLine]:
    """A title line with no text of its own before the next one is an item of a list of
    the scenarios (a summary): when its identifier comes again later, with text, the later
    line is the heading and the list item is dropped."""
    ends = [t.index for t in found[1:]] + [len(lines)]
    empty = [
        not any(lines[i].strip() for i in range(t.index + 1, end))
        for t, end in zip(found, ends, strict=True)
    ]
    kept = []
    for n, t in enumerate(found):
        later = {u.ident for u, e in zip(found[n + 1 :], empty[n + 1 :], strict=True) if not e}
        if not (empty[n] and t.ident in later):
            kept.append(t)
    return kept


def detect_titles(lines: list[str], set_apart: set[int], first_line: int = 1) -> Detected:
    """The document's scenario title lines, learnt from the pattern its lines repeat."""
    out = Detected()
    groups: dict[str, list[TitleLine]] = {}
    in_tables: list[int] = []
    for i, text in enumerate(lines):
        if is_table_row(text) and re.search(r"(?i)\bsc[ée]nario\s+\w", text):
            in_tables.append(i + first_line)
            continue
        t = title_line(i, text, i in set_apart)
        if t is not None:
            groups.setdefault(t.label, []).append(t)
    if in_tables:
        out.warnings.append(
            f"line {in_tables[0]}: a scenario title inside a table row was not used as a heading"
            + (f" ({len(in_tables)} such rows)" if len(in_tables) > 1 else "")
        )
    chosen = _choose(groups)
    if chosen is None:
        return out
    label, found = chosen
    out.label = label
    if len(found) > MAX_HEADS:
        out.warnings.append(
            f"{len(found)} lines start with '{found[0].shown} …': too many for scenario headings "
            "(a glossary or an index?); none was used"
        )
        return out
    found = _drop_lists(found, lines)
    heads = {t.index for t in found}
    for running, t in enumerate(found, start=1):
        number = identifier_number(t.ident, running) if not t.qualified else running
        title = (_next_title(lines, t.index, heads) if t.bare else None) or t.title
        out.heads[t.index] = Scenario(number, f"s{number}-{slugify(title, 40)}", title)
    return out


MAX_NEXT_TITLE_WORDS = 12


def _next_title(lines: list[str], index: int, heads: set[int]) -> str | None:
    """The title on the line after a bare `Scénario 1` (a short line, not a sentence)."""
    for j in range(index + 1, min(index + 3, len(lines))):
        text = strip_marks(lines[j].lstrip("#").strip())
        if not text:
            continue
        if j in heads or is_table_row(lines[j]) or text.endswith((".", ";", ",")):
            return None
        words = text.split()
        return (
            clean_title(text) if len(words) <= MAX_NEXT_TITLE_WORDS and len(text) <= 100 else None
        )
    return None
