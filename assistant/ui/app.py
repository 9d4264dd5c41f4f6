"""The Gradio app: one page, four tabs (questions, facilitation, evaluation, corpus).

Handlers are thin: they call `Services` (plain functions, tested without a browser) and
render with `html.py` (which escapes every document-derived text).
"""

from __future__ import annotations

import csv
import queue
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gr_api

from ..errors import AssistantError
from .facilitator import build_facilitator
from .html import evaluation_html, transcript_html, wall_html
from .i18n import lang_of, tr, translations
from .services import FACILITATOR, Services
from .style import CSS, HEAD

STARTERS = {
    "fr": [
        "Quel est le temps d'accès aux urgences en haute vallée ?",
        "Quelles sont les limites du scénario tout numérique ?",
        "Que proposent les habitants pour le bus France Services ?",
    ],
    "en": [
        "How long does it take to reach an emergency department from the upper valley?",
        "What are the limits of the all-digital scenario?",
        "How many France Services are there?",
    ],
}
I18N = gr.I18n(**translations())
HISTORY_TURNS = 3  # earlier turns given to the answerer for follow-up questions
PROGRESS = gr.Progress()  # Gradio passes a live tracker to handlers declaring this default


def _header() -> str:
    return (
        '<div id="lang-switch"><a href="?lang=fr" hreflang="fr">FR</a> · '
        '<a href="?lang=en" hreflang="en">EN</a></div>'
    )


def build(services: Services) -> gr.Blocks:
    """The app, wired to the services."""
    i18n = I18N
    with gr.Blocks(title="Atelier de scénarios") as demo:
        lang = gr.State("fr")
        role = gr.State("")
        session = gr.State("")
        turns = gr.State([])
        gr.HTML(_header())
        gr.Markdown(f"## {tr('title', 'fr')}", elem_id="title")
        with gr.Tabs():
            with gr.Tab(i18n("tab_ask"), id="ask", elem_id="tab-ask"):
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
                    starter_buttons = [
                        gr.Button(q, size="sm", elem_classes="starter") for q in STARTERS["fr"]
                    ] + [gr.Button(q, size="sm", elem_classes="starter") for q in STARTERS["en"]]
                clear = gr.Button(i18n("clear"), size="sm", elem_id="clear")
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
                    refresh_wall = gr.Button(i18n("refresh"), size="sm")
                    wall_timer = gr.Timer(3.0, active=False)
                    build_facilitator(services, role, lang, i18n)
            with gr.Tab(i18n("tab_evaluate"), id="evaluate", elem_id="tab-evaluate"):
                pick = gr.Dropdown(label=i18n("evaluate_pick"), choices=[], elem_id="evaluate-pick")
                refresh_pick = gr.Button(i18n("refresh"), size="sm", elem_id="evaluate-refresh")
                evaluation = gr.HTML(elem_id="evaluation")
                audit = gr.DownloadButton(
                    i18n("export_csv"),  # type: ignore[arg-type]
                    visible=False,
                    elem_id="audit-csv",
                )
            with gr.Tab(i18n("tab_corpus"), id="corpus", elem_id="tab-corpus"):
                corpus_locked = gr.Markdown(tr("login_needed", "fr"), elem_id="corpus-locked")
                with gr.Column(visible=False, elem_id="corpus-panel") as corpus_panel:
                    files = gr.File(
                        label=i18n("upload"),
                        file_count="multiple",
                        file_types=[".md", ".txt", ".pdf", ".docx", ".html", ".csv"],
                        elem_id="upload",
                    )
                    ingest = gr.Button(i18n("ingest"), variant="primary", elem_id="ingest")
                    ingest_report = gr.HTML(elem_id="ingest-report")
                    documents = gr.Dataframe(
                        headers=["doc_id", "source", "kind", "chunks"],
                        interactive=False,
                        elem_id="documents",
                        wrap=True,
                    )
                    remove_pick = gr.Dropdown(label=i18n("remove_pick"), choices=[])
                    remove = gr.Button(i18n("remove"), variant="stop", elem_id="remove")

        def _wall(r: str, code: str) -> str:
            if r != FACILITATOR:
                return ""
            return wall_html(services.journal.themes(), services.journal.entries(), code)

        def _documents(r: str) -> tuple[Any, Any]:
            if r != FACILITATOR:
                return gr.update(value=[]), gr.update(choices=[])
            docs = services.documents()
            rows = [[d["doc_id"], d["source"], d["kind"], d["chunks"]] for d in docs]
            choices = [(f"{d['source']} ({d['chunks']})", d["doc_id"]) for d in docs]
            return gr.update(value=rows), gr.update(choices=choices, value=None)

        # -- load: language, session id --------------------------------------------
        def on_load(locale: str) -> tuple[str, str, str, Any]:
            code = lang_of(locale)
            return (
                code,
                uuid.uuid4().hex,
                transcript_html([], code),
                gr.update(choices=services.scenario_choices()),
            )

        demo.load(
            on_load,
            inputs=[lang],
            outputs=[lang, session, transcript, scenarios],
            js="(x) => navigator.language",
            api_visibility="private",
        )

        # -- participants --------------------------------------------------------------
        def on_ask(
            text: str, chosen: list[str] | None, past: list[dict[str, Any]], code: str, sid: str
        ) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
            text = (text or "").strip()
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
                        text, chosen or [], history[-HISTORY_TURNS:], session=sid,
                        on_text=pieces.put,
                    )  # fmt: skip
                except AssistantError as exc:
                    result["error"] = str(exc)
                finally:
                    pieces.put(None)

            threading.Thread(target=work, daemon=True).start()
            partial = ""
            while (piece := pieces.get()) is not None:
                partial += piece
                current[-1]["partial"] = partial
                yield transcript_html(current, code), "", current
            if "error" in result:
                current = past
                gr.Warning(result["error"])
            else:
                current[-1] = {"question": text, "answer": result["answer"]}
            yield transcript_html(current, code), "", current

        ask_inputs = [question, scenarios, turns, lang, session]
        ask_outputs = [transcript, question, turns]
        send.click(on_ask, ask_inputs, ask_outputs, api_visibility="private", concurrency_limit=8)
        question.submit(
            on_ask, ask_inputs, ask_outputs, api_visibility="private", concurrency_limit=8
        )
        for button in starter_buttons:
            button.click(
                lambda q: q, [button], [question], api_visibility="private", queue=False
            ).then(on_ask, ask_inputs, ask_outputs, api_visibility="private", concurrency_limit=8)
        clear.click(
            lambda code: (transcript_html([], code), []),
            [lang],
            [transcript, turns],
            api_visibility="private",
        )

        # -- facilitators: login, wall -------------------------------------------------
        def on_login(pw: str, code: str) -> tuple[Any, ...]:
            granted = services.login(pw or "")
            message = tr("login_ok" if granted else "login_bad", code)
            shown = granted == FACILITATOR
            return (
                granted,
                f"**{message}**",
                gr.update(visible=shown),
                gr.update(visible=shown),
                gr.update(visible=not shown),
                gr.Timer(active=shown),
                "",
            )

        login.click(
            on_login,
            [password, lang],
            [role, login_status, facilitator_panel, corpus_panel, corpus_locked, wall_timer,
             password],
            api_visibility="private",
        ).then(_wall, [role, lang], [wall], api_visibility="private").then(
            _documents, [role], [documents, remove_pick], api_visibility="private"
        )  # fmt: skip

        refresh_wall.click(_wall, [role, lang], [wall], api_visibility="private")
        wall_timer.tick(_wall, [role, lang], [wall], api_visibility="private")

        # -- evaluators ----------------------------------------------------------------
        def on_refresh_pick() -> Any:
            entries = services.journal.entries(200)
            choices = [(f"#{e.id} — {e.question[:70]}", str(e.id)) for e in entries]
            if services.journal.latest_draft():
                choices.insert(0, ("Brouillon / Draft", "draft"))
            return gr.update(choices=choices)

        def on_pick(value: str | None, code: str) -> tuple[str, Any]:
            if not value:
                return tr("evaluate_empty", code), gr.update(visible=False)
            sentences, citations = _checkable(value)
            html = evaluation_html(sentences, citations, code, services.text_of)
            path = _audit_file(services, value, sentences, citations)
            return html, gr.update(value=str(path), visible=True)

        def _checkable(value: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            if value == "draft":
                latest = services.journal.latest_draft()
                if latest is None:
                    return [], []
                draft = latest[2]
                sentences = [s for sec in draft.get("sections", []) for s in sec["sentences"]]
                return sentences, list(draft.get("citations", []))
            entry = services.journal.entry(int(value))
            if entry is None:
                return [], []
            return list(entry.answer["sentences"]), list(entry.answer["citations"])

        refresh_pick.click(on_refresh_pick, None, [pick], api_visibility="private")
        pick.focus(on_refresh_pick, None, [pick], api_visibility="private")
        pick.change(on_pick, [pick, lang], [evaluation, audit], api_visibility="private")

        # -- corpus ------------------------------------------------------------------
        def on_ingest(
            r: str, paths: list[str] | None, code: str, progress: gr.Progress = PROGRESS
        ) -> tuple[Any, ...]:
            if not paths:
                return f"<p>{tr('no_file', code)}</p>", *_documents(r)
            seen: list[str] = []

            def on_file(name: str, status: str) -> None:
                seen.append(name)
                progress(len(seen) / len(paths), desc=f"{name}: {tr(status, code)}")

            try:
                report = services.upload(r, paths, on_file)
            except AssistantError as exc:
                return f"<p>{_esc(str(exc))}</p>", *_documents(r)
            return _report_html(report, code), *_documents(r)

        def on_remove(r: str, doc_id: str | None, code: str) -> tuple[Any, ...]:
            if not doc_id:
                return "", *_documents(r)
            try:
                source = services.remove(r, doc_id)
            except AssistantError as exc:
                return f"<p>{_esc(str(exc))}</p>", *_documents(r)
            return f"<p>{tr('removed', code)} {_esc(source)}</p>", *_documents(r)

        ingest.click(
            on_ingest,
            [role, files, lang],
            [ingest_report, documents, remove_pick],
            api_visibility="private",
        ).then(lambda: gr.update(choices=services.scenario_choices()), None, [scenarios])
        remove.click(
            on_remove,
            [role, remove_pick, lang],
            [ingest_report, documents, remove_pick],
            api_visibility="private",
        )

        # -- the API for scripts and evaluators --------------------------------------
        def ask(question: str, scenarios: list[str] | None = None) -> dict[str, Any]:
            """A grounded answer, as `assistant ask --json` prints it."""
            return services.ask(question, scenarios or [], session="api")

        def search(
            query: str, scenarios: list[str] | None = None, top_k: int = 5
        ) -> dict[str, Any]:
            """Retrieval only, as `assistant search --json` prints it."""
            return services.search(query, scenarios or [], top_k)

        gr_api(ask, api_name="ask", concurrency_limit=8)
        gr_api(search, api_name="search", concurrency_limit=8)
        _compare_api(services)
    return demo  # type: ignore[no-any-return]


def _compare_api(services: Services) -> None:
    from .facilitator import compare_json

    def compare(
        scenarios: list[str] | None = None, aspects: list[str] | None = None
    ) -> dict[str, Any]:
        """The scenarios x aspects matrix, as `assistant compare --json` prints it."""
        return compare_json(services, scenarios or [], aspects or [])

    gr_api(compare, api_name="compare", concurrency_limit=2)


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def _report_html(report: dict[str, Any], code: str) -> str:
    rows = [f"<li>{_esc(s)} — {tr('ingested', code)}</li>" for s in report["ingested"]]
    rows += [f"<li>{_esc(s)} — {tr('skipped', code)}</li>" for s in report["skipped"]]
    rows += [
        f"<li><b>{_esc(f['path'])}</b> — {tr('failed', code)} : {_esc(f['error'])}</li>"
        for f in report["failed"]
    ]
    return f"<ul>{''.join(rows)}</ul>"


def _audit_file(
    services: Services, name: str, sentences: list[dict[str, Any]], citations: list[dict[str, Any]]
) -> Path:
    """A CSV audit of these sentences' citations, one row per citation use."""
    folder = services.settings.home / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-{name}.csv"
    by_n = {c["n"]: c for c in citations}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["sentence", "verdict", "support", "n", "label", "source", "doc_id", "section",
             "start", "end", "quote"]
        )  # fmt: skip
        for s in sentences:
            for n in s.get("citations", []):
                c = by_n.get(n)
                if c is not None:
                    writer.writerow(
                        [s["text"], s.get("verdict"), s.get("support"), n, c.get("label"),
                         c["source"], c["doc_id"], c["section"], c["start"], c["end"], c["quote"]]
                    )  # fmt: skip
    return path


def launch(services: Services, host: str, port: int, *, block: bool = True) -> gr.Blocks:
    """Start the app on host:port."""
    demo = build(services)
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=host,
        server_port=port,
        i18n=I18N,
        css=CSS,
        head=HEAD,
        footer_links=["api"],
        ssr_mode=False,
        quiet=True,
        prevent_thread_lock=not block,
        max_file_size=f"{int(services.settings.max_upload_mb)}mb",
        allowed_paths=[str(services.settings.home / "exports")],
    )
    return demo
