"""The participants' tab: a chat whose answers stream in, with tappable citations."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..errors import AssistantError
from .html import transcript_html
from .i18n import tr
from .services import Services

STARTERS = (
    "Quel est le temps d'accès aux urgences en haute vallée ?",
    "Quelles sont les limites du scénario tout numérique ?",
    "Que proposent les habitants pour le bus France Services ?",
    "How long does it take to reach an emergency department from the upper valley?",
    "What are the limits of the all-digital scenario?",
)
HISTORY_TURNS = 3  # earlier turns given to the answerer for follow-up questions
Turns = list[dict[str, Any]]
log = logging.getLogger("assistant.ui")


@dataclass
class Chat:
    """The chat's components that the rest of the page updates."""

    transcript: gr.HTML
    scenarios: gr.Dropdown


def build_chat(services: Services, lang: gr.State, session: gr.State, i18n: gr.I18n) -> Chat:
    """Lay out the chat and wire its events (inside the participants' tab)."""
    turns = gr.State([])
    transcript = gr.HTML(transcript_html([], "fr"), elem_id="transcript")
    question = gr.Textbox(
        label=i18n("question"),
        placeholder=i18n("question_ph"),
        lines=2,
        max_lines=6,
        elem_id="question",
    )
    send = gr.Button(i18n("send"), variant="primary", elem_id="send")
    scenarios = gr.Dropdown(
        choices=services.scenario_choices(),
        multiselect=True,
        label=i18n("scenarios"),
        elem_id="scenario-filter",
    )
    with gr.Column(elem_classes="starters"):
        gr.Markdown(f"**{tr('starters', 'fr')}** / *{tr('starters', 'en')}*")
        starters = [gr.Button(q, size="sm", elem_classes="starter") for q in STARTERS]
    clear = gr.Button(i18n("clear"), size="sm", elem_id="clear")

    def on_ask(
        text: str, chosen: list[str] | None, past: Turns, code: str, sid: str
    ) -> Iterator[tuple[str, str, Turns]]:
        """Stream the answer; any failure ends the turn with a short message in the chat
        (a user mistake says what is wrong; anything else, a traceback in the server log)."""
        text = (text or "").strip()
        try:
            yield from answer_turns(services, text, chosen or [], past, code, sid)
        except Exception:
            log.exception("the chat failed on %r", text[:200])
            failed = [*past, {"question": text, "failure": tr("failure", code)}]
            yield transcript_html(failed, code), "", failed

    inputs = [question, scenarios, turns, lang, session]
    outputs = [transcript, question, turns]
    options: dict[str, Any] = {
        "api_visibility": "private",
        "concurrency_limit": services.settings.answer_concurrency,
        "concurrency_id": "answer",  # one limit for the chat and the /ask API together
    }
    send.click(on_ask, inputs, outputs, **options)
    question.submit(on_ask, inputs, outputs, **options)
    for button in starters:
        button.click(lambda q: q, [button], [question], api_visibility="private", queue=False).then(
            on_ask, inputs, outputs, **options
        )
    clear.click(
        lambda code: (transcript_html([], code), []),
        [lang],
        [transcript, turns],
        api_visibility="private",
    )
    return Chat(transcript, scenarios)


def answer_turns(
    services: Services, text: str, chosen: list[str], past: Turns, code: str, sid: str
) -> Iterator[tuple[str, str, Turns]]:
    """(transcript, question box, turns) as the answer to `text` streams in."""
    if not text:
        yield transcript_html(past, code), "", past
        return
    history = [(t["question"], t["answer"]["answer"]) for t in past if t.get("answer")]
    current = [*past, {"question": text, "answer": None}]
    yield transcript_html(current, code), "", current
    pieces: queue.Queue[str | None] = queue.Queue()
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["answer"] = services.ask(
                text, chosen, history[-HISTORY_TURNS:], session=sid, on_text=pieces.put
            )
        except AssistantError as exc:
            result["failure"] = str(exc)
        except Exception:
            log.exception("the answer to %r failed", text[:200])
            result["failure"] = tr("failure", code)
        finally:
            pieces.put(None)

    threading.Thread(target=work, daemon=True).start()
    partial = ""
    while (piece := pieces.get()) is not None:
        partial += piece
        current[-1]["partial"] = partial
        yield transcript_html(current, code), "", current
    if "answer" in result:
        current[-1] = {"question": text, "answer": result["answer"]}
    else:
        current[-1] = {"question": text, "failure": result.get("failure") or tr("failure", code)}
    yield transcript_html(current, code), "", current
