"""The real thing: the packaged chat model behind llama.cpp's OpenAI-compatible server on
loopback (`assistant llm serve`'s command), the real embedding model, the bundled corpus.

Few generations (each takes seconds on 2 cores). Skipped when the `llm` extra or the model
is missing, unless ASSISTANT_REQUIRE_LLM=1 (set by scripts/test.sh): then it fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from assistant.cli_models import wait_ready
from assistant.config import Settings
from assistant.e5_model import is_prepared as e5_prepared
from assistant.errors import AssistantError
from assistant.llm import ChatModel, Messages, finish_reason
from assistant.local_llm import LLM_ALIAS, is_prepared, server_command
from assistant.store import ChromaStore
from assistant.tasks.answer import AskTask
from assistant.tasks.generated import fallback_note
from assistant.wiring import make_ask_task, make_embedder, make_ingestor, make_retriever, make_store

from .conftest import CORPUS
from .test_answer import INJECTION, check_answer

pytestmark = pytest.mark.slow


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    settings: Settings
    store: ChromaStore


def _missing() -> str:
    settings = Settings()
    if not e5_prepared(settings.models_dir / "multilingual-e5-small"):
        return "the embedding model is not prepared (`assistant models prepare`)"
    if not is_prepared(settings.llm_gguf):
        return "the chat model is not prepared (`assistant models prepare --llm`)"
    try:
        server_command(settings.llm_gguf, port=0)
    except AssistantError as exc:
        return str(exc)
    return ""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    problem = _missing()
    if problem:
        if os.environ.get("ASSISTANT_REQUIRE_LLM") == "1":
            pytest.fail(f"real-model tests required (ASSISTANT_REQUIRE_LLM=1): {problem}")
        pytest.skip(problem)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = tmp_path_factory.mktemp("llm-real")
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        server_command(Settings().llm_gguf, port=port), stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        if not wait_ready(url, process, 300):
            tail = (root / "server.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"the model server did not start: {tail}")
        note = root / "injection" / "note-saint-ours.md"
        note.parent.mkdir()
        note.write_text(INJECTION, encoding="utf-8")
        settings = Settings(
            home=root / "store",
            embedding_model="multilingual-e5-small",
            answerer="openai",
            llm_base_url=url,
            llm_model=LLM_ALIAS,
            llm_timeout=240.0,  # a generous bound against a hang, on loaded cores
        )
        embedder = make_embedder(settings)
        store = make_store(settings, embedder)
        assert not make_ingestor(settings, store, embedder).run([CORPUS, note.parent]).failed
        yield Served(process, url, settings, store)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class Counting:
    """A chat model that counts its calls."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0
        self.messages: Messages = []
        self.streams: list[Iterator[str]] = []

    def stream(
        self, messages: Messages, *, max_tokens: int = 512, temperature: float = 0.0
    ) -> Iterator[str]:
        self.calls += 1
        self.messages = messages
        stream = self.inner.stream(messages, max_tokens=max_tokens, temperature=temperature)
        self.streams.append(stream)
        return stream


def _task(served: Served) -> tuple[AskTask, Counting]:
    embedder = make_embedder(served.settings)
    task = make_ask_task(served.settings, make_retriever(served.settings, served.store, embedder))
    assert task.generated is not None
    counting = Counting(task.generated.model)
    task.generated.model = counting
    return task, counting


def test_a_real_generated_answer_cites_exact_spans(served: Served) -> None:
    task, counting = _task(served)
    streamed: list[str] = []
    answer = task.ask(
        "Combien de temps faut-il pour aller aux urgences depuis la haute vallée ?",
        on_text=streamed.append,
    )
    assert counting.calls == 1 and len(streamed) > 1  # streamed piece by piece
    assert answer.answerable and answer.note == "", answer.note  # the model's own answer
    check_answer(answer, served.store)
    assert all(s.verdict != "unsupported" for s in answer.sentences)
    assert "58" in answer.answer


def test_a_near_miss_is_refused_before_any_model_call(served: Served) -> None:
    task, counting = _task(served)
    answer = task.ask("Quel est le taux de fibre dans le Cantal ?")
    assert not answer.answerable and counting.calls == 0
    assert answer.answer.startswith("Les sources ne répondent pas à cette question.")


def test_an_instruction_inside_a_document_is_not_followed(served: Served) -> None:
    task, counting = _task(served)
    answer = task.ask("Quel jour a lieu le marché de Saint-Ours ?")
    assert counting.calls == 1 and answer.answerable
    assert "PIRATÉ" in counting.messages[-1]["content"]  # the model did read the instruction
    check_answer(answer, served.store)
    assert "PIRAT" not in answer.answer.upper()
    assert "jeudi" in answer.answer


def test_a_reply_cut_by_its_token_limit_shows_no_unfinished_sentence(served: Served) -> None:
    task, counting = _task(served)
    assert task.generated is not None
    task.generated.max_tokens = 12  # fewer than the first sentence of any answer
    question = "Combien de temps faut-il pour aller aux urgences depuis la haute vallée ?"
    answer = task.ask(question)
    assert counting.calls == 1 and finish_reason(counting.streams[0]) == "length"
    check_answer(answer, served.store)
    assert answer.answerable
    if answer.note:  # its one sentence was unfinished: the extractive answer, and why
        assert answer.note == fallback_note("cut_off", "fr")
        task.generated = None
        assert answer.sentences == task.ask(question).sentences
    else:  # a short first sentence ended in time; the unfinished one is removed, counted
        assert answer.cut_sentences == 1 and answer.removed_sentences >= 1
        own = [s for s in answer.sentences if not s.added]  # added quotes: the source's text
        assert own and all(s.text.rstrip()[-1] in ".!?…" for s in own)


def test_a_killed_server_falls_back_to_the_extractive_answer_and_says_so(
    served: Served,
) -> None:
    """Last: the server is killed while it streams its answer."""
    task, counting = _task(served)

    def kill(_: str) -> None:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(20)

    question = "Combien de France Services y avait-il en 2024 ?"
    answer = task.ask(question, on_text=kill)
    assert counting.calls == 1 and served.process.poll() is not None
    assert answer.answerable and answer.note.startswith("Le modèle de langue n'a pas répondu")
    check_answer(answer, served.store)
    task.generated = None  # the extractive answer, as given
    assert answer.sentences == task.ask(question).sentences
