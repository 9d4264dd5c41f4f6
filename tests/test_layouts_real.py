"""Real public scenario texts in three layouts (tests/fixtures/scenario-layouts, see its
README): ingested into a real store, compared, questioned; and what the CLI says about
what was detected."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.tasks.compare import Comparison, compare
from assistant.wiring import make_ask_task, make_embedder, make_ingestor, make_retriever, make_store

from .test_cli import run
from .test_store_real import real_model
from .workshop_helpers import Wired, assert_exact

LAYOUTS = Path(__file__).parent / "fixtures" / "scenario-layouts"
FRUGALE, COOPERATIONS = "Génération frugale", "Coopérations territoriales"


@dataclass(frozen=True)
class Example:
    file: str
    titles: list[tuple[int, str]]
    questions: list[tuple[str, int]]  # a question and the number of the scenario it is about


EXAMPLES = [
    Example(
        "ademe-t2050-lignes.txt",
        [(1, FRUGALE), (2, COOPERATIONS)],
        [
            ("Dans quel scénario la demande énergétique est-elle divisée par deux ?", 1),
            ("Quel scénario s'appuie sur l'économie sociale et solidaire ?", 2),
        ],
    ),
    Example(
        "ademe-t2050-titres-gras.docx",
        [(1, "Génération Frugale"), (2, COOPERATIONS)],
        [
            ("Dans quel scénario un tiers de la population ne consomme plus de viande ?", 1),
            ("Quel scénario soutient le retour des villes moyennes ?", 2),
        ],
    ),
    Example(
        "ademe-t2050-liste.pdf",
        [(1, FRUGALE), (2, COOPERATIONS)],
        [
            ("Quel scénario mise sur les low-tech et la sanctuarisation de la nature ?", 1),
            ("Où les ONG et le secteur privé trouvent-ils des voies de coopération ?", 2),
        ],
    ),
]


def _wire(home: Path, path: Path, model: str = "fake") -> Wired:
    from assistant.citations import SupportChecker
    from assistant.tasks.extractive import ExtractiveWriter

    settings = Settings(home=home, embedding_model=model)
    embedder = make_embedder(settings)
    store = make_store(settings, embedder)
    report = make_ingestor(settings, store, embedder).run([path], kind="scenario")
    assert report.ingested and not report.failed and not report.warnings
    retriever = make_retriever(settings, store, embedder)
    extractive = ExtractiveWriter(embedder, retriever.lexical)
    checker = SupportChecker(embedder=embedder, idf=retriever.lexical.idf)
    return Wired(settings, store, retriever, extractive, checker)


@pytest.fixture(scope="module", params=EXAMPLES, ids=[e.file for e in EXAMPLES])
def example(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Example, Wired, Comparison]:
    ex: Example = request.param
    wired = _wire(tmp_path_factory.mktemp("layout") / "store", LAYOUTS / ex.file)
    return ex, wired, compare(wired.retriever, wired.extractive, wired.checker)


def test_every_scenario_is_found_with_its_exact_title_and_number(
    example: tuple[Example, Wired, Comparison],
) -> None:
    ex, wired, _ = example
    (record,) = wired.store.records(kind="scenario")
    assert [(s.number, s.title) for s in record.scenarios] == ex.titles


def test_compare_follows_the_document_and_cites_exactly(
    example: tuple[Example, Wired, Comparison],
) -> None:
    ex, wired, matrix = example
    # these texts only have narratives: the narrative row, the box's themes they speak of,
    # and words their narratives share
    assert matrix.aspects[0] == "narrative"
    if ex.file.endswith(".txt"):
        assert {"coopération", "économie", "sociale"} <= set(matrix.aspects)
    assert all(c.status == "covered" for c in matrix.cells if c.aspect == "narrative")
    for aspect in matrix.aspects[1:]:
        assert any(c.status == "covered" for c in matrix.cells if c.aspect == aspect)
    by_n = {c.n: c for c in matrix.citations}
    for cell in matrix.cells:
        for sentence in cell.sentences:
            (n,) = sentence.citations
            assert by_n[n].scenario == cell.scenario and by_n[n].quote == sentence.text
    assert_exact(wired.store, matrix.citations)


@pytest.mark.slow
@real_model
@pytest.mark.parametrize("ex", EXAMPLES, ids=[e.file for e in EXAMPLES])
def test_a_question_is_answered_from_the_right_scenario(ex: Example, tmp_path: Path) -> None:
    wired = _wire(tmp_path / "store", LAYOUTS / ex.file, "multilingual-e5-small")
    task = make_ask_task(wired.settings, wired.retriever)
    for question, number in ex.questions:
        answer = task.ask(question)
        assert answer.answerable, question
        assert answer.citations[0].scenario is not None, question
        assert answer.citations[0].scenario.number == number, question
        assert_exact(wired.store, answer.citations)
    missing = task.ask("Que se passe-t-il dans le scénario 6 ?")
    assert not missing.answerable and "no scenario 6" in missing.declined


# -- the CLI says what it found ----------------------------------------------------------


def test_a_scenario_text_without_scenarios_is_a_warning_and_errors_say_what_was_found(
    tmp_path: Path,
) -> None:
    flat = tmp_path / "x.txt"
    flat.write_text("Prospective 2040\n\nUn seul récit sans titres de scénarios.\n", "utf-8")
    out = json.loads(run(tmp_path, "ingest", str(flat), "--kind", "scenario", "--json").stdout)
    assert out["ingested"] == 1
    assert out["warnings"] == [
        {
            "path": str(flat),
            "warning": "a scenario text in which no scenario was detected "
            "(see `assistant sources --structure`)",
        }
    ]
    for args in (["compare"], ["box", "build"]):
        proc = run(tmp_path, *args, ok=False)
        assert proc.returncode != 0
        assert proc.stderr.strip().endswith(
            f"1 scenario text in the store, but no scenario was detected in it ({flat}): "
            "see `assistant sources --structure`"
        )
    text = run(tmp_path, "sources", "--structure").stdout
    assert "0 scenario(s)" in text and "no scenario detected" in text


def test_sources_structure_lists_scenarios_first_words_and_parts(tmp_path: Path) -> None:
    doc = tmp_path / "s.txt"
    doc.write_text(
        "Scénario 1 : Repli\nLes villages se vident.\n\nRisques :\nL'isolement.\n\n"
        "Scénario 2 : Ouverture\nLes bourgs accueillent.\n\nRisques :\nLa saturation.\n",
        "utf-8",
    )
    run(tmp_path, "ingest", str(doc), "--kind", "scenario")
    got = json.loads(run(tmp_path, "sources", "--structure", "--json").stdout)
    (text,) = got["scenario_texts"]
    assert [(s["number"], s["title"]) for s in text["scenarios"]] == [
        (1, "Repli"),
        (2, "Ouverture"),
    ]
    first = text["scenarios"][0]
    assert first["first_words"] == "Scénario 1 : Repli Les villages se vident."
    assert first["parts"] == [
        {"section": "narrative", "chars": len("Scénario 1 : Repli\nLes villages se vident.")},
        {"section": "limits", "chars": len("Risques :\nL'isolement.")},
    ]
    human = run(tmp_path, "sources", "--structure").stdout
    assert "scenario 2: Ouverture" in human and "Limites 24 chars" in human


def test_compare_defaults_to_the_parts_the_scenarios_share(tmp_path: Path) -> None:
    doc = tmp_path / "parts.txt"
    doc.write_text(
        "Scénario 1 : Repli\nLes villages se vident peu à peu.\n\n"
        "Forces :\nUne identité locale très forte.\n\nRisques :\nL'isolement des aînés.\n\n"
        "Scénario 2 : Ouverture\nLes bourgs accueillent de nouveaux habitants.\n\n"
        "Forces :\nUne économie qui se diversifie.\n\nRisques :\nLa saturation des écoles.\n\n"
        "Conditions de réussite :\nUn plan de logement partagé.\n",
        "utf-8",
    )
    wired = _wire(tmp_path / "store", doc)
    matrix = compare(wired.retriever, wired.extractive, wired.checker)
    assert matrix.aspects == ("narrative", "limits", "Forces")  # not the seed's four parts
    assert all(c.status == "covered" for c in matrix.cells)
    forces = [s.text for c in matrix.cells if c.aspect == "Forces" for s in c.sentences]
    assert forces == ["Une identité locale très forte.", "Une économie qui se diversifie."]
    typed = compare(wired.retriever, wired.extractive, wired.checker, aspects=["forces"])
    assert typed.aspects == ("Forces",)
    assert [c.status for c in typed.cells] == ["covered", "covered"]
    one = compare(
        wired.retriever, wired.extractive, wired.checker, aspects=["Conditions de réussite"]
    )
    assert [c.status for c in one.cells] == ["not_covered", "covered"]
    assert_exact(wired.store, matrix.citations)
