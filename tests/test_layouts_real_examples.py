"""Three real public scenario texts in three layouts (tests/fixtures/real-scenarios, see
its README): a Word file with a bulleted list of quoted scenario names (France Stratégie),
a PDF with a large bold `Scénario 1` and its title on the next line (Leonard), a plain
text whose dashed list is announced as the scenarios (Insee, relayed by GREF Bretagne).
Each is ingested into a real Chroma store: scenarios and titles exact, numbers kept,
parts, the comparison matrix (at least 80 % of cells covered, every citation exact and
from its cell's scenario), and questions that describe a scenario (real model)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.tasks.compare import Comparison, compare
from assistant.wiring import make_ask_task

from .test_cli import run
from .test_layouts_real import _wire
from .test_store_real import real_model
from .workshop_helpers import Wired, assert_exact

HERE = Path(__file__).parent / "fixtures" / "real-scenarios"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Example:
    file: str
    titles: list[tuple[int, str]]
    parts: list[str]
    questions: list[tuple[str, int]]


EXAMPLES = [
    Example(name, [tuple(t) for t in e["titles"]], e["parts"], [tuple(q) for q in e["questions"]])  # type: ignore[misc]
    for name, e in EXPECTED.items()
]
IDS = [e.file for e in EXAMPLES]


@pytest.fixture(scope="module", params=EXAMPLES, ids=IDS)
def example(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Example, Wired, Comparison]:
    ex: Example = request.param
    wired = _wire(tmp_path_factory.mktemp("real") / "store", HERE / ex.file)
    return ex, wired, compare(wired.retriever, wired.extractive, wired.checker)


def test_three_layouts_and_public_bodies_first() -> None:
    assert sorted(Path(e.file).suffix for e in EXAMPLES) == [".docx", ".pdf", ".txt"]
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    for e in EXAMPLES:
        assert e.file in readme


def test_every_scenario_is_found_with_its_title_and_number(
    example: tuple[Example, Wired, Comparison],
) -> None:
    ex, wired, _ = example
    (record,) = wired.store.records(kind="scenario")
    assert [(s.number, s.title) for s in record.scenarios] == ex.titles
    parts = {
        str(meta["section"])
        for _cid, _text, meta in wired.store.chunks_where({"doc_id": record.doc_id})
        if meta.get("scenario_id")
    }
    assert sorted(parts) == ex.parts


def test_the_matrix_covers_most_cells_with_exact_citations_of_the_right_scenario(
    example: tuple[Example, Wired, Comparison],
) -> None:
    _ex, wired, matrix = example
    covered = sum(c.status == "covered" for c in matrix.cells)
    assert covered / len(matrix.cells) >= 0.8, [(c.aspect, c.status) for c in matrix.cells]
    assert all(c.status == "covered" for c in matrix.cells if c.aspect == "narrative")
    by_n = {c.n: c for c in matrix.citations}
    for cell in matrix.cells:
        for sentence in cell.sentences:
            (n,) = sentence.citations
            assert by_n[n].scenario == cell.scenario and by_n[n].quote == sentence.text
    assert_exact(wired.store, matrix.citations)


def test_the_cli_shows_what_was_detected_in_the_word_example(tmp_path: Path) -> None:
    path = HERE / "france-strategie-eau-2050.docx"
    out = json.loads(run(tmp_path, "ingest", str(path), "--kind", "scenario", "--json").stdout)
    assert out["ingested"] == 1 and out["warnings"] == []
    shown = json.loads(run(tmp_path, "structure", "show", "--json").stdout)
    (text,) = shown["scenario_texts"]
    assert [s["title"] for s in text["scenarios"]] == [
        "tendanciel",
        "politiques publiques",
        "rupture",
    ]
    assert text["scenarios"][2]["first_words"].startswith('Un scénario de "rupture"')


@pytest.mark.slow
@real_model
def test_questions_describing_a_scenario_are_answered_from_it(tmp_path: Path) -> None:
    # measured: 9 of 10 (the Insee text's "Brest et Rennes … étudiants et actifs qualifiés"
    # is answered first from scenario 4, whose sentence also names students and workers)
    right, total = 0, 0
    for ex in EXAMPLES:
        wired = _wire(tmp_path / ex.file / "store", HERE / ex.file, "multilingual-e5-small")
        task = make_ask_task(wired.settings, wired.retriever)
        for question, number in ex.questions:
            answer = task.ask(question)
            assert_exact(wired.store, answer.citations)
            first = answer.citations[0].scenario if answer.answerable and answer.citations else None
            right += first is not None and first.number == number
            total += 1
    assert right / total >= 0.9, f"{right}/{total}"
