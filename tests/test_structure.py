"""Scenario and section detection on the seed's layout, Markdown, CSV and PDF pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.loaders import load_file
from assistant.structure import fold, parse_scenario_heading, segment
from assistant.types import LoadedText, PageSpan

from .conftest import CORPUS, SEED

SEED_TITLES = [
    "Le numérique, l'avenir des services !",
    "Le partenariat et la mise en réseau, LA solution pour améliorer les services !",
    "Sans information, pas de services !",
    "Une réponse adaptée passe par des expérimentations locales !",
]
PARTS = ["narrative", "levers", "interest", "limits"]


def _layout(segments: list) -> dict[int, list[str]]:  # type: ignore[type-arg]
    out: dict[int, list[str]] = {}
    for seg in segments:
        if seg.scenario is not None:
            sections = out.setdefault(seg.scenario.number, [])
            if seg.section not in sections:
                sections.append(seg.section)
    return out


def test_bundled_markdown_has_four_scenarios_with_their_parts() -> None:
    loaded = load_file(CORPUS / "scenarios" / "scenarios-exploratoires.md")
    segments = segment(loaded, "scenario")
    titles = {s.scenario.number: s.scenario.title for s in segments if s.scenario}
    assert [titles[n] for n in (1, 2, 3, 4)] == SEED_TITLES
    assert _layout(segments) == {n: PARTS for n in (1, 2, 3, 4)}


@pytest.mark.skipif(not SEED.exists(), reason="shared seed not beside the repo")
def test_seed_plain_layout_is_recognised() -> None:
    loaded = load_file(SEED)
    segments = segment(loaded, "scenario")
    titles = {s.scenario.number: s.scenario.title for s in segments if s.scenario}
    assert [titles[n] for n in (1, 2, 3, 4)] == SEED_TITLES
    assert _layout(segments) == {n: PARTS for n in (1, 2, 3, 4)}
    # the method part before the first scenario belongs to no scenario
    assert segments[0].scenario is None and "Méthode" in loaded.text[segments[0].start :][:40]


def test_markdown_headings_scenario_style() -> None:
    text = (
        "# Scénarios\n\n## Scénario 1 : Tout à distance\n\nRécit un.\n\n### Leviers\n\n- A\n\n"
        "### Intérêt\n\nB.\n\n### Limites\n\nC.\n\n#### Détail\n\nD.\n\n"
        "## Scénario 2 : « Proximité »\n\nRécit deux.\n\n# Annexe\n\nHors scénario.\n"
    )
    segments = segment(LoadedText(text, "md"), "scenario")
    got = [
        (s.scenario.number if s.scenario else None, s.section, text[s.start : s.end])
        for s in segments
    ]
    assert got == [
        (1, "narrative", "Récit un."),
        (1, "levers", "- A"),
        (1, "interest", "B."),
        (1, "limits", "C."),
        (1, "Limites > Détail", "D."),
        (2, "narrative", "Récit deux."),
        (None, "Annexe", "Hors scénario."),
    ]
    assert segments[5].scenario is not None and segments[5].scenario.title == "Proximité"


def test_scenario_lines_are_not_detected_in_other_kinds() -> None:
    text = '1) Scénario "X"\n\nTexte.\n'
    assert all(s.scenario is None for s in segment(LoadedText(text, "txt"), "diagnostic"))
    assert segment(LoadedText(text, "txt"), "scenario")[0].scenario is not None


def test_diagnostic_keeps_heading_path() -> None:
    text = "# Diag\n\nIntro.\n\n## Santé\n\n### Médecins\n\n12 médecins.\n\n## Mobilité\n\nBus.\n"
    sections = [
        (s.section, text[s.start : s.end]) for s in segment(LoadedText(text, "md"), "diagnostic")
    ]
    assert sections == [
        ("Diag", "Intro."),
        ("Diag > Santé > Médecins", "12 médecins."),
        ("Diag > Mobilité", "Bus."),
    ]


def test_csv_rows_are_segments_and_pdf_segments_stay_on_their_page() -> None:
    csv_text = "a : 1 ; b : 2\na : 3 ; b : 4"
    rows = segment(LoadedText(csv_text, "csv"), "diagnostic")
    assert [csv_text[s.start : s.end] for s in rows] == ["a : 1 ; b : 2", "a : 3 ; b : 4"]
    pdf_text = "Page un texte.\n\nPage deux texte."
    pages = (PageSpan(1, 0, 14), PageSpan(2, 16, len(pdf_text)))
    segs = segment(LoadedText(pdf_text, "pdf", pages=pages), "diagnostic")
    assert [(s.page, pdf_text[s.start : s.end]) for s in segs] == [
        (1, "Page un texte."),
        (2, "Page deux texte."),
    ]


def test_front_matter_is_not_content(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text("---\nkind: scenario\ntitle: T\n---\n\n## Scénario 1 : X\n\nRécit.\n", "utf-8")
    segments = segment(load_file(path), "scenario")
    assert [(s.section, s.scenario.title if s.scenario else None) for s in segments] == [
        ("narrative", "X")
    ]


def test_scenario_heading_parsing_and_fold() -> None:
    s = parse_scenario_heading('3) Scénario "Sans information, pas de services !"', 9)
    assert s is not None and (s.number, s.title) == (3, "Sans information, pas de services !")
    assert s.id.startswith("s3-sans-information")
    assert parse_scenario_heading("Le scénario normatif", 1) is None
    assert fold("Élaboration À") == "elaboration a"
