"""An ASGI middleware that bounds what one client may post to Gradio's upload route.

Gradio's `/gradio_api/upload` takes files from anyone (its File components need it before
any handler runs, so no role can be checked there). Each file is bounded by `max_file_size`
(the `max_upload_mb` setting); this bounds the total: a client (its IP address) may post at
most `budget_bytes` in any `window` seconds, else HTTP 429 with the reason. Gradio's
`delete_cache` (the `cache_max_age_seconds` setting) removes the files themselves.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
log = logging.getLogger("assistant.access")


class UploadBudget:
    """Refuses an upload that would take its client over its budget in the window."""

    def __init__(self, app: ASGIApp, budget_bytes: int, window: float = 3600.0) -> None:
        self.app = app
        self.budget_bytes = budget_bytes
        self.window = window
        self._sent: dict[str, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and str(scope.get("path", "")).rstrip("/").endswith("/upload")
        ):
            await self.app(scope, receive, send)
            return
        client = str((scope.get("client") or ("unknown", 0))[0])
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if not self._take(client, declared):
            await _refuse(send, self.budget_bytes, self.window)
            log.warning("upload refused from %s: over its budget", client)
            return

        async def counted() -> Message:  # bodies sent without a length count as they come
            message = await receive()
            if not declared and message.get("type") == "http.request":
                self._take(client, len(message.get("body", b"")), force=True)
            return message

        await self.app(scope, counted, send)

    def _take(self, client: str, size: int, force: bool = False) -> bool:
        """Count `size` bytes against the client's budget; False if it would go over."""
        now = time.monotonic()
        with self._lock:
            sent = self._sent.setdefault(client, deque())
            while sent and sent[0][0] < now - self.window:
                sent.popleft()
            used = sum(n for _, n in sent)
            if not force and (used >= self.budget_bytes or used + size > self.budget_bytes):
                return False
            sent.append((now, size))
            if len(self._sent) > 10_000:  # forget clients that sent nothing lately
                for key in [k for k, v in self._sent.items() if not v]:
                    del self._sent[key]
            return True


async def _refuse(send: Send, budget: int, window: float) -> None:
    text = (
        f"upload refused: at most {budget / 1024 / 1024:g} MB per client every "
        f"{window / 60:g} minutes (ASSISTANT_UPLOAD_BUDGET_MB); try again later"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})
