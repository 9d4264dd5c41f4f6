"""Which language a question is in: French or English (French when unsure).

Only the asker's own words count: what they quote (« … », “ … ”, "…", '…') and the
capitalised words inside a sentence (names and titles, "Les Misérables") are the
documents' words, whatever the question's language.
"""

from __future__ import annotations

import re

_FR_WORDS = (
    "le la les un une des du de et est sont pour dans sur avec quel quelle quels quelles "
    "combien comment pourquoi que qui quoi où ou pas ne au aux ce cette ces il elle on nous "
    "vous y a en par plus leur leurs son sa ses être fait faut peut"
)
_EN_WORDS = (
    "the a an of and is are for in on with what which how many much why who where does do "
    "not to at this that these it they we you there be can could would should their its by "
    "from about than was were has have"
)
_FR = frozenset(_FR_WORDS.split())
_EN = frozenset(_EN_WORDS.split())
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ']+")
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|(?<!\w)'[^']+'(?!\w)")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'\w", re.I)
_ENGLISH_CLITIC = re.compile(r"\w'(?:s|t|re|ll|ve|m|d)$", re.I)
_ACCENT = re.compile(r"[éèêàùçôî]")


def _own_words(text: str) -> list[str]:
    """The words of `text` outside quotes and outside names (capitalised words after the
    first); the whole text's words when nothing else is left."""
    text = text.replace("’", "'")
    unquoted = _QUOTED.sub(" ", text)
    words = [w.strip("'") for w in _WORD.findall(unquoted)]
    own = [w for i, w in enumerate(words) if w and (i == 0 or not w[0].isupper())]
    return own or [w.strip("'") for w in _WORD.findall(text) if w.strip("'")]


def detect(text: str) -> str:
    """'fr' or 'en', from the asker's function words, elisions and accents."""
    fr = en = 0
    for word in _own_words(text):
        lower = word.lower()
        fr += (lower in _FR) + bool(_ELISION.match(lower)) + 2 * len(_ACCENT.findall(lower))
        en += (lower in _EN) + bool(_ENGLISH_CLITIC.search(lower))
    return "en" if en > fr else "fr"
