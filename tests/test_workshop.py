"""The morphological box: built from the store, saved atomically, marked, decided, reloaded."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import AssistantError, NotFound
from assistant.tasks.box import build_box
from assistant.tasks.topics import DEFAULT_THEMES, topic_of
from assistant.workshop import (
    Box,
    add_decision,
    box_json,
    default_path,
    keep_decisions,
    load_box,
    remove_decision,
    resolve_theme,
    save_box,
    set_mark,
    update_box,
)

from .workshop_helpers import Wired, assert_exact, wire


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Wired:
    return wire(tmp_path_factory.mktemp("workshop") / "store")


@pytest.fixture(scope="module")
def built(wired: Wired) -> Box:
    return build_box(wired.retriever, wired.extractive)


def test_box_is_themes_by_scenarios_with_cited_statements(wired: Wired, built: Box) -> None:
    assert built.themes == DEFAULT_THEMES and [s.number for s in built.scenarios] == [1, 2, 3, 4]
    assert len(built.cells) == 24 and not built.marked
    full = [c for c in built.cells if not c.empty]
    assert len(full) >= 12
    for cell in full:
        topic = topic_of(cell.theme)
        for c in cell.citations:
            assert c.scenario == cell.scenario and c.quote in cell.statement
            assert c.section != "limits" and topic.mentions(c.quote)
        assert all(c.section == "narrative" for c in cell.vision)
        assert all(c.section == "limits" and c.scenario == cell.scenario for c in cell.vigilance)
        assert_exact(wired.store, [*cell.citations, *cell.vision, *cell.vigilance])
    levers = built.cell("Accueil du public", built.scenarios[1])  # levers first
    assert levers.citations and all(c.section == "levers" for c in levers.citations)
    empty = built.cell("Solidarités locales", built.scenarios[0])
    assert empty.empty and empty.statement == "" and not empty.vigilance


def test_a_theme_no_scenario_mentions_gives_empty_cells(wired: Wired) -> None:
    box = build_box(wired.retriever, wired.extractive, themes=["Tourisme", "Santé"])
    assert box.themes == ("Tourisme", "Santé")
    assert all(c.empty for c in box.cells if c.theme == "Tourisme")
    with pytest.raises(NotFound):
        build_box(wired.retriever, wired.extractive, themes=[" "])


def test_marks_and_decisions_survive_a_reload_with_citations_intact(
    built: Box, tmp_path: Path
) -> None:
    path = default_path(tmp_path)
    save_box(built, path)
    assert load_box(path) == built
    box = set_mark(built, "accueil", "2", "keep")
    box = set_mark(box, "Numérique", "s1", "drop")
    box = set_mark(box, "3", "information", "adapt")  # theme by row number, scenario by title
    box = add_decision(box, "  Un accueil humain d'abord.  ", "Marie", theme="accueil")
    box = add_decision(box, "Revoir les horaires.", "Paul", time="2024-05-02T10:00:00+02:00")
    save_box(box, path)
    again = load_box(path)
    assert again == box and again.marked
    assert again.cell("Accueil du public", again.scenarios[1]).mark == "keep"
    assert again.cell("Numérique", again.scenarios[0]).mark == "drop"
    assert again.cell("Numérique", again.scenarios[2]).mark == "adapt"
    assert (
        again.cell("Numérique", again.scenarios[0]).citations
        == built.cell("Numérique", built.scenarios[0]).citations
    )  # editing never touches citations
    first, second = again.decisions
    assert (first.id, first.text, first.author, first.theme) == (
        1, "Un accueil humain d'abord.", "Marie", "Accueil du public",
    )  # fmt: skip
    assert second.theme is None and second.time == "2024-05-02T10:00:00+02:00"
    assert remove_decision(again, 1).decisions == (second,)
    assert [p.name for p in tmp_path.iterdir() if p.name != "workshop.json"] == []  # no tmp file


def test_rebuilding_keeps_the_decisions(built: Box) -> None:
    old = add_decision(add_decision(built, "A", "x", theme="Santé"), "B", "y", theme="Mobilité")
    new = replace(
        built, themes=("Santé",), cells=tuple(c for c in built.cells if c.theme == "Santé")
    )
    kept = keep_decisions(new, old)
    assert [(d.text, d.theme) for d in kept.decisions] == [("A", "Santé"), ("B", None)]


def test_editing_mistakes_are_one_line_errors(built: Box) -> None:
    cases = [
        (lambda: set_mark(built, "accueil", "2", "maybe"), "unknown mark"),
        (lambda: set_mark(built, "tourisme", "2", "keep"), "no theme match"),
        (lambda: set_mark(built, "s", "2", "keep"), "several themes match"),
        (lambda: set_mark(built, "accueil", "7", "keep"), "no scenario match"),
        (lambda: set_mark(built, "Solidarités", "1", "keep"), "nothing to keep"),
        (lambda: add_decision(built, "   ", "Marie"), "needs a text"),
        (lambda: add_decision(built, "Oui", " "), "needs an author"),
        (lambda: remove_decision(built, 42), "no decision 42"),
    ]
    for call, message in cases:
        with pytest.raises(AssistantError, match=message) as info:
            call()
        assert "\n" not in str(info.value)
    assert set_mark(built, "Solidarités", "1", "drop").marked  # dropping an empty cell is fine
    assert resolve_theme(built, "SANTE") == "Santé"


def test_bad_files_are_clear_errors(built: Box, tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    with pytest.raises(NotFound, match="run `assistant box build`"):
        load_box(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AssistantError, match="not valid JSON"):
        load_box(path)
    data = box_json(built)
    data["format"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AssistantError, match="malformed: not a workshop file"):
        load_box(path)
    data = box_json(built)
    cell = next(c for c in data["cells"] if c["citations"])
    cell["citations"][0]["quote"] += "!"  # a hand edit that breaks the span
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AssistantError, match="quote and span disagree"):
        load_box(path)
    data = box_json(built)
    data["cells"][0]["mark"] = "perhaps"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AssistantError, match="unknown theme or mark"):
        load_box(path)


def test_concurrent_updates_lose_nothing(built: Box, tmp_path: Path) -> None:
    path = tmp_path / "workshop.json"
    save_box(built, path)

    def decide(i: int) -> None:
        update_box(path, lambda box: add_decision(box, f"Décision {i}", f"auteur {i}"))

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    box = load_box(path)
    assert sorted(d.text for d in box.decisions) == sorted(f"Décision {i}" for i in range(12))
    assert sorted(d.id for d in box.decisions) == list(range(1, 13))
