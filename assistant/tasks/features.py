"""What the extractive writer reads of a question (once), and the features its two fitted
models score (see `judge.py`).

`Asked` is the question as retrieval and the writer need it, read once by `AskTask.gather`:
its language, its analysed terms with their weights, the numbers and capitalised names it
gives, the kind of figure it asks for (`facets.py`), the documents it names, the terms it
defines, the scenarios and parts it points at (`intent.py`). Sentence features say how one
candidate sentence meets it; question features say how the best of the evidence does.
Every feature is general: a similarity, a share of terms, or whether something the
question names occurs in the evidence; no word list of one corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..analysis import analyze
from ..citations import numbers_of
from ..claim_checks import YEAR
from ..facets import Facets, table_header
from ..intent import Intent
from ..types import Passage

SENTENCE = (
    "sim",  # cosine of question and sentence, rescaled to [0, 1] over [0.78, 0.90]
    "lexical",  # rarity-weighted share of the question's terms the sentence (and its part) holds
    "passage",  # the sentence's passage cosine, rescaled the same way
    "rank",  # 1 / the passage's retrieval rank
    "fragment",  # a piece: under five words, or starting in lower case (cut by the chunk)
    "other_part",  # the question asks for a part (limits, levers…) and this is another one
    "other_source",  # the question names a document and this is another one
    "no_kind",  # the question asks for a kind of figure (count, share…) the sentence lacks
    "wrong_zone",  # it gives one, for another zone or group than the one asked about
    "no_fit",  # no clause of it gives the figure asked, with the numbers asked
    # share of the question's numbers the sentence does not give (a sentence without a year
    # of its own takes those of its paragraph before it and of its title and headings)
    "numbers_missing",
    "names_missing",  # the question names something its passage (and title) does not hold
)
QUESTION = (
    "best_sim",  # the best sentence cosine (rescaled)
    "best_lexical",  # the best sentence term share
    "passage_lexical",  # the best share of the question's terms a passage (and address) holds
    "names_unknown",  # the question names something the corpus never mentions
    # it names something the corpus mentions, but not the best sentence's document (its
    # title, text or address): the Loire asked of a document on the Seine
    "names_off_document",
    "numbers_absent",  # no candidate sentence gives all the numbers of the question (as above)
    "kind_asked",  # the question asks for a kind of figure
    "foreign_share",  # share of the (French) question's terms the corpus never uses
    "english",  # an English question (on a French corpus)
    # the question's mean cosine to the corpus's chunks over the chunks' mean cosine to one
    # another, minus 1 (x 10): how close the question is to what this corpus is about
    "corpus_rel",
)
TOP = ("names_missing", "numbers_missing", "no_fit")
# the best sentence's own features (by the sentence model), as question features "top_…"
JUDGED = (*QUESTION, *(f"top_{n}" for n in TOP))  # what the refusal model may read


@dataclass(frozen=True)
class Asked:
    """A question as the extractive writer reads it (see the module docstring)."""

    question: str
    lang: str
    terms: tuple[str, ...]  # analysed terms of this turn
    weights: dict[str, float]  # query terms (this turn and a borrowed one), rarity-weighted
    numbers: frozenset[str]  # numbers it gives (not scenario numbers)
    names: tuple[tuple[str, ...], ...]  # capitalised names it gives, analysed
    unknown: tuple[str, ...]  # ... of them, those the corpus never mentions, as written
    facets: Facets
    sources: frozenset[str]  # documents it names by their file name
    defined: tuple[str, ...]  # what a definition question defines, analysed
    foreign: tuple[str, ...]  # its terms the corpus never uses (French questions only)
    follow_up: bool = False  # the query borrows an earlier question
    intent: Intent = Intent()  # the scenarios and parts it points at (`intent.py`)


def cosine_feature(cosine: float) -> float:
    """A cosine of the e5 model rescaled to [0, 1] over its useful range [0.78, 0.90]."""
    return min(max((cosine - 0.78) / 0.12, 0.0), 1.0)


def question_features(
    asked: Asked,
    sentence_rows: np.ndarray,
    holds: Sequence[set[str]],
    gives_numbers: bool,
    corpus_cosine: float,
    corpus_self: float = 1.0,
    off_document: bool = False,
) -> np.ndarray:
    """The question's features (in the order of `QUESTION`), from the candidate sentences'
    features, the analysed terms each passage holds (its text and its address), whether
    any candidate gives the numbers asked, the question's mean cosine to the corpus's
    chunks (how close the question is to what this corpus is about, whatever its
    language), and the chunks' mean cosine to one another (how close a corpus's own texts
    are: a corpus on many subjects is further from any one question), and whether a name
    of the question that the corpus mentions is missing from the best sentence's
    document."""
    col = {n: i for i, n in enumerate(SENTENCE)}
    has = len(sentence_rows) > 0
    total = sum(asked.weights.values()) or 1.0
    covered = [sum(w for t, w in asked.weights.items() if t in h) / total for h in holds]
    values = {
        "best_sim": float(sentence_rows[:, col["sim"]].max()) if has else 0.0,
        "best_lexical": float(sentence_rows[:, col["lexical"]].max()) if has else 0.0,
        "passage_lexical": max(covered, default=0.0),
        "names_unknown": float(bool(asked.unknown)),
        "names_off_document": float(off_document),
        "numbers_absent": float(bool(asked.numbers) and not gives_numbers),
        "kind_asked": float(bool(asked.facets.kind)),
        "foreign_share": len(asked.foreign) / max(len(asked.terms), 1),
        "english": float(asked.lang == "en"),
        "corpus_rel": 10 * (corpus_cosine / max(corpus_self, 1e-6) - 1),
    }
    return np.asarray([values[n] for n in QUESTION], dtype=np.float64)


def judged_row(question_row: np.ndarray, best_sentence_row: np.ndarray | None) -> np.ndarray:
    """The refusal model's inputs (`JUDGED`): the question's features, then the best
    sentence's features named in `TOP` (zeros without a sentence)."""
    top = np.zeros(len(TOP))
    if best_sentence_row is not None:
        top = np.asarray([best_sentence_row[SENTENCE.index(n)] for n in TOP])
    return np.concatenate([question_row, top])


def reason(asked: Asked, row: np.ndarray, chance: float) -> str:
    """Why the refusal model refused, in the words of the features that say so (`row`:
    the question's features, as `JUDGED`)."""
    value = dict(zip(JUDGED, row, strict=True))
    why = []
    if value["names_unknown"]:
        why.append(f"the corpus never mentions {', '.join(sorted(asked.unknown))}")
    elif value["top_names_missing"] or value.get("names_off_document"):
        why.append("the best passage does not name " + ", ".join(" ".join(n) for n in asked.names))
    if value["numbers_absent"]:
        why.append(f"no passage gives {', '.join(sorted(asked.numbers))}")
    if value["kind_asked"] and value["top_no_fit"]:
        why.append(f"the best sentence does not give {asked.facets.describe()}")
    if value["foreign_share"] >= 0.5:
        why.append(f"the corpus never uses {', '.join(asked.foreign)}")
    if not why:
        why.append(f"the best sentence is far from the question (sim {value['best_sim']:.2f})")
    return f"refusal model: {chance:.2f} that the sources do not answer; " + "; ".join(why)


def sentence_values(
    asked: Asked,
    p: Passage,
    s: int,
    e: int,
    sim: float,
    holds: set[str],
    head: str,
    expand: Callable[[list[str]], list[str]],
    intent: Intent,
) -> dict[str, float]:
    """The features (`SENTENCE`) of the sentence p.text[s:e] of passage `p`, whose cosine to
    the question is `sim`: `holds` are the passage's terms with its address `head`,
    `expand` the index's expansion of a sentence's terms ("TAD" is "transport à la
    demande")."""
    total = sum(asked.weights.values()) or 1.0
    facets, numbers = asked.facets, asked.numbers
    text = p.text[s:e]
    found = set(expand(analyze(text))) | set(analyze(head))
    header = table_header(p.text, s)
    whole = len(text.split()) >= 5 and (
        text[0].isupper() or text[0] in '«"|(0123456789' or _starts_item(p.text, s)
    )
    given = numbers_of(text)
    dated = given | scoping_years(p.text, s, given, head)
    gives = facets.gives(text)
    value = {
        "sim": cosine_feature(sim),
        "lexical": sum(w for t, w in asked.weights.items() if t in found) / total,
        "passage": cosine_feature(p.score),
        "rank": 1 / max(p.rank, 1),
        "fragment": not whole,
        "other_part": bool(intent.sections)
        and bool(p.scenario)
        and p.section not in intent.sections,
        "other_source": bool(asked.sources) and p.source not in asked.sources,
        "no_kind": not gives,
        "wrong_zone": gives and not facets.honours(f"{header} {text}", holds),
        "no_fit": bool(facets.kind)
        and not facets.fits(text, header, numbers - (dated - given), holds),
        "numbers_missing": len(numbers - dated) / len(numbers) if numbers else 0.0,
        "names_missing": any(not set(n) <= holds for n in asked.names),
    }
    return {n: float(v) for n, v in value.items()}


def _starts_item(text: str, start: int) -> bool:
    """Whether a sentence starts a list item ("- titres sécurisés : …" after a colon)."""
    return start > 0 and text[:start].rstrip(" \t-*•–").endswith(("\n", ":"))


def scoping_years(text: str, start: int, given: set[str], address: str = "") -> set[str]:
    """The years a sentence's paragraph gives before it, and its `address` gives (its
    document's title, its heading path), when the sentence gives none of its own: "En 2019,
    15 % … n'ont pas utilisé Internet. Ainsi, l'illectronisme concerne 17 % de la
    population." — the second sentence's 17 % is 2019's; a study titled "… à l'horizon
    2040" does not repeat its horizon in every sentence."""
    if any(YEAR.fullmatch(n) for n in given):
        return set()
    before = text[:start]
    paragraph = before[before.rfind("\n\n") + 1 :]
    return {n for n in numbers_of(address) | numbers_of(paragraph) if YEAR.fullmatch(n)}
