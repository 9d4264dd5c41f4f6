"""What a paraphrase must not change: the checks that cap a sentence's support.

Overlap and embedding similarity say a sentence is close to its quotes; they cannot see
that one figure, name or word of direction differs, and a generated sentence is most
often wrong exactly there. Each check below compares the sentence with the quotes it is
tied to and, when they differ, caps the support whatever the overlap. No check is fitted:
each is a plain rule of what "the quotes state it" means.

- a figure the quotes do not give (digits, or a number word such as "trois"): unsupported;
- a figure whose unit differs ("17 %" against "17 €") or that the sentence attaches to a
  word the quotes attach to another figure ("5,1 millions de logements" when the quotes
  say "39,3 millions de logements … 5,1 millions de locaux"), or two figures said
  together that the quotes never give side by side ("24,1 % des plus de 75 ans" when
  they say "24,1 % des 60-74 ans et 64,2 % de plus de 75 ans"): unsupported;
- a computed figure: a word of calculation ("différence", "total", "fois plus"…) with a
  figure, when the quotes use no such word (the model subtracted two quoted amounts):
  unsupported;
- a question (the model's echo of the one asked) claims nothing: unsupported;
- a negation the quotes lack: weak at best;
- names (capitalised words inside the sentence) the quotes lack: one keeps the sentence
  weak at best, two make it unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .analysis import analyze

# Support caps, just below the verdict thresholds of `citations` (0.7 supported, 0.4 weak).
NOT_SUPPORTED = 0.69
UNSUPPORTED = 0.39

NUMBER = re.compile(r"\d+(?:[ \u202f\u00a0]\d{3}(?!\d)|[.,]\d+)*")  # a figure: "31 200", "3,6"
_NEGATION = re.compile(
    r"\b(?:ne|n['’]|pas|aucune?s?|jamais|sans|ni|non|nul(?:le)?|not|no|never|none|nor|"
    r"without|cannot|\w+n['’]t)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Ý][\w'’-]*")
_WORDS = re.compile(r"\d+(?:[ \u202f\u00a0]\d{3}(?!\d)|[.,]\d+)*|[%€$]|\w+", re.UNICODE)
YEAR = re.compile(r"(?:19|20)\d\d")  # a year, as `NUMBER` writes it
_INVERTED = re.compile(r"\w-(?:t-)?(?:il|elle|ils|elles|on)\s*[.?]?\s*$")  # "identifie-t-elle."
# Number words a sentence may write for a figure of its quotes (and the other way round).
# "un", "one" are left out: they are articles far more often than figures.
_NUMBER_WORDS = {
    word: str(value)
    for words, value in (
        (("deux", "two"), 2),
        (("trois", "three"), 3),
        (("quatre", "four"), 4),
        (("cinq", "five"), 5),
        (("six",), 6),
        (("sept", "seven"), 7),
        (("huit", "eight"), 8),
        (("nine",), 9),  # not "neuf": "new" as often as "nine"
        (("dix", "ten"), 10),
        (("douze", "twelve"), 12),
        (("vingt", "twenty"), 20),
    )
    for word in words
}
# A unit written right after a figure, as one name per unit.
_UNITS = {
    "%": "%",
    "percent": "%",
    "€": "€",
    "euro": "€",
    "euros": "€",
    "million": "million",
    "millions": "million",
    "milliard": "milliard",
    "milliards": "milliard",
    "billion": "milliard",
    "billions": "milliard",
}
# Words of calculation, as concepts: a sentence and its quotes may write them in either
# language. A figure beside one of them, in a sentence whose quotes have none, was computed.
_CALCULATION = {
    "difference": ("différence", "difference", "écart", "gap"),
    "total": ("total", "totale", "totaux", "au total", "en tout", "in all", "altogether"),
    "sum": ("somme", "sum", "cumul", "cumulé", "cumulée", "combined", "additionn"),
    "times": ("fois plus", "fois moins", "times more", "times as", "twice", "double"),
    "half": ("moitié", "half"),
}
_ANCHOR_WINDOW = 12  # words either side of a quoted figure that it may be said of
_ANCHOR_LOOKAHEAD = 3  # words after a sentence's figure that may name what it counts


def figures_of(text: str) -> set[str]:
    """The figures of a text, normalised: numbers written in digits (spaces and thousands
    separators removed, decimal comma as a dot) and number words ("trois" is "3")."""
    found = {_normal(n) for n in NUMBER.findall(text)}
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return found | {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}


def names_of(text: str) -> set[str]:
    """Capitalised words that do not start a sentence, a quotation or an item: names and
    acronyms. The second part of a compound ("auvergne-Rhône-Alpes") is a name."""
    found = set()
    for match in _CAPITALISED.finditer(text):
        before = text[: match.start()].rstrip(" \u00a0\u202f")
        compound = (
            before == text[: match.start()] and before[-1:] == "-" and before[-2:-1].isalpha()
        )
        starts = not before or before[-1] in '.!?…:;«"([—–-\n'
        if (compound or not starts) and len(match.group(0)) > 1:
            found.add(match.group(0).rstrip("'’"))
    return found


def limit(sentence: str, quotes: Sequence[str]) -> tuple[float, str]:
    """The highest support the sentence may get from what differs from its quotes, and
    why ("" when nothing does)."""
    if sentence.rstrip(" .").endswith("?") or _INVERTED.search(sentence):
        return UNSUPPORTED, "a question, not a claim"
    joined = " ".join(quotes)
    figures = figures_of(sentence)
    if not figures <= figures_of(joined):
        return UNSUPPORTED, "a figure the quotes do not give"
    if figures and _computed(sentence, joined):
        return UNSUPPORTED, "a figure computed from the quotes, not given by them"
    misplaced = _misplaced_figure(sentence, quotes) or _split_pair(sentence, quotes)
    if misplaced:
        return UNSUPPORTED, misplaced
    folded = " ".join(joined.split()).casefold()
    missing = {n for n in names_of(sentence) if n.casefold() not in folded}
    if len(missing) >= 2:
        return UNSUPPORTED, "names the quotes do not contain"
    if missing:
        return NOT_SUPPORTED, "a name the quotes do not contain"
    if _NEGATION.search(sentence) and not _NEGATION.search(joined):
        return NOT_SUPPORTED, "a negation the quotes do not make"
    return 1.0, ""


def _normal(number: str) -> str:
    return re.sub(r"[ \u202f\u00a0]", "", number).replace(",", ".")


def _computed(sentence: str, joined: str) -> bool:
    """A word of calculation in the sentence, of a kind its quotes never use."""
    said, quoted = sentence.casefold(), joined.casefold()
    for words in _CALCULATION.values():
        if any(_has(said, w) for w in words) and not any(_has(quoted, w) for w in words):
            return True
    return False


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}", text) is not None


def _misplaced_figure(sentence: str, quotes: Sequence[str]) -> str:
    """Why a figure of the sentence is not the quotes' figure: another unit, or a word the
    sentence says it counts that the quotes say of another figure only ("" if neither)."""
    said = _tokens(sentence)
    spots = [
        (q_tokens, i) for q in quotes for q_tokens in [_tokens(q)] for i in range(len(q_tokens))
    ]
    for index, token in enumerate(said):
        if not NUMBER.fullmatch(token) or YEAR.fullmatch(token):
            continue
        figure = _normal(token)
        where = [(t, i) for t, i in spots if NUMBER.fullmatch(t[i]) and _normal(t[i]) == figure]
        if not where:
            continue  # a number word's figure, or one split differently: checked above
        unit = _unit_after(said, index)
        if unit and all(_unit_after(t, i) != unit for t, i in where):
            return f"the figure {token} with another unit"
        anchor = _anchor_after(said, index)
        if anchor is None:
            continue
        near = set()
        for t, i in where:
            near |= set(analyze(" ".join(t[max(i - _ANCHOR_WINDOW, 0) : i + _ANCHOR_WINDOW + 1])))
        anywhere = set().union(*(analyze(q) for q in quotes))
        if anchor in anywhere and anchor not in near:
            return f"the figure {token} said of something the quotes give another figure for"
    return ""


def _split_pair(sentence: str, quotes: Sequence[str]) -> str:
    """Two figures the sentence says together ("24,1 % … de plus de 75 ans") that no quote
    gives side by side, with no other figure between them ("24,1 % des 60-74 ans et
    64,2 % de plus de 75 ans"): one of them belongs to another figure ("" if none)."""
    said = [_normal(t) for t in _tokens(sentence) if NUMBER.fullmatch(t)]
    rows = [[_normal(t) for t in _tokens(q) if NUMBER.fullmatch(t)] for q in quotes]
    for a, b in zip(said, said[1:], strict=False):
        if a == b:
            continue
        if not any({row[i], row[i + 1]} == {a, b} for row in rows for i in range(len(row) - 1)):
            return f"the figures {a} and {b} are not given together"
    return ""


def _tokens(text: str) -> list[str]:
    return _WORDS.findall(text)


def _unit_after(tokens: Sequence[str], index: int) -> str:
    after = tokens[index + 1].casefold() if index + 1 < len(tokens) else ""
    return _UNITS.get(after, "")


def _anchor_after(tokens: Sequence[str], index: int) -> str | None:
    """The first content term among the few words after a figure and its unit, if any
    (stopping at the next figure): what the figure counts."""
    for token in tokens[index + 1 : index + 2 + _ANCHOR_LOOKAHEAD]:
        if NUMBER.fullmatch(token):
            return None
        if token.casefold() in _UNITS:
            continue
        terms = analyze(token)
        if terms:
            return terms[0]
    return None
