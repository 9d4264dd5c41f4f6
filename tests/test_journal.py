"""The workshop journal (SQLite, WAL) and the app's services over a real store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.journal import Journal
from assistant.ui.services import FACILITATOR, Forbidden, Services, facilitator_password
from assistant.wiring import make_services

from .conftest import CORPUS


def _answer(question: str, answerable: bool = True) -> dict[str, object]:
    return {"question": question, "language": "fr", "answerable": answerable, "answer": "…",
            "sentences": [], "citations": [], "passages": []}  # fmt: skip


def test_the_journal_survives_a_restart_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal = Journal(path)
    first = journal.record("s1", "sante", _answer("Combien de médecins ?"))
    journal.record("s2", "sante", _answer("Et les urgences ?", answerable=False))
    journal.record("s1", "mobilite", _answer("Le bus passe quand ?"))
    journal.save_draft({"sections": [{"name": "Vision", "sentences": []}], "citations": []})
    journal.close()
    again = Journal(path)
    assert [e.question for e in again.entries()] == [
        "Le bus passe quand ?", "Et les urgences ?", "Combien de médecins ?"
    ]  # fmt: skip
    assert again.themes() == [("sante", 2), ("mobilite", 1)]
    assert again.entry(first) is not None and again.entry(first).answerable  # type: ignore[union-attr]
    latest = again.latest_draft()
    assert latest is not None and latest[2]["sections"][0]["name"] == "Vision"
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_workshop_exports_and_imports_as_one_file(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "a.db")
    journal.record("s1", "sante", _answer("Combien de médecins ?"))
    journal.save_draft({"sections": [], "citations": []})
    exported = json.loads(json.dumps(journal.export({"themes": ["Santé"]})))
    other = Journal(tmp_path / "b.db")
    other.record("old", "autres", _answer("Une ancienne question"))
    assert other.import_(exported) == (1, 1)
    assert [e.question for e in other.entries()] == ["Combien de médecins ?"]
    assert exported["box"] == {"themes": ["Santé"]}
    with pytest.raises(AssistantError, match="not a workshop export"):
        other.import_({"questions": []})
    with pytest.raises(AssistantError, match="incomplete"):
        other.import_({"format": exported["format"], "questions": [{}], "drafts": []})
    assert len(other.entries()) == 1  # a failed import changes nothing


def test_an_unusable_journal_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "journal.db").mkdir()
    with pytest.raises(AssistantError, match="cannot open the workshop journal"):
        Journal(tmp_path / "journal.db")


def test_the_generated_password_is_announced_once(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "store", embedding_model="fake")
    said: list[str] = []
    first = facilitator_password(settings, said.append)
    second = facilitator_password(settings, said.append)
    assert first == second and len(said) == 1 and first in said[0]
    assert (tmp_path / "store" / "facilitator-password").stat().st_mode & 0o077 == 0
    fixed = Settings(home=tmp_path / "other", embedding_model="fake", facilitator_password="pw")
    assert facilitator_password(fixed, said.append) == "pw" and len(said) == 1


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(
        home=tmp_path / "store", embedding_model="fake", facilitator_password="secret",
        max_upload_mb=0.05,
    )  # fmt: skip
    return make_services(settings, announce=lambda _m: None)


def test_uploads_land_in_the_store_folder_and_can_be_removed(
    services: Services, tmp_path: Path
) -> None:
    role = services.login("secret")
    assert role == FACILITATOR and services.login("wrong") == ""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "note locale.md"
    good.write_text("# Note\n\nLe marché de Saint-Ours a lieu le jeudi.\n", encoding="utf-8")
    big = incoming / "big.txt"
    big.write_text("x " * 40_000, encoding="utf-8")
    exe = incoming / "tool.exe"
    exe.write_bytes(b"MZ")
    empty = incoming / "vide.md"
    empty.write_text("", encoding="utf-8")
    seen: list[tuple[str, str]] = []
    report = services.upload(role, [str(good), str(big), str(exe), str(empty)],
                             lambda n, s: seen.append((n, s)))  # fmt: skip
    assert len(report["ingested"]) == 1
    errors = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(errors) == {"big.txt", "tool.exe", "vide.md"}
    assert "MB" in errors["big.txt"] and "type" in errors["tool.exe"]
    assert ("note locale.md", "ingested") in seen
    stored = services.upload_dir / "note locale.md"
    assert stored.exists() and services.upload_dir.is_relative_to(services.settings.home.resolve())
    (doc,) = [d for d in services.documents() if d["source"].endswith("note locale.md")]
    passages = services.search("marché Saint-Ours jeudi")["passages"]
    assert any(p["doc_id"] == doc["doc_id"] for p in passages)
    assert services.remove(role, doc["doc_id"]).endswith("note locale.md")
    assert not stored.exists()
    assert all(p["doc_id"] != doc["doc_id"] for p in services.search("Saint-Ours")["passages"])


def test_participants_cannot_change_the_corpus(services: Services, tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_text("texte", encoding="utf-8")
    with pytest.raises(Forbidden):
        services.upload("", [str(note)])
    with pytest.raises(Forbidden):
        services.remove("participant", "anything")
    with pytest.raises(Forbidden):
        services.export_workshop("")


def test_asking_records_the_question_on_the_wall(services: Services) -> None:
    make = services.new_ingestor
    from assistant.ingest import IngestCallbacks

    assert not make(IngestCallbacks()).run([CORPUS / "diagnostics"]).failed
    services.retriever.lexical.refresh(force=True)
    answer = services.ask("Combien de médecins généralistes en 2024 ?", session="s1")
    assert set(answer) >= {"question", "answerable", "sentences", "citations"}
    (entry,) = services.journal.entries()
    assert entry.theme == "sante" and entry.session == "s1" and entry.answer == answer
    with pytest.raises(AssistantError, match="empty"):
        services.ask("   ")
