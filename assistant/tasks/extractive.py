"""The extractive writer: answers with the retrieved sentences themselves, no LLM.

The question is read once (`understand`, see `features.Asked`). Each quotable sentence of
each retrieved passage gets a few general features (its similarity to the question, the
share of the question's terms it holds, its passage's similarity and rank, whether it
gives the names, numbers and kind of figure asked for, whether it is in the scenario and
part asked about) and the fitted sentence model scores them (`judge.py`). The refusal
model, over the question's features (the best sentence, whether the names, numbers and
kind of figure asked for occur anywhere in the evidence, the words the corpus never
uses), decides whether the passages answer at all. Both models' weights are data
(`assistant/data/judge.json`), fitted on every evaluation set pooled by
`evals/fit_judge.py`.

Only quotable sentences are candidates (`quotable.py`: no page header or footer, heading,
placeholder or lone marker of the source). A question naming several scenarios gets the
best sentence of each first; a definition question ("c'est quoi un scénario normatif ?")
keeps to the sentences that contain every word of the term it asks about, when some do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..citations import sentence_spans
from ..embeddings import Embedder
from ..intent import Intent
from ..lexical import LexicalIndex
from ..types import Passage
from .choice import Pick as Pick  # re-exported: callers take picks from the writer
from .choice import choose, defining, with_lists
from .documents import DocumentView
from .features import (
    JUDGED,
    SENTENCE,
    Asked,
    judged_row,
    question_features,
    reason,
    sentence_values,
)
from .judge import REFUSE_AT, Judge, load_judge
from .quotable import clean
from .reading import QuestionReader

MAX_SENTENCES = 3
NO_INTENT = Intent()


@dataclass(frozen=True)
class Written:
    """What the writer chose, the refusal model's chance that the sources answer, and why it
    declined (if it did)."""

    picks: list[Pick]
    best: float  # the chance that the sources answer (1 - the refusal model's chance)
    declined: str = ""


@dataclass
class ExtractiveWriter:
    """Chooses the sentences of the passages that answer the question."""

    embedder: Embedder
    lexical: LexicalIndex
    judge: Judge = field(default_factory=load_judge)
    reader: QuestionReader = field(init=False)
    terms: DocumentView = field(init=False)  # the passages' documents, as the writer reads them
    refuse_at: float = REFUSE_AT  # refuse when the refusal model gives this chance or more
    keep: float = 0.1  # a further sentence: this share of the best one's chance or more
    _cache: dict[str, np.ndarray] = field(default_factory=dict)
    _centroid: tuple[str, np.ndarray | None] = ("", None)  # (lexical version, see `centroid`)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    warm_pause: float = 0.5  # `warm` waits until no question was read for this many seconds
    _asked_at: float = -1e9  # when a question was last read (monotonic seconds)

    def __post_init__(self) -> None:
        self.reader = QuestionReader(self.lexical)
        self.terms = DocumentView(self.lexical)

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
        this in the background at start), and learn the corpus's facets and mean vector
        (`centroid`); returns how many passages were embedded. It pauses while questions are
        being answered (each computes the vectors it needs), so that it only uses the cores
        they leave idle."""
        self.reader.facets("")
        self.terms.front_matter()
        self.centroid()
        todo = [t for t in dict.fromkeys(self.lexical.texts()) if t not in self._cache][:limit]
        for text in todo:
            # Questions first: a burst right after start must not share the cores with this.
            while time.monotonic() - self._asked_at < self.warm_pause:
                time.sleep(self.warm_pause / 5)
            self.passage_vectors(text)
        return len(todo)

    def understand(self, question: str, query: str) -> Asked:
        """The question as the writer reads it, once (see `reading.QuestionReader`)."""
        self._asked_at = time.monotonic()  # `warm` steps aside while questions come
        return self.reader.understand(question, query)

    def candidates(
        self,
        question: str,
        query: str,
        query_vector: np.ndarray,
        passages: Sequence[Passage],
        intent: Intent = NO_INTENT,
    ) -> list[Pick]:
        """Every quotable sentence of the passages, scored by the sentence model, best first."""
        return self.scored(self.understand(question, query), query_vector, passages, intent)[0]

    def scored(
        self,
        asked: Asked,
        query_vector: np.ndarray,
        passages: Sequence[Passage],
        intent: Intent = NO_INTENT,
    ) -> tuple[list[Pick], np.ndarray]:
        """The quotable sentences of the passages, best first, and their features (rows in
        the same order, columns as `features.SENTENCE`)."""
        unit = query_vector / (np.linalg.norm(query_vector) + 1e-12)
        spans, sims = [], []
        for i, p in enumerate(passages):  # each sentence keeps its whole sentence's vector
            noise = self.terms.noise(p)
            for (s, e), sim in zip(
                sentence_spans(p.text), self.passage_vectors(p.text) @ unit, strict=True
            ):
                if (kept := clean(p.text, s, e, noise)) is not None:
                    spans.append((i, *kept))
                    sims.append(float(sim))
        if not spans:
            return [], np.zeros((0, len(SENTENCE)))
        holds = self.terms.holds(passages)
        heads = [self.terms.address(p) for p in passages]  # once a passage, not a sentence
        rows = []
        for (i, s, e), sim in zip(spans, sims, strict=True):
            value = sentence_values(
                asked, passages[i], s, e, sim, holds[i], heads[i], self.lexical.expand, intent
            )
            rows.append([float(value[n]) for n in SENTENCE])
        matrix = np.asarray(rows, dtype=np.float64)
        logits = self.judge.sentence.logit(matrix, SENTENCE)
        chances = np.exp(logits - logits.max())  # each one's chance relative to the best's
        picks = [
            Pick(i, s, e, round(float(c), 4)) for (i, s, e), c in zip(spans, chances, strict=True)
        ]
        order = sorted(range(len(picks)), key=lambda n: -picks[n].score)
        return [picks[n] for n in order], matrix[order]

    def centroid(self) -> np.ndarray | None:
        """The mean of the unit vectors of every chunk of the corpus (so that a query's
        mean cosine to the corpus is one dot product); remembered per index version."""
        self.lexical.refresh()
        version = self.lexical.version
        if self._centroid[0] != version or self._centroid[1] is None:
            store = self.lexical.store
            found = list(store.vectors(store.active_chunks()[0]).values())
            mean = None
            if found:
                vectors = np.asarray(found, dtype=np.float64)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
                mean = vectors.mean(axis=0)
            with self._lock:
                self._centroid = (version, mean)
        return self._centroid[1]

    def verdict(
        self,
        asked: Asked,
        picks: Sequence[Pick],
        rows: np.ndarray,
        passages: Sequence[Passage],
        query_vector: np.ndarray,
    ) -> np.ndarray:
        """The question's features (`features.QUESTION`) given its scored candidates (best
        first)."""
        # a candidate gives every number asked, itself or by its paragraph's or title's year
        gives = not asked.numbers or bool((rows[:, SENTENCE.index("numbers_missing")] == 0).any())
        centroid = self.centroid()
        unit = query_vector / (np.linalg.norm(query_vector) + 1e-12)
        mean, own = 0.0, 1.0  # (a corpus without vectors, or a query of another embedder)
        if centroid is not None and len(centroid) == len(unit):
            # the mean cosine of the question to the chunks, and of the chunks to one another
            mean, own = float(unit @ centroid), float(centroid @ centroid)
        off = bool(picks) and self.terms.off_document(asked, passages[picks[0].passage])
        return question_features(asked, rows, self.terms.holds(passages), gives, mean, own, off)

    def write(
        self,
        question: str,
        query: str,
        query_vector: np.ndarray,
        passages: Sequence[Passage],
        intent: Intent = NO_INTENT,
        asked: Asked | None = None,
    ) -> Written:
        """The sentences that answer, best first; none when the refusal model finds that
        the passages do not answer. `asked`: the question already read (else read here)."""
        asked = asked or self.understand(question, query)
        picks, rows = self.scored(asked, query_vector, passages, intent)
        verdict = self.verdict(asked, picks, rows, passages, query_vector)
        row = judged_row(verdict, rows[0] if len(rows) else None)
        chance = float(self.judge.refusal.prob(row, JUDGED)[0])
        if not picks or chance >= self.refuse_at:
            return Written([], round(1 - chance, 4), reason(asked, row, chance))
        if asked.defined:  # a definition names what it defines
            picks = defining(picks, passages, set(asked.defined), self.lexical.expand, 0.0)
        named = intent.scenario_ids if len(intent.scenario_ids) > 1 else ()
        chosen = choose(picks, passages, named, 0.0, self.keep, MAX_SENTENCES)
        listed = with_lists(chosen, picks, passages, self.lexical.store.get_text)
        return Written(listed, round(1 - chance, 4))
