"""The facilitator's operations behind the panel: the comparison matrix, the morphological
box and its decisions, the draft, exports and imports.

Every operation checks the session's role on the server. The box is the workshop file
`<store>/workshop.json` that the command line shares; drafts are saved in the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import AssistantError
from ..limits import check_aspects
from .downloads import export_folder
from .i18n import tr
from .services import Services, require_facilitator

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
