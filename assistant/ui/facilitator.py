"""The facilitator's tools in the app: comparison matrix, morphological box (keep / adapt /
drop, the group's decisions), the normative draft with its citations, and exports.

Every handler checks the session's role on the server; the panel is only shown after login.
The box is the workshop file `<store>/workshop.json` that the command line shares; drafts
are saved in the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import AssistantError
from ..limits import check_aspects
from .access import FACILITATOR
from .downloads import export_folder
from .i18n import tr
from .services import Services, require_facilitator
from .workshop_html import MARK_LABELS, box_html, draft_html, matrix_html

EXPORT_NAMES = ("scenario-normatif.md", "scenario-normatif.docx", "audit-citations.csv")


def compare_json(services: Services, scenarios: list[str], aspects: list[str]) -> dict[str, Any]:
    """The comparison matrix as `assistant compare --json` prints it."""
    from ..tables import comparison_json
    from ..tasks.compare import compare

    settings = services.settings
    check_aspects(aspects, settings.max_aspects, settings.max_query_chars)
    return comparison_json(
        compare(
            services.retriever, services.asker.extractive, services.checker,
            scenarios=scenarios, aspects=aspects,
        )
    )  # fmt: skip


class Workshop:
    """The facilitator's operations on the box and the draft (role checked on each)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.path = services.settings.home / "workshop.json"

    def box(self, role: str, rebuild: bool = False) -> Any:
        """The workshop's box, built from the store the first time (or when asked)."""
        from ..tasks.box import build_box
        from ..workshop import keep_decisions, load_box, save_box

        require_facilitator(role)
        if self.path.exists() and not rebuild:
            return load_box(self.path)
        box = build_box(self.services.retriever, self.services.asker.extractive)
        if self.path.exists():
            box = keep_decisions(box, load_box(self.path))
        save_box(box, self.path)
        return box

    def change(self, role: str, change: Callable[[Any], Any]) -> Any:
        """Apply a change to the box under its lock."""
        from ..workshop import update_box

        self.box(role)
        return update_box(self.path, change)

    def draft(self, role: str, sections: list[str]) -> Any:
        """Draft the chosen sections from the box (in prose when a chat model is set); save it."""
        from ..exports import draft_json
        from ..tasks.draft import draft
        from ..tasks.draft_llm import rewriter_for

        box = self.box(role)
        settings = self.services.settings
        made = draft(
            self.services.retriever, self.services.asker.extractive, self.services.checker,
            box, sections,
            rewriter=rewriter_for(self.services.asker.generated, settings.llm_draft_timeout),
        )  # fmt: skip
        self.services.journal.save_draft(draft_json(made))
        return made

    def revise(self, role: str, made: Any, section: str, text: str | None = None) -> Any:
        """The draft with one section edited (`text`: its sentences become unverified) or,
        with no text, its unverified sentences checked against the section's citations;
        saved in the journal as the workshop's latest draft."""
        from ..tasks.draft_edit import check_section, edit_section

        require_facilitator(role)
        if made is None:
            raise AssistantError("draft first (Rédiger / Draft), then edit a section")
        from ..exports import draft_json

        if text is not None:
            revised = edit_section(made, section, text)
        else:
            revised = check_section(made, section, self.services.checker)
        self.services.journal.save_draft(draft_json(revised))  # the workshop's latest draft
        return revised

    def reopen(self, role: str) -> Any:
        """The workshop's latest draft from the journal, edits included (None: not drafted
        yet): what the panel shows again after a page reload, to go on editing."""
        from ..tasks.draft_saved import draft_from_json

        require_facilitator(role)
        latest = self.services.journal.latest_draft()
        return draft_from_json(latest[2]) if latest is not None else None

    @staticmethod
    def files(made: Any) -> list[str]:
        """The export files of a draft, in a fresh private folder (see `export_folder`)."""
        from ..exports import draft_audit_csv, draft_docx, draft_markdown, write_text

        folder = export_folder()
        write_text(draft_markdown(made), folder / "scenario-normatif.md")
        draft_docx(made, folder / "scenario-normatif.docx")
        write_text(draft_audit_csv(made), folder / "audit-citations.csv", bom=True)
        return [str(folder / n) for n in EXPORT_NAMES]

    def workshop_file(self, role: str) -> Path:
        """The whole workshop (journal and box) as one JSON file."""
        from ..workshop import box_json

        box = box_json(self.box(role)) if self.path.exists() else None
        path = export_folder() / "atelier.json"
        path.write_text(self.services.export_workshop(role, box), encoding="utf-8")
        return path

    def import_file(self, role: str, file: str, code: str = "fr") -> str:
        """Replace the workshop's journal and box with an exported file, all or nothing;
        what it replaced, in words."""
        from ..workshop_file import import_workshop, read_export

        require_facilitator(role)
        limit = int(self.services.settings.max_upload_mb * 1024 * 1024)
        data = read_export(Path(file), limit)
        done = import_workshop(self.services.journal, self.path, data, self.services.corrections)
        self.services.reingest(role, done.corrections)
        what = [
            f"{done.questions} {tr('question_1' if done.questions == 1 else 'questions_n', code)}",
            f"{done.drafts} {tr('draft_1' if done.drafts == 1 else 'drafts_n', code)}",
            tr("imported_box" if done.box else "kept_box", code),
        ]
        if done.corrections:
            what.append(tr("imported_structure", code).format(n=len(done.corrections)))
        return tr("imported", code).format(what=", ".join(what))


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
