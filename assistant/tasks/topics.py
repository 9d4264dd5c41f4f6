"""Topics (aspects, themes) and when a sentence is about one: explainable cue lists.

A free aspect ("santé", "personnes âgées") or a box theme ("Accueil du public") is a
`Topic`: a retrieval query plus cues. A sentence *mentions* the topic when it contains one
of the cues. Cues come from small synonym groups (folded word prefixes: "medecin" matches
"médecins") when the topic's name is made of a group's words; otherwise the topic's own
content words, stemmed, must all appear. This gate is what makes a cell `not_covered`
rather than filled with the nearest, unrelated sentence: on short keyword queries the
answer threshold of the extractive writer does not discriminate (see docs/workshop.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis import analyze
from ..structure import fold

# Recurring workshop topics: a readable retrieval query, and folded cue prefixes. A group
# applies to a topic whose name is made of the group's cues plus generic words (below).
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accueil": ("accueil guichet interlocuteur permanence", (
        "accueil", "guichet", "interlocuteur", "permanence", "face a face",
    )),
    "information": ("information transparence annuaire données", (
        "information", "informer", "transparen", "opacite", "annuaire", "donnees",
    )),
    "numerique": ("numérique en ligne dématérialisation internet visio", (
        "numeri", "internet", "en ligne", "dematerialis", "e-service", "web", "visio",
        "teleservice", "telemedecine", "haut debit", "smartphone", "fibre", "a distance",
        "digital",
    )),
    "sante": ("santé médecins soins télémédecine hôpital", (
        "sante", "medecin", "medic", "soins", "telemedecine", "hopita", "pharmac", "infirmi",
    )),
    "solidarite": ("solidarité bénévolat associations entraide lien social", (
        "solidari", "benevol", "associati", "entraide", "lien social", "aidant", "voisin",
        "collaborati",
    )),
    "mobilite": ("mobilité transport déplacements covoiturage voiture", (
        "mobilite", "transport", "deplacement", "covoiturage", "voiture", "trajet",
        "autostop", "se rendre",
    )),
    "personnes agees": ("personnes âgées vieillissement seniors aînés", (
        "personnes agees", "agees", "ages de", "vieilliss", "senior", "aines", "ehpad",
    )),
    "cout": ("coût financement budget dépenses", (
        "cout", "financement", "budget", "depense", "moyens financiers",
    )),
}  # fmt: skip
# Words that do not narrow a topic ("Solidarités *locales*", "Accueil du *public*").
GENERIC = frozenset(
    analyze("public publics local locales personnes services accès département territoire")
)
DEFAULT_THEMES = (
    "Accueil du public",
    "Information",
    "Numérique",
    "Santé",
    "Solidarités locales",
    "Mobilité",
)


def cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching any cue at a word start in folded text (longest cue first)."""
    ordered = sorted(set(cues), key=lambda c: (-len(c), c))
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(c) for c in ordered) + ")")


@dataclass(frozen=True)
class Topic:
    """What a cell is about: its name, the retrieval query, and its cues."""

    name: str
    query: str
    cues: tuple[str, ...] = ()  # folded prefixes (from the groups)
    stems: tuple[str, ...] = ()  # else: every one of these stems must appear

    def mentions(self, text: str) -> tuple[str, ...]:
        """The cues of this topic found in a text (empty: the text is not about it)."""
        if self.cues:
            found = cue_pattern(self.cues).findall(fold(text))
            return tuple(dict.fromkeys(found))
        if self.stems and set(self.stems) <= set(analyze(text)):
            return self.stems
        return ()


def topic_of(name: str) -> Topic:
    """The topic for an aspect or theme name, with its synonym groups when they cover it."""
    name = " ".join(name.split())
    folded = fold(name)
    cues: list[str] = []
    words: list[str] = []
    rest = folded
    for query, group in GROUPS.values():
        pattern = re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, group)) + r")\w*")
        if pattern.search(folded):
            rest = pattern.sub(" ", rest)
            cues += group
            words.append(query)
    if cues and set(analyze(rest)) <= GENERIC:
        return Topic(name, " ".join([name, *words]), tuple(dict.fromkeys(cues)))
    stems = [t for t in analyze(name) if t not in GENERIC] or analyze(name)
    return Topic(name, name, (), tuple(dict.fromkeys(stems)))
