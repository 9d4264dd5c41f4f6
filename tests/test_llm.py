"""ChatModel implementations against a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import socket
import sys
import threading
import types
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.llama_chat import LlamaCppChat
from assistant.llm import (
    LLMError,
    OpenAIChat,
    ScriptedChat,
    complete,
    finish_reason,
    make_chat_model,
)

KEY = "sk-secret-key-123"
PIECES = ["Dans le ", "scénario 1", ", les guichets ", "ferment [1]."]
MESSAGES = [{"role": "system", "content": "règles"}, {"role": "user", "content": "Question ?"}]


class ChatServer(ThreadingHTTPServer):
    """A tiny OpenAI-compatible server; the first path segment picks its behaviour."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # lets the gated stream finish
        self.stop = threading.Event()  # ends slow handlers at teardown

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{mode}/v1"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out close their socket; that is expected here


class ChatHandler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        mode, _, rest = self.path.strip("/").partition("/")
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
        )
        if rest != "v1/chat/completions":
            return self._send(404, "text/html", b"<html>not here</html>")
        if mode in ("stream", "gated"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b": keep-alive comment\n\n")
            first = {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}
            self._event(json.dumps(first))
            for i, piece in enumerate(PIECES):
                self._event(json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]}))
                if mode == "gated" and i == 0:
                    self.server.release.wait(5)
            self._event(
                json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            )
            self._event(json.dumps({"choices": [], "usage": {"total_tokens": 9}}))
            self._event("[DONE]")
        elif mode == "json":
            reply = {
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Tout."},
                        "finish_reason": "length",
                    }
                ]
            }
            self._send(200, "application/json; charset=utf-8", json.dumps(reply).encode())
        elif mode == "error500":
            error = {"error": {"message": "model 'qwen' not found\n" + "x" * 500, "type": "api"}}
            self._send(500, "application/json", json.dumps(error).encode())
        elif mode == "error401":
            error = {"error": {"message": f"Incorrect API key provided: {KEY}"}}
            self._send(401, "application/json", json.dumps(error).encode())
        elif mode == "badjson":
            self._send(200, "text/event-stream", b'data: {"choices": [\n\n')
        elif mode == "html":
            self._send(200, "text/html", b"<html>a web UI</html>")
        elif mode == "slow":
            self.server.stop.wait(5)
            self._send(200, "application/json", b"{}")

    def _event(self, data: str) -> None:
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[ChatServer]:
    srv = ChatServer()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def test_streams_pieces_in_order_and_sends_the_request(server: ChatServer) -> None:
    chat = OpenAIChat(server.url("stream") + "/", "qwen2.5:1.5b-instruct", api_key=KEY)
    stream = chat.stream(MESSAGES, max_tokens=64, temperature=0.2)
    assert finish_reason(stream) == ""  # not yet known
    pieces = list(stream)
    assert pieces == PIECES and finish_reason(stream) == "stop"  # the last chunk says why
    [request] = server.requests
    assert request["path"] == "/stream/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    sent = request["json"]
    assert sent["model"] == "qwen2.5:1.5b-instruct"
    assert sent["messages"] == MESSAGES
    assert sent["stream"] is True
    assert (sent["max_tokens"], sent["temperature"]) == (64, 0.2)


def test_no_authorization_header_without_a_key(server: ChatServer) -> None:
    assert complete(OpenAIChat(server.url("stream"), "m"), MESSAGES) == "".join(PIECES)
    assert "Authorization" not in server.requests[0]["headers"]


def test_pieces_arrive_before_the_reply_is_finished(server: ChatServer) -> None:
    stream = OpenAIChat(server.url("gated"), "m").stream(MESSAGES)
    assert next(stream) == PIECES[0]  # the server is still holding the rest back
    server.release.set()
    assert list(stream) == PIECES[1:]


def test_server_that_ignores_stream_returns_one_json_object(server: ChatServer) -> None:
    assert complete(OpenAIChat(server.url("json"), "m"), MESSAGES) == "Tout."
    stream = OpenAIChat(server.url("json"), "m").stream(MESSAGES)
    assert list(stream) == ["Tout."] and finish_reason(stream) == "length"


def test_http_500_names_the_url_and_the_server_message(server: ChatServer) -> None:
    with pytest.raises(LLMError) as caught:
        complete(OpenAIChat(server.url("error500"), "m"), MESSAGES)
    message = str(caught.value)
    assert server.url("error500") in message
    assert "HTTP 500" in message
    assert "model 'qwen' not found" in message
    assert "\n" not in message and len(message) < 400
    assert "Traceback" not in message


def test_http_401_never_shows_the_key(server: ChatServer) -> None:
    with pytest.raises(LLMError) as caught:
        complete(OpenAIChat(server.url("error401"), "m", api_key=KEY), MESSAGES)
    message = str(caught.value)
    assert "HTTP 401" in message and server.url("error401") in message
    assert KEY not in message and "Incorrect API key" in message
    assert "ASSISTANT_LLM_API_KEY" in message


def test_http_404_without_json_uses_the_reason(server: ChatServer) -> None:
    with pytest.raises(LLMError, match="HTTP 404: Not Found"):
        complete(OpenAIChat(server.url("stream") + "/extra", "m"), MESSAGES)


@pytest.mark.parametrize(("mode", "reason"), [("badjson", "not JSON"), ("html", "/v1 endpoint")])
def test_malformed_responses(server: ChatServer, mode: str, reason: str) -> None:
    with pytest.raises(LLMError, match="malformed response") as caught:
        complete(OpenAIChat(server.url(mode), "m"), MESSAGES)
    assert reason in str(caught.value) and server.url(mode) in str(caught.value)


def test_slow_server_times_out_cleanly(server: ChatServer) -> None:
    with pytest.raises(LLMError) as caught:
        complete(OpenAIChat(server.url("slow"), "m", api_key=KEY, timeout=0.3), MESSAGES)
    message = str(caught.value)
    assert "did not answer within 0.3 s" in message and server.url("slow") in message
    assert "ASSISTANT_LLM_TIMEOUT" in message and KEY not in message
    assert caught.value.__cause__ is None


def test_connection_refused_on_a_closed_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(LLMError) as caught:
        complete(OpenAIChat(url, "m", api_key=KEY), MESSAGES)
    assert str(caught.value) == (
        f"cannot reach the chat server at {url}: connection refused — "
        "start it or set ASSISTANT_LLM_BASE_URL"
    )


def test_url_credentials_and_key_stay_out_of_messages_and_repr() -> None:
    chat = OpenAIChat("ftp://user:pw@example.invalid/v1", "m", api_key=KEY)
    with pytest.raises(LLMError, match="invalid chat server URL") as caught:
        complete(chat, MESSAGES)
    assert "pw" not in str(caught.value)
    assert KEY not in repr(chat) and "pw" not in repr(chat)


def test_a_mock_transport_can_stand_in_for_the_network() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/chat/completions"
        body = b'data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    chat = OpenAIChat("http://chat.test/v1", "m", transport=httpx.MockTransport(handle))
    assert complete(chat, MESSAGES) == "ok"


def test_an_error_event_inside_the_stream_is_an_llm_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = b'data: {"error": {"message": "out of memory"}}\n\n'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    chat = OpenAIChat("http://chat.test/v1", "m", transport=httpx.MockTransport(handle))
    with pytest.raises(LLMError, match="reported an error: out of memory"):
        complete(chat, MESSAGES)


def test_scripted_chat_replays_and_records() -> None:
    chat = ScriptedChat(["Première réponse [1].", LLMError("boom")])
    assert chat.name == "scripted"
    pieces = list(chat.stream(MESSAGES))
    assert len(pieces) > 1 and "".join(pieces) == "Première réponse [1]."
    stream = chat.stream([{"role": "user", "content": "encore"}])
    with pytest.raises(LLMError, match="boom"):
        list(stream)
    assert chat.history == [MESSAGES, [{"role": "user", "content": "encore"}]]
    with pytest.raises(LLMError, match="no reply left"):
        chat.stream(MESSAGES)


def test_make_chat_model_for_openai() -> None:
    settings = Settings(
        answerer="openai", llm_base_url="http://127.0.0.1:1/v1", llm_model="tiny", llm_timeout=3
    )
    chat = make_chat_model(settings)
    assert isinstance(chat, OpenAIChat)
    assert (chat.name, chat.url) == ("tiny", "http://127.0.0.1:1/v1/chat/completions")


def test_make_chat_model_refuses_extractive() -> None:
    with pytest.raises(AssistantError, match="no chat model"):
        make_chat_model(Settings(answerer="extractive"))


def test_llamacpp_without_the_package_gives_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails even if installed
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    settings = Settings(answerer="llamacpp", llm_model_path=gguf)
    with pytest.raises(LLMError) as caught:
        make_chat_model(settings)
    assert str(caught.value) == (
        "the 'llamacpp' answerer needs llama-cpp-python: pip install 'scenario-assistant[llamacpp]'"
    )


class FakeLlama:
    """Stands in for `llama_cpp.Llama`, recording how it was built and called."""

    instances: list[FakeLlama] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[dict[str, Any]] = []
        FakeLlama.instances.append(self)

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(kwargs)
        yield {"choices": [{"delta": {"role": "assistant"}}]}
        for piece in ("Bon", "jour"):
            yield {"choices": [{"delta": {"content": piece}, "finish_reason": None}]}
        yield {"choices": [{"delta": {}, "finish_reason": "length"}]}


@pytest.fixture
def fake_llama_cpp(monkeypatch: pytest.MonkeyPatch) -> type[FakeLlama]:
    module = types.ModuleType("llama_cpp")
    module.Llama = FakeLlama  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", module)
    FakeLlama.instances = []
    return FakeLlama


def test_llamacpp_needs_an_existing_model_file(
    tmp_path: Path, fake_llama_cpp: type[FakeLlama]
) -> None:
    with pytest.raises(LLMError, match="ASSISTANT_LLM_MODEL_PATH"):  # nor a packaged one
        make_chat_model(Settings(answerer="llamacpp", data_dir=tmp_path))
    with pytest.raises(LLMError, match="not found"):
        LlamaCppChat(tmp_path / "missing.gguf")


def test_llamacpp_streams_through_llama(tmp_path: Path, fake_llama_cpp: type[FakeLlama]) -> None:
    gguf = tmp_path / "small.gguf"
    gguf.write_bytes(b"GGUF")
    chat = make_chat_model(Settings(answerer="llamacpp", llm_model_path=gguf))
    assert chat.name == "llamacpp:small.gguf"
    assert fake_llama_cpp.instances == []  # loaded on first use only
    stream = chat.stream(MESSAGES, max_tokens=20)
    assert list(stream) == ["Bon", "jour"] and finish_reason(stream) == "length"
    assert complete(chat, MESSAGES) == "Bonjour"
    [llama] = fake_llama_cpp.instances
    assert llama.kwargs == {
        "model_path": str(gguf),
        "n_ctx": 4096,
        "n_threads": 2,
        "verbose": False,
    }
    assert llama.calls[0]["messages"] == MESSAGES and llama.calls[0]["stream"] is True
    assert llama.calls[0]["max_tokens"] == 20
