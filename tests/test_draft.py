"""The normative draft: only kept/adapted cells and diagnostics cited, decisions apart."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.exports import draft_json, draft_markdown
from assistant.llm import LLMError, OpenAIChat, ScriptedChat
from assistant.tasks.box import build_box
from assistant.tasks.draft import ASSUMED, SECTIONS, Draft, draft, figures, section_names
from assistant.tasks.draft_llm import SectionRewriter
from assistant.workshop import KEPT, Box, add_decision, load_box, save_box, set_mark

from .chat_fakes import CutHandler, cut_reply, cut_server
from .workshop_helpers import Wired, assert_exact, wire


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Wired:
    return wire(tmp_path_factory.mktemp("draft") / "store")


@pytest.fixture(scope="module")
def built(wired: Wired) -> Box:
    return build_box(wired.retriever, wired.extractive)


def _edited(built: Box, path: Path) -> Box:
    """Keep, adapt and drop some cells, add decisions, save, and reload from disk."""
    box = set_mark(built, "Accueil du public", "2", "keep")
    box = set_mark(box, "Information", "3", "adapt")
    box = set_mark(box, "Solidarités", "4", "keep")
    box = set_mark(box, "Numérique", "1", "drop")
    box = set_mark(box, "Santé", "1", "drop")
    box = set_mark(box, "Accueil du public", "3", "drop")
    box = add_decision(box, "L'accueil humain reste la porte d'entrée.", "Groupe A", "accueil")
    box = add_decision(box, "Un bilan chaque année.", "Groupe B", time="2024-05-02T18:00:00+02:00")
    save_box(box, path)
    return load_box(path)


def test_draft_cites_only_kept_cells_and_diagnostics(
    wired: Wired, built: Box, tmp_path: Path
) -> None:
    box = _edited(built, tmp_path / "workshop.json")
    result = draft(wired.retriever, wired.extractive, wired.checker, box)
    assert not result.assumed_all_kept and result.writer == "extractive"
    assert [s.name for s in result.sections] == list(SECTIONS)
    kept = [c for c in box.cells if c.mark in KEPT]
    allowed = {
        c.chunk_id for cell in kept for c in (*cell.citations, *cell.vision, *cell.vigilance)
    }
    dropped = {
        (c.chunk_id, c.start, c.end) for cell in box.cells if cell.mark == "drop"
        for c in cell.citations
    }  # fmt: skip
    by_n = {c.n: c for c in result.citations}
    assert sorted(by_n) == list(range(1, len(by_n) + 1))
    for section in result.sections:
        assert section.sentences, section.name
        for s in section.sentences:
            assert s.citations and 0 <= s.support <= 1 and s.verdict == "supported"
            for n in s.citations:
                c = by_n[n]
                assert c.kind == "diagnostic" or c.chunk_id in allowed, (section.name, c)
                assert (c.chunk_id, c.start, c.end) not in dropped
                assert c.label in ("constat", "hypothèse")
    assert_exact(wired.store, result.citations)
    themes = {s.theme for sec in result.sections for s in sec.sentences}
    assert themes == {"Accueil du public", "Information", "Solidarités locales"}
    levers = next(s for s in result.sections if s.name == "Leviers retenus")
    assert {s.mark for s in levers.sentences} <= {"keep", "adapt"}
    assert any(s.mark == "adapt" for sec in result.sections for s in sec.sentences)


def test_decisions_are_quoted_apart_never_as_sources(
    wired: Wired, built: Box, tmp_path: Path
) -> None:
    box = _edited(built, tmp_path / "workshop.json")
    result = draft(wired.retriever, wired.extractive, wired.checker, box)
    orientations = next(s for s in result.sections if s.name == "Orientations")
    assert [(d.author, d.theme) for d in orientations.decisions] == [
        ("Groupe A", "Accueil du public"),
        ("Groupe B", None),
    ]
    assert result.decisions == orientations.decisions
    texts = {d.text for d in result.decisions}
    assert all(c.quote not in texts and c.kind != "workshop" for c in result.citations)
    assert all(s.text not in texts for sec in result.sections for s in sec.sentences)
    assert all(not sec.decisions for sec in result.sections if sec.name != "Orientations")


def test_without_marks_every_cell_counts_and_the_draft_says_so(wired: Wired, built: Box) -> None:
    for box in (None, built):
        result = draft(wired.retriever, wired.extractive, wired.checker, box)
        assert result.assumed_all_kept and ASSUMED in result.notes
        assert all(section.sentences for section in result.sections)
        assert_exact(wired.store, result.citations)
    assert len(draft(wired.retriever, wired.extractive, wired.checker, None).notes) == 2


def test_sections_vigilance_and_indicators(wired: Wired, built: Box) -> None:
    result = draft(
        wired.retriever, wired.extractive, wired.checker, built, ["vigilance", "INDICATEURS"]
    )
    vigilance, indicators = result.sections
    assert (vigilance.name, indicators.name) == ("Points de vigilance", "Indicateurs de suivi")
    by_n = {c.n: c for c in result.citations}
    assert all(by_n[n].section == "limits" for s in vigilance.sentences for n in s.citations)
    for s in indicators.sentences:
        assert all(by_n[n].kind == "diagnostic" and figures(by_n[n].quote) for n in s.citations)
    assert section_names(["Leviers"]) == ["Leviers retenus"]
    with pytest.raises(AssistantError, match="unknown section 'Budget'"):
        section_names(["Budget"])


def test_a_chat_model_writes_prose_checked_sentence_by_sentence(wired: Wired, built: Box) -> None:
    box = set_mark(built, "Accueil du public", "2", "keep")
    box = add_decision(box, "Garder un guichet humain partout.", "Groupe A")
    chat = ScriptedChat(
        [
            "Création de points d'accueil de proximité sur les territoires prioritaires [1]. "
            "Les licornes assurent le transport des habitants [1]. Un réseau d'accueil [7].",
        ]
    )
    rewriter = SectionRewriter(chat, wired.checker)
    result = draft(
        wired.retriever, wired.extractive, wired.checker, box, ["Leviers"], rewriter=rewriter
    )
    assert result.writer == "scripted" and rewriter.dropped == 1
    (section,) = result.sections
    assert section.writer == "scripted" and section.removed == 1  # the unicorns: removed
    first, orphan = section.sentences
    assert first.verdict == "supported" and "licornes" not in str(section.sentences)
    assert orphan.citations  # a marker naming no quote: tied to the best quote, then checked
    assert all(s.verdict != "unsupported" for s in section.sentences)
    assert any("1 phrase(s) du modèle retirée(s)" in n for n in result.notes)
    kept = box.cell("Accueil du public", box.scenarios[1])
    for c in result.citations:  # sub-spans of the kept cell's own quotes
        assert any(k.chunk_id == c.chunk_id and k.start <= c.start < c.end <= k.end
                   for k in kept.citations)  # fmt: skip
    assert_exact(wired.store, result.citations)
    shown = chat.history[0][1]["content"]
    assert "Leviers retenus" in shown and "guichet humain" not in shown  # decisions apart


@pytest.mark.parametrize("finish", ["length", "stop"])
def test_a_paragraph_cut_at_its_token_limit_loses_its_unfinished_sentence(
    wired: Wired, built: Box, finish: str
) -> None:
    box = set_mark(built, "Accueil du public", "2", "keep")
    with cut_server() as root:
        rewriter = SectionRewriter(OpenAIChat(f"{root}/{finish}/v1", "m"), wired.checker)
        result = draft(
            wired.retriever, wired.extractive, wired.checker, box, ["Leviers"], rewriter=rewriter
        )
    _, unfinished = cut_reply(CutHandler.requests[-1]["messages"][-1]["content"])
    (section,) = result.sections
    assert section.writer == "m", result.notes  # the model's paragraph
    texts = [s.text for s in section.sentences]
    assert_exact(wired.store, result.citations)
    if finish == "stop":  # a finished reply keeps its last sentence, with no full stop
        assert texts[-1] == unfinished and section.removed == 0 and section.cut == 0
        return
    assert unfinished not in texts and len(texts) == 1
    assert section.removed == 1 and section.cut == 1
    assert draft_json(result)["sections"][0]["cut"] == 1
    why = "coupée par la limite de longueur"
    assert any(n.startswith("Leviers retenus : ") and why in n for n in result.notes)
    assert why in draft_markdown(result) and "appuyaient pas" not in draft_markdown(result)


class _Slow:
    name = "slow"

    def stream(self, messages, *, max_tokens=512, temperature=0.0):  # type: ignore[no-untyped-def]
        for word in ["Création ", "de ", "points ", "d'accueil [1]."]:
            time.sleep(0.05)
            yield word


@pytest.mark.parametrize(
    ("model", "why"),
    [
        (ScriptedChat([LLMError("connection refused")]), "n'a pas répondu ;"),
        (_Slow(), "n'a pas répondu à temps"),
        (ScriptedChat(["[1] [2]\n## Leviers :"]), "inutilisable"),
        (
            ScriptedChat(["Les licornes volent [1]. Les dragons crachent du feu [2]."]),
            "n'appuyaient aucune phrase",
        ),
    ],
    ids=["failed", "timeout", "off-format", "all-unsupported"],
)
def test_a_failing_model_leaves_the_quotes_and_says_so(
    wired: Wired, built: Box, model: object, why: str
) -> None:
    rewriter = SectionRewriter(model, wired.checker, timeout=0.1)  # type: ignore[arg-type]
    result = draft(
        wired.retriever, wired.extractive, wired.checker, built, ["Leviers"], rewriter=rewriter
    )
    (section,) = result.sections
    plain = draft(wired.retriever, wired.extractive, wired.checker, built, ["Leviers"])
    assert section.writer == "extractive" and section.sentences == plain.sections[0].sentences
    assert any(n.startswith("Leviers retenus : ") and why in n for n in result.notes), result.notes
    assert_exact(wired.store, result.citations)


def test_extractive_items_name_their_scenario_and_part(wired: Wired, built: Box) -> None:
    result = draft(wired.retriever, wired.extractive, wired.checker, built)
    by_n = {c.n: c for c in result.citations}
    for section in result.sections:
        for s in section.sentences:
            c = by_n[s.citations[0]]
            if c.scenario is None:
                assert s.label == "Constat"
            else:
                assert s.label.startswith(f"Scénario {c.scenario.number} — ")
    levers = next(s for s in result.sections if s.name == "Leviers retenus")
    assert levers.sentences and all(s.label.endswith("— Leviers") for s in levers.sentences)


def test_a_declining_model_leaves_the_quotes(wired: Wired, built: Box) -> None:
    rewriter = SectionRewriter(ScriptedChat(["NON_TROUVÉ"]), wired.checker)
    result: Draft = draft(
        wired.retriever, wired.extractive, wired.checker, built, ["Vision"], rewriter=rewriter
    )
    assert result.sections[0].sentences and any("le modèle n'a rien" in n for n in result.notes)
    assert result.sections[0].writer == "extractive"


def test_a_quote_the_store_no_longer_holds_is_reported(wired: Wired, built: Box) -> None:
    cell = next(c for c in built.cells if c.citations and c.theme == "Santé")
    c = cell.citations[0]
    changed = replace(cell, citations=(replace(c, quote="x" * len(c.quote)),), mark="keep")
    box = replace(built, cells=tuple(changed if k is cell else k for k in built.cells))
    result = draft(wired.retriever, wired.extractive, wired.checker, box, ["Vision", "Leviers"])
    assert any("ne correspond plus au texte actuel" in note for note in result.notes)


def _kept_without_levers(built: Box) -> Box:
    """A group keeping health and mobility: none of these cells states a lever."""
    box = set_mark(built, "Santé", "1", "keep")
    box = set_mark(box, "Santé", "2", "adapt")
    box = set_mark(box, "Mobilité", "3", "keep")
    assert all(
        c.section != "levers" for cell in box.cells if cell.mark in KEPT for c in cell.citations
    )
    return box


def test_an_empty_section_says_why(wired: Wired, built: Box) -> None:
    """Before: 'Leviers retenus' came out empty, with nothing to say why."""
    result = draft(wired.retriever, wired.extractive, wired.checker, _kept_without_levers(built))
    levers = next(s for s in result.sections if s.name == "Leviers retenus")
    assert not levers.sentences
    assert levers.reason.startswith("Aucune cellule retenue ou adaptée ne cite un levier")
    assert "Santé — scénario 1" in levers.reason and "Mobilité — scénario 3" in levers.reason
    assert all(s.reason == "" for s in result.sections if s.sentences)
