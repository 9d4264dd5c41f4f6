"""The evaluators' tab: an answer or the draft, each sentence beside its cited passages,
highlighted inside the full document text, with the support verdict; CSV export.

Who sees what (checked in each handler, on the session's server-side state): evaluators
and facilitators (after their login) see every answer and the latest draft; a participant
sees only the answers given in their own session, the one their chat uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ..exports import audit_csv, write_text
from ..journal import Entry
from ..render import citation_from_json
from ..types import Sentence
from .access import Forbidden, can_evaluate
from .downloads import export_folder
from .html import evaluation_html
from .i18n import tr
from .services import Services

LISTED = 200  # answers offered in the list


@dataclass
class Evaluation:
    """The evaluation tab's login, which the page wires with the facilitator's."""

    password: gr.Textbox
    login: gr.Button
    status: gr.Markdown
    pick: gr.Dropdown


def build_evaluation(
    services: Services, role: gr.State, session: gr.State, lang: gr.State, i18n: gr.I18n
) -> Evaluation:
    """Lay out the evaluation view and wire its events (inside its tab)."""
    with gr.Row():
        password = gr.Textbox(
            label=i18n("evaluator_password"), type="password", elem_id="evaluator-password"
        )
        login = gr.Button(i18n("login"), elem_id="evaluator-login")
    status = gr.Markdown(elem_id="evaluator-status")
    pick = gr.Dropdown(label=i18n("evaluate_pick"), choices=[], elem_id="evaluate-pick")
    refresh = gr.Button(i18n("refresh"), size="sm", elem_id="evaluate-refresh")
    evaluation = gr.HTML(elem_id="evaluation")
    audit = gr.DownloadButton(
        i18n("export_csv"),  # type: ignore[arg-type]
        visible=False,
        elem_id="audit-csv",
    )

    def on_refresh(r: str, sid: str) -> Any:
        return gr.update(choices=choices(services, r, sid))

    def on_pick(value: str | None, r: str, sid: str, code: str) -> tuple[str, Any]:
        if not value:
            return tr("evaluate_empty", code), gr.update(visible=False)
        try:
            sentences, citations = checkable(services, value, r, sid)
        except Forbidden:
            return f"<p>{tr('evaluate_forbidden', code)}</p>", gr.update(visible=False)
        except LookupError:
            return f"<p>{tr('evaluate_missing', code)}</p>", gr.update(visible=False)
        html = evaluation_html(sentences, citations, code, services.text_of)
        path = audit_file(export_folder(), value, sentences, citations)
        return html, gr.update(value=str(path), visible=True)

    refresh.click(on_refresh, [role, session], [pick], api_visibility="private")
    pick.focus(on_refresh, [role, session], [pick], api_visibility="private")
    pick.change(on_pick, [pick, role, session, lang], [evaluation, audit], api_visibility="private")
    return Evaluation(password, login, status, pick)


def visible_entries(services: Services, role: str, sid: str) -> list[Entry]:
    """The answers this session may check: all for evaluators, else its own."""
    if can_evaluate(role):
        return services.journal.entries(LISTED)
    if not sid:  # a session that never loaded the page owns nothing
        return []
    return services.journal.entries(LISTED, session=sid)


def choices(services: Services, role: str, sid: str) -> list[tuple[str, str]]:
    """The evaluation list: (label, value) of the answers and, for evaluators, the draft."""
    found = [
        (f"#{e.id} — {e.question[:70]}", str(e.id)) for e in visible_entries(services, role, sid)
    ]
    if can_evaluate(role) and services.journal.latest_draft():
        found.insert(0, ("Brouillon / Draft", "draft"))
    return found


def checkable(
    services: Services, value: str, role: str, sid: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Sentences and citations of a journal answer (its id) or of the latest draft;
    Forbidden when the session may not check it, LookupError when there is none."""
    if value == "draft":
        if not can_evaluate(role):
            raise Forbidden("the draft is reserved to evaluators and facilitators")
        latest = services.journal.latest_draft()
        if latest is None:
            raise LookupError(value)
        draft = latest[2]
        sentences = [s for section in draft.get("sections", []) for s in section["sentences"]]
        return sentences, list(draft.get("citations", []))
    entry = services.journal.entry(int(value)) if value.isdigit() else None
    if entry is None:
        raise LookupError(value)
    if not can_evaluate(role) and not (sid and entry.session == sid):
        raise Forbidden("participants check only their own answers")
    return list(entry.answer["sentences"]), list(entry.answer["citations"])


def audit_file(
    folder: Path, name: str, sentences: list[dict[str, Any]], citations: list[dict[str, Any]]
) -> Path:
    """The CSV citation audit of these sentences (the same as `draft --format csv`)."""
    cited = [
        Sentence(s["text"], tuple(s["citations"]), float(s["support"]), s["verdict"])
        for s in sentences
    ]
    path = folder / f"audit-{name}.csv"
    part = "draft" if name == "draft" else f"answer {name}"
    write_text(audit_csv([(part, cited)], [citation_from_json(c) for c in citations]), path)
    return path
