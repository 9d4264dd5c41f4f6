"""What the extractive writer knows of each retrieved passage's document: its address
(title, scenario, part or heading path), the terms the passage and the whole document hold
(where a name of the question may be found), and its page furniture (running headers and
footers, link lines, front matter), each remembered per version of the index."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..analysis import analyze
from ..indexed import chunk_context
from ..lexical import LexicalIndex
from ..types import Passage
from .features import Asked
from .quotable import Span, front_matter, furniture_lines, page_lines


@dataclass
class DocumentView:
    """The documents of the passages, as the writer reads them (thread-safe caches)."""

    lexical: LexicalIndex
    _page_lines: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    _front: tuple[str | None, frozenset[str]] = (None, frozenset())  # (version, labels)
    _holds: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # see `holds`
    _documents: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # see `document`
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def front_matter(self) -> frozenset[str]:
        """The corpus's front-matter labels ("éditeur"), learnt from every document's head
        (see `quotable.front_matter`); remembered per store state."""
        self.lexical.refresh()
        version = self.lexical.version
        if self._front[0] != version:
            store = self.lexical.store
            texts = [store.get_text(r.doc_id) or "" for r in store.records()]
            self._front = (version, front_matter(texts))
        return self._front[1]

    def noise(self, passage: Passage) -> list[Span]:
        """The running headers and footers, link lines and front matter of the passage's
        document, as spans of the passage's text (see `quotable.py`); remembered per
        document version."""
        key = (self.lexical.version, passage.doc_id)
        if key not in self._page_lines:
            store = self.lexical.store
            record, text = store.get_record(passage.doc_id), store.get_text(passage.doc_id)
            found = page_lines(text, record.pages) if record and text else []
            found += furniture_lines(text, self.front_matter()) if text else []
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

    def holds(self, passages: Sequence[Passage]) -> list[set[str]]:
        """The analysed terms of each passage with its address (document title, scenario,
        part): where a name of the question may be found."""
        out = []
        for p in passages:
            key = (self.lexical.version, p.chunk_id)
            if key not in self._holds:
                terms = set(self.lexical.expand(analyze(f"{self.address(p)} {p.source} {p.text}")))
                with self._lock:
                    if len(self._holds) > 5_000:
                        self._holds.clear()
                    self._holds[key] = terms
            out.append(self._holds[key])
        return out

    def document(self, p: Passage) -> set[str]:
        """The analysed terms of a passage's whole document (its title and text) and of the
        passage's address; remembered per document version."""
        key = (self.lexical.version, p.doc_id)
        if key not in self._documents:
            store = self.lexical.store
            record = store.get_record(p.doc_id)
            text = f"{record.title if record else ''} {p.source} {store.get_text(p.doc_id) or ''}"
            terms = set(self.lexical.expand(analyze(text)))
            with self._lock:
                if len(self._documents) > 1_000:
                    self._documents.clear()
                self._documents[key] = terms
        return self._documents[key] | self.holds([p])[0]

    def off_document(self, asked: Asked, passage: Passage) -> bool:
        """Whether a name of the question that the corpus mentions is missing from the whole
        document of `passage` (the best sentence's): the topic is there, the thing named is
        in another document ("la vallée de la Loire" asked of a study of the Seine)."""
        known = [n for n in asked.names if n and all(self.lexical.known(t) for t in n)]
        if not known:
            return False
        terms = self.document(passage)
        return any(not set(n) <= terms for n in known)

    def address(self, p: Passage) -> str:
        """A passage's address: its document's title, scenario and part or heading path."""
        record = self.lexical.store.get_record(p.doc_id)
        return chunk_context(record.title if record else "", p.section, p.scenario)
