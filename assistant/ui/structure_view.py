"""The Corpus tab's structure view (facilitators): per scenario text, the scenarios detected
(number, title, line, first words) and their parts with sizes, the corrections made; and
two corrections at hand, rename a scenario and map a label to a part. Document text is
data: every piece of it is escaped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import gradio as gr

from ..errors import AssistantError
from ..indexed import SECTION_LABELS
from .i18n import tr
from .services import FACILITATOR, Services

PARTS = [("Récit / Narrative", "narrative"), ("Leviers / Levers", "levers"),
         ("Intérêt / Interest", "interest"), ("Limites / Limits", "limits")]  # fmt: skip


def structure_html(texts: list[Any], code: str) -> str:
    """The detected structure of every scenario text, as escaped HTML."""
    if not texts:
        return f"<p>{tr('structure_none', code)}</p>"
    out = []
    for t in texts:
        rows = []
        for s in t.scenarios:
            parts = ", ".join(
                f"{escape(SECTION_LABELS.get(p.section, p.section))} ({p.chars})" for p in s.parts
            )
            rows.append(
                f"<tr class='scenario'><td class='number'>{s.number}</td>"
                f"<td class='title'>{escape(s.title)}</td><td class='line'>{s.line}</td>"
                f"<td class='first'>« {escape(s.first_words)} … »</td>"
                f"<td class='parts'>{parts}</td></tr>"
            )
        body = (
            "<table><thead><tr><th>n°</th><th>titre / title</th>"
            f"<th>{tr('structure_line', code)}</th><th>…</th>"
            f"<th>{tr('structure_parts', code)}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else f"<p class='nothing'>{tr('structure_nothing', code)}</p>"
        )
        fixes = "".join(f"<li>{escape(c)}</li>" for c in t.corrections)
        fixes_html = (
            f"<p>{tr('structure_corrections', code)}</p><ol class='corrections'>{fixes}</ol>"
            if fixes
            else ""
        )
        out.append(
            f"<section class='scenario-text' data-doc='{escape(t.doc_id)}'>"
            f"<h4>{escape(t.source)}</h4>{body}{fixes_html}</section>"
        )
    return "".join(out)


@dataclass
class StructureView:
    """What other events refresh: the view and the document choices."""

    html: gr.HTML
    doc: gr.Dropdown
    refresh: Callable[[str, str], tuple[Any, Any]]


def build_structure(
    services: Services, role: gr.State, lang: gr.State, i18n: gr.I18n
) -> StructureView:
    """Lay out the structure view and its two corrections (inside the corpus panel)."""
    with gr.Accordion(i18n("structure"), open=True, elem_id="structure-section"):
        show = gr.Button("↻", elem_id="structure-show")
        view = gr.HTML(elem_id="structure")
        doc = gr.Dropdown(label=i18n("structure_doc"), choices=[], elem_id="structure-doc")
        with gr.Row():
            scenario = gr.Dropdown(
                label=i18n("structure_scenario"), choices=[], elem_id="structure-scenario"
            )
            title = gr.Textbox(label=i18n("structure_title"), elem_id="structure-title")
            rename = gr.Button(i18n("structure_rename"), elem_id="structure-rename")
        with gr.Row():
            label = gr.Textbox(label=i18n("structure_label"), elem_id="structure-label")
            part = gr.Dropdown(
                label=i18n("structure_part"),
                choices=PARTS,
                allow_custom_value=True,
                elem_id="structure-part",
            )
            map_label = gr.Button(i18n("structure_map"), elem_id="structure-map")
        note = gr.HTML(elem_id="structure-note")

    def texts(r: str) -> list[Any]:
        return services.structure(r) if r == FACILITATOR else []

    def refresh(r: str, code: str) -> tuple[Any, Any]:
        found = texts(r)
        choices = [(t.source, t.doc_id) for t in found]
        return structure_html(found, code), gr.update(choices=choices)

    def on_doc(r: str, doc_id: str | None) -> Any:
        found = [t for t in texts(r) if t.doc_id == doc_id]
        choices = [(f"{s.number}. {s.title}", s.id) for t in found for s in t.scenarios]
        return gr.update(choices=choices, value=None)

    def correct(r: str, code: str, d: str, change: Callable[[Any], Any]) -> tuple[Any, ...]:
        try:
            warnings = services.correct(r, change)
            done = f"<p>{tr('structure_done', code)}</p>" + "".join(
                f"<p class='warning'>{escape(w)}</p>" for w in warnings
            )
        except AssistantError as exc:
            done = f"<p class='error'>{escape(str(exc))}</p>"
        return done, *refresh(r, code), on_doc(r, d)

    def on_rename(r: str, code: str, d: str | None, s: str | None, t: str) -> tuple[Any, ...]:
        if not d or not s:
            missing = f"<p class='error'>{tr('structure_scenario', code)} ?</p>"
            return missing, *refresh(r, code), gr.skip()
        return correct(r, code, d, lambda e: e.rename(d, s, t or ""))

    def on_map(r: str, code: str, d: str | None, lb: str, p: str | None) -> tuple[Any, ...]:
        if not d:
            missing = f"<p class='error'>{tr('structure_doc', code)} ?</p>"
            return missing, *refresh(r, code), gr.skip()
        return correct(r, code, d, lambda e: e.map_label(d, lb or "", p or ""))

    outputs = [note, view, doc, scenario]
    show.click(refresh, [role, lang], [view, doc], api_visibility="private")
    doc.change(on_doc, [role, doc], [scenario], api_visibility="private")
    rename.click(on_rename, [role, lang, doc, scenario, title], outputs, api_visibility="private")
    map_label.click(on_map, [role, lang, doc, label, part], outputs, api_visibility="private")
    return StructureView(view, doc, refresh)
