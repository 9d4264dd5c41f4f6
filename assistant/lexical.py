"""BM25 over the active chunks, French-aware, persisted beside the store and kept in step.

Analysis (`analysis.py`): lower-case, Snowball French stemming, accents folded after stemming,
French and English stop words dropped. Scoring is `bm25s`. The index is rebuilt whole
from the store whenever the set of active document versions changes (its fingerprint),
which covers add, replace and prune alike, and is saved atomically in
`<store>/lexical/<index name>/` so the next process loads it instead of rebuilding.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from .analysis import analyze, in_a_row
from .glossary import acronyms
from .indexed import chunk_context
from .store import ChromaStore
from .store_meta import scenario_from_meta
from .types import Scenario

FORMAT = "3"  # bump when the analysis (`analysis.py`) changes, so stale indexes are rebuilt


@dataclass(frozen=True)
class LexicalHit:
    """A chunk found by BM25, with its text and store metadata."""

    chunk_id: str
    score: float
    text: str
    meta: dict[str, Any]


def fingerprint(store: ChromaStore) -> str:
    """A hash of the active document versions: it changes on every add, replace and prune."""
    versions = sorted(f"{r.doc_id}:{r.version}" for r in store.records())
    return hashlib.sha256("\n".join([FORMAT, *versions]).encode()).hexdigest()[:24]


class LexicalIndex:
    """BM25 over the store's active chunks, refreshed when the store changes."""

    def __init__(self, store: ChromaStore, folder: Path, *, check_every: float = 2.0) -> None:
        self.store = store
        self.folder = folder
        self.check_every = check_every
        self._checked_at = -math.inf
        self._fingerprint = ""
        self._bm25: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._metas: list[dict[str, Any]] = []
        self._df: dict[str, int] = {}
        self._scenarios: list[Scenario] = []
        self._sources: list[str] = []
        self._glossary: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()  # `snapshot` reads the chunks of one state
        # terms -> expanded, for the glossary they were expanded with (see `expand`)
        self._expanded: tuple[dict[str, tuple[str, ...]], dict[tuple[str, ...], tuple[str, ...]]]
        self._expanded = ({}, {})
        self._rows: dict[str, tuple[str, dict[str, Any]]] = {}
        # which chunks a filter admits, for the metadata list they were computed from
        self._masks: tuple[list[dict[str, Any]], dict[Hashable, np.ndarray]] = ([], {})

    # -- keeping in step ---------------------------------------------------------
    def refresh(self, *, force: bool = False) -> bool:
        """Load or rebuild the index if the store changed; True when it was (re)loaded."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_every:
            return False
        self._checked_at = now
        current = fingerprint(self.store)
        if current == self._fingerprint and not force:
            return False
        if not force and self._load(current):
            return True
        self._build(current)
        return True

    def _load(self, wanted: str) -> bool:
        meta_path = self.folder / "chunks.json"
        try:
            saved = json.loads(meta_path.read_text(encoding="utf-8"))
            if saved.get("fingerprint") != wanted:
                return False
            ids, texts, metas = saved["ids"], saved["texts"], saved["metas"]
            bm25 = bm25s.BM25.load(str(self.folder / "bm25"), show_progress=False) if ids else None
            self._set(wanted, bm25, ids, texts, metas)
        except Exception:  # missing, half-written or damaged in any way: rebuild
            return False
        return True

    def _build(self, current: str) -> None:
        ids, texts, metas = self.store.active_chunks()
        corpus = self._analyse(texts, metas)
        bm25: bm25s.BM25 | None = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index([c or ["\u2205"] for c in corpus], show_progress=False)
        self._set(current, bm25, ids, texts, metas, corpus)
        self._save(current)

    def _set(
        self,
        current: str,
        bm25: bm25s.BM25 | None,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, Any]],
        corpus: list[list[str]] | None = None,
    ) -> None:
        with self._lock:
            self._bm25, self._ids, self._texts, self._metas = bm25, ids, texts, metas
            self._rows = {i: (t, m) for i, t, m in zip(ids, texts, metas, strict=True)}
            self._fingerprint = current
        found = {
            str(m["scenario_id"]): scenario_from_meta(m) for m in metas if m.get("scenario_id")
        }
        self._scenarios = sorted((s for s in found.values() if s), key=lambda s: (s.number, s.id))
        self._sources = sorted({str(m.get("source", "")) for m in metas} - {""})
        if corpus is None:  # loaded from disk: analyse again (the index keeps ids, not terms)
            corpus = self._analyse(texts, metas)
        df: Counter[str] = Counter()
        for terms in corpus:
            df.update(set(terms))
        self._df = dict(df)
        self._glossary = {
            short[0]: tuple(full)
            for acronym, form in acronyms(texts).items()
            if len(short := analyze(acronym)) == 1 and (full := analyze(form))
        }

    def _analyse(self, texts: list[str], metas: list[dict[str, Any]]) -> list[list[str]]:
        """The terms BM25 indexes for each chunk: its address in its document, then its text."""
        titles = {r.doc_id: r.title for r in self.store.records()}
        return [
            analyze(f"{_context(m, titles.get(str(m.get('doc_id')), ''))}\n{t}")
            for t, m in zip(texts, metas, strict=True)
        ]

    def _save(self, current: str) -> None:
        """Write the index to a temporary folder, then swap it in (readers never see half)."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=self.folder.parent))
        try:
            if self._bm25 is not None:
                self._bm25.save(str(tmp / "bm25"), show_progress=False)
            payload = {
                "fingerprint": current,
                "ids": self._ids,
                "texts": self._texts,
                "metas": self._metas,
            }
            (tmp / "chunks.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
            old = self.folder.with_name(f".old-{self.folder.name}-{os.getpid()}")
            if self.folder.exists():
                os.replace(self.folder, old)
            os.replace(tmp, self.folder)
            shutil.rmtree(old, ignore_errors=True)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # a read-only store still answers from memory

    # -- reading -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def scenarios(self) -> list[Scenario]:
        """The scenarios of the indexed scenario texts, by number."""
        self.refresh()
        return list(self._scenarios)

    def sources(self) -> list[str]:
        """The sources of the indexed chunks."""
        self.refresh()
        return list(self._sources)

    def idf(self, term: str) -> float:
        """Inverse document frequency of an analysed term (high for rare terms, 0 if unseen)."""
        df = self._df.get(term, 0)
        if df == 0:
            return 0.0
        return math.log(1 + (len(self._ids) - df + 0.5) / (df + 0.5))

    @property
    def version(self) -> str:
        """The fingerprint of the store state the index reflects ("" before the first load)."""
        return self._fingerprint

    def known(self, term: str) -> bool:
        """Whether an analysed term occurs anywhere in the corpus."""
        return term in self._df

    def expand(self, terms: Sequence[str]) -> list[str]:
        """Analysed terms plus the other form of every acronym the corpus defines: "tad" adds
        "transport", "demand"; "transport", "demand" in a row add "tad"."""
        glossary, (owner, known) = self._glossary, self._expanded
        if owner is not glossary:  # the index was reloaded: its own expansions
            known = {}
            self._expanded = (glossary, known)
        key = tuple(terms)
        found = known.get(key)
        if found is None:
            extra: list[str] = []
            for short, full in glossary.items():
                if short in terms:
                    extra += full
                elif in_a_row(terms, full):
                    extra.append(short)
            found = (*terms, *(t for t in dict.fromkeys(extra) if t not in terms))
            if len(known) >= 8192:
                known.clear()
            known[key] = found
        return list(found)

    def search(
        self,
        query: str,
        k: int,
        accept: Callable[[dict[str, Any]], bool] | None = None,
        *,
        expand: bool = True,
        key: Hashable | None = None,
    ) -> list[LexicalHit]:
        """The k best chunks by BM25 whose metadata `accept` admits (acronyms expanded).

        With `key` naming what `accept` admits, which chunks it admits is remembered for
        the index as loaded (a filter applied again does not read every chunk again)."""
        self.refresh()
        terms = analyze(query)
        terms = [t for t in (self.expand(terms) if expand else terms) if t in self._df]
        if self._bm25 is None or not terms or k <= 0:
            return []
        mask = None
        if accept is not None:
            metas, (owner, masks) = self._metas, self._masks
            if owner is not metas:  # the index was reloaded: its own masks
                masks = {}
                self._masks = (metas, masks)
            mask = masks.get(key) if key is not None else None
            if mask is None or len(mask) != len(metas):
                mask = np.fromiter((accept(m) for m in metas), dtype=np.float32)
                if key is not None:
                    if len(masks) >= 64:
                        masks.clear()
                    masks[key] = mask
        scores = self._bm25.get_scores(terms, weight_mask=mask)
        order = np.argsort(-scores, kind="stable")[:k]
        return [
            LexicalHit(self._ids[i], float(scores[i]), self._texts[i], self._metas[i])
            for i in order
            if scores[i] > 0
        ]

    def snapshot(self) -> tuple[str, list[str], list[str], list[dict[str, Any]]]:
        """The index's version and the ids, texts and metadata of its chunks, of one state."""
        self.refresh()
        with self._lock:
            return self._fingerprint, list(self._ids), list(self._texts), list(self._metas)

    def texts(self) -> list[str]:
        """The texts of every indexed chunk."""
        self.refresh()
        return list(self._texts)

    def metas(self) -> list[dict[str, Any]]:
        """The store metadata of every indexed chunk."""
        self.refresh()
        return list(self._metas)

    def row(self, chunk_id: str) -> tuple[str, dict[str, Any]] | None:
        """The text and store metadata of an indexed chunk (a copy), or None; the index is
        not refreshed first (a chunk id names one version of a chunk: what is known of it
        stays true)."""
        found = self._rows.get(chunk_id)
        return None if found is None else (found[0], dict(found[1]))

    def texts_of(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """Texts of indexed chunks by id."""
        wanted = set(chunk_ids)
        return {i: t for i, t in zip(self._ids, self._texts, strict=True) if i in wanted}


def _context(meta: dict[str, Any], title: str) -> str:
    """The chunk's address, as BM25 indexes it (`indexed.chunk_context`)."""
    return chunk_context(title, str(meta.get("section") or ""), scenario_from_meta(meta))
