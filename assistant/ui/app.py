"""The Gradio app: one page, four tabs (questions, facilitation, evaluation, corpus).

Handlers are thin: they call `Services` (plain functions, tested without a browser) and
render with `html.py` (which escapes every document-derived text).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.events import api as gr_api
from gradio.i18n import I18nData

from ..errors import AssistantError
from . import sessions
from .chat import build_chat
from .corpus import build_corpus, document_rows
from .evaluate import build_evaluation
from .facilitator import build_facilitator
from .html import transcript_html, wall_html
from .i18n import PREFIX, lang_of, tr, translations
from .inject import InjectHead
from .services import EVALUATOR, FACILITATOR, LockedOut, Services
from .style import CSS, HEAD
from .upload_budget import UploadBudget
from .workshop_ops import compare_json


class Labels(gr.I18n):
    """gr.I18n with our key prefix added on each call (see `i18n.PREFIX`)."""

    def __call__(self, key: str) -> I18nData:
        return super().__call__(PREFIX + key)


I18N = Labels(**translations())
SWITCH = (
    '<div id="lang-switch"><a href="?lang=fr" hreflang="fr">FR</a> · '
    '<a href="?lang=en" hreflang="en">EN</a></div>'
)


def build(services: Services) -> gr.Blocks:
    """The app, wired to the services."""
    i18n = I18N
    age = services.settings.cache_max_age_seconds  # Gradio's uploads and downloads
    with gr.Blocks(title="Atelier de scénarios", delete_cache=(max(1, age // 2), age)) as demo:
        lang = gr.State("fr")
        locale = gr.Textbox(visible=False)  # the page's language, reported on load
        role = gr.State("")
        session = gr.State("")
        gr.HTML(SWITCH)
        title = gr.HTML(f"<h2>{tr('title', 'fr')}</h2>", elem_id="title")
        with gr.Tabs():
            with gr.Tab(i18n("tab_ask"), id="ask", elem_id="tab-ask"):
                chat = build_chat(services, lang, session, i18n)
            with gr.Tab(i18n("tab_facilitate"), id="facilitate", elem_id="tab-facilitate"):
                with gr.Row():
                    password = gr.Textbox(
                        label=i18n("password"), type="password", elem_id="password"
                    )
                    login = gr.Button(i18n("login"), elem_id="login")
                login_status = gr.Markdown(elem_id="login-status")
                with gr.Column(visible=False, elem_id="facilitator-panel") as facilitator_panel:
                    gr.Markdown(f"### {tr('wall', 'fr')} / {tr('wall', 'en')}")
                    wall = gr.HTML(elem_id="wall")
                    refresh_wall = gr.Button(i18n("refresh"), size="sm", elem_id="wall-refresh")
                    wall_timer = gr.Timer(3.0, active=False)
                    reopen = build_facilitator(services, role, lang, i18n)
            with gr.Tab(i18n("tab_evaluate"), id="evaluate", elem_id="tab-evaluate"):
                evaluation = build_evaluation(services, role, session, lang, i18n)
            with gr.Tab(i18n("tab_corpus"), id="corpus", elem_id="tab-corpus"):
                corpus = build_corpus(services, role, lang, chat.scenarios, i18n)

        def on_load(locale: str) -> tuple[str, str, str, Any, str]:
            code = lang_of(locale)
            choices = gr.update(choices=services.scenario_choices())
            heading = f"<h2>{tr('title', code)}</h2>"
            return code, uuid.uuid4().hex, transcript_html([], code), choices, heading

        demo.load(
            on_load,
            inputs=[locale],
            outputs=[lang, session, chat.transcript, chat.scenarios, title],
            js="(x) => navigator.language",
            api_visibility="private",
        )

        def on_wall(r: str, code: str) -> str:
            if r != FACILITATOR:
                return ""
            return wall_html(services.journal.themes(), services.journal.entries(), code)

        def on_login(pw: str, code: str, request: gr.Request) -> tuple[Any, ...]:
            try:
                granted = services.login(pw or "", client_of(request))
                key = {FACILITATOR: "login_ok", EVALUATOR: "login_evaluator"}.get(granted)
                status = f"**{tr(key or 'login_bad', code)}**"
            except LockedOut as exc:
                granted = ""
                status = f"**{tr('login_locked', code).format(seconds=round(exc.seconds))}**"
            shown = granted == FACILITATOR
            return (
                granted,
                status,
                status,
                gr.update(visible=shown),
                gr.update(visible=shown),
                gr.update(visible=not shown),
                gr.Timer(active=shown),
                "",
                "",
                on_wall(granted, code),
                *document_rows(services, granted),
            )

        login_outputs = [
            role, login_status, evaluation.status, facilitator_panel, corpus.panel,
            corpus.locked, wall_timer, password, evaluation.password, wall, corpus.documents,
            corpus.remove_pick,
        ]  # fmt: skip
        for box, button in ((password, login), (evaluation.password, evaluation.login)):
            button.click(on_login, [box, lang], login_outputs, api_visibility="private").then(
                corpus.structure.refresh,
                [role, lang],
                [corpus.structure.html, corpus.structure.doc],
                api_visibility="private",
            ).then(  # the latest saved draft, to go on editing after a page reload
                reopen.fn, reopen.inputs, reopen.outputs, api_visibility="private"
            )
        refresh_wall.click(on_wall, [role, lang], [wall], api_visibility="private")
        wall_timer.tick(on_wall, [role, lang], [wall], api_visibility="private")

        # The API for scripts and evaluators: the command line's JSON.
        def ask(question: str, scenarios: list[str] | None = None) -> dict[str, Any]:
            """A grounded answer, as `assistant ask --json` prints it."""
            return _api(lambda: services.ask(question, scenarios or [], session="api"))

        def search(
            query: str, scenarios: list[str] | None = None, top_k: int = 5
        ) -> dict[str, Any]:
            """Retrieval only, as `assistant search --json` prints it."""
            return _api(lambda: services.search(query, scenarios or [], top_k))

        def compare(
            scenarios: list[str] | None = None, aspects: list[str] | None = None
        ) -> dict[str, Any]:
            """The scenarios x aspects matrix, as `assistant compare --json` prints it."""
            return _api(lambda: compare_json(services, scenarios or [], aspects or []))

        answers = services.settings.answer_concurrency
        gr_api(ask, api_name="ask", concurrency_limit=answers, concurrency_id="answer")
        gr_api(search, api_name="search", concurrency_limit=answers)
        gr_api(compare, api_name="compare", concurrency_limit=2)
    return demo  # type: ignore[no-any-return]


def _api(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run an API call; a user mistake reaches the client as its one-line message."""
    try:
        return call()
    except AssistantError as exc:
        raise gr.Error(str(exc)) from None


def client_of(request: gr.Request | None) -> str:
    """The client's address (what the login brake counts failures by)."""
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


def launch(services: Services, host: str, port: int, *, block: bool = True) -> gr.Blocks:
    """Start the app on host:port."""
    from starlette.middleware import Middleware

    settings = services.settings
    sessions.install()  # a new session's state without every block's config (see sessions.py)
    budget = Middleware(UploadBudget, budget_bytes=int(settings.upload_budget_mb * 1024 * 1024))
    demo = build(services)
    demo.queue(default_concurrency_limit=4)
    InjectHead.snippet = HEAD.strip().encode()
    demo.launch(
        server_name=host,
        server_port=port,
        i18n=I18N,
        css=CSS,
        app_kwargs={"middleware": [Middleware(InjectHead), budget]},
        footer_links=["api"],
        ssr_mode=False,
        quiet=True,
        prevent_thread_lock=not block,
        max_file_size=f"{int(services.settings.max_upload_mb)}mb",
    )
    return demo
