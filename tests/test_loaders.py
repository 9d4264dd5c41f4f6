"""Tests for assistant.loaders: every format, every encoding, every failure as a LoadError."""

from __future__ import annotations

import builtins
import os
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from fpdf import FPDF

import assistant.loaders as loaders
from assistant.errors import LoadError
from assistant.loaders import SUPPORTED_EXTENSIONS, load_file

FRENCH = "Élaboration du scénario : accès aux services, à l'hôpital, œuvre"
FRENCH_LATIN1 = "Élaboration du scénario : accès aux services, à l'hôpital"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def make_pdf(
    path: Path, pages: list[str], owner_password: str = "", user_password: str | None = None
) -> Path:
    pdf = FPDF()
    pdf.set_title("Diagnostic territorial")
    if owner_password:
        pdf.set_encryption(owner_password=owner_password, user_password=user_password)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        if text:
            pdf.multi_cell(0, 10, text=text)
    pdf.output(str(path))
    return path


# --- generic checks ------------------------------------------------------------------------


def test_supported_extensions() -> None:
    expected = {".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm", ".csv"}
    assert set(SUPPORTED_EXTENSIONS) == expected
    assert isinstance(SUPPORTED_EXTENSIONS, frozenset)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="^empty file$"):
        load_file(write(tmp_path, "vide.md", b""))


def test_whitespace_only_file_has_no_text(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no extractable text"):
        load_file(write(tmp_path, "blanc.txt", "  \n\n\t\n"))


def test_binary_file(tmp_path: Path) -> None:
    data = b"\x00\x01\x02" + os.urandom(2000) + b"\x00"
    with pytest.raises(LoadError, match="binary file, not text"):
        load_file(write(tmp_path, "image.txt", data))


def test_control_characters_are_binary(tmp_path: Path) -> None:
    data = bytes(range(1, 9)) * 50 + b"un peu de texte"
    with pytest.raises(LoadError, match="binary file, not text"):
        load_file(write(tmp_path, "bizarre.md", data))


@pytest.mark.parametrize("name", ["notes.xyz", "archive.DOC", "sans_extension"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    with pytest.raises(LoadError, match=r"^unsupported file type .*\(supported: .*\.md"):
        load_file(write(tmp_path, name, "du texte"))


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    assert load_file(write(tmp_path, "NOTES.TXT", "bonjour")).text == "bonjour"


def test_oversized_file(tmp_path: Path) -> None:
    path = write(tmp_path, "gros.txt", "x" * 2048)
    with pytest.raises(LoadError, match=r"^file is too large \(.* > .* limit\)$"):
        load_file(path, max_bytes=1024)
    assert load_file(path, max_bytes=2048).text == "x" * 2048


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="file not found"):
        load_file(tmp_path / "absent.md")
    (tmp_path / "dossier.md").mkdir()
    with pytest.raises(LoadError, match="not a regular file"):
        load_file(tmp_path / "dossier.md")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read chmod 000 files"
)
def test_unreadable_file_real(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.md", "# Secret")
    path.chmod(0)
    try:
        with pytest.raises(LoadError, match="^cannot read file: permission denied$"):
            load_file(path)
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.md", "# Secret")

    def deny(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(loaders, "open", deny, raising=False)
    with pytest.raises(LoadError, match="^cannot read file: permission denied$"):
        load_file(path)


# --- text and markdown ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "phrase"),
    [
        ("utf-8", FRENCH),
        ("utf-8-sig", FRENCH),
        ("cp1252", FRENCH),
        ("latin-1", FRENCH_LATIN1),
    ],
)
@pytest.mark.parametrize("ext", [".md", ".txt"])
def test_text_encodings(tmp_path: Path, encoding: str, phrase: str, ext: str) -> None:
    content = f"# Titre\n\n{phrase}\n"
    loaded = load_file(write(tmp_path, "doc" + ext, content.encode(encoding)))
    assert loaded.text == content  # the BOM, if any, is stripped; nothing else changes
    assert phrase in loaded.text
    assert loaded.fmt == ext[1:]
    assert loaded.title == "Titre"


def test_cp1252_undefined_bytes_fall_back_to_latin1(tmp_path: Path) -> None:
    data = FRENCH.encode("cp1252") + b" \x90 \x92fin"
    loaded = load_file(write(tmp_path, "mixte.txt", data))
    assert loaded.text == FRENCH + " \x90 \u2019fin"


def test_crlf_preserved(tmp_path: Path) -> None:
    content = "---\r\ntitle: Essai\r\n---\r\n# Titre\r\n\r\nligne 1\r\nligne 2\r\n"
    loaded = load_file(write(tmp_path, "crlf.md", content))
    assert loaded.text == content
    assert loaded.meta == {"title": "Essai"}
    assert loaded.body_start == content.index("# Titre")


def test_front_matter(tmp_path: Path) -> None:
    content = (
        "---\ntitle: \"Scénarios exploratoires\"\nKind: scenario\nauteur: 'Équipe'\n"
        "tags:\n  - a\n---\n# Autre titre\n\nCorps du texte.\n"
    )
    loaded = load_file(write(tmp_path, "scen.md", content))
    assert loaded.text == content
    assert loaded.meta == {
        "title": "Scénarios exploratoires",
        "kind": "scenario",
        "auteur": "Équipe",
    }
    assert loaded.title == "Scénarios exploratoires"
    assert loaded.body_start == content.index("# Autre titre")


def test_front_matter_without_title_uses_heading(tmp_path: Path) -> None:
    content = "---\nkind: method\n---\n\nIntro.\n\n# Méthode\n"
    loaded = load_file(write(tmp_path, "m.md", content))
    assert loaded.meta == {"kind": "method"}
    assert loaded.title == "Méthode"
    assert loaded.text[loaded.body_start :] == "\nIntro.\n\n# Méthode\n"


def test_front_matter_only_has_no_text(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no extractable text"):
        load_file(write(tmp_path, "fm.md", "---\ntitle: Rien\n---\n"))


def test_horizontal_rule_is_not_front_matter(tmp_path: Path) -> None:
    content = "---\nCeci est un paragraphe.\n---\nSuite.\n"
    loaded = load_file(write(tmp_path, "hr.md", content))
    assert loaded.meta == {}
    assert loaded.body_start == 0
    assert loaded.title is None


def test_md_title_from_heading_skips_code_and_h2(tmp_path: Path) -> None:
    content = "## Sous-titre\n\n```bash\n# commentaire\n```\n\n# Le vrai titre #\n"
    loaded = load_file(write(tmp_path, "t.markdown", content))
    assert loaded.title == "Le vrai titre"
    assert loaded.fmt == "md"
    assert loaded.body_start == 0


def test_file_name_with_spaces_and_accents(tmp_path: Path) -> None:
    path = write(tmp_path, "Diagnostic été 2024.md", f"# Diagnostic\n\n{FRENCH}\n")
    loaded = load_file(path)
    assert loaded.title == "Diagnostic"
    assert FRENCH in loaded.text


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_two_pages(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "diag.pdf", ["Page un : élaboration", "Page deux : accès à l'hôpital"]
    )
    loaded = load_file(path)
    assert loaded.fmt == "pdf"
    assert loaded.title == "Diagnostic territorial"
    assert [span.page for span in loaded.pages] == [1, 2]
    first, second = loaded.pages
    assert first.start == 0
    assert second.start == first.end + 2
    assert second.end == len(loaded.text)
    assert loaded.text[first.end : second.start] == "\n\n"
    assert "Page un : élaboration" in loaded.text[first.start : first.end]
    assert loaded.text[second.start : second.end] == "Page deux : accès à l'hôpital"


def test_pdf_blank_page_keeps_real_page_numbers(tmp_path: Path) -> None:
    loaded = load_file(make_pdf(tmp_path / "trou.pdf", ["Un", "", "Trois"]))
    assert [span.page for span in loaded.pages] == [1, 3]
    assert loaded.text == "Un\n\nTrois"


def test_pdf_without_text(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="^no extractable text$"):
        load_file(make_pdf(tmp_path / "scan.pdf", ["", ""]))


def test_corrupt_pdf(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="^corrupt or unreadable PDF: "):
        load_file(write(tmp_path, "casse.pdf", os.urandom(3000)))
    with pytest.raises(LoadError, match="^corrupt or unreadable PDF: "):
        load_file(write(tmp_path, "tronque.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"))


def test_password_protected_pdf(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "secret.pdf", ["Confidentiel"], owner_password="o", user_password="u"
    )
    with pytest.raises(LoadError, match="^password-protected PDF$"):
        load_file(path)


def test_encrypted_pdf_with_empty_user_password_loads(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "ouvert.pdf", ["Lisible"], owner_password="o")
    assert load_file(path).text == "Lisible"


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_heading_list_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Diagnostic du territoire", level=0)
    document.add_heading("Services", level=1)
    document.add_paragraph(FRENCH)
    document.add_paragraph("Mairie", style="List Bullet")
    document.add_paragraph("Hôpital", style="List Bullet")
    document.add_heading("Chiffres", level=2)
    table = document.add_table(rows=3, cols=2)
    cells = [("Commune", "Habitants"), ("Évian", "9000"), ("X", "")]
    for row, values in zip(table.rows, cells, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("")
    document.add_paragraph("Fin.")
    path = tmp_path / "diag.docx"
    document.save(str(path))

    loaded = load_file(path)
    assert loaded.fmt == "docx"
    assert loaded.text == (
        "# Diagnostic du territoire\n\n# Services\n\n" + FRENCH + "\n\n- Mairie\n- Hôpital\n\n"
        "## Chiffres\n\nCommune : Évian ; Habitants : 9000\nCommune : X\n\nFin."
    )
    assert loaded.title == "Diagnostic du territoire"


def test_docx_title_from_core_properties(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Titre officiel"
    document.add_heading("Titre du corps", level=1)
    document.add_paragraph("Texte")
    path = tmp_path / "t.docx"
    document.save(str(path))
    loaded = load_file(path)
    assert loaded.title == "Titre officiel"
    assert loaded.text == "# Titre du corps\n\nTexte"


def test_empty_docx(tmp_path: Path) -> None:
    path = tmp_path / "vide.docx"
    docx.Document().save(str(path))
    with pytest.raises(LoadError, match="^no extractable text$"):
        load_file(path)


def test_corrupt_docx(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="^corrupt or unreadable DOCX: "):
        load_file(write(tmp_path, "casse.docx", b"PK\x03\x04 pas vraiment un zip" * 20))
    other_zip = tmp_path / "autre.docx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "bonjour")
    with pytest.raises(LoadError, match="^corrupt or unreadable DOCX: "):
        load_file(other_zip)


# --- HTML ----------------------------------------------------------------------------------


HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Page  du
 diagnostic</title><style>body {{ color: red; }}</style>
<script>alert(1)</script></head>
<body>
<!-- un commentaire -->
<h1>Diagnostic</h1>
<p>Premier   paragraphe,
   sur deux lignes. <img src="x" onerror="alert(2)"> Suite.</p>
<noscript>Activez JavaScript</noscript>
<h2>Services</h2>
<ul><li>Mairie</li><li>Hôpital <b>central</b></li></ul>
<div>{french}<br>seconde ligne</div>
<table><tr><td>Cellule A</td><td>Cellule B</td></tr></table>
<script type="text/javascript">document.write("caché")</script>
</body></html>
"""


def test_html(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "page.html", HTML_PAGE.format(french=FRENCH)))
    assert loaded.fmt == "html"
    assert loaded.title == "Page du diagnostic"
    assert "alert" not in loaded.text
    assert "caché" not in loaded.text
    assert "color" not in loaded.text
    assert "JavaScript" not in loaded.text
    assert "commentaire" not in loaded.text
    assert loaded.text == (
        "# Diagnostic\n\nPremier paragraphe, sur deux lignes. Suite.\n\n## Services\n\n"
        f"- Mairie\n- Hôpital central\n\n{FRENCH}\nseconde ligne\n\nCellule A\n\nCellule B"
    )


def test_html_cp1252_meta_charset_and_h1_title(tmp_path: Path) -> None:
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        f"</head><body><h1>Scénario</h1><p>{FRENCH}</p></body></html>"
    )
    loaded = load_file(write(tmp_path, "vieux.htm", markup.encode("cp1252")))
    assert loaded.title == "Scénario"
    assert loaded.text == f"# Scénario\n\n{FRENCH}"


def test_html_without_meta_charset_falls_back_to_cp1252(tmp_path: Path) -> None:
    markup = f"<p>{FRENCH}</p>"
    loaded = load_file(write(tmp_path, "p.html", markup.encode("cp1252")))
    assert loaded.text == FRENCH
    assert loaded.title is None


def test_html_only_script_has_no_text(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no extractable text"):
        load_file(write(tmp_path, "vide.html", "<script>alert(1)</script><img onerror=x>"))


# --- CSV -----------------------------------------------------------------------------------


def test_csv_semicolon_accents(tmp_path: Path) -> None:
    content = (
        "Commune;Équipement;Remarque\r\n"
        "Évian;Hôpital;accès aux services, à l'hôpital\r\n"
        "Thonon;;œuvre\r\n"
        ";;\r\n"
    )
    path = write(tmp_path, "services_publics-2024.csv", content.encode("cp1252"))
    loaded = load_file(path)
    assert loaded.fmt == "csv"
    assert loaded.text == (
        "Commune : Évian ; Équipement : Hôpital ; Remarque : accès aux services, à l'hôpital\n"
        "Commune : Thonon ; Remarque : œuvre"
    )
    assert loaded.meta == {"csv_columns": "Commune | Équipement | Remarque"}
    assert loaded.title == "services publics 2024"


def test_csv_comma_quoted_and_tab(tmp_path: Path) -> None:
    comma = 'nom,description\n"Mairie","ouverte, le matin"\n'
    assert load_file(write(tmp_path, "a.csv", comma)).text == (
        "nom : Mairie ; description : ouverte, le matin"
    )
    tab = "\ufeffnom\tvaleur\nA\t1\n"
    loaded = load_file(write(tmp_path, "b.csv", tab))
    assert loaded.text == "nom : A ; valeur : 1"
    assert loaded.meta["csv_columns"] == "nom | valeur"


def test_csv_header_only(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="^no data rows$"):
        load_file(write(tmp_path, "entete.csv", "a;b;c\n"))
