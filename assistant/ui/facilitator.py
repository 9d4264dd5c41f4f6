"""The facilitator's panel in the app: comparison matrix, morphological box (keep / adapt /
drop, the group's decisions), the normative draft with its citations, and exports.

The panel is only shown after login; its handlers call `workshop_ops.Workshop`, which checks
the session's role on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import gradio as gr

from ..errors import AssistantError
from .access import FACILITATOR
from .i18n import tr
from .services import Services, require_facilitator
from .workshop_html import MARK_LABELS, box_html, draft_html, matrix_html
from .workshop_ops import Workshop, compare_json


@dataclass
class Reopen:
    """Shows the journal's latest draft again, ready to edit: run it after a login (the
    page's session, and the draft on screen with it, are lost on a reload)."""

    fn: Callable[..., Any]
    inputs: list[Any]
    outputs: list[Any]


def build_facilitator(services: Services, role: gr.State, lang: gr.State, i18n: gr.I18n) -> Reopen:
    """The facilitator panel's sections (inside the panel shown after login)."""
    from ..tasks.draft import SECTIONS
    from ..workshop import MARKS, add_decision, box_json, set_mark

    shop = Workshop(services)
    with gr.Accordion(i18n("compare"), open=False, elem_id="compare-section"):
        aspects = gr.Textbox(label=i18n("aspects"), elem_id="aspects")
        run_compare = gr.Button(i18n("compare"), elem_id="compare")
        matrix = gr.HTML(elem_id="matrix")
    with gr.Accordion(i18n("box"), open=True, elem_id="box-section"):
        show_box = gr.Button("Afficher / Show", elem_id="box-show")
        box_view = gr.HTML(elem_id="box")
        with gr.Row():
            theme = gr.Dropdown(label="Thème / Theme", choices=[], elem_id="box-theme")
            scenario = gr.Dropdown(
                label="Scénario / Scenario",
                choices=services.scenario_choices(),
                elem_id="box-scenario",
            )
        mark = gr.Radio(
            choices=[(f"{MARK_LABELS[m]} / {m}", m) for m in MARKS],
            value="keep",
            label="Choix / Mark",
            elem_id="box-mark",
        )
        apply_mark = gr.Button("Appliquer / Apply", elem_id="box-apply")
        decision = gr.Textbox(label="Décision de l'atelier / Workshop decision", elem_id="decision")
        author = gr.Textbox(label="Auteur / Author", elem_id="decision-author")
        add = gr.Button("Ajouter la décision / Add the decision", elem_id="decision-add")
        rebuild = gr.Button("Reconstruire la boîte / Rebuild the box", size="sm")
        box_status = gr.Markdown(elem_id="box-status")
    with gr.Accordion(i18n("draft"), open=True, elem_id="draft-section"):
        sections = gr.CheckboxGroup(
            choices=list(SECTIONS), value=list(SECTIONS), label="Sections", elem_id="draft-sections"
        )
        write = gr.Button("Rédiger / Draft", variant="primary", elem_id="draft-write")
        draft_view = gr.HTML(elem_id="draft")
        with gr.Row():
            md = gr.DownloadButton("Markdown", visible=False, elem_id="download-md")
            docx = gr.DownloadButton("Word (.docx)", visible=False, elem_id="download-docx")
            audit = gr.DownloadButton("CSV audit", visible=False, elem_id="download-csv")
        current = gr.State(None)  # the draft on screen (server side), as edited
        edit_name = gr.Dropdown(
            label="Section à modifier / Section to edit", choices=list(SECTIONS),
            value=SECTIONS[0], elem_id="draft-edit-section",
        )  # fmt: skip
        edit_text = gr.Textbox(
            label="Texte de la section : une phrase par ligne, avec ses numéros [n] / "
            "Section text: one sentence a line, with its numbers [n]",
            lines=6, elem_id="draft-edit-text",
        )  # fmt: skip
        with gr.Row():
            apply_edit = gr.Button("Enregistrer / Save the edit", elem_id="draft-edit-apply")
            verify = gr.Button("Vérifier / Check", elem_id="draft-verify")
    with gr.Accordion(i18n("exports"), open=False, elem_id="workshop-section"):
        export = gr.Button(i18n("workshop_file"), elem_id="workshop-export")
        export_file = gr.DownloadButton("atelier.json", visible=False, elem_id="workshop-download")
        upload = gr.File(label=i18n("import"), file_types=[".json"], elem_id="workshop-import")
        import_status = gr.Markdown(elem_id="import-status")

    def guarded(fn: Callable[..., tuple[Any, ...]], n_out: int) -> Callable[..., Any]:
        """The handler, its user errors shown in its first output (one output: a value,
        not a 1-tuple, which Gradio would refuse)."""

        def run(*args: Any) -> Any:
            try:
                out = fn(*args)
            except AssistantError as exc:
                out = (f"**{escape(str(exc))}**", *([gr.skip()] * (n_out - 1)))
            return out[0] if n_out == 1 else out

        return run

    def on_compare(r: str, extra: str, code: str) -> tuple[Any, ...]:
        require_facilitator(r)
        chosen = [a.strip() for a in (extra or "").split(",") if a.strip()]
        aspects_all = ["narrative", "levers", "interest", "limits", *chosen]
        return (matrix_html(compare_json(services, [], aspects_all), code),)

    def shown(box: Any, code: str, message: str = "") -> tuple[Any, ...]:
        data = box_json(box)
        return message, box_html(data, code), gr.update(choices=data["themes"])

    def on_show(r: str, code: str) -> tuple[Any, ...]:
        return shown(shop.box(r), code)

    def on_rebuild(r: str, code: str) -> tuple[Any, ...]:
        return shown(shop.box(r, rebuild=True), code, "✔")

    def on_mark(r: str, t: str | None, s: str | None, m: str, code: str) -> tuple[Any, ...]:
        if not t or not s:
            raise AssistantError("choose a theme and a scenario")
        return shown(shop.change(r, lambda b: set_mark(b, t, s, m)), code, "✔")

    def on_decide(r: str, text: str, who: str, t: str | None, code: str) -> tuple[Any, ...]:
        box = shop.change(r, lambda b: add_decision(b, text or "", who or "", t or None))
        return (*shown(box, code, "✔"), "")

    def view(made: Any, code: str) -> tuple[Any, ...]:
        from ..exports import draft_json

        files = (gr.update(value=f, visible=True) for f in shop.files(made))
        return (draft_html(draft_json(made), code), *files, made)

    def text_of(made: Any, name: str | None) -> str:
        from ..tasks.draft_edit import section_text

        found = [s for s in made.sections if s.name == name] if made is not None else []
        return section_text(found[0]) if found else ""

    def on_draft(r: str, chosen: list[str], code: str) -> tuple[Any, ...]:
        made = shop.draft(r, chosen or list(SECTIONS))
        names = [s.name for s in made.sections]
        picked = gr.update(choices=names, value=names[0])
        return (*view(made, code), picked, text_of(made, names[0]))

    def on_reopen(r: str, code: str) -> tuple[Any, ...]:
        """After a login: the latest saved draft on screen and in the editor (nothing for
        another role, or before any draft)."""
        if r != FACILITATOR:
            return tuple(gr.skip() for _ in range(7))
        made = shop.reopen(r)
        if made is None:  # the marker says the panel is settled (browser tests wait on it)
            return ('<p data-draft="none"></p>', *(gr.skip() for _ in range(6)))
        names = [s.name for s in made.sections]
        picked = gr.update(choices=names, value=names[0] if names else None)
        html, *rest = view(made, code)
        note = f'<p class="note" data-draft="saved">{escape(tr("draft_reopened", code))}</p>'
        return (note + html, *rest, picked, text_of(made, names[0] if names else None))

    def on_pick(r: str, made: Any, name: str | None) -> tuple[Any, ...]:
        require_facilitator(r)
        return (text_of(made, name),)

    def on_edit(r: str, made: Any, name: str, text: str, code: str) -> tuple[Any, ...]:
        return view(shop.revise(r, made, name, text or ""), code)

    def on_verify(r: str, made: Any, name: str, code: str) -> tuple[Any, ...]:
        made = shop.revise(r, made, name)
        return (*view(made, code), text_of(made, name))

    def on_export(r: str) -> tuple[Any, ...]:
        return ("", gr.update(value=str(shop.workshop_file(r)), visible=True))

    def on_import(r: str, file: str | None, code: str) -> tuple[Any, ...]:
        """The import's message; the file box is emptied, ready for another file."""
        if not file:
            return ("", None)
        try:
            return (shop.import_file(r, file, code), None)
        except AssistantError as exc:
            return (escape(tr("import_failed", code).format(reason=exc), quote=False), None)

    private: dict[str, Any] = {"api_visibility": "private"}
    run_compare.click(guarded(on_compare, 1), [role, aspects, lang], [matrix], **private)
    box_outputs = [box_status, box_view, theme]
    show_box.click(guarded(on_show, 3), [role, lang], box_outputs, **private)
    rebuild.click(guarded(on_rebuild, 3), [role, lang], box_outputs, **private)
    apply_mark.click(
        guarded(on_mark, 3), [role, theme, scenario, mark, lang], box_outputs, **private
    )
    add.click(
        guarded(on_decide, 4), [role, decision, author, theme, lang], [*box_outputs, decision],
        **private,
    )  # fmt: skip
    drafted = [draft_view, md, docx, audit, current]
    write.click(
        guarded(on_draft, 7), [role, sections, lang], [*drafted, edit_name, edit_text], **private
    )
    edit_name.change(guarded(on_pick, 1), [role, current, edit_name], [edit_text], **private)
    apply_edit.click(
        guarded(on_edit, 5), [role, current, edit_name, edit_text, lang], drafted, **private
    )
    verify.click(
        guarded(on_verify, 6), [role, current, edit_name, lang], [*drafted, edit_text], **private
    )
    export.click(guarded(on_export, 2), [role], [import_status, export_file], **private)
    upload.upload(guarded(on_import, 2), [role, upload, lang], [import_status, upload], **private)
    return Reopen(guarded(on_reopen, 7), [role, lang], [*drafted, edit_name, edit_text])
