"""Pure data passed between the pipeline stages; no behaviour beyond small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["scenario", "diagnostic", "method"]
KINDS: tuple[str, ...] = ("scenario", "diagnostic", "method")


@dataclass(frozen=True)
class PageSpan:
    """Page `page` (1-based) of a PDF covers canonical text [start, end)."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class LoadedText:
    """What a loader extracts from one file: the canonical text and what it knows about it."""

    text: str
    fmt: str
    pages: tuple[PageSpan, ...] = ()
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    body_start: int = 0  # where content starts, after any front matter
    headings: tuple[int, ...] = ()  # starts of lines set apart (bold, larger font): hints


@dataclass(frozen=True)
class Scenario:
    """One scenario of a scenario text: its number in the text, a stable id, its title."""

    number: int
    id: str
    title: str


@dataclass(frozen=True)
class Segment:
    """A stretch of canonical text with one structural address; chunks never cross one."""

    start: int
    end: int
    section: str
    scenario: Scenario | None = None
    page: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A span [start, end) of a document's canonical text, with its metadata."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    section: str
    scenario: Scenario | None = None
    page: int | None = None


@dataclass(frozen=True)
class DocumentRecord:
    """A stored document version, as listed by `assistant sources`."""

    doc_id: str
    source: str
    path: str
    kind: str
    title: str
    fmt: str
    content_hash: str
    version: str
    chunks: int
    ingested_at: str
    scenarios: tuple[Scenario, ...] = ()
    pages: tuple[PageSpan, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its rank and score."""

    rank: int
    score: float
    chunk_id: str
    doc_id: str
    source: str
    kind: str
    scenario: Scenario | None
    section: str
    start: int
    end: int
    text: str
    page: int | None = None


LABELS = {"diagnostic": "constat", "scenario": "hypothèse", "method": "méthode"}
VERDICTS = ("supported", "weak", "unsupported")


@dataclass(frozen=True)
class Citation:
    """An exact span of a retrieved chunk backing a sentence; quote == text[start:end]."""

    n: int
    chunk_id: str
    doc_id: str
    source: str
    kind: str
    scenario: Scenario | None
    section: str
    start: int
    end: int
    quote: str
    page: int | None = None

    @property
    def label(self) -> str:
        """*constat* for diagnostics, *hypothèse* for scenarios, *méthode* for the method."""
        return LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer or draft, with its citation numbers and checked support."""

    text: str
    citations: tuple[int, ...]
    support: float
    verdict: str
    label: str = ""  # where the quote stands ("Scénario 2 — Limites"); "" from an LLM
    added: bool = False  # a quote added after a generated answer, which left it out


@dataclass(frozen=True)
class Answer:
    """A grounded answer: sentences tied to citations, or an honest refusal."""

    question: str
    language: str
    answerable: bool
    answer: str
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    dropped_citations: int = 0  # ids the generator invented or that were not retrieved
    confidence: float | None = None  # extractive writer: the chance the sources answer it
    declined: str = ""  # why the answer is a refusal (for evaluators), empty otherwise
    note: str = ""  # shown with the answer: e.g. the language model failed, quotes instead
    removed_sentences: int = 0  # generated sentences the cited passages did not support
    cut_sentences: int = 0  # of those, the unfinished last one of a reply cut at its limit

    @property
    def added_sentences(self) -> int:
        """Quotes added after a generated answer, which left them out (`tasks.left_out`)."""
        return sum(s.added for s in self.sentences)
