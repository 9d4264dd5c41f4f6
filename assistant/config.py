"""One settings tree, read from `ASSISTANT_*` environment variables; the settings are the docs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "multilingual-e5-small"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "scenario-assistant"


class Settings(BaseSettings):
    """Every knob of the assistant; each is also an `ASSISTANT_<NAME>` environment variable."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid")

    home: Path = Field(
        default=Path(".assistant"),
        description="Store folder (Chroma data, workshop data); `--store` overrides it.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); local folder if unset.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where prepared models and offline tokenizer files live (shared by stores).",
    )
    embedding_model: str = Field(
        default=DEFAULT_MODEL,
        description=(
            f"'{DEFAULT_MODEL}' (prepared by `assistant models prepare`), 'fake' (hashing, "
            "for tests), or a sentence-transformers folder path or cached model name."
        ),
    )
    embedding_backend: Literal["onnx", "torch"] = Field(
        default="onnx",
        description=(
            f"Runtime of '{DEFAULT_MODEL}': 'onnx' (ONNX Runtime, int8, exported by `assistant "
            "models prepare`; no torch at query time, faster start and queries) or 'torch' "
            "(sentence-transformers on torch, int8 when `quantize`). Each has its own index: "
            "switching means ingesting again. Other models always run on torch."
        ),
    )
    quantize: bool = Field(
        default=True,
        description=(
            "Run the torch backend's linear layers in int8 on the CPU (faster); the 'onnx' "
            "backend is always int8."
        ),
    )
    embed_batch_size: int = Field(
        default=32,
        ge=1,
        le=512,
        description=(
            "Texts per model call. The int8 model scales its activations per call, so a "
            "passage's vector depends a little on its batchmates (cosine >= 0.998): another "
            "size moves retrieval figures by a question or two; the evaluation gives a "
            "variant of another size its own stores."
        ),
    )
    embed_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description=(
            "Threads of one embedding call (0: one per core); `serve --threads` sets it for "
            "the web app, where many small calls run at once."
        ),
    )
    embed_spinning: bool = Field(
        default=False,
        description=(
            "Let ONNX Runtime's embedding threads spin while waiting for work (faster only on "
            "an idle machine; on a busy one, or under a burst of questions, spinning threads "
            "burn the CPU the other threads need)."
        ),
    )
    sentence_index: bool = Field(
        default=True,
        description=(
            "Embed every sentence of every chunk, after its chunk's address, when documents "
            "are ingested, and fuse a ranking of chunks by their best sentence into retrieval "
            "(real-dev recall@5 0.943 -> 0.971). It more than doubles the embedding work of "
            "an ingest: false keeps ingest at the chunks alone, with two rankings."
        ),
    )
    query_batch_ms: float = Field(
        default=3.0,
        ge=0,
        le=100,
        description=(
            "The web app embeds a lone question at once; questions that arrive while one is "
            "being embedded share the next model call, which waits up to this many "
            "milliseconds for more (0: each on its own)."
        ),
    )
    query_batch_size: int = Field(
        default=32, ge=1, le=256, description="Most questions embedded in one such call."
    )
    app_concurrency: int = Field(
        default=0,
        ge=0,
        le=256,
        description=(
            "Questions the web app works on at once (Gradio queue concurrency of `/ask` and "
            "the chat together); 0: four per core, so that a burst's query embeddings meet "
            "in one model call while the cores stay busy."
        ),
    )
    serve_warm_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description=(
            "Before the web app starts listening it embeds the sentences of the indexed "
            "passages (what an answer computes the first time it quotes a passage), on every "
            "core, for up to this many seconds, so that a burst of questions right after "
            "start does not wait for it; the rest is embedded in the background while it "
            "serves (0: all in the background)."
        ),
    )
    chunk_tokens: int = Field(
        default=250,
        ge=16,
        le=480,
        description="Chunk size in tiktoken (cl100k) tokens (about 1,000 French characters).",
    )
    chunk_overlap: int = Field(
        default=40, ge=0, le=200, description="Overlap between chunks of one section, in tokens."
    )
    max_file_mb: float = Field(
        default=50.0, gt=0, description="Files larger than this are refused at ingest."
    )
    max_file_chars: int = Field(
        default=2_000_000,
        ge=1000,
        description="A file whose text has more characters than this is refused at ingest.",
    )
    max_line_chars: int = Field(
        default=20_000,
        ge=100,
        description=(
            "A file with a longer line (a paragraph, a PDF text line, a CSV row) is refused "
            "at ingest; such lines are machine output, and cost minutes to split."
        ),
    )
    max_paragraphs: int = Field(
        default=100_000,
        ge=10,
        description="A DOCX with more paragraphs than this is refused (counted before reading).",
    )
    max_pages: int = Field(
        default=2_000, ge=1, description="A PDF with more pages than this is refused at ingest."
    )
    max_chunks_per_file: int = Field(
        default=4_000,
        ge=1,
        description="A file cut into more chunks than this is refused, before any embedding.",
    )
    max_file_seconds: float = Field(
        default=60.0,
        gt=0,
        description=(
            "Time allowed to load and chunk one file (embedding excluded: it is bounded by "
            "max_chunks_per_file); a file still being read after this is refused."
        ),
    )
    answerer: Literal["extractive", "openai", "llamacpp"] = Field(
        default="extractive",
        description=(
            "Who writes answers: 'extractive' (no LLM, quotes the sources), 'openai' (any "
            "OpenAI-compatible chat server) or 'llamacpp' (a local GGUF model, optional extra)."
        ),
    )
    llm_base_url: str = Field(
        default="http://127.0.0.1:11434/v1",
        description="Base URL of the OpenAI-compatible chat server (Ollama, vLLM, llama.cpp).",
    )
    llm_model: str = Field(default="qwen2.5:1.5b-instruct", description="Chat model name.")
    llm_api_key: str | None = Field(
        default=None, description="API key for the chat server, sent as a Bearer token."
    )
    llm_timeout: float = Field(
        default=60.0,
        gt=0,
        description=(
            "Seconds a generated answer may take, whole; past it (or on any model failure) "
            "the extractive answer is given instead, with a note saying so."
        ),
    )
    llm_draft_timeout: float = Field(
        default=240.0,
        gt=0,
        description=(
            "Seconds the model may take to write one section of the draft, whole; past it "
            "(or on any model failure) the section's quotes are given, with a note saying so."
        ),
    )
    llm_add_quotes: bool = Field(
        default=True,
        description=(
            "After a generated answer, quote verbatim (marked as added) the extractive "
            "answer's sentences it does not restate: a figure it dropped, a sentence it "
            "left out. Off: the model's checked sentences only."
        ),
    )
    llm_model_path: Path | None = Field(
        default=None,
        description=(
            "GGUF file for the 'llamacpp' answerer (default: the packaged model, once "
            "prepared by `assistant models prepare --llm`)."
        ),
    )

    facilitator_password: str | None = Field(
        default=None,
        description=(
            "Password of the app's facilitator and corpus views; if unset, one is generated "
            "at first start, printed once and kept in `<store>/facilitator-password`."
        ),
    )
    max_upload_mb: float = Field(
        default=20.0, gt=0, description="Largest file the web app accepts for upload."
    )
    evaluator_password: str | None = Field(
        default=None,
        description=(
            "Password of the app's evaluation view over every answer and the draft (the "
            "facilitator's opens it too); if unset, one is generated at first start, printed "
            "once and kept in `<store>/evaluator-password`."
        ),
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins in a row after which a client is locked out."
    )
    login_lockout_seconds: float = Field(
        default=60.0,
        gt=0,
        description=(
            "How long a client is locked out after too many failed logins (doubled at each "
            "new lockout, up to 16 times); even the right password is refused meanwhile."
        ),
    )
    upload_budget_mb: float = Field(
        default=100.0,
        gt=0,
        description="Most a client (IP address) may upload to the web app in one hour, in MB.",
    )
    cache_max_age_seconds: int = Field(
        default=3600,
        ge=1,
        description=(
            "Gradio's temporary files (uploads, downloads) older than this are deleted "
            "(checked every half of it), and all of them when the app stops."
        ),
    )
    max_query_chars: int = Field(
        default=2000,
        ge=10,
        description="Longest search query or comparison aspect, in characters (CLI and app).",
    )
    max_aspects: int = Field(
        default=8,
        ge=0,
        description="Most free aspects in one comparison (the four scenario parts not counted).",
    )

    @property
    def answer_concurrency(self) -> int:
        """`app_concurrency`, or four per core when it is 0."""
        return self.app_concurrency or 4 * (os.cpu_count() or 1)

    @property
    def models_dir(self) -> Path:
        """Folder of prepared embedding models."""
        return self.data_dir / "models"

    @property
    def llm_gguf(self) -> Path:
        """The packaged local chat model, assembled by `assistant models prepare --llm`."""
        from .local_llm import LLM_FILENAME

        return self.models_dir / LLM_FILENAME

    @property
    def tiktoken_dir(self) -> Path:
        """Folder that tiktoken reads its BPE files from."""
        return self.data_dir / "tiktoken"


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. from the command line)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
