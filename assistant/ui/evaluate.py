"""The evaluators' tab: any answer or the draft, each sentence beside its cited passages,
highlighted inside the full document text, with the support verdict; CSV export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ..exports import audit_csv, write_text
from ..render import citation_from_json
from ..types import Sentence
from .facilitator import export_folder
from .html import evaluation_html
from .i18n import tr
from .services import Services


def build_evaluation(services: Services, lang: gr.State, i18n: gr.I18n) -> None:
    """Lay out the evaluation view and wire its events (inside its tab)."""
    pick = gr.Dropdown(label=i18n("evaluate_pick"), choices=[], elem_id="evaluate-pick")
    refresh = gr.Button(i18n("refresh"), size="sm", elem_id="evaluate-refresh")
    evaluation = gr.HTML(elem_id="evaluation")
    audit = gr.DownloadButton(
        i18n("export_csv"),  # type: ignore[arg-type]
        visible=False,
        elem_id="audit-csv",
    )

    def on_refresh() -> Any:
        choices = [
            (f"#{e.id} — {e.question[:70]}", str(e.id)) for e in services.journal.entries(200)
        ]
        if services.journal.latest_draft():
            choices.insert(0, ("Brouillon / Draft", "draft"))
        return gr.update(choices=choices)

    def on_pick(value: str | None, code: str) -> tuple[str, Any]:
        if not value:
            return tr("evaluate_empty", code), gr.update(visible=False)
        sentences, citations = checkable(services, value)
        html = evaluation_html(sentences, citations, code, services.text_of)
        path = audit_file(export_folder(), value, sentences, citations)
        return html, gr.update(value=str(path), visible=True)

    refresh.click(on_refresh, None, [pick], api_visibility="private")
    pick.focus(on_refresh, None, [pick], api_visibility="private")
    pick.change(on_pick, [pick, lang], [evaluation, audit], api_visibility="private")


def checkable(services: Services, value: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Sentences and citations of a journal answer (its id) or of the latest draft."""
    if value == "draft":
        latest = services.journal.latest_draft()
        if latest is None:
            return [], []
        draft = latest[2]
        sentences = [s for section in draft.get("sections", []) for s in section["sentences"]]
        return sentences, list(draft.get("citations", []))
    entry = services.journal.entry(int(value))
    if entry is None:
        return [], []
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
