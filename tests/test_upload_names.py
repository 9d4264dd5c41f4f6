"""Uploads through the services layer on a real store: distinct names stay distinct
documents, a new version of a file says so, long names keep their type, refused uploads
leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ui.services import FACILITATOR, Services, safe_name
from assistant.wiring import make_services


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(home=tmp_path / "store", embedding_model="fake", facilitator_password="pw")
    return make_services(settings, announce=lambda _m: None)


def _file(tmp_path: Path, folder: str, name: str, text: str) -> Path:
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _doc_of(services: Services, word: str) -> set[str]:
    return {p["doc_id"] for p in services.search(word)["passages"] if word in p["text"]}


def test_names_that_sanitise_alike_stay_distinct_documents(
    services: Services, tmp_path: Path
) -> None:
    first = _file(tmp_path, "a", "budget;2024.md", "# Budget\n\nLe zeppelin coûte cher.\n")
    second = _file(tmp_path, "b", "budget_2024.md", "# Budget\n\nLe dirigeable est gratuit.\n")
    one = services.upload(FACILITATOR, [str(first)])
    two = services.upload(FACILITATOR, [str(second)])
    assert len(one["ingested"]) == 1 and len(two["ingested"]) == 1
    assert not one.get("replaced") and not two.get("replaced")
    assert len(services.documents()) == 2
    assert len(list(services.upload_dir.iterdir())) == 2
    zeppelin, dirigeable = _doc_of(services, "zeppelin"), _doc_of(services, "dirigeable")
    assert len(zeppelin) == 1 and len(dirigeable) == 1 and zeppelin != dirigeable


def test_both_names_in_one_upload_stay_distinct(services: Services, tmp_path: Path) -> None:
    first = _file(tmp_path, "a", "budget;2024.md", "# Budget\n\nLe zeppelin coûte cher.\n")
    second = _file(tmp_path, "b", "budget_2024.md", "# Budget\n\nLe dirigeable est gratuit.\n")
    report = services.upload(FACILITATOR, [str(first), str(second)])
    assert len(report["ingested"]) == 2 and not report["failed"]
    assert len(services.documents()) == 2


def test_a_new_version_of_the_same_file_says_replaced(services: Services, tmp_path: Path) -> None:
    old = _file(tmp_path, "a", "budget;2024.md", "# Budget\n\nLe zeppelin coûte cher.\n")
    services.upload(FACILITATOR, [str(old)])
    new = _file(tmp_path, "b", "budget;2024.md", "# Budget\n\nLa montgolfière coûte cher.\n")
    seen: list[tuple[str, str]] = []
    report = services.upload(FACILITATOR, [str(new)], lambda n, s: seen.append((n, s)))
    assert len(report["replaced"]) == 1 and not report["ingested"] and not report["failed"]
    assert [s for _, s in seen] == ["replaced"]
    assert len(services.documents()) == 1
    assert _doc_of(services, "zeppelin") == set() and len(_doc_of(services, "montgolfière")) == 1
    same = services.upload(FACILITATOR, [str(new)])
    assert len(same["skipped"]) == 1 and not same["replaced"]


def test_a_failed_new_version_keeps_the_old_file(services: Services, tmp_path: Path) -> None:
    old = _file(tmp_path, "a", "note.md", "# Note\n\nLe zeppelin coûte cher.\n")
    services.upload(FACILITATOR, [str(old)])
    bad = tmp_path / "b" / "note.md"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00\x01binary")
    report = services.upload(FACILITATOR, [str(bad)])
    assert len(report["failed"]) == 1 and "binary" in report["failed"][0]["error"]
    kept = services.upload_dir / "note.md"
    assert kept.read_text(encoding="utf-8") == old.read_text(encoding="utf-8")
    assert [p.name for p in services.upload_dir.iterdir()] == ["note.md"]
    assert len(_doc_of(services, "zeppelin")) == 1


def test_a_long_name_keeps_its_type(services: Services, tmp_path: Path) -> None:
    name = "compte-rendu " * 12 + "final.md"  # 164 characters
    note = _file(tmp_path, "a", name, "# Compte rendu\n\nLe zeppelin est arrivé.\n")
    report = services.upload(FACILITATOR, [str(note)])
    assert len(report["ingested"]) == 1, report
    (stored,) = services.upload_dir.iterdir()
    assert stored.suffix == ".md" and len(stored.name) <= 120
    assert safe_name("x" * 300 + ".docx").endswith(".docx")


def test_refused_uploads_leave_nothing_in_the_upload_folder(
    services: Services, tmp_path: Path
) -> None:
    empty = _file(tmp_path, "a", "vide.md", "")
    binary = tmp_path / "a" / "binaire.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    blank = _file(tmp_path, "a", "blanc.md", "   \n\n  \n")
    good = _file(tmp_path, "a", "bon.md", "# Bon\n\nLe zeppelin est là.\n")
    report = services.upload(FACILITATOR, [str(empty), str(binary), str(blank), str(good)])
    assert len(report["failed"]) == 3 and len(report["ingested"]) == 1
    assert [p.name for p in services.upload_dir.iterdir()] == ["bon.md"]


def test_a_scenario_text_with_no_scenario_is_a_warning_naming_the_file(
    services: Services, tmp_path: Path
) -> None:
    from assistant.ui.corpus import report_html

    text = "---\nkind: scenario\n---\nUn texte sans aucun scénario repérable.\n"
    path = _file(tmp_path, "a", "vision.md", text)
    report = services.upload(FACILITATOR, [str(path)])
    assert len(report["ingested"]) == 1
    assert [w["path"] for w in report["warnings"]] == [report["ingested"][0]]
    assert "no scenario was detected" in report["warnings"][0]["warning"]
    html = report_html(report, "fr")
    assert "à vérifier" in html and "vision.md" in html
