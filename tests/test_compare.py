"""Compare: the scenarios x aspects matrix on the bundled corpus, tensions, renderings."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import NotFound
from assistant.tables import comparison_json, comparison_markdown, comparison_text
from assistant.tasks.compare import PARTS, Cell, Comparison, aspect_key, compare
from assistant.tasks.tensions import find_tensions
from assistant.tasks.topics import topic_of
from assistant.types import Scenario, Sentence

from .test_store_real import real_model
from .workshop_helpers import Wired, assert_exact, wire


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Wired:
    return wire(tmp_path_factory.mktemp("compare") / "store")


@pytest.fixture(scope="module")
def matrix(wired: Wired) -> Comparison:
    return compare(wired.retriever, wired.extractive, wired.checker)


def test_default_matrix_has_every_scenario_on_every_part(wired: Wired, matrix: Comparison) -> None:
    assert [s.number for s in matrix.scenarios] == [1, 2, 3, 4]
    assert matrix.aspects == PARTS
    assert len(matrix.cells) == 16
    assert {(c.scenario.number, c.aspect) for c in matrix.cells} == {
        (n, a) for n in (1, 2, 3, 4) for a in PARTS
    }
    by_n = {c.n: c for c in matrix.citations}
    assert sorted(by_n) == list(range(1, len(matrix.citations) + 1))
    for cell in matrix.cells:
        assert cell.status == "covered" and 1 <= len(cell.sentences) <= 2
        for s in cell.sentences:
            assert s.citations and 0.0 <= s.support <= 1.0 and s.verdict == "supported"
            for n in s.citations:
                c = by_n[n]  # the cell quotes its own scenario's own part, verbatim
                assert c.scenario == cell.scenario and c.section == cell.aspect
                assert c.quote == s.text and c.label == "hypothèse"
    assert_exact(wired.store, matrix.citations)


def test_placeholders_and_stray_words_are_never_quoted(matrix: Comparison) -> None:
    texts = [s.text for c in matrix.cells for s in c.sentences]
    assert not any(
        t.startswith("(partie à compléter") or t in ("etc.", "high-phone") for t in texts
    )


def test_free_aspects_are_retrieved_per_scenario_or_not_covered(wired: Wired) -> None:
    out = compare(
        wired.retriever, wired.extractive, wired.checker, aspects=["santé", "personnes âgées"]
    )
    assert out.aspects == ("santé", "personnes âgées") and len(out.cells) == 8
    health = {c.scenario.number: c for c in out.cells if c.aspect == "santé"}
    assert health[3].status == "not_covered" and health[3].sentences == ()  # never filler
    for n in (1, 2, 4):
        assert health[n].status == "covered"
        for s in health[n].sentences:
            assert topic_of("santé").mentions(s.text)
            cited = [c for c in out.citations if c.n in s.citations]
            assert all(c.scenario == health[n].scenario for c in cited)
    assert all(c.status == "not_covered" for c in out.cells if c.aspect == "personnes âgées")
    assert_exact(wired.store, out.citations)


def test_aspect_names_and_scenario_filters(wired: Wired) -> None:
    assert aspect_key("Leviers") == "levers" and aspect_key(" Limites ") == "limits"
    assert aspect_key("santé") == "santé"
    out = compare(
        wired.retriever,
        wired.extractive,
        wired.checker,
        scenarios=["1", "information"],
        aspects=["Leviers", "levers"],
        per_cell=1,
    )
    assert [s.number for s in out.scenarios] == [1, 3] and out.aspects == ("levers",)
    assert all(len(c.sentences) == 1 for c in out.cells)
    with pytest.raises(NotFound, match="no scenario matches"):
        compare(wired.retriever, wired.extractive, wired.checker, scenarios=["9"])


def _cell(number: int, aspect: str, *texts: str, first: int = 1) -> Cell:
    scenario = Scenario(number, f"s{number}", f"Scénario {number}")
    sentences = tuple(Sentence(t, (first + i,), 1.0, "supported") for i, t in enumerate(texts))
    return Cell(scenario, aspect, "covered", sentences)


def test_tensions_pair_opposite_leanings_and_cite_each_side() -> None:
    cells = [
        _cell(1, "narrative", "Les démarches se font en ligne, grâce au numérique.", first=1),
        _cell(2, "narrative", "Un accueil humain et de proximité dans chaque bourg.", first=2),
        _cell(3, "narrative", "Des services numériques et une visio-communication.", first=3),
        _cell(4, "levers", "Un accueil de proximité.", first=4),  # other aspect: no pair
    ]
    tensions = find_tensions(cells)
    pairs = {(t.sides[0].scenario.number, t.sides[1].scenario.number) for t in tensions}
    assert pairs == {(1, 2), (2, 3)}
    t = next(t for t in tensions if t.sides[0].scenario.number == 1)
    assert t.aspect == "narrative" and t.axis.startswith("numérique")
    assert t.sides[0].citations == (1,) and t.sides[1].citations == (2,)
    assert "en ligne" in t.sides[0].cues and "accueil humain" in t.sides[1].cues
    assert "Récit" in t.explanation and "[1]" in t.explanation and "[2]" in t.explanation


def test_tension_sides_cite_their_cells(matrix: Comparison) -> None:
    for t in matrix.tensions:
        for side in t.sides:
            cell = matrix.cell(side.scenario, t.aspect)
            assert set(side.citations) <= {n for s in cell.sentences for n in s.citations}


def test_json_follows_the_contract(matrix: Comparison) -> None:
    out = comparison_json(matrix)
    assert set(out) >= {"scenarios", "aspects", "cells", "tensions", "citations"}
    cell = out["cells"][0]
    assert set(cell) == {"scenario", "aspect", "status", "sentences"}
    assert set(cell["sentences"][0]) == {"text", "citations", "support", "verdict"}
    assert {"n", "chunk_id", "doc_id", "source", "kind", "scenario", "section", "start", "end",
            "quote", "page", "label"} <= set(out["citations"][0])  # fmt: skip


def test_text_and_markdown_tables(wired: Wired) -> None:
    out = compare(wired.retriever, wired.extractive, wired.checker, aspects=["levers", "ehpad"])
    text = comparison_text(out, width=100)
    assert "Leviers" in text and "non couvert" in text and "Références" in text
    assert max(len(line) for line in text.splitlines() if line.startswith("|")) <= 100
    md = comparison_markdown(out)
    lines = md.splitlines()
    assert lines[0].startswith("| Aspect | Scénario 1") and lines[1].startswith("|---|")
    assert len(lines[0].split(" | ")) == 5  # aspect + 4 scenarios
    for c in out.citations:
        assert f"[^{c.n}]:" in md and f"[^{c.n}]" in lines[2] + lines[3]


@pytest.mark.slow
@real_model
def test_real_model_compare_and_draft(tmp_path: Path) -> None:
    from assistant.tasks.draft import draft

    wired = wire(tmp_path / "store", model="multilingual-e5-small")
    out = compare(wired.retriever, wired.extractive, wired.checker, aspects=["levers", "santé"])
    levers = out.cell(out.scenarios[0], "levers")
    cited = [c for c in out.citations if c.n in {n for s in levers.sentences for n in s.citations}]
    assert cited and all(c.scenario.number == 1 and c.section == "levers" for c in cited)  # type: ignore[union-attr]
    health = {c.scenario.number: c.status for c in out.cells if c.aspect == "santé"}
    assert health == {1: "covered", 2: "covered", 3: "not_covered", 4: "covered"}
    assert any("télémédecine" in s.text for s in out.cell(out.scenarios[0], "santé").sentences)
    assert_exact(wired.store, out.citations)
    result = draft(wired.retriever, wired.extractive, wired.checker, None)
    assert result.assumed_all_kept and all(s.sentences for s in result.sections)
    assert_exact(wired.store, result.citations)
    indicators = next(s for s in result.sections if s.name == "Indicateurs de suivi")
    by_n = {c.n: c for c in result.citations}
    assert all(by_n[n].kind == "diagnostic" for s in indicators.sentences for n in s.citations)
