"""What is indexed for a chunk besides its own text: its address (document title, scenario,
heading path or part), in the BM25 text and, shorter, in the embedded text. The stored
chunk text, and so every quote and its span, stays the source's own text."""

from __future__ import annotations

from .structure import fold
from .types import Chunk, DocumentRecord, Scenario

EMBEDDED_TEXT = "1"  # bump when what is embedded for a chunk changes (a new index name)
ENCODING = "cl100k_base"  # the tokenizer that sizes chunks (part of the index name)
PIPELINE_VERSION = "2"  # bump when loaders or structure change what a file turns into
SECTION_LABELS = {
    "narrative": "Récit",
    "levers": "Leviers",
    "interest": "Intérêt",
    "limits": "Limites",
}


def chunk_context(title: str, section: str, scenario: Scenario | None) -> str:
    """A chunk's address, each part once: document title, scenario, heading path or part."""
    parts = [title]
    if scenario is not None:
        parts.append(f'Scénario {scenario.number} "{scenario.title}"')
    parts += SECTION_LABELS.get(section, section).split(" > ")
    unique: dict[str, str] = {}
    for part in (p.strip() for p in parts):
        unique.setdefault(fold(part), part)
    return " — ".join(p for p in unique.values() if p)


def embedding_head(title: str, section: str, scenario: Scenario | None) -> str:
    """The short address embedded before a chunk's text (and before each of its sentences,
    `sentence_index.py`): the scenario and its part, else the document title and heading."""
    label = SECTION_LABELS.get(section, section)
    if scenario is not None:
        return f'Scénario {scenario.number} "{scenario.title}" — {label}'
    return f"{title} — {label}" if label else title


def embedding_text(record: DocumentRecord, chunk: Chunk) -> str:
    """What the model sees for a chunk: its address (scenario, section) then its text.

    BM25 indexes the fuller `chunk_context`; embedding the document title with every
    scenario chunk measured worse (dense recall@5 on the suite 0.942 -> 0.890). Only what
    is embedded and indexed carries an address: the stored chunk text, and so every quote
    and its span, stays the source's own text."""
    return f"{embedding_head(record.title, chunk.section, chunk.scenario)}\n{chunk.text}"
