"""A loopback OpenAI-compatible chat server whose reply ends on an unfinished sentence.

The reply quotes the first sentence of passage 1 whole, then the start of the first
sentence of the last passage shown, cut mid-way, like a model stopped by its token limit
("… est mis en [2]"). The first path segment is the stream's `finish_reason`:
`/length/v1` for a reply cut at `max_tokens`, `/stop/v1` for the same text finished."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PASSAGE = re.compile(r'<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", " ".join(text.split()))[0]


def cut_reply(user: str) -> tuple[str, str]:
    """(the reply, its unfinished last sentence as the writer reads it: no marker, no
    space before a colon) for a prompt."""
    passages = _PASSAGE.findall(user)
    first = _first_sentence(passages[0][1]).rstrip(".") + "."
    number, text = passages[-1]
    words = _first_sentence(text).rstrip(".!?").split()
    unfinished = " ".join(words[: max(5, len(words) * 2 // 3)])
    return f"{first} [1]. {unfinished} [{number}]", re.sub(r"\s+([,;:!?])", r"\1", unfinished)


class ChatHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint streaming server-sent events: subclasses write
    `reply`; every request body is kept in `requests`."""

    requests: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(body)
        pieces, finish = self.reply(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in pieces:
            self._event({"choices": [{"index": 0, "delta": {"content": piece}}]})
        if finish:
            self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        self.wfile.write(b"data: [DONE]\n\n")

    def reply(self, body: dict[str, Any]) -> tuple[list[str], str]:
        """The reply's pieces, and the finish reason to send ("" for none)."""
        raise NotImplementedError

    def _event(self, data: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())


class CutHandler(ChatHandler):
    """Streams `cut_reply` word by word, then the finish reason named by the path."""

    requests: list[dict[str, Any]] = []

    def reply(self, body: dict[str, Any]) -> tuple[list[str], str]:
        reply, _ = cut_reply(body["messages"][-1]["content"])
        return re.findall(r"\s*\S+", reply), self.path.strip("/").split("/")[0]


@contextmanager
def _serving(handler: type[ChatHandler]) -> Iterator[str]:
    """A loopback server of `handler` in a thread, for the block: its root URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def cut_server() -> Iterator[str]:
    """The server's root URL (add `/length/v1` or `/stop/v1`)."""
    with _serving(CutHandler) as url:
        yield url


class FixedHandler(ChatHandler):
    """Streams `text` word by word, then "stop"; a test sets `text` first."""

    requests: list[dict[str, Any]] = []
    text = ""

    def reply(self, body: dict[str, Any]) -> tuple[list[str], str]:
        return re.findall(r"\s*\S+", self.text), "stop"


@contextmanager
def fixed_server(text: str) -> Iterator[str]:
    """A server whose model always replies `text`: its `/v1` URL."""
    FixedHandler.text = text
    with _serving(FixedHandler) as url:
        yield f"{url}/v1"
