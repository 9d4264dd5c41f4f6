"""Scenario texts in their own layouts: title-line patterns learnt from the document, parts
named by the document, structure hints from DOCX and PDF, and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from assistant.layouts import identifier_number, roman
from assistant.loaders import load_file
from assistant.structure import detect
from assistant.types import LoadedText, Segment

FONT = Path("/usr/share/fonts/truetype/dejavu")


def _detect(text: str) -> tuple[str, list[Segment], list[str]]:
    segments, warnings = detect(LoadedText(text, "txt"), "scenario")
    return text, segments, warnings


def _scenarios(segments: list[Segment]) -> list[tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    for s in segments:
        if s.scenario is not None:
            seen.setdefault(s.scenario.id, (s.scenario.number, s.scenario.title))
    return list(seen.values())


def _parts(segments: list[Segment]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for s in segments:
        if s.scenario is not None and s.section not in out.setdefault(s.scenario.number, []):
            out[s.scenario.number].append(s.section)
    return out


PLAIN = (
    "Quatre futurs pour le département.\n\n"
    "Scénario 1 : Tendanciel\nLe fil de l'eau.\n\nLes services se concentrent en ville.\n\n"
    "Forces :\nUn réseau connu.\n\nRisques :\nL'isolement des villages.\n\n"
    "Scénario 2 : Les régions prennent la main\nUne région stratège.\n\nLa région décide.\n\n"
    "Forces :\nUne vision d'ensemble.\n\nRisques :\nL'éloignement des décisions.\n\n"
    "Scénario 4 : Tout numérique\nLes guichets ferment.\n\nTout passe en ligne.\n\n"
    "Scénario 5 : Proximité\nDes maisons de services partout.\n"
)


def test_plain_title_lines_keep_their_numbers_and_recurring_labels_are_parts() -> None:
    text, segments, warnings = _detect(PLAIN)
    assert _scenarios(segments) == [
        (1, "Tendanciel"),
        (2, "Les régions prennent la main"),
        (4, "Tout numérique"),
        (5, "Proximité"),
    ]
    parts = _parts(segments)
    # "Risques" is a known synonym of the limits; "Forces" keeps its own name
    assert parts[1] == parts[2] == ["narrative", "Forces", "limits"]
    assert parts[4] == parts[5] == ["narrative"]
    forces = [text[s.start : s.end] for s in segments if s.section == "Forces"]
    assert forces == ["Forces :\nUn réseau connu.", "Forces :\nUne vision d'ensemble."]
    assert segments[0].scenario is None and warnings == []


PATTERNS = [
    (["SCÉNARIO 1 – Sobriété", "SCÉNARIO 2 – Croissance"], [(1, "Sobriété"), (2, "Croissance")]),
    (
        ["Scénario A : L'État stratège", "Scénario B : Le marché"],
        [(1, "L'État stratège"), (2, "Le marché")],
    ),
    (["Scénario n°3 : Trois", "Scénario n°4 : Quatre"], [(3, "Trois"), (4, "Quatre")]),
    (
        ["Scenario I: Growth", "Scenario II: Decline", "Scenario IV: Collapse"],
        [(1, "Growth"), (2, "Decline"), (4, "Collapse")],
    ),
    (["Image 1", "Image 2"], [(1, "Image 1"), (2, "Image 2")]),
    (["Hypothèse haute", "Hypothèse basse"], [(1, "Hypothèse haute"), (2, "Hypothèse basse")]),
    (
        ["**Scénario 1 : « La mer monte »**", "**Scénario 2 : « La digue »**"],
        [(1, "La mer monte"), (2, "La digue")],
    ),
    (["## Scénario A – Repli", "## Scénario B – Ouverture"], [(1, "Repli"), (2, "Ouverture")]),
    (
        ["Scénario « La mer monte »", "Scénario « La digue »"],
        [(1, "La mer monte"), (2, "La digue")],
    ),
    (['2) Scénario "Deux"', '5) Scénario "Cinq"'], [(2, "Deux"), (5, "Cinq")]),
    (
        ["S1 Génération frugale : la sobriété d'abord", "S2 Coopérations : le local"],
        [(1, "Génération frugale"), (2, "Coopérations")],
    ),
]


@pytest.mark.parametrize(("lines", "expected"), PATTERNS)
def test_title_line_patterns(lines: list[str], expected: list[tuple[int, str]]) -> None:
    body = "".join(f"{line}\n\nTexte du scénario {line}.\n\n" for line in lines)
    text = "Introduction.\n\n" + body
    _, segments, warnings = _detect(text)
    assert _scenarios(segments) == expected and warnings == []


def test_a_list_of_the_scenarios_before_their_sections_is_not_a_scenario() -> None:
    text = (
        "Trois scénarios :\nScénario 1 : Repli\nScénario 2 : Ouverture\nScénario 3 : Rupture\n\n"
        "Scénario 1 : Repli\nTexte un.\n\nScénario 2 : Ouverture\nTexte deux.\n\n"
        "Scénario 3 : Rupture\nTexte trois.\n"
    )
    text, segments, _ = _detect(text)
    assert _scenarios(segments) == [(1, "Repli"), (2, "Ouverture"), (3, "Rupture")]
    assert text[segments[0].start : segments[0].end].startswith("Trois scénarios")
    assert segments[0].scenario is None


def test_steps_inside_markdown_scenarios_do_not_replace_them() -> None:
    text = (
        "## Scénario 1 : Repli\n\nÉtape 1 : fermer\n\nÉtape 2 : regrouper\n\n"
        "Étape 3 : partir\n\n## Scénario 2 : Ouverture\n\nTexte.\n"
    )
    _, segments, _ = _detect(text)
    assert _scenarios(segments) == [(1, "Repli"), (2, "Ouverture")]


def test_headings_under_a_heading_that_names_the_scenarios() -> None:
    text = (
        "# Méthode\n\nTexte.\n\n# Les quatre scénarios\n\nIntro.\n\n"
        "## 1. Génération frugale\n\nSobriété.\n\n### Leviers\n\nLow-tech.\n\n"
        "## 2. Coopérations territoriales\n\nGouvernance.\n\n### Leviers\n\nCommuns.\n\n"
        "## 4. Pari réparateur\n\nTechnique.\n\n# Annexe\n\nSources.\n"
    )
    text, segments, warnings = _detect(text)
    assert _scenarios(segments) == [
        (1, "Génération frugale"),
        (2, "Coopérations territoriales"),
        (4, "Pari réparateur"),
    ]
    assert _parts(segments) == {
        1: ["narrative", "levers"],
        2: ["narrative", "levers"],
        4: ["narrative"],
    }
    assert segments[-1].scenario is None and text[segments[-1].start :].startswith("Sources")
    assert warnings == []


def test_numbers_roman_and_letters() -> None:
    assert [roman(x) for x in ("I", "IV", "IX", "XII", "Z")] == [1, 4, 9, 12, None]
    assert [identifier_number(x, 7) for x in ("3", "II", "B", "haute")] == [3, 2, 2, 7]


def test_prose_is_not_a_title() -> None:
    text = (
        "Scénarios.\n\nArticle 3 du règlement : les services publics doivent rester accessibles "
        "à tous les habitants du département, quelle que soit la commune où ils vivent et "
        "quel que soit leur âge ou leur situation.\n\nLa démarche a été menée en 2021.\n"
    )
    _, segments, warnings = _detect(text)
    assert _scenarios(segments) == [] and warnings == []


# -- bad input ---------------------------------------------------------------------------


def test_one_scenario_heading_is_kept_with_a_warning() -> None:
    _, segments, warnings = _detect("Intro.\n\nScénario 1 : Seul\nTexte.\n")
    assert _scenarios(segments) == [(1, "Seul")]
    assert warnings == ["only one scenario heading found ('Seul')"]


def test_two_scenarios_with_the_same_number_are_both_kept_with_a_warning() -> None:
    _, segments, warnings = _detect("Scénario 2 : Un\nA.\n\nScénario 2 : Deux\nB.\n")
    assert _scenarios(segments) == [(2, "Un"), (2, "Deux")]
    ids = {s.scenario.id for s in segments if s.scenario}
    assert len(ids) == 2
    assert warnings == [
        "two scenarios numbered 2 (lines 1 and 4): both kept, `--scenario 2` selects both"
    ]
    _, same, _ = _detect("Scénario 2 : Un\nA.\n\nScénario 2 : Un\nB.\n")
    assert len({s.scenario.id for s in same if s.scenario}) == 2  # ids made unique


def test_a_heading_inside_a_table_row_is_not_a_heading() -> None:
    text = (
        "Scénario 1 : Repli\nTexte.\n\nThème ; Scénario 1 : les villages se vident ; note\n"
        "Thème : Santé ; Scénario 1 : fermeture ; note : à revoir\n\n"
        "Scénario 2 : Ouverture\nTexte deux.\n"
    )
    text, segments, warnings = _detect(text)
    assert _scenarios(segments) == [(1, "Repli"), (2, "Ouverture")]
    assert warnings == [
        "line 4: a scenario title inside a table row was not used as a heading (2 such rows)"
    ]
    table = next(s for s in segments if "Thème ;" in text[s.start : s.end])
    assert table.scenario is not None and table.scenario.number == 1


def test_a_table_row_with_one_cell_per_scenario_gives_each_cell_to_its_scenario() -> None:
    # before tables were read: the whole row was Repli's, with a warning
    text = (
        "Scénario 1 : Repli\nTexte.\n\nThème ; Scénario 1 ; Scénario 2\n"
        "Thème : Santé ; Scénario 1 : fermeture ; Scénario 2 : ouverture\n\n"
        "Scénario 2 : Ouverture\nTexte deux.\n"
    )
    text, segments, warnings = _detect(text)
    assert _scenarios(segments) == [(1, "Repli"), (2, "Ouverture")]
    assert warnings == []
    cells = [(s.scenario.number, s.section, text[s.start : s.end]) for s in segments if s.scenario]
    assert (1, "Santé", "fermeture") in cells and (2, "Santé", "ouverture") in cells


def test_a_glossary_of_300_scenario_lines_is_not_cut_into_300_scenarios() -> None:
    text = "Glossaire\n\n" + "".join(f"Scénario {i} : terme numéro {i}\n" for i in range(300))
    _, segments, warnings = _detect(text)
    assert _scenarios(segments) == []
    assert len(warnings) == 1 and "300 lines start with 'Scénario" in warnings[0]


def test_other_kinds_are_untouched() -> None:
    segments, warnings = detect(LoadedText(PLAIN, "txt"), "diagnostic")
    assert all(s.scenario is None for s in segments) and warnings == []


# -- structure hints from the loaders ---------------------------------------------------


def _docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Deux images du futur")
    for n, title in ((1, "La vallée connectée"), (2, "La vallée solidaire")):
        document.add_paragraph().add_run(f"Image {n} — {title}").bold = True
        document.add_paragraph(f"Récit de l'image {n}.")
        document.add_paragraph().add_run("Conditions de réussite").bold = True
        document.add_paragraph(f"Condition {n}.")
    path = tmp_path / "images.docx"
    document.save(str(path))
    return path


def test_docx_bold_paragraphs_are_hints_and_labels_become_parts(tmp_path: Path) -> None:
    loaded = load_file(_docx(tmp_path))
    starts = [loaded.text[h:].split("\n")[0] for h in loaded.headings]
    assert starts == [
        "Image 1 — La vallée connectée",
        "Conditions de réussite",
        "Image 2 — La vallée solidaire",
        "Conditions de réussite",
    ]
    segments, _ = detect(loaded, "scenario")
    assert _scenarios(segments) == [(1, "La vallée connectée"), (2, "La vallée solidaire")]
    assert _parts(segments) == {n: ["narrative", "Conditions de réussite"] for n in (1, 2)}


def test_pdf_lines_in_a_larger_or_bold_font_are_hints(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", "", str(FONT / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    for style, size, line in [
        ("", 11, "Un texte d'introduction assez long pour être le corps du texte."),
        ("B", 14, "Hypothèse haute"),
        ("", 11, "Beaucoup d'habitants nouveaux dans les bourgs."),
        ("B", 11, "Signaux faibles"),
        ("", 11, "Des écoles qui rouvrent."),
        ("B", 14, "Hypothèse basse"),
        ("", 11, "Peu d'habitants nouveaux."),
        ("B", 11, "Signaux faibles"),
        ("", 11, "Des commerces qui ferment."),
    ]:
        pdf.set_font("DejaVu", style, size)
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "hypotheses.pdf"
    pdf.output(str(path))
    loaded = load_file(path)
    hinted = [loaded.text[h:].split("\n")[0] for h in loaded.headings]
    assert hinted == ["Hypothèse haute", "Signaux faibles", "Hypothèse basse", "Signaux faibles"]
    segments, _ = detect(loaded, "scenario")
    assert _scenarios(segments) == [(1, "Hypothèse haute"), (2, "Hypothèse basse")]
    assert _parts(segments) == {n: ["narrative", "Signaux faibles"] for n in (1, 2)}
    assert all(s.page == 1 for s in segments)


def test_a_docx_that_cannot_be_read_for_hints_still_loads() -> None:
    document = docx.Document()
    document.add_paragraph("Scénario 1 : Seul")
    buffer = io.BytesIO()
    document.save(buffer)
    from assistant.loaders.docx import load_docx

    loaded = load_docx(buffer.getvalue(), Path("x.docx"))
    assert loaded.headings == () and loaded.text == "Scénario 1 : Seul"
