"""Reading a question once: what the extractive writer and its models need of it.

`QuestionReader.understand` turns a question (and the retrieval query, which may borrow an
earlier question) into an `Asked` (`features.py`): its language, analysed terms with their
rarity weights, the numbers and capitalised names it gives and which of those the corpus
never mentions, the kind of figure it asks for (`facets.py`, learnt from the corpus's own
breakdown values), the documents it names by their file names, what a definition question
defines, and the words the corpus never uses. The writer reads the `Asked`; it does not
parse the question again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from ..analysis import analyze
from ..citations import numbers_of
from ..facets import CorpusFacets, Facets, facets_of, learn
from ..intent import without_scenario_numbers
from ..language import detect
from ..lexical import LexicalIndex
from ..structure import fold
from .features import Asked
from .layout import defined_terms

_CAPITALISED_WORDS = (  # English words written with a capital that are not names of places
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december french english european "
    "british german spanish italian arabic portuguese"
)
_ENGLISH_CAPITALISED = frozenset(_CAPITALISED_WORDS.split())
_WORD_NUMBER = re.compile(r"([^\W\d]{2,})\s+(\d+)\b")  # "paca 2030"
_CAPITALISED = re.compile(  # a capitalised word, whole: not the "Ftt" of "FttH"
    r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-Ý][a-zà-ÿ]+(?:[-'][A-ZÀ-Ýa-zà-ÿ]+)*)(?![\wÀ-ÿ])"
)


@dataclass
class QuestionReader:
    """Reads questions against one corpus (its vocabulary, its breakdown values)."""

    lexical: LexicalIndex
    _corpus: tuple[str, CorpusFacets] = ("", CorpusFacets())  # (lexical version, facets)
    _titled: tuple[str | None, frozenset[str]] = (None, frozenset())  # (version, pairs)

    def titled_numbers(self) -> frozenset[str]:
        """The "word number" pairs of the corpus's document titles and headings, folded
        ("paca 2030", "france 2030"): a number there is part of a name, not a figure."""
        self.lexical.refresh()
        version = self.lexical.version
        if self._titled[0] != version:
            heads = [r.title for r in self.lexical.store.records()]
            heads += {str(m.get("section", "")) for m in self.lexical.metas()}
            pairs = {f"{w} {n}" for h in heads for w, n in _WORD_NUMBER.findall(fold(h))}
            self._titled = (version, frozenset(pairs))
        return self._titled[1]

    def facets(self, question: str) -> Facets:
        """The kind of figure the question asks for, and the corpus's breakdown values
        (zones, age groups...) it narrows it down to."""
        self.lexical.refresh()
        version = self.lexical.version
        if self._corpus[0] != version:
            self._corpus = (version, learn(self.lexical.texts()))
        return facets_of(question, self._corpus[1], self.lexical.known)

    def sources_named(self, question: str) -> set[str]:
        """The documents a question names by every word of their file name ("d'après les
        indicateurs": indicateurs.csv; "l'enquête habitants": enquete-habitants.pdf)."""
        terms = set(analyze(question))
        return {
            source
            for source in self.lexical.sources()
            if (named := analyze(PurePath(source).stem.replace("-", " ").replace("_", " ")))
            and set(named) <= terms
        }

    def capitalised(self, question: str) -> list[str]:
        """The capitalised words of a question that may be names (not its first word, nor
        English day, month and language names)."""
        return [
            word
            for word in _CAPITALISED.findall(question.strip())
            if analyze(word) and fold(word).rstrip("s") not in _ENGLISH_CAPITALISED
        ]

    def specifics(
        self, question: str, capitalised: Sequence[str] | None = None
    ) -> tuple[set[str], set[str]]:
        """Numbers (not scenario numbers), and capitalised names unknown to the corpus (any
        part of them), in the question (`capitalised`: its names, if already found). A
        number that stands with the word before it in a document title or heading of the
        corpus ("PACA 2030") is part of a name, not a figure asked."""
        self.lexical.refresh()
        words = self.capitalised(question) if capitalised is None else capitalised
        names = {w for w in words if not all(self.lexical.known(t) for t in analyze(w))}
        in_names = {pair.split()[1] for pair in self.titled_in(question)}
        return numbers_of(without_scenario_numbers(question)) - in_names, names

    def titled_in(self, question: str) -> list[str]:
        """The "Word number" pairs of the question, capitalised as names are, that a title or
        heading of the corpus holds ("PACA 2030", "Garonne 2050"), folded: names, which a
        passage must hold. A lower-case word makes a year, not a name: "à l'horizon 2040"
        asks for 2040, which a title may give (`features.scoping_years`)."""
        titled = self.titled_numbers()
        pairs = (f"{fold(w)} {n}" for w, n in _WORD_NUMBER.findall(question) if w[0].isupper())
        return [pair for pair in pairs if pair in titled]

    def foreign(self, question: str) -> list[str]:
        """Content words of a French question that the corpus never uses (none for English:
        its words are foreign to a French corpus anyway)."""
        if detect(question) != "fr":
            return []
        return [t for t in analyze(question) if not self.lexical.known(t) and not t.isdigit()]

    def understand(self, question: str, query: str) -> Asked:
        """The question as the writer reads it (see `features.Asked`)."""
        self.lexical.refresh()
        now = analyze(question)
        terms = {t: 2.0 if t in now else 1.0 for t in analyze(query)}  # this turn counts double
        capitalised = self.capitalised(question)
        numbers, unknown = self.specifics(question, capitalised)
        follow_up = query != question
        named = [*capitalised, *self.titled_in(question)]
        names = (tuple(analyze(w)) for w in named)
        return Asked(
            question=question,
            lang=detect(question),
            terms=tuple(now),
            weights={t: w * max(self.lexical.idf(t), 0.3) for t, w in terms.items()},
            numbers=frozenset(numbers),
            names=tuple(dict.fromkeys(names)),
            unknown=tuple(sorted(unknown)),
            facets=self.facets(question),
            sources=frozenset(self.sources_named(question)),
            defined=tuple(defined_terms(question)),
            # an elliptic follow-up ("et ça fait économiser quoi aux gens ?") takes its topic
            # from the previous question: its own colloquial words do not make it off-topic
            foreign=tuple(self.foreign(question)) if not follow_up else (),
            follow_up=follow_up,
        )
