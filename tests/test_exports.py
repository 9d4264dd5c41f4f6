"""Exports: Markdown with references, a Word file python-docx re-opens, the CSV audit."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from docx import Document

from assistant.exports import (
    AUDIT_COLUMNS,
    audit_csv,
    decision_text,
    draft_audit_csv,
    draft_docx,
    draft_json,
    draft_markdown,
    md_escape,
)
from assistant.tasks.box import build_box
from assistant.tasks.draft import Draft, draft
from assistant.types import Citation, Scenario, Sentence
from assistant.workshop import add_decision, set_mark

from .workshop_helpers import Wired, wire


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Draft:
    wired: Wired = wire(tmp_path_factory.mktemp("exports") / "store")
    box = build_box(wired.retriever, wired.extractive)
    box = set_mark(set_mark(box, "Accueil", "2", "keep"), "Santé", "2", "adapt")
    box = add_decision(
        box, "Garder un <b>guichet</b> | humain.", "Marie", "accueil", "2024-05-02T10:00:00+02:00"
    )
    return draft(wired.retriever, wired.extractive, wired.checker, box)


def test_markdown_has_sections_references_and_attributed_decisions(result: Draft) -> None:
    md = draft_markdown(result)
    for section in result.sections:
        assert f"\n## {section.name}\n" in md
    refs = md.split("\n## Références\n", 1)[1]
    for c in result.citations:
        line = next(ln for ln in refs.splitlines() if ln.startswith(f"- [{c.n}] "))
        assert c.label in line and c.doc_id in line and f"{c.start}–{c.end}" in line
        assert md_escape(c.quote) in line
    decision = "Le groupe a retenu : « Garder un \\<b\\>guichet\\</b\\> \\| humain. »"
    assert decision + " (décision de l'atelier, Marie, 2024-05-02)" in md
    assert "<b>" not in md  # the group's text and the documents' are data, not markup
    assert "à adapter" in md and "retenu" in md


def test_word_file_reopens_with_quoted_references(result: Draft, tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    draft_docx(result, out)
    doc = Document(str(out))
    paragraphs = [_flat(p.text) for p in doc.paragraphs]
    assert "Références" in paragraphs
    refs = paragraphs[paragraphs.index("Références") + 1 :]
    assert len(refs) == len(result.citations)
    for c, para in zip(result.citations, refs, strict=True):
        assert para.startswith(f"[{c.n}] {c.label} — ")
        assert f"« {_flat(c.quote)} »" in para and c.doc_id in para
    body = "\n".join(paragraphs)
    assert _flat(decision_text(result.decisions[0])) in body
    for section in result.sections:
        assert section.name in paragraphs
    buffer = io.BytesIO()
    draft_docx(result, buffer)  # the web app downloads it from memory
    assert buffer.getvalue()[:2] == b"PK"


def test_csv_audit_has_one_row_per_citation_use(result: Draft) -> None:
    rows = list(csv.DictReader(io.StringIO(draft_audit_csv(result))))
    uses = [(sec.name, s, n) for sec in result.sections for s in sec.sentences for n in s.citations]
    assert len(rows) == len(uses) and tuple(rows[0]) == AUDIT_COLUMNS
    by_n = {c.n: c for c in result.citations}
    for row, (part, sentence, n) in zip(rows, uses, strict=True):
        c = by_n[n]
        assert (row["part"], row["sentence"], int(row["n"])) == (part, sentence.text, n)
        assert row["verdict"] == sentence.verdict and float(row["support"]) == sentence.support
        assert (row["doc_id"], int(row["start"]), int(row["end"])) == (c.doc_id, c.start, c.end)
        assert row["quote"] == c.quote and row["label"] == c.label and row["source"] == c.source


def test_csv_cells_never_start_a_formula() -> None:
    c = Citation(1, "c1", "d1", "x.md", "diagnostic", Scenario(1, "s1", "T"), "", 0, 6, "=1+1 !")
    text = audit_csv([("part", [Sentence("@SUM(A1)", (1,), 0.5, "weak")])], [c])
    row = list(csv.DictReader(io.StringIO(text)))[0]
    assert row["sentence"] == "'@SUM(A1)" and row["quote"] == "'=1+1 !"


def test_json_lists_sections_citations_and_decisions(result: Draft) -> None:
    out = draft_json(result)
    assert set(out) >= {"sections", "citations", "decisions", "assumed_all_kept", "notes"}
    sentence = out["sections"][0]["sentences"][0]
    assert {"text", "citations", "support", "verdict"} <= set(sentence)
    assert out["decisions"][0]["author"] == "Marie" and out["assumed_all_kept"] is False
    assert {c["label"] for c in out["citations"]} <= {"constat", "hypothèse"}


def test_md_escape_defuses_markup() -> None:
    assert md_escape("a | b\n<img src=x onerror=alert(1)> [lien](http://x) *gras*") == (
        "a \\| b \\<img src=x onerror=alert(1)\\> \\[lien\\](http://x) \\*gras\\*"
    )


def test_exports_show_labels_prose_removed_sentences_and_empty_reasons(
    result: Draft, tmp_path: Path
) -> None:
    from dataclasses import replace

    levers = next(s for s in result.sections if s.name == "Leviers retenus")
    lever = levers.sentences[0]
    md = draft_markdown(result)
    assert f"- **{md_escape(lever.label)}" in md and lever.label.startswith("Scénario 2 — Leviers")
    assert f"« {md_escape(lever.text)} »" in md
    prose = replace(levers, writer="qwen", removed=2)
    empty = replace(levers, name="Vision", sentences=(), reason="Aucune cellule retenue : x.")
    changed = replace(result, sections=(empty, prose))
    md = draft_markdown(changed)
    para = md.split("## Leviers retenus\n\n", 1)[1].splitlines()[0]
    assert para.startswith(md_escape(lever.text)) and "**" not in para  # one paragraph
    assert "2 phrase(s) du modèle retirée(s)" in md and "_Aucune cellule retenue : x._" in md
    out = tmp_path / "d.docx"
    draft_docx(changed, out)
    body = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Aucune cellule retenue : x." in body and "2 phrase(s) du modèle retirée(s)" in body
    sections = draft_json(changed)["sections"]
    assert sections[0]["reason"] == "Aucune cellule retenue : x."
    assert (sections[1]["writer"], sections[1]["removed"]) == ("qwen", 2)
    assert sections[1]["sentences"][0]["label"] == lever.label
