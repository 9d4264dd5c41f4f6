"""The corpus tab (facilitators): upload with progress and per-file errors, the document
list with chunk counts, removal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

import gradio as gr

from ..errors import AssistantError
from .i18n import tr
from .services import FACILITATOR, UPLOAD_TYPES, Services
from .structure_view import StructureView, build_structure

POLL_SECONDS = 0.5
PROGRESS = gr.Progress()  # Gradio passes a live tracker to handlers declaring this default


@dataclass
class Corpus:
    """What the login toggles and refreshes."""

    locked: gr.Markdown
    panel: gr.Column
    documents: gr.Dataframe
    remove_pick: gr.Dropdown
    structure: StructureView


def document_rows(services: Services, role: str) -> tuple[Any, Any]:
    """The document table and the removal choices (empty for participants)."""
    if role != FACILITATOR:
        return gr.update(value=[]), gr.update(choices=[])
    docs = services.documents()
    rows = [[d["doc_id"], d["source"], d["kind"], d["chunks"]] for d in docs]
    choices = [(f"{d['source']} ({d['chunks']})", d["doc_id"]) for d in docs]
    return gr.update(value=rows), gr.update(choices=choices, value=None)


def report_html(report: dict[str, Any], code: str) -> str:
    """What an upload did, file by file."""
    rows = [f"<li>{escape(s)} — {tr('ingested', code)}</li>" for s in report["ingested"]]
    rows += [f"<li>{escape(s)} — {tr('replaced', code)}</li>" for s in report.get("replaced", [])]
    rows += [f"<li>{escape(s)} — {tr('skipped', code)}</li>" for s in report["skipped"]]
    rows += [
        f"<li><b>{escape(f['path'])}</b> — {tr('failed', code)} : {escape(f['error'])}</li>"
        for f in report["failed"]
    ]
    rows += [
        f"<li><b>{escape(w['path'])}</b> — {tr('to_check', code)} : {escape(w['warning'])}</li>"
        for w in report.get("warnings", [])
    ]
    return f"<ul>{''.join(rows)}</ul>"


def build_corpus(
    services: Services, role: gr.State, lang: gr.State, scenarios: gr.Dropdown, i18n: gr.I18n
) -> Corpus:
    """Lay out the corpus view and wire its events (inside its tab)."""
    locked = gr.Markdown(tr("login_needed", "fr"), elem_id="corpus-locked")
    with gr.Column(visible=False, elem_id="corpus-panel") as panel:
        files = gr.File(
            label=i18n("upload"),
            file_count="multiple",
            file_types=list(UPLOAD_TYPES),
            elem_id="upload",
        )
        with gr.Row():
            ingest = gr.Button(i18n("ingest"), variant="primary", elem_id="ingest")
            cancel = gr.Button(i18n("cancel_ingest"), elem_id="cancel-ingest")
        report = gr.HTML(elem_id="ingest-report")
        cancel_note = gr.HTML(elem_id="cancel-note")
        documents = gr.Dataframe(
            headers=["doc_id", "source", "kind", "chunks"],
            interactive=False,
            elem_id="documents",
            wrap=True,
        )
        remove_pick = gr.Dropdown(label=i18n("remove_pick"), choices=[], elem_id="remove-pick")
        remove = gr.Button(i18n("remove"), variant="stop", elem_id="remove")
        structure = build_structure(services, role, lang, i18n)

    def on_ingest(
        r: str, paths: list[str] | None, code: str, progress: gr.Progress = PROGRESS
    ) -> Iterator[tuple[Any, ...]]:
        # The ingest runs in a background thread; this handler only follows it, so that
        # removals and the stop button (their own events) answer meanwhile.
        if not paths:
            yield f"<p>{tr('no_file', code)}</p>", *document_rows(services, r)
            return
        try:
            job = services.start_upload(r, paths)
        except AssistantError as exc:
            yield f"<p>{escape(str(exc))}</p>", *document_rows(services, r)
            return
        shown = None
        while not job.finished.wait(POLL_SECONDS):
            last = f" — {job.last[0]} : {tr(job.last[1], code)}" if job.last else ""
            line = f"{tr('indexing', code)} : {job.done}/{job.total}{last}"
            progress(job.done / max(job.total, 1), desc=line)
            if line != shown:
                shown = line
                yield f"<p>{escape(line)}</p>", gr.skip(), gr.skip()
        yield report_html(job.report, code), *document_rows(services, r)

    def on_cancel(r: str, code: str) -> str:
        try:
            stopped = services.cancel_upload(r)
        except AssistantError as exc:
            return f"<p>{escape(str(exc))}</p>"
        return f"<p>{tr('cancel_sent' if stopped else 'nothing_to_cancel', code)}</p>"

    def on_remove(r: str, doc_id: str | None, code: str) -> tuple[Any, ...]:
        if not doc_id:
            return "", *document_rows(services, r)
        try:
            result = f"<p>{tr('removed', code)} {escape(services.remove(r, doc_id))}</p>"
        except AssistantError as exc:
            result = f"<p>{escape(str(exc))}</p>"
        return result, *document_rows(services, r)

    outputs = [report, documents, remove_pick]
    ingest.click(on_ingest, [role, files, lang], outputs, api_visibility="private").then(
        lambda: gr.update(choices=services.scenario_choices()),
        None,
        [scenarios],
        api_visibility="private",
    ).then(
        structure.refresh, [role, lang], [structure.html, structure.doc], api_visibility="private"
    )
    remove.click(on_remove, [role, remove_pick, lang], outputs, api_visibility="private").then(
        structure.refresh, [role, lang], [structure.html, structure.doc], api_visibility="private"
    )
    cancel.click(on_cancel, [role, lang], [cancel_note], api_visibility="private")
    return Corpus(locked, panel, documents, remove_pick, structure)
