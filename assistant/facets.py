"""What a figure question pins down, and whether a sentence gives that figure.

A question may ask for a kind of figure: a count ("combien de médecins"), a share ("quelle
part", "what percentage"), an amount of money ("combien coûte") or a date ("en quelle
année"). It may also narrow it down to one value of a breakdown the corpus uses: a zone
("dans le piémont"), an age group, a place. A sentence that gives the département's figure
when the question asks for the piémont's, or a count when it asks for a cost, is a near miss,
not an answer. The question word decides whether a figure is asked at all: "pourquoi le
taux… ?", "que mesure le taux… ?", "why does the cost…?" name a figure but ask for a reason
or a meaning (unless they also say "combien", "how much").

The breakdowns are learnt from the corpus itself: the words that follow "dans le", "chez
les"... right after a figure, several times ("de 20 % dans le piémont"). A question word is a
restriction only if it is one of them, so paraphrases ("les villages de montagne") are never
held against an answer; words used nearly everywhere (the département itself) are the
corpus's default scope, not a restriction. A name after a preposition ("à Bourg-la-Roche")
restricts too. What a count counts ("combien de bénévoles") must be what the figure counts
("240 chauffeurs bénévoles"), when the corpus counts that thing anywhere. The figure, its
year and its zone must share a clause: "installée en 2021 ; elle a permis 410
téléconsultations en 2023" does not say how many there were in 2021. (A breakdown
question, "et par zone ?", once demoted sentences giving one zone's figure: the ablation of
issue 14 found it changed no answer of any set, and it was removed. So was a list of words
that are not places, "au moins", "au total": with or without it, neither the bundled corpus
nor real-dev yields another breakdown value, since MIN_USES and COMMON_SHARE already keep
such phrases out.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .analysis import analyze, in_a_row
from .citations import numbers_of, without_numbers
from .structure import fold

_KINDS = (  # checked in this order, on the folded question
    (
        "money",
        r"\b(?:combien (?:coute|coutent|coutera|couteront|d'euros)|cout|couts|coute|"
        r"coutent|budget|prix|tarif|montant|cost|costs|price|how much money|spend|spent)\b",
    ),
    (
        "share",
        r"\b(?:quelle part|quel pourcentage|quelle proportion|pourcentage|proportion|"
        r"taux|what share|what percentage|what proportion|percentage|share of|rate)\b",
    ),
    (
        "date",
        r"\b(?:en quelle annee|depuis quand|a quelle date|quelle annee|what year|which year|"
        r"since when|in what year)\b",
    ),
    ("count", r"\b(?:combien|nombre d|nombre de|nb|how many|how much|number of)\b"),
)
_KIND_RES = tuple((kind, re.compile(pattern)) for kind, pattern in _KINDS)
# The question word decides what is asked: "pourquoi le taux… ?", "que mesure le taux… ?",
# "why does the cost…?" ask for a reason or a meaning, not a figure, though they name one.
_FIGURE_WORD = re.compile(r"\b(?:combien|how (?:many|much))\b")
_QUESTION_WORD = re.compile(
    r"\b(?:pourquoi|comment|que|qu['’]|quoi|why|how(?! (?:many|much|long|often|far))|"
    r"combien|quel|quelle|quels|quelles|lequel|laquelle|qui|quand|ou|what|which|who|when|where)\b"
)
_OPEN = frozenset(("pourquoi", "comment", "que", "qu", "quoi", "why", "how"))
_NUMBER_WORDS = (
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "vingt trente quarante cinquante soixante cent cents mille million millions milliard "
    "moitie tiers quart two three four five six seven eight nine ten eleven twelve twenty "
    "hundred thousand half third quarter"
)
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(_NUMBER_WORDS.split())})\b")
_DIGIT = re.compile(r"\d")
# what a count counts: "combien de médecins", "nombre d'EHPAD", "nb de trajets"
_COUNTED = re.compile(
    r"\b(?:combien|nombre|nb)\s+(?:de|d'|d’)\s*([\w-]{3,})"
    r"(?:\s+(?:et|ou)\s+(?:de|d'|d’|des)\s*([\w-]{3,}))?"  # "de consultations et d'actes"
)
_VAGUE = frozenset(  # "combien de personnes", "combien de minutes": any count, in any unit
    analyze(
        "personnes gens monde fois temps minutes heures jours semaines mois ans années "
        "kilomètres km euros people time hours days years"
    )
)
# a name after a preposition: "à Bourg-la-Roche", "sur Covoit'Vallée", "de Castelroc"
_NAME = re.compile(
    r"\b(?:à|a|au|aux|de|du|des|d'|d’|sur|dans|chez|pour|in|at|on|for|of|from)\s*"
    r"([A-ZÀ-Ý][\wà-ÿ]*(?:['’-][\wà-ÿ]+)+|[A-ZÀ-Ý][a-zà-ÿ]+)"
)
# what a number counts: the one or two words right after it ("240 chauffeurs bénévoles",
# "Six réseaux"), not a percentage ("23 %") nor a numbered heading ("5. Santé")
_COUNT = re.compile(
    rf"(?:\d[\d\u202f\u00a0 ]*|\b(?:{'|'.join(_NUMBER_WORDS.split())}))\s+"
    r"([^\W\d][\w'’-]*(?:\s+[^\W\d][\w'’-]*)?)"
)
_GIVES = {
    "money": re.compile(
        r"\d\s*(?:k|m)?(?:€|euros?\b)|\d\s*(?:millions?|milliards?|mds?|md)\s+(?:d['’]\s*)?"
        r"(?:€|euros?\b)|\bgratuit|\bfree\b"
    ),
    "share": re.compile(
        r"%|\bpour ?cent|\bsur (?:deux|trois|quatre|cinq|dix|\d+)\b|\bmoitie\b|"
        r"\btiers\b|\bquart\b"
    ),
    "date": re.compile(
        r"\d|\b(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|"
        r"octobre|novembre|decembre|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
        r"dimanche|matin|soir|midi)\b"
    ),
}
# "de 20 % dans le piémont", "57 % chez les 75 ans", "12 min in the centre"
_AFTER_FIGURE = re.compile(
    r"\d[\d\s.,]*\s*(?:%|[a-z]+)?\s+(?:dans|chez|parmi|a|au|aux|in|among)\s+"
    r"(?:(?:le|la|les|l'|l’|the)\s*)?([\w-]+(?:\s+[\w-]+)?)"
)
_CLAUSE = re.compile(r"\s*;\s+")
_RECORD = re.compile(r"^[^;:]{1,80} : [^;]*;\s*[^;:]{1,80} : ")  # "zone : Piémont ; valeur : 20"
MIN_USES = 3  # a breakdown value is used this many times after a figure
COMMON_SHARE = 0.5  # a value in this share of the texts or more is the default scope


@dataclass(frozen=True)
class Facets:
    """The kind of figure a question asks for, and what it narrows it down to."""

    kind: str = ""  # "", "count", "share", "money" or "date" (a time)
    restrictions: tuple[tuple[str, ...], ...] = ()  # breakdown values and names, analysed
    counted: tuple[str, ...] = ()  # what a count counts (analysed terms) when the corpus does
    names: tuple[tuple[str, ...], ...] = ()  # the restrictions that are names ("à Bourg…")

    def describe(self) -> str:
        """The facets in words, for a refusal's reason: "the share asked for (piemont)"."""
        where = ", ".join(" ".join(p) for p in self.restrictions)
        return f"the {self.kind or 'answer'} asked for" + (f" ({where})" if where else "")

    def gives(self, sentence: str) -> bool:
        """Whether a sentence gives the kind of figure asked for."""
        if not self.kind:
            return True
        folded = fold(sentence)
        if self.kind in _GIVES:
            return bool(_GIVES[self.kind].search(folded))
        if self.counted:  # "118 médecins", "Six réseaux": the number counts the thing asked
            return any(c in t for c in self.counted for t in counted_in(folded))
        return bool(_DIGIT.search(folded) or _NUMBER_WORD.search(folded))

    def fits(
        self,
        sentence: str,
        header: str = "",
        numbers: frozenset[str] = frozenset(),
        where: frozenset[str] | set[str] = frozenset(),
    ) -> bool:
        """Whether one clause of the sentence gives the figure asked for, for the zone or place
        asked about and with the numbers asked (a year): "installée en 2021 ; elle a permis
        410 téléconsultations en 2023" does not say how many there were in 2021. A record
        ("zone : Piémont ; valeur : 20") is one clause. `where`: the analysed terms of the
        sentence's passage and address, which may hold a name asked (see `honours`)."""
        parts = [sentence] if _RECORD.search(sentence) else _CLAUSE.split(sentence)
        return any(
            numbers <= numbers_of(part)
            and self.gives(without_numbers(part, set(numbers)))
            and self.honours(f"{header} {part}", where)
            for part in parts
        )

    def honours(self, sentence: str, where: frozenset[str] | set[str] = frozenset()) -> bool:
        """Whether a sentence (with its table's header row) names one of the zones, groups or
        places the question is about (a comparison may name several). A name ("d'après le
        Sénat", "à Bourg-la-Roche") may also be held by `where`, the sentence's passage and
        its address (document title, source): the Sénat's report need not say "Sénat" in
        every sentence. A breakdown value must be in the sentence itself."""
        terms = set(analyze(sentence))
        return not self.restrictions or any(
            set(place) <= terms or (place in self.names and set(place) <= where)
            for place in self.restrictions
        )


@dataclass(frozen=True)
class CorpusFacets:
    """What a corpus gives figures for (its breakdown values, as analysed terms) and what it
    counts (terms right after a number somewhere)."""

    places: frozenset[tuple[str, ...]] = frozenset()
    countables: frozenset[str] = frozenset()


def learn(texts: Sequence[str]) -> CorpusFacets:
    """The corpus's breakdown values: those that follow a figure MIN_USES times or more and
    are not in COMMON_SHARE of the texts or more (the default scope); and its countables."""
    folded = [fold(text) for text in texts]
    found: Counter[tuple[str, ...]] = Counter()
    written: dict[tuple[str, ...], set[str]] = {}  # how each value is written
    for text in folded:
        for match in _AFTER_FIGURE.finditer(text):
            words = [w for w in match.group(1).split() if analyze(w)]
            if words and not words[0].isdigit():
                terms = tuple(t for t in analyze(" ".join(words)) if not t.isdigit())
                found.update([terms] if terms else [])
                written.setdefault(terms, set()).add(" ".join(words))
    places = []
    for place, uses in found.items():
        if uses >= MIN_USES:
            pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, written[place])) + r")\b")
            if sum(bool(pattern.search(text)) for text in folded) < COMMON_SHARE * len(texts):
                places.append(place)
    countables = frozenset(t for text in folded for t in counted_in(text))
    return CorpusFacets(frozenset(places), countables)


def counted_in(folded: str) -> set[str]:
    """The analysed terms a folded text counts ("118 medecins generalistes")."""
    return {t for match in _COUNT.finditer(folded) for t in analyze(match.group(1))}


def counted_words(question: str) -> list[str]:
    """What a French count question counts, folded: "combien de consultations et d'actes"
    gives ["consultations", "actes"]."""
    match = _COUNTED.search(fold(question))
    return [w for w in match.groups() if w] if match else []


def facets_of(question: str, corpus: CorpusFacets, known: Callable[[str], bool]) -> Facets:
    """The facets of a question, given what the corpus breaks figures down by and counts;
    `known` says whether the corpus uses an analysed term."""
    folded = fold(question)
    kind = next((k for k, pattern in _KIND_RES if pattern.search(folded)), "")
    if kind and asks_why_or_what(folded):
        kind = ""
    if not kind:
        return Facets()
    terms = analyze(question)
    named = [p for p in corpus.places if in_a_row(terms, p)]
    names = []
    for name in _NAME.findall(question):
        name_terms = tuple(analyze(name))
        if name_terms and all(known(t) for t in name_terms):
            names.append(name_terms)
    counted: list[str] = []
    words = counted_words(question) if kind == "count" else []
    for word in words:
        found = analyze(word)
        if found and found[0] not in _VAGUE and any(found[0] in t for t in corpus.countables):
            counted.append(found[0])  # the corpus counts this somewhere: asked for
    if len(counted) < len(words):
        counted = []  # one of the things counted is not counted anywhere: any count will do
    only_names = tuple(sorted(set(names) - set(named)))
    return Facets(kind, tuple(sorted(set(named) | set(names))), tuple(counted), only_names)


def asks_why_or_what(folded: str) -> bool:
    """Whether a (folded) question's first question word asks for a reason, a manner or a
    meaning ("pourquoi", "comment", "que", "why", "how" but not "how many"), and it asks
    for no count or amount ("combien", "how much") anywhere."""
    first = _QUESTION_WORD.search(folded)
    word = first.group(0).rstrip("'’") if first else ""
    return word in _OPEN and not _FIGURE_WORD.search(folded)


def table_header(passage: str, start: int) -> str:
    """The first row of the table whose row starts at `start` ("" outside tables)."""
    if not passage.startswith("|", start):
        return ""
    header = ""
    for line in reversed(passage[:start].split("\n")[:-1]):
        if not line.strip().startswith("|"):
            break
        header = line
    return header
