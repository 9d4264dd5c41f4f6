"""How text becomes search terms, for BM25 and for every check of what a text holds:
lower-case words, Snowball French stemming (PyStemmer), accents folded after stemming,
French and English stop words dropped. (A change here must bump `lexical.FORMAT`.)"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

from .structure import fold

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(fold(w) for w in (*STOPWORDS_FRENCH, *STOPWORDS_EN)) | {
    "quel", "quelle", "quels", "quelles", "combien", "comment", "pourquoi", "est", "sont",
    "what", "which", "how", "many", "much", "does", "do", "il", "y", "a", "l", "d", "qu",
    "quoi", "quand", "va", "vont", "peux", "peut", "ca", "cela", "faut", "fait", "faire",
    "selon", "apres", "d'apres", "tu", "aurais", "t", "c", "s", "n", "j", "m",
}  # fmt: skip
_STEMMER = Stemmer.Stemmer("french")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # Folded first, so that "mobilite" typed without accents meets "mobilité".
    return str(_STEMMER.stemWord(fold(word)))


def analyze(text: str) -> list[str]:
    """Terms of a text: words, stemmed (French), accents folded, stop words removed."""
    return list(_analyzed(text))


@lru_cache(maxsize=32768)
def _analyzed(text: str) -> tuple[str, ...]:
    # Remembered: answering analyses the same passage sentences question after question.
    words = (w for w in _WORD.findall(text.lower()) if len(w) > 1 or w.isdigit())
    return tuple(_stem(w) for w in words if fold(w) not in _STOP)


def in_a_row(terms: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether the phrase's terms occur in `terms`, in a row."""
    n = len(phrase)
    return any(list(terms[i : i + n]) == list(phrase) for i in range(len(terms) - n + 1))
