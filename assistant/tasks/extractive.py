"""The extractive writer: answers with the retrieved sentences themselves, no LLM.

Each sentence of each retrieved passage is scored against the question: embedding
similarity (question vs. sentence), the rarity-weighted share of the question's terms it
contains (its scenario title and section count), and its passage's similarity. The best
few become the answer, each one a verbatim quote. It declines when the best score is
under a threshold calibrated on the project's evaluation suite, or when the question names
a number or a place that none of the candidate sentences contains (a near miss: a figure
for another year or another territory).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..citations import numbers_of, sentence_spans
from ..embeddings import Embedder
from ..ingest import SECTION_LABELS
from ..intent import Intent
from ..language import detect
from ..lexical import LexicalIndex, analyze
from ..structure import fold
from ..types import Passage

# The best sentence must score this much, by question language; English questions on a
# French corpus share no words with it, so they score lower. Calibrated with `assistant eval`.
ANSWER_THRESHOLD = {"fr": 0.35, "en": 0.2}
MAX_SENTENCES = 3
FOREIGN_WORDS = 2  # a French question with this many words unknown to the corpus, making
FOREIGN_SHARE = 0.6  # at least this share of its words, is off-topic (see `assistant eval`)
_SCENARIO_NUMBER = re.compile(
    r"\bsc[eé]nari[oi]s?\s*(?:n[°o]\s*)?\d+(?:\s*(?:,|et|and|&)\s*\d+)*", re.I
)
_COUNTED = re.compile(
    r"\b(?:combien\s+(?:de|d['’])|nombre\s+(?:de|d['’])|how\s+many)\s*([a-zà-ÿ-]{3,})", re.I
)
_CALENDAR_WORDS = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december"
)
_ENGLISH_CALENDAR = frozenset(_CALENDAR_WORDS.split())
NO_INTENT = Intent()
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÀ-Ý][a-zà-ÿ]+(?:[-'][A-ZÀ-Ýa-zà-ÿ]+)*)")


@dataclass(frozen=True)
class Written:
    """What the writer chose, its best candidate's score, and why it declined (if it did)."""

    picks: list[Pick]
    best: float
    declined: str = ""


@dataclass(frozen=True)
class Pick:
    """A chosen sentence: passage index (0-based), span inside the passage text, score."""

    passage: int
    start: int
    end: int
    score: float


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
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence vectors, remembered across questions (passages recur in a workshop)."""
        found = {t: v for t in texts if (v := self._cache.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for text, vec in zip(missing, self.embedder.embed(missing, query=False), strict=True):
                v = np.asarray(vec, dtype=np.float32)
                found[text] = v / (np.linalg.norm(v) + 1e-12)
            with self._lock:  # the server warms the cache in a thread while it answers
                self._cache.update((t, found[t]) for t in missing)
                while len(self._cache) > 50_000:
                    self._cache.pop(next(iter(self._cache)))
        return np.stack([found[t] for t in texts])

    def warm(self, limit: int = 20_000, batch: int = 32) -> int:
        """Embed the sentences of the indexed chunks ahead of the questions (a server does
        this in the background at start); returns how many were embedded."""
        sentences = list(
            dict.fromkeys(t[s:e] for t in self.lexical.texts() for s, e in sentence_spans(t))
        )[:limit]
        todo = [t for t in sentences if t not in self._cache]
        for lo in range(0, len(todo), batch):
            self.vectors(todo[lo : lo + batch])
        return len(todo)

    def specifics(self, question: str) -> tuple[set[str], set[str]]:
        """Numbers (not scenario numbers), and capitalised names unknown to the corpus (any
        part of them), in the question; English day and month names are not names."""
        names = {
            word
            for word in _CAPITALISED.findall(question.strip())
            if analyze(word)
            and not all(self.lexical.known(t) for t in analyze(word))
            and fold(word).rstrip("s") not in _ENGLISH_CALENDAR
        }
        return numbers_of(_SCENARIO_NUMBER.sub(" ", question)), names

    def counted(self, question: str) -> list[str]:
        """What a French "combien de X" question counts, when the corpus never mentions X
        (an English word is unknown to a French corpus anyway)."""
        match = _COUNTED.search(question)
        if match is None or detect(question) != "fr":
            return []
        word = match.group(1)
        return [word] if analyze(word) and not self.lexical.known(analyze(word)[0]) else []

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
        spans = [(i, s, e) for i, p in enumerate(passages) for s, e in sentence_spans(p.text)]
        if not spans:
            return []
        sims = self.vectors([passages[i].text[s:e] for i, s, e in spans]) @ (
            query_vector / (np.linalg.norm(query_vector) + 1e-12)
        )
        picks = []
        for (i, s, e), sim in zip(spans, sims, strict=True):
            p, text = passages[i], passages[i].text[s:e]
            head = f"{p.scenario.title if p.scenario else ''} {SECTION_LABELS.get(p.section, '')}"
            own = set(analyze(text))
            found = own | set(analyze(head))
            lexical = sum(w for t, w in weights.items() if t in found) / total
            score = (
                self.w_sim * _clip((float(sim) - 0.78) / 0.12)
                + self.w_lex * lexical
                + self.w_passage * _clip((p.score - 0.78) / 0.12)
            )
            if len(text.split()) < 5 or not (text[0].isupper() or text[0] in '«"|(0123456789'):
                score *= 0.7  # a fragment: a table header, or a sentence cut by the chunk start
            if intent.scenario_ids and p.scenario and p.scenario.id not in intent.scenario_ids:
                score *= 0.6  # another scenario than the one asked about
            if intent.sections and p.scenario and p.section not in intent.sections:
                score *= 0.75  # another part of the scenario than the one asked for
            if focus and not focus & own:
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
        foreign = self.foreign(question) or self.counted(question)
        if self.counted(question) or (
            len(foreign) >= FOREIGN_WORDS and len(foreign) >= FOREIGN_SHARE * len(analyze(question))
        ):
            return Written([], best, f"the corpus never uses {', '.join(foreign)}")
        text = {id(k): passages[k.passage].text[k.start : k.end] for k in picks}
        if numbers:  # the figure asked about (a year, a value) must be in what we quote
            picks = [k for k in picks if numbers <= numbers_of(text[id(k)])]
            if not picks or picks[0].score < threshold * 0.8:
                return Written([], best, f"no passage gives {', '.join(sorted(numbers))}")
        chosen: list[Pick] = []
        seen: set[str] = set()
        for k in picks:
            key = " ".join(text[id(k)].split()).casefold()
            same_passage = sum(c.passage == k.passage for c in chosen)
            if k.score < max(threshold, self.keep * picks[0].score) or key in seen:
                continue
            if same_passage >= 2 or any(_overlaps(k, c) for c in chosen):
                continue
            chosen.append(k)
            seen.add(key)
            if len(chosen) == MAX_SENTENCES:
                break
        return Written(chosen, best)


def _overlaps(a: Pick, b: Pick) -> bool:
    return a.passage == b.passage and a.start < b.end and b.start < a.end
