"""A generated answer never loses a figure the evidence gave: the extractive quotes the
model's checked sentences do not restate are added after them, verbatim and marked added
(through a loopback OpenAI-compatible server streaming server-sent events)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.citations import SupportChecker, numbers_of
from assistant.claim_checks import NUMBER
from assistant.config import Settings
from assistant.render import answer_json, answer_text
from assistant.store import ChromaStore
from assistant.tasks.answer import AskTask
from assistant.tasks.judge import NEVER
from assistant.tasks.left_out import ADDED, restates
from assistant.types import Answer
from assistant.ui.html import answer_html
from assistant.wiring import make_ask_task, make_ingestor, make_retriever

from .chat_fakes import FixedHandler, fixed_server
from .conftest import CORPUS, CountingEmbedder
from .test_answer import check_answer

QUESTION = "Combien de France Services en 2024 ?"


def _tasks(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, url: str, add: bool
) -> tuple[AskTask, AskTask]:
    """The extractive task and the generated one, over the bundled diagnostics."""
    llm = settings.model_copy(
        update={"answerer": "openai", "llm_base_url": url, "llm_add_quotes": add}
    )
    tasks = (
        make_ask_task(settings, make_retriever(settings, store, embedder)),
        make_ask_task(llm, make_retriever(llm, store, embedder)),
    )
    for task in tasks:
        task.extractive.refuse_at = NEVER  # the fake embedder decides nothing
    return tasks


def _both(
    settings: Settings,
    store: ChromaStore,
    embedder: CountingEmbedder,
    add: bool,
    reply: Callable[[Answer], str],
) -> tuple[Answer, Answer]:
    """The extractive answer, and the generated one when the model replies `reply(extractive)`."""
    with fixed_server("") as url:
        extractive_task, llm_task = _tasks(settings, store, embedder, url, add=add)
        extractive = extractive_task.ask(QUESTION, top_k=3)
        FixedHandler.text = reply(extractive)
        return extractive, llm_task.ask(QUESTION, top_k=3)


def _read(text: str) -> str:
    """A reply's sentence as the writer reads it (its marker off, no space before ":")."""
    return re.sub(r"\s+([,;:!?])", r"\1", text.removesuffix(" [1]"))


def _restating(extractive: Answer) -> str:
    """A reply restating every sentence of the extractive answer, each cited."""
    return " ".join(f"{s.text} [1]" for s in extractive.sentences)


def _dropping(extractive: Answer) -> tuple[str, str, str]:
    """A reply quoting the extractive answer's first sentence with a figure, cut before
    its last figure; that figure; the sentence."""
    sentence = next(s.text for s in extractive.sentences if NUMBER.search(s.text))
    last = list(NUMBER.finditer(sentence))[-1]
    kept = sentence[: last.start()].rstrip(" ,;:(")
    return f"{kept}. [1]", last.group(0), sentence


@pytest.fixture
def ingested(settings: Settings, store: ChromaStore, embedder: CountingEmbedder) -> None:
    make_ingestor(settings, store, embedder).run([CORPUS / "diagnostics"])


@pytest.mark.usefixtures("ingested")
def test_a_figure_the_model_dropped_is_quoted_after_its_answer_and_marked_added(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder
) -> None:
    extractive, answer = _both(settings, store, embedder, True, lambda a: _dropping(a)[0])
    reply, figure, sentence = _dropping(extractive)
    check_answer(answer, store)  # every quote, added ones too, is the source's own text
    assert answer.note == "" and FixedHandler.requests  # the model's answer, not a fallback
    own = [s for s in answer.sentences if not s.added]
    added = [s for s in answer.sentences if s.added]
    assert [s.text for s in own] == [_read(reply)]
    assert figure not in numbers_of(own[0].text)  # the model dropped it...
    assert sentence in [s.text for s in added]  # ...its sentence is quoted whole, after
    assert answer.sentences[: len(own)] == tuple(own)
    assert answer.added_sentences == len(added)
    by_n = {c.n: c for c in answer.citations}
    for s in added:  # verbatim: the sentence is its citation's quote
        assert s.label == ADDED["fr"] and s.verdict == "supported"
        assert [by_n[n].quote for n in s.citations] == [s.text]
        assert s.text in [e.text for e in extractive.sentences]
    spans = [(c.chunk_id, c.start, c.end) for c in answer.citations]
    assert len(spans) == len(set(spans))  # a span cited by both keeps one number
    shown = answer_json(answer)
    assert shown["added_sentences"] == len(added)
    assert [s["added"] for s in shown["sentences"]] == [s.added for s in answer.sentences]
    assert f"{ADDED['fr']} : {' '.join(sentence.split())}" in answer.answer
    assert "(added)" in answer_text(answer) and "quote(s) added" in answer_text(answer)
    assert answer_html(shown, "fr").count('class="sentence verdict-supported added"') == len(added)


@pytest.mark.usefixtures("ingested")
def test_without_add_quotes_the_answer_is_the_models_checked_sentences_only(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder
) -> None:
    extractive, answer = _both(settings, store, embedder, False, lambda a: _dropping(a)[0])
    reply, figure, _ = _dropping(extractive)
    check_answer(answer, store)
    assert answer.added_sentences == 0 and not any(s.added for s in answer.sentences)
    assert [s.text for s in answer.sentences] == [_read(reply)]
    assert figure not in numbers_of(answer.answer)


@pytest.mark.usefixtures("ingested")
def test_a_model_restating_the_whole_extractive_answer_gets_nothing_added(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder
) -> None:
    extractive, answer = _both(settings, store, embedder, True, _restating)
    check_answer(answer, store)
    assert answer.note == "" and answer.added_sentences == 0
    assert [s.text for s in answer.sentences] == [_read(s.text) for s in extractive.sentences]


@pytest.mark.usefixtures("ingested")
def test_a_fallback_adds_nothing(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder
) -> None:
    with fixed_server("NON_TROUVÉ") as url:
        extractive_task, llm_task = _tasks(settings, store, embedder, url, add=True)
        answer = llm_task.ask(QUESTION, top_k=3)
    assert answer.note.startswith("Le modèle de langue n'a pas trouvé")
    assert answer.added_sentences == 0 and not any(s.added for s in answer.sentences)


def test_restates_needs_every_figure_and_most_terms(tmp_path: Path) -> None:
    checker = SupportChecker()
    source = "En 2024, 39,3 millions de logements sont raccordables, soit 89 % des locaux."
    assert restates(checker, source, source)
    assert restates(checker, "Soit 89 % des locaux : 39,3 millions de logements raccordables "
                    "en 2024.", source)  # fmt: skip
    assert not restates(checker, "En 2024, 39,3 millions de logements sont raccordables.", source)
    assert not restates(checker, "89 % [1], 39,3 [1], 2024 [1].", source)  # figures, no terms
    assert restates(checker, "Les locaux sont raccordables.", "Les locaux sont raccordables.")
