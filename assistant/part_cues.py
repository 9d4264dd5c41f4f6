"""The parts of a scenario a question asks for, learnt from the corpus's own scenarios.

The cues are the parts the corpus's scenarios actually have, under the names they go by:
the headings and labels that open them in the texts (`### Limites`, `• Atouts : …`,
`Conditions de réussite :`), and, for a part the structure recognised as one of the known
parts (levers, interest, limits, narrative), the names the language gives that part
(`part_names.py`, the list the structure reads them with). A question asks for a part when
it holds every analysed term of one of its names (the stemming BM25 uses: "les atouts du
scénario 2" asks for the part headed "Atouts", "quels points de vigilance ?" for the one
headed "Points de vigilance"). A corpus without scenarios has no parts: nothing is asked.

Similarity by the embedding model was measured and left out: on single words and short
phrases against part names, multilingual-e5-small gives cosines within 0.01–0.03 of each
other whatever the words ("avantages" is closest to "Récit", "atouts" to "Leviers"), so
no threshold or margin tells a part's synonym from any other word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .analysis import analyze
from .part_names import names_of, part_key
from .text_norm import fold, strip_marks

_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
_LABEL = re.compile(r"^[ \t]*(?:[•\-*][ \t]*)?([^\W\d_][\w ']{2,30}?)[ \t]*:")


@dataclass(frozen=True)
class Part:
    """A part of the corpus's scenarios: the section its chunks carry, and its names."""

    key: str  # "limits", or a part under its own name ("Conditions de réussite")
    names: tuple[str, ...]


def _opening_names(text: str, start: int, chunk: str) -> list[str]:
    """Names that may open a chunk: the Markdown heading just before it, the label its
    first line starts with (`• Atouts : …`), or its first line when short (`**Risques**`)."""
    found: list[str] = []
    before = text[:start].rstrip()
    heading = _HEADING.match(before[before.rfind("\n") + 1 :])
    if heading:
        found.append(heading.group(1))
    first = chunk.lstrip().split("\n", 1)[0]
    label = _LABEL.match(first)
    if label:
        found.append(label.group(1))
    elif len(first.split()) <= 5 and _set_apart(strip_marks(first).strip(" :")):
        found.append(first)
    return [n for n in (strip_marks(n).strip(" :*_") for n in found) if n]


def _set_apart(line: str) -> bool:
    """Whether a short line reads as a label: capitalised, not ending a sentence."""
    return bool(line) and line[0].isupper() and line[-1] not in '.!?,;…»"”)'


def corpus_parts(
    chunks: Iterable[tuple[str, Mapping[str, Any]]], text_of: Callable[[str], str | None]
) -> list[Part]:
    """The parts the scenario chunks (text, store metadata) carry, with the names they go by
    in the texts (`text_of`: a document's canonical text by id). A name found at the start
    of a part is kept when the structure reads it as that part, or when it opens that part
    in two scenarios or more (a label the facilitator mapped to a known part)."""
    texts: dict[str, str | None] = {}
    seen: dict[str, dict[str, set[str]]] = {}  # key -> folded name -> scenarios
    spelling: dict[str, str] = {}
    for chunk, meta in chunks:
        key, scenario = str(meta.get("section") or ""), str(meta.get("scenario_id") or "")
        if not key or not scenario:
            continue
        names = seen.setdefault(key, {})
        doc = str(meta.get("doc_id", ""))
        if doc not in texts:
            texts[doc] = text_of(doc)
        text = texts[doc]
        if text is None:
            continue
        for name in _opening_names(text, int(meta.get("start", 0)), chunk):
            names.setdefault(fold(name), set()).add(scenario)
            spelling.setdefault(fold(name), name)
    parts: list[Part] = []
    for key, names in seen.items():
        own = [
            spelling[n]
            for n, where in names.items()
            if part_key(n) == key or n == fold(key) or len(where) >= 2
        ]
        known = names_of(key)
        if not known and not own:
            own = [key]  # a part under its own name, opened by nothing recognisable
        unique: dict[str, str] = {}
        for name in [*own, *known]:
            unique.setdefault(fold(name), name)  # the texts' own spelling first
        parts.append(Part(key, tuple(unique.values())))
    return parts


def asked_parts(question: str, parts: Sequence[Part]) -> list[str]:
    """The parts a question asks for: those with a name all of whose analysed terms are
    in the question, in the corpus's order."""
    terms = set(analyze(question))
    return [
        part.key
        for part in parts
        if any((named := set(analyze(name))) and named <= terms for name in part.names)
    ]
