"""The extractive writer: answers with the retrieved sentences themselves, no LLM.

Each sentence of each retrieved passage is scored against the question: embedding
similarity (question vs. sentence), the rarity-weighted share of the question's terms it
contains (its scenario title and section count), and its passage's similarity. The best
few become the answer, each one a verbatim quote. It declines when the best score is
under a threshold calibrated on the project's evaluation suite, or when the question names
a number or a place that none of the candidate sentences contains (a near miss: a figure
for another year or another territory), or asks for a figure no clause of them gives
(see `facets.py`: a count, a share, an amount, for the zone asked about).

Only quotable sentences are candidates (`quotable.py`: no page header or footer, heading,
placeholder or lone marker of the source). A question naming several scenarios gets the
best sentence of each first; a definition question ("c'est quoi un scénario normatif ?")
keeps to the sentences that contain every word of the term it asks about, when some do.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np

from ..citations import numbers_of, sentence_spans
from ..embeddings import Embedder
from ..facets import CorpusFacets, Facets, counted_words, facets_of, learn, table_header
from ..indexed import SECTION_LABELS
from ..intent import Intent
from ..language import detect
from ..lexical import LexicalIndex, analyze
from ..structure import fold
from ..types import Passage
from .choice import Pick as Pick  # re-exported: callers take picks from the writer
from .choice import choose, defining
from .layout import defined_terms
from .quotable import Span, clean, page_lines

# The best sentence must score this much, by question language; English questions on a
# French corpus share no words with it, so they score lower. Calibrated with `assistant eval`.
ANSWER_THRESHOLD = {"fr": 0.35, "en": 0.2}
MAX_SENTENCES = 3
FOREIGN_WORDS = 2  # a French question with this many words unknown to the corpus, making
FOREIGN_SHARE = 0.6  # at least this share of its words, is off-topic (see `assistant eval`)
_SCENARIO_NUMBER = re.compile(
    r"\bsc[eé]nari[oi]s?\s*(?:n[°o]\s*)?\d+(?:\s*(?:,|et|and|&)\s*\d+)*", re.I
)
_CAPITALISED_WORDS = (  # English words written with a capital that are not names of places
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december french english european "
    "british german spanish italian arabic portuguese"
)
_ENGLISH_CAPITALISED = frozenset(_CAPITALISED_WORDS.split())
NO_INTENT = Intent()
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-Ý][a-zà-ÿ]+(?:[-'][A-ZÀ-Ýa-zà-ÿ]+)*)")


@dataclass(frozen=True)
class Written:
    """What the writer chose, its best candidate's score, and why it declined (if it did)."""

    picks: list[Pick]
    best: float
    declined: str = ""


def _clip(x: float) -> float:
    return min(max(x, 0.0), 1.0)


@dataclass
class ExtractiveWriter:
    """Chooses the sentences of the passages that answer the question."""

    embedder: Embedder
    lexical: LexicalIndex
    threshold: dict[str, float] = field(default_factory=lambda: dict(ANSWER_THRESHOLD))
    w_sim: float = 0.7  # weights of the sentence score (calibrated with `assistant eval`)
    w_lex: float = 0.2
    w_passage: float = 0.7
    keep: float = 0.6  # further sentences must score this share of the best one
    _cache: dict[str, np.ndarray] = field(default_factory=dict)
    _corpus: tuple[str, CorpusFacets] = ("", CorpusFacets())  # (lexical version, facets)
    _page_lines: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def passage_vectors(self, text: str) -> np.ndarray:
        """Unit vectors of the sentences of one passage, remembered across questions
        (passages recur in a workshop). The int8 model scales its activations per batch, so
        a sentence's vector depends on its batchmates: each passage's sentences are always
        embedded together and alone, so an answer never depends on what was asked before."""
        found = self._cache.get(text)
        if found is None:
            sentences = [text[s:e] for s, e in sentence_spans(text)]
            raw = np.asarray(self.embedder.embed(sentences, query=False), dtype=np.float32)
            found = raw.reshape(len(sentences), -1)
            found /= np.linalg.norm(found, axis=1, keepdims=True) + 1e-12
            with self._lock:  # the server warms the cache in a thread while it answers
                self._cache[text] = found
                while len(self._cache) > 5_000:  # about 60 MB of vectors
                    self._cache.pop(next(iter(self._cache)))
        return found

    def warm(self, limit: int = 5_000) -> int:
        """Embed the sentences of the indexed chunks ahead of the questions (a server does
        this in the background at start), and learn the corpus's facets; returns how many
        passages were embedded."""
        self.facets("")
        todo = [t for t in dict.fromkeys(self.lexical.texts()) if t not in self._cache][:limit]
        for text in todo:
            self.passage_vectors(text)
        return len(todo)

    def noise(self, passage: Passage) -> list[Span]:
        """The running headers and footers of the passage's document, as spans of the
        passage's text (see `quotable.page_lines`); remembered per document version."""
        key = (self.lexical.version, passage.doc_id)
        if key not in self._page_lines:
            store = self.lexical.store
            record, text = store.get_record(passage.doc_id), store.get_text(passage.doc_id)
            found = page_lines(text, record.pages) if record and text else []
            with self._lock:
                if len(self._page_lines) > 1_000:
                    self._page_lines.clear()
                self._page_lines[key] = found
        end = passage.start + len(passage.text)
        return [
            (max(s, passage.start) - passage.start, min(e, end) - passage.start)
            for s, e in self._page_lines[key]
            if s < end and passage.start < e
        ]

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

    def specifics(self, question: str) -> tuple[set[str], set[str]]:
        """Numbers (not scenario numbers), and capitalised names unknown to the corpus (any
        part of them), in the question; English day, month and language names are not."""
        self.lexical.refresh()
        names = {
            word
            for word in _CAPITALISED.findall(question.strip())
            if analyze(word)
            and not all(self.lexical.known(t) for t in analyze(word))
            and fold(word).rstrip("s") not in _ENGLISH_CAPITALISED
        }
        return numbers_of(_SCENARIO_NUMBER.sub(" ", question)), names

    def counted(self, question: str) -> list[str]:
        """What a French "combien de X" question counts, when the corpus never mentions X
        (an English word is unknown to a French corpus anyway)."""
        words = counted_words(question)[:1] if detect(question) == "fr" else []
        return [w for w in words if analyze(w) and not self.lexical.known(analyze(w)[0])]

    def foreign(self, question: str) -> list[str]:
        """Content words of a French question that the corpus never uses (none for English:
        its words are foreign to a French corpus anyway)."""
        if detect(question) != "fr":
            return []
        return [t for t in analyze(question) if not self.lexical.known(t) and not t.isdigit()]

    def candidates(
        self,
        question: str,
        query: str,
        query_vector: np.ndarray,
        passages: Sequence[Passage],
        intent: Intent = NO_INTENT,
    ) -> list[Pick]:
        """Every sentence of the passages, scored, best first."""
        now = analyze(question)
        focus = {t for t in now if self.lexical.known(t)} if query != question else set()
        terms = {t: 2.0 if t in now else 1.0 for t in analyze(query)}  # this turn counts double
        weights = {t: w * max(self.lexical.idf(t), 0.3) for t, w in terms.items()}
        total = sum(weights.values()) or 1.0
        unit = query_vector / (np.linalg.norm(query_vector) + 1e-12)
        spans, sims = [], []
        for i, p in enumerate(passages):  # each sentence keeps its whole sentence's vector
            noise = self.noise(p)
            for (s, e), sim in zip(
                sentence_spans(p.text), self.passage_vectors(p.text) @ unit, strict=True
            ):
                if (kept := clean(p.text, s, e, noise)) is not None:
                    spans.append((i, *kept))
                    sims.append(float(sim))
        if not spans:
            return []
        facets = self.facets(question)
        sources = self.sources_named(question)
        picks = []
        for (i, s, e), sim in zip(spans, sims, strict=True):
            p, text = passages[i], passages[i].text[s:e]
            head = f"{p.scenario.title if p.scenario else ''} {SECTION_LABELS.get(p.section, '')}"
            own = set(self.lexical.expand(analyze(text)))  # "TAD" is "transport à la demande"
            found = own | set(analyze(head))
            lexical = sum(w for t, w in weights.items() if t in found) / total
            score = (
                self.w_sim * _clip((float(sim) - 0.78) / 0.12)
                + self.w_lex * lexical
                + self.w_passage * _clip((p.score - 0.78) / 0.12)
            )
            if len(text.split()) < 5 or not (
                text[0].isupper() or text[0] in '«"|(0123456789' or _starts_item(p.text, s)
            ):
                score *= 0.7  # a fragment: a table header, or a sentence cut by the chunk start
            if intent.scenario_ids and p.scenario and p.scenario.id not in intent.scenario_ids:
                score *= 0.6  # another scenario than the one asked about
            if intent.sections and p.scenario and p.section not in intent.sections:
                score *= 0.75  # another part of the scenario than the one asked for
            if sources and p.source not in sources:
                score *= 0.75  # another document than the one named ("selon les indicateurs")
            header = table_header(p.text, s)
            if not facets.gives(text):
                score *= 0.6  # no figure of the kind asked for (a count, a share, a cost...)
            elif not facets.honours(f"{header} {text}"):
                score *= 0.6  # a figure for another zone or group than the one asked about
            if not facets.breaks_down(f"{header} {text}"):
                score *= 0.6  # "par zone ?" and the sentence gives one zone's figure, or none
            if focus and not focus & own and not (intent.sections and p.section in intent.sections):
                score *= 0.6  # a follow-up: its own words ("et pour le piémont ?") must appear
            picks.append(Pick(i, s, e, round(score, 4)))
        return sorted(picks, key=lambda k: -k.score)

    def write(
        self,
        question: str,
        query: str,
        query_vector: np.ndarray,
        passages: Sequence[Passage],
        intent: Intent = NO_INTENT,
    ) -> Written:
        """The sentences that answer, best first; none when the passages do not answer."""
        picks = self.candidates(question, query, query_vector, passages, intent)
        best = picks[0].score if picks else 0.0
        threshold = self.threshold[detect(question)]
        if best < threshold:
            return Written([], best, f"best sentence scores {best:.2f} < {threshold}")
        numbers, names = self.specifics(question)
        if names:
            return Written([], best, f"the corpus never mentions {', '.join(sorted(names))}")
        # an elliptic follow-up ("et ça fait économiser quoi aux gens ?") takes its topic from
        # the previous question: its own colloquial words do not make it off-topic
        foreign = (self.foreign(question) if query == question else []) or self.counted(question)
        if self.counted(question) or (
            len(foreign) >= FOREIGN_WORDS and len(foreign) >= FOREIGN_SHARE * len(analyze(question))
        ):
            return Written([], best, f"the corpus never uses {', '.join(foreign)}")
        text = {id(k): passages[k.passage].text[k.start : k.end] for k in picks}
        if numbers:  # the figure asked about (a year, a value) must be in what we quote
            picks = [k for k in picks if numbers <= numbers_of(text[id(k)])]
            if not picks or picks[0].score < threshold * 0.8:
                return Written([], best, f"no passage gives {', '.join(sorted(numbers))}")
        facets = self.facets(question)
        if facets.kind:  # the kind of figure asked for, for the zone or group asked about
            fitting = [
                k
                for k in picks
                if facets.fits(
                    text[id(k)], table_header(passages[k.passage].text, k.start), frozenset(numbers)
                )
            ]
            if not fitting or fitting[0].score < threshold * 0.8:
                return Written([], best, f"no passage gives {facets.describe()}")
        terms = set(defined_terms(question))
        if terms:  # a definition names what it defines
            picks = defining(picks, passages, terms, self.lexical.expand, threshold * 0.8)
        named = intent.scenario_ids if len(intent.scenario_ids) > 1 else ()
        return Written(choose(picks, passages, named, threshold, self.keep, MAX_SENTENCES), best)


def _starts_item(text: str, start: int) -> bool:
    """Whether a sentence starts a list item ("- titres sécurisés : …" after a colon)."""
    return start > 0 and text[:start].rstrip(" \t-*•–").endswith(("\n", ":"))
