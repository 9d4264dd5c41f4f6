"""Exports: the draft as Markdown or Word, and the CSV citation audit of any cited text.

References are numbered as in the text ([n]); each names the document, the scenario and
section, the span, the *constat* / *hypothèse* label, and quotes the passage. Decisions of
the workshop are quoted and attributed to the group ("Le groupe a retenu : « … »"), with no
reference number: they are not sources. A section the model wrote is a paragraph; quoted
items are a list, each labelled with its scenario and part. A sentence not fully supported
is flagged, and one the facilitator edited is "non vérifiée" until checked again; an empty
section says why. Document text is data: Markdown punctuation in it is escaped, so a passage
can never turn into a link, an image or HTML.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from .errors import AssistantError
from .indexed import SECTION_LABELS
from .render import citation_json, scenario_json
from .tasks.draft import Draft, DraftSection, DraftSentence
from .tasks.draft_edit import UNVERIFIED
from .types import Citation
from .workshop import Decision

TITLE = "Scénario normatif — brouillon"
MARK_LABELS = {"keep": "retenu", "adapt": "à adapter"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SentenceLike(Protocol):
    """Anything with cited sentence fields (answer, comparison and draft sentences)."""

    @property
    def text(self) -> str: ...
    @property
    def citations(self) -> tuple[int, ...]: ...
    @property
    def support(self) -> float: ...
    @property
    def verdict(self) -> str: ...


def md_escape(text: str) -> str:
    """Text as literal Markdown on one line: punctuation escaped, whitespace collapsed."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def place(c: Citation) -> str:
    """Where a citation comes from: document, scenario, section, page."""
    parts = [Path(c.source).name]
    if c.scenario is not None:
        parts.append(f"scénario {c.scenario.number} « {c.scenario.title} »")
    if c.section:
        parts.append(SECTION_LABELS.get(c.section, c.section).replace(" > ", " › "))
    if c.page:
        parts.append(f"p. {c.page}")
    return ", ".join(parts)


def reference(c: Citation) -> str:
    """A reference line (plain text): label, place, span, quoted passage."""
    quote = " ".join(c.quote.split())
    return f"[{c.n}] {c.label} — {place(c)} ({c.doc_id}, {c.start}–{c.end}) : « {quote} »"


def decision_text(d: Decision) -> str:
    """A decision as the draft quotes it: attributed to the workshop, never as a source."""
    return f"Le groupe a retenu : « {d.text} » (décision de l'atelier, {d.author}, {d.time[:10]})"


def lead(s: DraftSentence) -> str:
    """What a quoted item is: its scenario and part (or *constat*), theme and mark."""
    where = f"scénario {s.scenario.number}" if s.scenario else "constat"
    mark = f", {MARK_LABELS[s.mark]}" if s.mark in MARK_LABELS else ""
    edited = "modifiée par l'animation" if s.edited else ""
    if s.label:
        about = ", ".join(x for x in (s.theme, MARK_LABELS.get(s.mark, ""), edited) if x)
        return f"{s.label} ({about})" if about else s.label
    if edited:
        return edited
    return f"{s.theme} — {where}{mark}" if s.theme else f"{where}{mark}"


def flag(s: SentenceLike) -> str:
    """A visible flag for a sentence its citations do not fully support, or not checked."""
    if s.verdict == UNVERIFIED:
        return " ⚠ non vérifiée"
    return "" if s.verdict == "supported" else f" ⚠ {s.verdict} ({s.support:.2f})"


def removed_text(section: DraftSection) -> str:
    """What the draft says of the model's sentences it removed from a section, and why."""
    return removed_note(section.removed, section.cut)


def removed_note(removed: int, cut: int) -> str:
    """Why `removed` sentences of the model are not shown, `cut` of them unfinished."""
    why = []
    if removed - cut:
        why.append(
            f"{removed - cut} phrase(s) du modèle retirée(s) : les passages cités ne les "
            "appuyaient pas."
        )
    if cut:
        why.append(f"{cut} phrase du modèle retirée : inachevée, coupée par la limite de longueur.")
    return " ".join(why)


def empty_text(section: DraftSection) -> str:
    """Why a section has nothing to show."""
    return section.reason or "Aucun élément retenu pour cette section."


# -- Markdown ---------------------------------------------------------------------------------


def draft_markdown(draft: Draft, title: str = TITLE) -> str:
    """The draft as Markdown, with numbered references quoting each passage."""
    lines = [f"# {title}", ""]
    for note in draft.notes:
        lines += [f"> **Note :** {md_escape(note)}", ""]
    for section in draft.sections:
        lines += [f"## {section.name}", ""]
        if section.writer != "extractive":
            prose = [
                f"{md_escape(s.text)} {''.join(f'[{n}]' for n in s.citations)}{flag(s)}"
                for s in section.sentences
            ]
            lines.append(" ".join(prose))
        else:
            for s in section.sentences:
                marks = "".join(f"[{n}]" for n in s.citations)
                text = md_escape(s.text) if s.edited else f"« {md_escape(s.text)} »"  # verbatim
                lines.append(f"- **{md_escape(lead(s))}** : {text} {marks}{flag(s)}")
        if section.removed:
            lines += ["", f"_{md_escape(removed_text(section))}_"]
        if section.decisions:
            lines += ["", "**Décisions de l'atelier** (paroles du groupe, pas des sources) :", ""]
            lines += [f"- {md_escape(decision_text(d))}" for d in section.decisions]
        if not section.sentences and not section.decisions:
            lines.append(f"_{md_escape(empty_text(section))}_")
        lines.append("")
    lines += ["## Références", ""]
    lines += [f"- [{c.n}] {md_escape(reference(c).split('] ', 1)[1])}" for c in draft.citations]
    lines += [
        "",
        f"_Rédaction : {md_escape(draft.writer)}. Constat : diagnostic ; hypothèse : scénario._",
    ]
    return "\n".join(lines) + "\n"


# -- Word -------------------------------------------------------------------------------------


def _xml(text: str) -> str:
    return _CONTROL.sub("", text)


def draft_docx(draft: Draft, out: Path | io.BytesIO, title: str = TITLE) -> None:
    """The draft as a Word document with a numbered "Références" section (endnotes)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(title, level=0)
    for note in draft.notes:
        doc.add_paragraph().add_run(_xml(f"Note : {note}")).italic = True
    for section in draft.sections:
        doc.add_heading(section.name, level=1)
        prose = doc.add_paragraph() if section.writer != "extractive" else None
        for s in section.sentences:
            para = prose or doc.add_paragraph(style="List Bullet")
            if prose is None:
                para.add_run(_xml(lead(s)) + " : ").bold = True
            para.add_run(_xml(" ".join(s.text.split())))
            para.add_run("".join(f"[{n}]" for n in s.citations)).font.superscript = True
            if flag(s):
                para.add_run(flag(s)).bold = True
            if prose is not None:
                para.add_run(" ")
        if section.removed:
            doc.add_paragraph().add_run(removed_text(section)).italic = True
        if section.decisions:
            doc.add_paragraph("Décisions de l'atelier (paroles du groupe, pas des sources) :")
            for d in section.decisions:
                doc.add_paragraph(style="List Bullet").add_run(_xml(decision_text(d))).italic = True
        if not section.sentences and not section.decisions:
            doc.add_paragraph().add_run(_xml(empty_text(section))).italic = True
    doc.add_heading("Références", level=1)
    for c in draft.citations:
        para = doc.add_paragraph()
        para.add_run(f"[{c.n}] ").bold = True
        para.add_run(f"{c.label} — ").italic = True
        para.add_run(_xml(f"{place(c)} ({c.doc_id}, {c.start}–{c.end}) : "))
        para.add_run(_xml(f"« {' '.join(c.quote.split())} »"))
        para.paragraph_format.space_after = Pt(4)
    try:
        doc.save(out if isinstance(out, io.BytesIO) else str(out))
    except OSError as exc:
        raise AssistantError(f"cannot write {out}: {exc.strerror}") from None


# -- CSV citation audit -------------------------------------------------------------------------

AUDIT_COLUMNS = (
    "part", "sentence", "verdict", "support", "n", "label", "kind", "source", "doc_id",
    "scenario", "section", "page", "start", "end", "quote",
)  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with = + - @ as a formula: keep it text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def audit_csv(
    groups: Iterable[tuple[str, Iterable[SentenceLike]]], citations: Sequence[Citation]
) -> str:
    """One row per use of a citation by a sentence, with its verdict, support and quote
    (a sentence citing nothing: one row, its citation columns empty)."""
    by_n = {c.n: c for c in citations}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for part, sentences in groups:
        for s in sentences:
            if not s.citations:  # e.g. a sentence the facilitator added: shown, citing nothing
                bare: tuple[object, ...] = (part, s.text, s.verdict, f"{s.support:.3f}")
                writer.writerow([_cell(v) for v in (*bare, *[""] * 11)])
            for n in s.citations:
                c = by_n[n]
                scenario = f"{c.scenario.number} {c.scenario.title}" if c.scenario else ""
                row = (
                    part, s.text, s.verdict, f"{s.support:.3f}", n, c.label, c.kind, c.source,
                    c.doc_id, scenario, c.section, c.page or "", c.start, c.end, c.quote,
                )  # fmt: skip
                writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def draft_audit_csv(draft: Draft) -> str:
    """The citation audit of a draft (part = section name)."""
    return audit_csv(((s.name, s.sentences) for s in draft.sections), draft.citations)


def write_text(text: str, out: Path, *, bom: bool = False) -> None:
    """Write an export; a one-line error when the file cannot be written."""
    try:
        out.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as exc:
        raise AssistantError(f"cannot write {out}: {exc.strerror}") from None


def draft_json(draft: Draft) -> dict[str, Any]:
    """The draft as `assistant draft --json` prints it."""

    def decision(d: Decision) -> dict[str, Any]:
        return {"id": d.id, "text": d.text, "author": d.author, "time": d.time, "theme": d.theme}

    return {
        "sections": [
            {
                "name": section.name,
                "sentences": [
                    {
                        "text": s.text,
                        "citations": list(s.citations),
                        "support": s.support,
                        "verdict": s.verdict,
                        "theme": s.theme,
                        "scenario": scenario_json(s.scenario),
                        "mark": s.mark,
                        "label": s.label,
                        "edited": s.edited,
                    }
                    for s in section.sentences
                ],
                "decisions": [decision(d) for d in section.decisions],
                "reason": section.reason,
                "writer": section.writer,
                "removed": section.removed,
                "cut": section.cut,
                "cited": list(section.cited),
            }
            for section in draft.sections
        ],
        "citations": [citation_json(c) for c in draft.citations],
        "decisions": [decision(d) for d in draft.decisions],
        "assumed_all_kept": draft.assumed_all_kept,
        "notes": list(draft.notes),
        "writer": draft.writer,
    }
