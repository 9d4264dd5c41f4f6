"""The Embedder seam: sentence-transformers models, and a deterministic fake for tests."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .structure import fold

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Vectors = list[list[float]]


class Embedder(Protocol):
    """Turns texts into unit vectors; queries and passages may be embedded differently."""

    name: str

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        """Embed a batch of texts (query=True for search queries)."""
        ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model folder or cached name, loaded once, on first use."""

    def __init__(
        self, model: str | Path, *, name: str, batch_size: int = 32, quantize: bool = False
    ) -> None:
        self.model_path = str(model)
        self.name = name
        self.batch_size = batch_size
        self.quantize = quantize
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
                if self.quantize:
                    from .e5_model import quantize_for_cpu

                    model = quantize_for_cpu(model)
                self._model = model
            return self._model

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        """Embed with the model's own `query`/`passage` prompts when it defines them."""
        if not texts:
            return []
        model = self._load()
        prompt = "query" if query else "passage"
        vectors = model.encode(
            list(texts),
            prompt_name=prompt if prompt in model.prompts else None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).tolist()  # type: ignore[no-any-return]


_WORD = re.compile(r"\w+")


class HashEmbedder:
    """A fast, deterministic fake: hashed bag of accent-folded words and word pairs."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float32)
        words = [w for w in _WORD.findall(fold(text)) if len(w) > 2]
        for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
            digest = hashlib.blake2b(feature.encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            norm = 1.0
        return (vec / norm).tolist()  # type: ignore[no-any-return]

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        """Embed each text independently of the others."""
        return [self._vector(t) for t in texts]
