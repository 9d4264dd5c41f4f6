"""Two more layouts: a list of the scenarios' titles (no scenario word) followed by one
section each, and a table with one column per scenario (Markdown, Word). Detected from the
document's own structure; cells and sections cited exactly."""

from __future__ import annotations

from pathlib import Path

import docx

from assistant.loaders import load_file
from assistant.structure import detect
from assistant.tasks.compare import compare
from assistant.types import LoadedText, Segment

from .test_layouts_real import _wire
from .workshop_helpers import assert_exact

LISTED = (
    "Prospective territoriale 2040\n\nTrois images du futur ont été construites :\n"
    "1. La région pilote\n2. Le marché d'abord\n3. Les territoires solidaires\n\n"
    "La région pilote\nLa région prend la main sur les transports.\n\n"
    "Le marché d'abord\nLes opérateurs privés investissent les services.\n\n"
    "Les territoires solidaires\nLes communes mutualisent leurs moyens.\n"
)
TITLES = [(1, "La région pilote"), (2, "Le marché d'abord"), (3, "Les territoires solidaires")]
ROWS = [
    ["", "Scénario 1 : Repli", "Scénario 2 : Ouverture", "Scénario 3 : Réseau"],
    ["Récit", "Les villages se vident.", "Les bourgs accueillent.", "Les communes coopèrent."],
    ["Leviers", "Aucun levier.", "Le logement neuf.", "Les mutualisations."],
    ["Risques", "L'isolement des aînés.", "La saturation des écoles.", "La lenteur des décisions."],
]
TABLE_TITLES = [(1, "Repli"), (2, "Ouverture"), (3, "Réseau")]


def _scenarios(segments: list[Segment]) -> list[tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    for s in segments:
        if s.scenario is not None:
            seen.setdefault(s.scenario.id, (s.scenario.number, s.scenario.title))
    return list(seen.values())


def _cells(text: str, segments: list[Segment]) -> set[tuple[int, str, str]]:
    return {(s.scenario.number, s.section, text[s.start : s.end]) for s in segments if s.scenario}


def test_a_numbered_list_of_titles_then_one_section_each() -> None:
    segments, warnings = detect(LoadedText(LISTED, "txt"), "scenario")
    assert _scenarios(segments) == TITLES and warnings == []
    texts = _cells(LISTED, segments)
    assert (
        2,
        "narrative",
        "Le marché d'abord\nLes opérateurs privés investissent les services.",
    ) in texts
    # the list itself is not a scenario's text
    intro = next(s for s in segments if s.scenario is None)
    assert "1. La région pilote" in LISTED[intro.start : intro.end]


def test_a_bulleted_list_then_markdown_sections_and_a_word_list(tmp_path: Path) -> None:
    md = (
        "# Deux images\n\n- La région pilote\n- Le marché d'abord\n\n"
        "## La région pilote\n\nLa région prend la main.\n\n"
        "## Le marché d'abord\n\nLes opérateurs privés investissent.\n"
    )
    segments, _ = detect(LoadedText(md, "md"), "scenario")
    assert _scenarios(segments) == TITLES[:2]
    document = docx.Document()
    document.add_paragraph("Deux images du futur")
    for title in ("La région pilote", "Le marché d'abord"):
        document.add_paragraph(title, style="List Number")
    for title, body in (("La région pilote", "La région prend la main."),
                        ("Le marché d'abord", "Les opérateurs privés investissent.")):  # fmt: skip
        document.add_paragraph().add_run(title).bold = True
        document.add_paragraph(body)
    path = tmp_path / "images.docx"
    document.save(str(path))
    segments, _ = detect(load_file(path), "scenario")
    assert _scenarios(segments) == TITLES[:2]


def test_a_list_whose_titles_do_not_all_come_back_is_not_read_as_scenarios() -> None:
    text = "Sommaire\n1. Contexte\n2. Méthode\n\nContexte\nDu texte sur le contexte.\n"
    segments, _ = detect(LoadedText(text, "txt"), "scenario")
    assert _scenarios(segments) == []
    diagnostic, _ = detect(LoadedText(LISTED, "txt"), "diagnostic")
    assert _scenarios(diagnostic) == []  # only scenario texts are read this way


def test_a_markdown_table_with_one_column_per_scenario() -> None:
    lines = ["| " + " | ".join(r) + " |" for r in ROWS]
    text = "# Trois avenirs\n\n" + "\n".join([lines[0], "|---|---|---|---|", *lines[1:]]) + "\n"
    segments, warnings = detect(LoadedText(text, "md"), "scenario")
    assert _scenarios(segments) == TABLE_TITLES and warnings == []
    cells = _cells(text, segments)
    assert (2, "levers", "Le logement neuf.") in cells
    assert (3, "limits", "La lenteur des décisions.") in cells
    assert (1, "narrative", "Les villages se vident.") in cells
    assert len(cells) == 9


def _table_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Trois avenirs pour la vallée")
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for i, row in enumerate(ROWS):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.save(str(path))
    return path


def test_a_word_table_with_one_column_per_scenario_is_compared_cell_by_cell(
    tmp_path: Path,
) -> None:
    path = _table_docx(tmp_path / "avenirs.docx")
    loaded = load_file(path)
    segments, warnings = detect(loaded, "scenario")
    assert _scenarios(segments) == TABLE_TITLES and warnings == []
    assert (2, "limits", "La saturation des écoles.") in _cells(loaded.text, segments)
    wired = _wire(tmp_path / "store", path)
    matrix = compare(wired.retriever, wired.extractive, wired.checker)
    assert matrix.aspects == ("narrative", "levers", "limits")
    assert all(c.status == "covered" for c in matrix.cells)
    by_cell = {(c.scenario.number, c.aspect): [s.text for s in c.sentences] for c in matrix.cells}
    assert by_cell[(3, "levers")] == ["Les mutualisations."]
    assert_exact(wired.store, matrix.citations)


def test_a_list_announced_as_the_scenarios_only_when_the_count_matches() -> None:
    text = (
        "Note de cadrage\n\nL'étude retient 3 scénarios contrastés :\n"
        '- Un scénario "sobriété" où la demande baisse.\n'
        "- Un scénario « fil de l'eau » qui prolonge les tendances.\n"
        "- En cas de crise longue, les services se replient sur les bourgs.\n\n"
        "Suite du document.\n"
    )
    segments, warnings = detect(LoadedText(text, "txt"), "scenario")
    assert _scenarios(segments) == [
        (1, "sobriété"), (2, "fil de l'eau"), (3, "En cas de crise longue")
    ]  # fmt: skip
    cells = _cells(text, segments)
    assert (
        3,
        "narrative",
        "En cas de crise longue, les services se replient sur les bourgs.",
    ) in cells
    after = next(s for s in segments if "Suite du document" in text[s.start : s.end])
    assert after.scenario is None  # the list ends the scenarios
    two = text.replace("3 scénarios", "4 scénarios")
    assert _scenarios(detect(LoadedText(two, "txt"), "scenario")[0]) == []
    assert _scenarios(detect(LoadedText(text, "txt"), "diagnostic")[0]) == []
