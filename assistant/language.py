"""Which language a question is in: French or English (French when unsure)."""

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
_WORD = re.compile(r"[a-zà-öø-ÿ']+")


def detect(text: str) -> str:
    """'fr' or 'en', from function words and accents."""
    words = [w.strip("'") for w in _WORD.findall(text.lower().replace("’", "'"))]
    fr = sum(w in _FR or "'" in w for w in words) + 2 * len(re.findall(r"[éèêàùçôî]", text))
    en = sum(w in _EN for w in words)
    return "en" if en > fr else "fr"
