"""The one place that turns Settings into concrete objects."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DEFAULT_MODEL, Settings
from .corrections import FILE_NAME as CORRECTIONS_FILE
from .corrections import CorrectionBook
from .embeddings import Embedder, HashEmbedder, SentenceTransformerEmbedder
from .errors import ModelNotReady
from .indexed import EMBEDDED_TEXT, ENCODING, PIPELINE_VERSION

# Imported where used, so that `sources`, `quote` or `box show` start without the ingest
# pipeline, BM25 or the answerer (tests/test_cli_startup.py checks what a command imports).
if TYPE_CHECKING:
    from .ingest import IngestCallbacks, Ingestor
    from .retrieval import Retriever
    from .store import ChromaStore
    from .tasks.answer import AskTask
    from .ui.services import Services


def offline_environment() -> None:
    """Nothing may reach a model hub or send analytics at run time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def make_embedder(settings: Settings) -> Embedder:
    """The embedder named by the settings (the model itself loads on first use)."""
    offline_environment()
    name = settings.embedding_model
    if name == "fake":
        return HashEmbedder()
    if name == DEFAULT_MODEL:
        from .e5_model import is_prepared

        path = settings.models_dir / DEFAULT_MODEL
        if not is_prepared(path):
            raise ModelNotReady(
                f"the embedding model is not prepared in {path}: run `assistant models prepare`"
            )
        if settings.embedding_backend == "onnx":
            return _onnx_embedder(settings, path)
        model: str | Path = path
    else:
        model = Path(name) if Path(name).exists() else name
    suffix = "-int8" if settings.quantize else ""
    return SentenceTransformerEmbedder(
        model,
        name=f"{Path(name).name}{suffix}",
        batch_size=settings.embed_batch_size,
        quantize=settings.quantize,
    )


def _onnx_embedder(settings: Settings, source: Path) -> Embedder:
    """The int8 ONNX build of the prepared e5 folder (see `e5_onnx.py`)."""
    from .e5_onnx import OnnxEmbedder, is_onnx_prepared, onnx_dir
    from .e5_onnx_session import optimized_dir

    folder = onnx_dir(settings.models_dir, DEFAULT_MODEL)
    if not is_onnx_prepared(folder, source):
        raise ModelNotReady(
            f"the ONNX embedding model is not prepared in {folder}: run `assistant models "
            "prepare` (or set ASSISTANT_EMBEDDING_BACKEND=torch)"
        )
    return OnnxEmbedder(
        folder,
        name=f"{DEFAULT_MODEL}-onnx-int8",
        batch_size=settings.embed_batch_size,
        threads=settings.embed_threads,
        spinning=settings.embed_spinning,
        optimized=optimized_dir(folder),
    )


def index_name(settings: Settings, embedder: Embedder) -> str:
    """Collection name derived from the model and chunking, so vectors never mix."""
    key = "|".join(
        [
            embedder.name,
            ENCODING,
            str(settings.chunk_tokens),
            str(settings.chunk_overlap),
            PIPELINE_VERSION,
            *([EMBEDDED_TEXT] if EMBEDDED_TEXT != "1" else []),  # "1" predates the key
        ]
    )
    return f"chunks-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def make_store(settings: Settings, embedder: Embedder) -> ChromaStore:
    """The store for this model and chunking, on a Chroma server or in the store folder."""
    from .store import ChromaStore, open_client

    client = open_client(settings.home / "chroma", settings.chroma_url)
    return ChromaStore(client, index_name(settings, embedder))


def make_ingestor(settings: Settings, store: ChromaStore, embedder: Embedder) -> Ingestor:
    """An ingestor with the splitter the settings describe."""
    from .budget import Limits
    from .chunking import make_splitter, prepare_tiktoken
    from .ingest import Ingestor

    prepare_tiktoken(settings.tiktoken_dir)
    split = make_splitter(settings.chunk_tokens, settings.chunk_overlap)
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    limits = Limits(
        max_bytes=max_bytes,
        max_chars=settings.max_file_chars,
        max_line_chars=settings.max_line_chars,
        max_paragraphs=settings.max_paragraphs,
        max_pages=settings.max_pages,
        max_chunks=settings.max_chunks_per_file,
        seconds=settings.max_file_seconds,
    )
    book = CorrectionBook(settings.home / CORRECTIONS_FILE)
    return Ingestor(store, embedder, split, max_bytes=max_bytes, limits=limits, corrections=book)


def make_retriever(
    settings: Settings, store: ChromaStore, embedder: Embedder, *, server: bool = False
) -> Retriever:
    """Hybrid retrieval over the store, its BM25 index kept in `<store>/lexical/`, its
    sentence vectors in `<store>/sentences/`; `server`: the web app's, whose searches never
    embed sentences another process left to do (`SentenceIndex.background`)."""
    from .lexical import LexicalIndex
    from .retrieval import Retriever
    from .sentence_index import SentenceIndex

    lexical = LexicalIndex(store, settings.home / "lexical" / store.name)
    sentences = None
    if settings.sentence_index:
        folder = settings.home / "sentences" / store.name
        sentences = SentenceIndex(lexical, embedder, folder, background=server)
    return Retriever(store, embedder, lexical, sentences=sentences)


def open_retriever(settings: Settings) -> Retriever:
    """The embedder, store and retriever the settings name (reachable from the retriever)."""
    embedder = make_embedder(settings)
    return make_retriever(settings, make_store(settings, embedder), embedder)


def make_ask_task(settings: Settings, retriever: Retriever) -> AskTask:
    """The `ask` use case with the answerer the settings name."""
    from .citations import SupportChecker
    from .tasks.answer import AskTask
    from .tasks.extractive import ExtractiveWriter

    checker = SupportChecker(embedder=retriever.embedder, idf=retriever.lexical.idf)
    extractive = ExtractiveWriter(retriever.embedder, retriever.lexical)
    generated = None
    if settings.answerer != "extractive":
        from .llm import make_chat_model
        from .tasks.generated import GeneratedWriter

        generated = GeneratedWriter(
            make_chat_model(settings), checker, timeout=settings.llm_timeout
        )
    return AskTask(retriever, extractive, generated, checker, add_quotes=settings.llm_add_quotes)


def make_services(settings: Settings, announce: Callable[[str], None] = print) -> Services:
    """Everything the web app needs, built once (the model loads on first use)."""
    from .batching import QueryBatcher
    from .journal import Journal
    from .ui.services import Services, evaluator_password, facilitator_password

    embedder = make_embedder(settings)
    store = make_store(settings, embedder)
    # a burst of questions: their query embeddings share model calls (see `batching.py`)
    queries = QueryBatcher(
        embedder, wait_ms=settings.query_batch_ms, max_batch=settings.query_batch_size
    )
    retriever = make_retriever(settings, store, queries, server=True)

    def new_ingestor(callbacks: IngestCallbacks) -> Ingestor:
        ingestor = make_ingestor(settings, store, embedder)
        ingestor.callbacks = callbacks
        return ingestor

    return Services(
        settings=settings,
        store=store,
        retriever=retriever,
        asker=make_ask_task(settings, retriever),
        new_ingestor=new_ingestor,
        journal=Journal(settings.home / "journal.db"),
        password=facilitator_password(settings, announce),
        evaluator_password=evaluator_password(settings, announce),
    )
