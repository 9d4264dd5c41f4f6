"""Shared set-up for the workshop tests: the bundled corpus ingested once per module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.citations import SupportChecker
from assistant.config import Settings
from assistant.retrieval import Retriever
from assistant.store import ChromaStore
from assistant.tasks.extractive import ExtractiveWriter
from assistant.types import Citation
from assistant.wiring import make_embedder, make_ingestor, make_retriever, make_store

from .conftest import CORPUS


@dataclass
class Wired:
    """A store holding the bundled corpus, and the pieces the tasks take."""

    settings: Settings
    store: ChromaStore
    retriever: Retriever
    extractive: ExtractiveWriter
    checker: SupportChecker


def wire(home: Path, model: str = "fake") -> Wired:
    """Ingest the bundled corpus into a fresh store at `home` and wire the tasks over it."""
    settings = Settings(home=home, embedding_model=model)
    embedder = make_embedder(settings)
    store = make_store(settings, embedder)
    report = make_ingestor(settings, store, embedder).run([CORPUS])
    assert not report.failed and len(report.ingested) == 6
    retriever = make_retriever(settings, store, embedder)
    extractive = ExtractiveWriter(embedder, retriever.lexical)
    checker = SupportChecker(embedder=embedder, idf=retriever.lexical.idf)
    return Wired(settings, store, retriever, extractive, checker)


def assert_exact(store: ChromaStore, citations: list[Citation] | tuple[Citation, ...]) -> None:
    """Every quote is the canonical text at its span (and the file's own text for .md)."""
    assert citations
    for c in citations:
        text = store.get_text(c.doc_id)
        assert text is not None and text[c.start : c.end] == c.quote, c
        if c.source.endswith(".md"):
            assert Path(c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
