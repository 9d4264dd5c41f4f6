"""A local GGUF model through llama-cpp-python (the optional `llamacpp` extra)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .llm import LLMError, Messages, one_line
from .llm_stream import ChatStream

_INSTALL_HINT = (
    "the 'llamacpp' answerer needs llama-cpp-python: pip install 'scenario-assistant[llamacpp]'"
)


class LlamaCppChat:
    """A local GGUF model through llama-cpp-python (optional extra), loaded on first use."""

    def __init__(self, model_path: Path | None, *, n_ctx: int = 4096, n_threads: int = 2) -> None:
        self._llama_cpp = _import_llama_cpp()
        if model_path is None:
            raise LLMError(
                "the 'llamacpp' answerer needs a GGUF file: set ASSISTANT_LLM_MODEL_PATH or "
                "run `assistant models prepare --llm`"
            )
        if not Path(model_path).is_file():
            raise LLMError(f"GGUF model file not found: {model_path}")
        self.model_path = Path(model_path)
        self.name = f"llamacpp:{self.model_path.name}"
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._llama: Any = None
        # One llama context cannot serve two generations at once.
        self._lock = threading.Lock()

    def _model(self) -> Any:
        if self._llama is None:
            try:
                self._llama = self._llama_cpp.Llama(
                    model_path=str(self.model_path),
                    n_ctx=self._n_ctx,
                    n_threads=self._n_threads,
                    verbose=False,
                )
            except Exception as exc:  # llama.cpp reports bad files with assorted types
                raise LLMError(
                    f"cannot load the GGUF model {self.model_path}: {one_line(str(exc))}"
                ) from None
        return self._llama

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.0
    ) -> ChatStream:
        """Generate locally: the content deltas, then the finish reason."""
        return ChatStream(lambda reply: self._generate(reply, messages, max_tokens, temperature))

    def _generate(
        self, reply: ChatStream, messages: Messages, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        with self._lock:
            try:
                chunks = self._model().create_chat_completion(
                    messages=messages, stream=True, max_tokens=max_tokens, temperature=temperature
                )
                for chunk in chunks:
                    reply.finished(chunk["choices"][0].get("finish_reason"))
                    content = chunk["choices"][0]["delta"].get("content")
                    if content:
                        yield str(content)
            except LLMError:
                raise
            except Exception as exc:  # e.g. a prompt longer than the context window
                raise LLMError(f"the local model failed: {one_line(str(exc))}") from None


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise LLMError(_INSTALL_HINT) from None
    return llama_cpp
