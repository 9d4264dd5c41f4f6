"""The ChatModel seam: an OpenAI-compatible streaming client and a fake (local llama.cpp is
`llama_chat.py`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from .errors import AssistantError
from .llm_stream import ChatStream, finish_reason

__all__ = ["ChatStream", "finish_reason"]  # re-exported: the writers read them from here

if TYPE_CHECKING:
    from .config import Settings

Messages = list[dict[str, str]]

_SERVER_MESSAGE_CHARS = 200


class LLMError(AssistantError):
    """The chat model failed: server down, timeout, HTTP error or malformed response."""


class LLMTimeout(LLMError):
    """The chat model did not answer in time."""


class ChatModel(Protocol):
    """A chat model that streams its reply as text deltas."""

    name: str

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.0
    ) -> Iterator[str]:
        """Yield the reply to `messages` piece by piece (a `ChatStream` says why it ended)."""
        ...


def complete(
    model: ChatModel, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.0
) -> str:
    """The whole reply of `model` to `messages`."""
    return "".join(model.stream(messages, max_tokens=max_tokens, temperature=temperature))


def _display_url(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def one_line(text: str, limit: int = _SERVER_MESSAGE_CHARS) -> str:
    """`text` on one line, cut at `limit` characters (a server's message in ours)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OpenAIChat:
    """Any OpenAI-compatible `/chat/completions` server (Ollama, vLLM, llama.cpp, OpenAI)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = model
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self._api_key = api_key or None
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._transport = transport
        self._where = f"the chat server at {_display_url(self.base_url)}"

    def __repr__(self) -> str:
        # Never show the API key.
        return f"OpenAIChat(base_url={_display_url(self.base_url)!r}, model={self.model!r})"

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.0
    ) -> ChatStream:
        """POST the messages with `stream: true`; the content deltas, then the finish reason."""
        return ChatStream(lambda reply: self._stream(reply, messages, max_tokens, temperature))

    def _stream(
        self, reply: ChatStream, messages: Messages, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        payload = dict(model=self.model, messages=messages, stream=True)
        payload.update(max_tokens=max_tokens, temperature=temperature)
        headers = {"Accept": "text/event-stream, application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            with (
                httpx.Client(timeout=self._timeout, transport=self._transport) as client,
                client.stream("POST", self.url, json=payload, headers=headers) as response,
            ):
                if response.status_code >= 400:
                    response.read()
                    raise LLMError(self._http_error(response))
                if response.headers.get("content-type", "").startswith("application/json"):
                    # A server that ignores `stream` and answers with one JSON object.
                    yield self._whole(reply, response.read())
                    return
                yield from self._events(reply, response.iter_lines())
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise LLMError(
                f"invalid chat server URL {_display_url(self.base_url)!r}: set "
                "ASSISTANT_LLM_BASE_URL to e.g. http://127.0.0.1:11434/v1"
            ) from None
        except httpx.ConnectError as exc:
            reason = "connection refused" if "refused" in str(exc).lower() else "connection failed"
            raise LLMError(
                f"cannot reach {self._where}: {reason} — start it or set ASSISTANT_LLM_BASE_URL"
            ) from None
        except httpx.TimeoutException:
            raise LLMTimeout(
                f"{self._where} did not answer within {self._timeout.read:g} s — "
                "check it or raise ASSISTANT_LLM_TIMEOUT"
            ) from None
        except httpx.HTTPError as exc:
            raise LLMError(f"{self._where} failed: {type(exc).__name__}") from None

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def _http_error(self, response: httpx.Response) -> str:
        detail = response.reason_phrase or "error"
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        found = _error_message(body)
        if found:
            detail = one_line(self._redact(found))
        hint = " — check ASSISTANT_LLM_API_KEY" if response.status_code in (401, 403) else ""
        return f"{self._where} returned HTTP {response.status_code}: {detail}{hint}"

    def _malformed(self, what: str) -> LLMError:
        return LLMError(f"malformed response from {self._where}: {what}")

    def _parse(self, raw: str | bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw)
        except ValueError:
            raise self._malformed("not JSON") from None
        if not isinstance(data, dict):
            raise self._malformed("not a JSON object")
        found = _error_message(data)
        if found:
            raise LLMError(f"{self._where} reported an error: {one_line(self._redact(found))}")
        return data

    def _whole(self, reply: ChatStream, raw: bytes) -> str:
        data = self._parse(raw)
        try:
            content = data["choices"][0]["message"]["content"]
            reply.finished(data["choices"][0].get("finish_reason"))
        except (KeyError, IndexError, TypeError, AttributeError):
            raise self._malformed("no choices[0].message.content") from None
        if content is not None and not isinstance(content, str):
            raise self._malformed("message content is not text")
        return content or ""

    def _events(self, reply: ChatStream, lines: Iterable[str]) -> Iterator[str]:
        seen = False
        for line in lines:
            if not line.startswith("data:"):
                continue  # blank separators, `: comments`, `event:` and `id:` lines
            seen = True
            data = line[5:].strip()
            if data == "[DONE]":
                return
            chunk = self._parse(data)
            choices = chunk.get("choices")
            if not choices:
                continue  # e.g. a final usage-only chunk
            try:
                reply.finished(choices[0].get("finish_reason"))
                content = choices[0].get("delta", {}).get("content")
            except (AttributeError, IndexError, TypeError, KeyError):
                raise self._malformed("no choices[0].delta") from None
            if content is not None and not isinstance(content, str):
                raise self._malformed("delta content is not text")
            if content:
                yield content
        if not seen:
            raise self._malformed(
                "no chat completion events — is ASSISTANT_LLM_BASE_URL the /v1 endpoint?"
            )


def _error_message(body: object) -> str | None:
    """The server's error text from an OpenAI-style (or similar) JSON error body."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    if "choices" not in body:  # Some servers put the text at the top level.
        error = error or body.get("message") or body.get("detail")
    return error if isinstance(error, str) and error else None


class ScriptedChat:
    """A deterministic fake: replies from a queue, records every message list it received."""

    def __init__(self, replies: Iterable[str | Exception] = (), *, name: str = "scripted") -> None:
        self.name = name
        self.replies: list[str | Exception] = list(replies)
        self.history: list[Messages] = []

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.0
    ) -> Iterator[str]:
        """Record `messages`, then yield the next queued reply word by word."""
        self.history.append([dict(message) for message in messages])
        if not self.replies:
            raise LLMError("the scripted chat model has no reply left")
        return _pieces(self.replies.pop(0))


def _pieces(reply: str | Exception) -> Iterator[str]:
    # Raised while iterating, like a real server failing mid-request.
    if isinstance(reply, Exception):
        raise reply
    yield from re.findall(r"\s*\S+|\s+", reply)


def make_chat_model(settings: Settings) -> ChatModel:
    """The chat model named by `settings.answerer`."""
    if settings.answerer == "openai":
        return OpenAIChat(
            settings.llm_base_url,
            settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
        )
    if settings.answerer == "llamacpp":
        from .llama_chat import LlamaCppChat
        from .local_llm import is_prepared

        packaged = settings.llm_gguf if is_prepared(settings.llm_gguf) else None
        return LlamaCppChat(settings.llm_model_path or packaged)
    raise AssistantError(f"the {settings.answerer!r} answerer has no chat model")
