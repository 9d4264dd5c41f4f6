"""Ingest: idempotent, crash-safe replacement, prune, and bad input that spoils nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.ingest import IngestCallbacks, Ingestor
from assistant.ingest_files import discover, resolve_kind
from assistant.store import ChromaStore
from assistant.types import DocumentRecord, Scenario
from assistant.wiring import make_retriever

from .conftest import CountingEmbedder


def _consistent(store: ChromaStore, *, allow_stale: bool = False) -> None:
    """Every record's active chunks are all there and cite its own text.

    With allow_stale, chunks of another version may remain (an interrupted run leaves
    them; readers never see them); otherwise there must be none.
    """
    for record in store.records():
        got = store.chunks.get(where={"doc_id": record.doc_id}, include=["metadatas", "documents"])
        text = store.get_text(record.doc_id)
        assert text is not None
        active = 0
        for meta, chunk_text in zip(got["metadatas"], got["documents"], strict=True):
            if meta["version"] != record.version:
                assert allow_stale, meta
                continue
            active += 1
            assert text[meta["start"] : meta["end"]] == chunk_text
        assert active == record.chunks


def test_bundled_corpus_ingests_and_second_run_embeds_nothing(
    ingestor: Ingestor, store: ChromaStore, embedder: CountingEmbedder, corpus_copy: Path
) -> None:
    report = ingestor.run([corpus_copy])
    assert report.failed == [] and len(report.ingested) == 6 and report.chunks > 50
    kinds = {Path(r.path).name: r.kind for r in store.records()}
    assert kinds["scenarios-exploratoires.md"] == "scenario"
    assert kinds["methode-scenarios.md"] == "method"
    assert kinds["enquete-habitants.pdf"] == "diagnostic"
    scenario_doc = next(r for r in store.records() if r.kind == "scenario")
    assert [s.number for s in scenario_doc.scenarios] == [1, 2, 3, 4]
    _consistent(store)

    embedded = embedder.texts
    again = ingestor.run([corpus_copy])
    assert again.ingested == [] and len(again.skipped) == 6 and again.chunks == 0
    assert embedder.texts == embedded
    _consistent(store)


def test_changed_document_is_replaced_whole(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("# Santé\n\nDeux médecins à Valfleur.\n", encoding="utf-8")
    ingestor.run([doc])
    first = store.records()[0]
    doc.write_text("# Santé\n\nTrois pharmacies à Valfleur.\n\n# Bus\n\nUne ligne.\n", "utf-8")
    report = ingestor.run([doc])
    assert report.ingested == [str(doc)] or len(report.ingested) == 1
    (second,) = store.records()
    assert second.doc_id == first.doc_id and second.version != first.version
    assert store.count_chunks() == second.chunks == 2
    _consistent(store)


class _Crash(IngestCallbacks):
    def on_chunks_added(self, records: list[DocumentRecord]) -> None:
        raise KeyboardInterrupt  # what a kill looks like to the code that follows


def test_crash_between_add_and_activate_keeps_the_old_version(
    ingestor: Ingestor,
    store: ChromaStore,
    embedder: CountingEmbedder,
    settings: Settings,
    tmp_path: Path,
) -> None:
    def search(query: str) -> list[str]:
        retriever = make_retriever(settings, store, embedder)
        return [p.text for p in retriever.search(query, top_k=5, mode="dense")]

    doc = tmp_path / "note.md"
    doc.write_text("# Santé\n\nDeux médecins à Valfleur.\n", encoding="utf-8")
    ingestor.run([doc])
    old = store.records()[0]
    doc.write_text("# Santé\n\nTrois pharmacies à Valfleur.\n", encoding="utf-8")
    ingestor.callbacks = _Crash()
    with pytest.raises(KeyboardInterrupt):
        ingestor.run([doc])
    # both versions' chunks are on disk, but readers only see the old, whole version
    assert store.count_chunks() == 2
    assert store.records()[0].version == old.version
    assert search("pharmacies médecins") == ["Deux médecins à Valfleur."]
    ingestor.callbacks = IngestCallbacks()
    ingestor.run([doc])
    assert search("pharmacies") == ["Trois pharmacies à Valfleur."]
    _consistent(store)


def test_prune_removes_documents_whose_files_are_gone(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Texte A sur la mobilité.", "utf-8")
    b.write_text("Texte B sur la santé.", "utf-8")
    ingestor.run([tmp_path])
    b.unlink()
    assert ingestor.run([a]).pruned == []
    assert len(store.records()) == 2
    report = ingestor.run([a], prune=True)
    assert len(report.pruned) == 1 and [Path(r.path).name for r in store.records()] == ["a.txt"]
    assert store.count_chunks() == 1


def _make_bad_files(folder: Path) -> dict[str, str]:
    """Bad files and a fragment of the reason each must get."""
    from fpdf import FPDF

    folder.mkdir()
    (folder / "vide.md").write_bytes(b"")
    (folder / "binaire.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "casse.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")
    (folder / "casse.docx").write_bytes(b"PK\x03\x04 broken zip")
    (folder / "gros.txt").write_text("mot " * 400_000, "utf-8")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Secret médical")
    pdf.set_encryption(owner_password="o", user_password="u")
    pdf.output(str(folder / "protege.pdf"))
    return {
        "vide.md": "empty",
        "binaire.txt": "binary",
        "casse.pdf": "pdf",
        "image.png": "unsupported",
        "casse.docx": "docx",
        "gros.txt": "too large",
        "protege.pdf": "password",
    }


def test_bad_files_fail_alone_with_a_reason_and_store_is_untouched(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    good = tmp_path / "bons" / "Diagnostic été 2024 — accès.md"
    good.parent.mkdir()
    good.write_text("# Accès\n\nLe bureau de poste est à 12 minutes en moyenne.\n", "utf-8")
    ingestor.max_bytes = 1_000_000
    expected = _make_bad_files(tmp_path / "mauvais")
    report = ingestor.run([good.parent, tmp_path / "mauvais", tmp_path / "absent.md"])
    assert len(report.ingested) == 1 and "été" in report.ingested[0]
    reasons = {Path(f.path).name: f.error for f in report.failed}
    assert set(reasons) == set(expected) | {"absent.md"}
    for name, fragment in expected.items():
        assert fragment in reasons[name].lower(), (name, reasons[name])
        assert "\n" not in reasons[name] and "Traceback" not in reasons[name]
    assert [Path(r.path).name for r in store.records()] == [good.name]
    _consistent(store)


def test_a_failed_reingest_keeps_the_previous_version(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Deux médecins à Valfleur.", "utf-8")
    ingestor.run([doc])
    before = store.records()[0]
    doc.write_bytes(b"\x00\x01\x02" * 100)  # now a binary file
    report = ingestor.run([doc])
    assert len(report.failed) == 1 and store.records() == [before]
    _consistent(store)


def test_unreadable_file_gets_a_reason(
    ingestor: Ingestor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "secret.md"
    doc.write_text("Texte.", "utf-8")
    if os.geteuid() != 0:
        doc.chmod(0)
    else:  # root reads everything: make the read itself fail as it would for a user
        real_read = Path.read_bytes

        def deny(self: Path) -> bytes:
            if self.name == "secret.md":
                raise PermissionError(13, "Permission denied", str(self))
            return real_read(self)

        monkeypatch.setattr(Path, "read_bytes", deny)
        real_open = open

        def deny_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(file).endswith("secret.md"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", deny_open)
    report = ingestor.run([doc])
    assert len(report.failed) == 1 and "permission" in report.failed[0].error.lower()


def test_a_folder_with_thousands_of_files(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(1500):
        (folder / f"fiche {i:04d} é.txt").write_text(f"Fiche {i} : commune n°{i}.", "utf-8")
    (folder / "0000-bad.bin").write_bytes(b"\x00")
    report = ingestor.run([folder])
    assert len(report.ingested) == 1500 and len(report.failed) == 1
    assert len(store.records()) == 1500


def test_kind_precedence(tmp_path: Path) -> None:
    scen = tmp_path / "scenarios" / "x.md"
    assert resolve_kind("method", scen, "diagnostic") == "method"
    assert resolve_kind(None, scen, "diagnostic") == "scenario"
    assert resolve_kind(None, tmp_path / "x.md", "method") == "method"
    assert resolve_kind(None, tmp_path / "x.md", None) == "diagnostic"
    with pytest.raises(AssistantError):
        resolve_kind("roman", scen, None)


def test_a_text_whose_headings_number_scenarios_is_a_scenario_text_in_any_folder(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    """A workshop's own document, uploaded or in a folder of any name: its headings
    "Scénario 1 : …", "Scénario 2 : …" make it a scenario text, with its scenarios; a text
    that names one scenario, or talks about scenarios without numbering them, stays a
    diagnostic; front matter, the folder and --kind still come first."""
    folder = tmp_path / "atelier"
    folder.mkdir()
    (folder / "garonne.md").write_text(
        "# Garonne 2050\n\nTrois scénarios ont été présentés.\n\n"
        "## Scénario 1 : Compenser à minima\n\nDes choix a minima.\n\n"
        "## Scénario 2 : Compenser totalement\n\nDe lourds investissements.\n",
        "utf-8",
    )
    (folder / "note.md").write_text(
        "# Note\n\n## Le scénario normatif\n\nUne synthèse.\n\n"
        "## Scénario 1 : Le numérique\n\nUn seul scénario nommé.\n",
        "utf-8",
    )
    (folder / "fiche.md").write_text(
        "---\nkind: method\n---\n# Fiche\n\n## Scénario 1 : A\n\nTexte.\n\n"
        "## Scénario 2 : B\n\nTexte.\n",
        "utf-8",
    )
    assert not ingestor.run([folder]).failed
    kinds = {Path(r.path).name: r for r in store.records()}
    assert kinds["garonne.md"].kind == "scenario"
    assert [s.title for s in kinds["garonne.md"].scenarios] == [
        "Compenser à minima",
        "Compenser totalement",
    ]
    assert kinds["note.md"].kind == "diagnostic"
    assert kinds["fiche.md"].kind == "method"


def test_discover_skips_hidden_files_and_readmes(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.md").write_text("x", "utf-8")
    (tmp_path / "README.md").write_text("x", "utf-8")
    (tmp_path / "a.md").write_text("x", "utf-8")
    files, missing = discover([tmp_path, tmp_path / "nope"])
    assert [f.name for f in files] == ["a.md"] and [m.error for m in missing] == [
        "no such file or directory"
    ]


def test_indexed_and_embedded_texts_carry_the_chunks_address_and_the_stored_text_does_not(
    ingestor: Ingestor,
    store: ChromaStore,
    embedder: CountingEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.indexed import chunk_context

    seen: list[str] = []
    real = embedder.embed

    def recording(texts, *, query):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return real(texts, query=query)

    monkeypatch.setattr(embedder, "embed", recording)

    scenario = Scenario(2, "s2-partenariat", "Le partenariat")
    assert chunk_context("Scénarios", "limits", scenario) == (
        'Scénarios — Scénario 2 "Le partenariat" — Limites'
    )
    # a heading path that starts with the title does not repeat it
    assert chunk_context("Diagnostic", "Diagnostic > Santé", None) == "Diagnostic — Santé"
    assert chunk_context("Synthèse", "", None) == "Synthèse"
    (tmp_path / "s.md").write_text(
        "---\nkind: scenario\ntitle: Scénarios du schéma\n---\n"
        "## Scénario 1 : Le numérique\n\n### Limites\n\nLe haut débit manque.\n",
        "utf-8",
    )
    ingestor.run([tmp_path])
    assert seen == ['Scénario 1 "Le numérique" — Limites\nLe haut débit manque.']
    _, texts, _ = store.active_chunks()
    assert texts == ["Le haut débit manque."]


def test_the_index_name_changes_with_what_is_embedded(
    settings: Settings, embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import wiring

    before = wiring.index_name(settings, embedder)
    monkeypatch.setattr(wiring, "EMBEDDED_TEXT", "other")
    assert wiring.index_name(settings, embedder) != before
