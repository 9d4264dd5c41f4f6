"""BM25 index: French analysis, kept in step with the store, persisted and reloaded safely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.analysis import analyze
from assistant.ingest import Ingestor
from assistant.lexical import LexicalIndex
from assistant.store import ChromaStore
from assistant.structure import fold


def _index(store: ChromaStore, tmp_path: Path, **kwargs: Any) -> LexicalIndex:
    """An index that re-checks the store on every read (no throttling) unless told."""
    kwargs.setdefault("check_every", 0)
    return LexicalIndex(store, tmp_path / "lexical" / store.name, **kwargs)


def _texts(index: LexicalIndex, query: str, k: int = 5) -> list[str]:
    return [hit.text for hit in index.search(query, k)]


class _Counting:
    """Wraps store.active_chunks to count rebuilds (a load never reads the chunks)."""

    def __init__(self, store: ChromaStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = store.active_chunks

        def counting() -> tuple[list[str], list[str], list[dict[str, Any]]]:
            self.calls += 1
            return real()

        monkeypatch.setattr(store, "active_chunks", counting)


# -- analysis -----------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ("médecins", "Médecin", "MÉDECINS", "médecin"),
        ("urgences", "urgence", "Urgences", "l'urgence"),
        ("numériques", "Numérique", "numérique"),
        ("pharmacies", "Pharmacie"),
        ("habitants", "habitant"),
        ("services", "Service"),
        ("expérimentations", "expérimentation"),
    ],
)
def test_analyze_folds_case_and_stems_french_inflections_to_one_term(
    forms: tuple[str, ...],
) -> None:
    terms = {tuple(analyze(form)) for form in forms}
    assert len(terms) == 1, terms
    (only,) = terms
    assert len(only) == 1


def test_analyze_output_is_lower_case_and_accent_free() -> None:
    text = "Équipements hospitaliers, télémédecine et précarité à Pôle Emploi : ÉTÉ 2022 !"
    terms = analyze(text)
    assert terms and all(t == fold(t) for t in terms)
    assert "2022" in terms  # numbers are kept, whole


def test_analyze_drops_stop_words_and_single_letters() -> None:
    assert analyze("le la les de des du et est sont pour dans avec il y a") == []
    assert analyze("the and of is what which how many") == []
    assert analyze("Quels sont les médecins de la vallée ?") == analyze("médecins vallée")
    assert analyze("l'urgence d'un médecin") == analyze("urgence médecin")
    assert analyze("a b c 5") == ["5"]  # a lone digit is a term, a lone letter is not
    assert analyze("") == [] and analyze("  ?! ...") == []


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("mobilité", "mobilite"),
        ("accès", "acces"),
        ("proximité", "proximite"),
        ("données", "donnees"),
    ],
)
def test_analyze_gives_the_same_term_with_or_without_accents(accented: str, plain: str) -> None:
    assert analyze(plain) == analyze(accented)


# -- keeping in step with the store -------------------------------------------


def test_index_follows_ingest_change_and_prune(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    doc = docs / "note.md"
    doc.write_text("# Santé\n\nLe dispensaire de Zorglubville ouvre le mardi.\n", "utf-8")
    (docs / "autre.md").write_text("# Bus\n\nUne ligne de bus dessert le bourg.\n", "utf-8")
    ingestor.run([docs])
    index = _index(store, tmp_path)
    assert _texts(index, "zorglubville") == ["Le dispensaire de Zorglubville ouvre le mardi."]
    assert len(index) == 2

    doc.write_text("# Santé\n\nLa maison de santé de Quintessac ouvre le jeudi.\n", "utf-8")
    assert len(ingestor.run([docs]).ingested) == 1
    assert _texts(index, "zorglubville") == []
    assert _texts(index, "Quintessac") == ["La maison de santé de Quintessac ouvre le jeudi."]
    assert len(index) == 2

    doc.unlink()
    report = ingestor.run([docs], prune=True)
    assert len(report.pruned) == 1
    assert _texts(index, "quintessac") == []
    assert _texts(index, "bus") == ["Une ligne de bus dessert le bourg."]
    assert len(index) == 1


def test_throttled_index_sees_changes_after_check_every_or_forced_refresh(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    first = tmp_path / "a.md"
    first.write_text("Le lavoir de Brumelac est classé.", "utf-8")
    ingestor.run([first])
    index = _index(store, tmp_path, check_every=3600)
    assert len(index.search("Brumelac", 5)) == 1
    second = tmp_path / "b.md"
    second.write_text("Le moulin de Brumelac est en ruine.", "utf-8")
    ingestor.run([second])
    assert len(index.search("Brumelac", 5)) == 1  # not re-checked within check_every
    assert index.refresh(force=True) is True
    assert len(index.search("Brumelac", 5)) == 2
    assert index.refresh() is False  # nothing changed, and throttled anyway


def test_persisted_index_is_loaded_by_a_new_instance_without_rebuilding(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("# Santé\n\nDeux médecins à Valfleur.\n\n# Bus\n\nUne ligne.\n", "utf-8")
    ingestor.run([doc])
    first = _index(store, tmp_path)
    expected = first.search("médecins Valfleur", 5)
    assert expected and (first.folder / "chunks.json").is_file()

    def no_rebuild() -> None:
        raise AssertionError("the saved index should have been loaded, not rebuilt")

    monkeypatch.setattr(store, "active_chunks", no_rebuild)
    second = _index(store, tmp_path)
    assert second.search("médecins Valfleur", 5) == expected
    assert len(second) == len(first) == 2
    assert second.known(analyze("Valfleur")[0])


def test_a_changed_store_is_rebuilt_even_when_an_index_is_saved(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("Deux médecins à Valfleur.", "utf-8")
    ingestor.run([doc])
    _index(store, tmp_path).refresh()
    doc.write_text("Trois pharmacies à Valfleur.", "utf-8")
    ingestor.run([doc])
    counter = _Counting(store, monkeypatch)
    index = _index(store, tmp_path)
    assert _texts(index, "pharmacie") == ["Trois pharmacies à Valfleur."]
    assert _texts(index, "médecin") == []
    assert counter.calls == 1  # the stale saved index was not used


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="half-written"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: b"\xff\xfe\x00 not json", id="garbage"),
        pytest.param(
            lambda raw: raw.replace(b'"fingerprint": "', b'"fingerprint": "x'), id="stale"
        ),
    ],
)
def test_damaged_chunks_json_leads_to_a_rebuild_not_a_crash(
    damage: Any,
    ingestor: Ingestor,
    store: ChromaStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("# Santé\n\nDeux médecins à Valfleur.\n", "utf-8")
    ingestor.run([doc])
    saved = _index(store, tmp_path)
    saved.refresh()
    path = saved.folder / "chunks.json"
    path.write_bytes(damage(path.read_bytes()))

    counter = _Counting(store, monkeypatch)
    index = _index(store, tmp_path)
    assert _texts(index, "médecins") == ["Deux médecins à Valfleur."]
    assert counter.calls == 1
    reloaded = json.loads(path.read_text("utf-8"))  # the rebuild was saved whole
    assert len(reloaded["ids"]) == len(reloaded["texts"]) == len(reloaded["metas"]) == 1


def _damage_missing_texts(folder: Path) -> None:
    path = folder / "chunks.json"
    saved = json.loads(path.read_text("utf-8"))
    del saved["texts"]
    path.write_text(json.dumps(saved), "utf-8")


def _damage_json_null(folder: Path) -> None:
    (folder / "chunks.json").write_text("null", "utf-8")


def _damage_empty_npy(folder: Path) -> None:
    for npy in (folder / "bm25").glob("*.npy"):
        npy.write_bytes(b"")  # what a power cut before the data reached the disk leaves


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            _damage_missing_texts,
            id="missing-key",
        ),
        pytest.param(
            _damage_json_null,
            id="json-null",
        ),
        pytest.param(
            _damage_empty_npy,
            id="empty-npy",
        ),
    ],
)
def test_other_damaged_saved_indexes_also_lead_to_a_rebuild(
    damage: Any, ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("# Santé\n\nDeux médecins à Valfleur.\n", "utf-8")
    ingestor.run([doc])
    saved = _index(store, tmp_path)
    saved.refresh()
    damage(saved.folder)
    assert _texts(_index(store, tmp_path), "médecins") == ["Deux médecins à Valfleur."]


# -- searching ----------------------------------------------------------------


def test_accept_filter_restricts_hits_to_admitted_chunks(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    for name, text in [
        ("a.md", "Le covoiturage solidaire progresse dans le piémont."),
        ("b.md", "Le covoiturage reste rare dans la haute vallée."),
        ("c.md", "La ligne de bus ferme en août."),
    ]:
        (tmp_path / name).write_text(text, "utf-8")
    ingestor.run([tmp_path / n for n in ("a.md", "b.md", "c.md")])
    index = _index(store, tmp_path)
    assert len(index.search("covoiturage", 10)) == 2
    b_id = next(r.doc_id for r in store.records() if r.path.endswith("b.md"))
    hits = index.search("covoiturage", 10, accept=lambda m: m["doc_id"] == b_id)
    assert [h.text for h in hits] == ["Le covoiturage reste rare dans la haute vallée."]
    assert all(h.meta["doc_id"] == b_id for h in hits)
    assert index.search("covoiturage", 10, accept=lambda m: False) == []
    assert index.search("bus", 10, accept=lambda m: m["doc_id"] == b_id) == []


def test_hits_are_best_first_within_k_and_carry_store_metadata(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    for i in range(6):
        words = " ".join(["covoiturage"] * (i + 1))
        (tmp_path / f"d{i}.md").write_text(f"Note {i} : {words} et autre chose.", "utf-8")
    ingestor.run([tmp_path])
    index = _index(store, tmp_path)
    hits = index.search("covoiturage", 4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.chunk_id for h in hits}) == 4
    for hit in hits:
        assert hit.score > 0
        assert store.get_text(hit.meta["doc_id"])[hit.meta["start"] : hit.meta["end"]] == hit.text
    assert index.search("covoiturage", 0) == []
    assert index.search("le la les", 4) == []  # only stop words
    assert index.search("introuvablissime", 4) == []  # unknown term


def test_empty_store_gives_no_hits_and_no_scenarios(store: ChromaStore, tmp_path: Path) -> None:
    index = _index(store, tmp_path)
    assert index.search("médecins", 5) == []
    assert len(index) == 0 and index.scenarios() == []
    assert index.idf("medecin") == 0.0 and not index.known("medecin")
    assert json.loads((index.folder / "chunks.json").read_text("utf-8"))["ids"] == []
    assert _index(store, tmp_path).search("médecins", 5) == []  # the saved empty index loads


def test_idf_is_higher_for_rarer_terms_and_zero_for_unseen(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    for i in range(5):
        extra = " La pharmacie de garde est à Valfleur." if i == 0 else ""
        (tmp_path / f"d{i}.md").write_text(f"Les médecins du secteur {i}.{extra}", "utf-8")
    ingestor.run([tmp_path])
    index = _index(store, tmp_path)
    index.refresh()
    (common,) = analyze("médecins")
    (rare,) = analyze("pharmacie")
    assert index.known(common) and index.known(rare)
    assert index.idf(rare) > index.idf(common) > 0
    assert index.idf("introuvablissime") == 0.0 and not index.known("introuvablissime")


def test_a_chunk_is_found_by_its_document_title_and_its_text_stays_the_sources(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    # a PDF or a front-matter title is not in any heading: BM25 must still index it
    (tmp_path / "enquete.md").write_text(
        "---\ntitle: Enquête de Meurthe-et-Moselle\n---\n"
        "Les habitants attendent des horaires d'ouverture plus larges le samedi.\n",
        "utf-8",
    )
    (tmp_path / "autre.md").write_text(
        "---\ntitle: Enquête du Cantal\n---\nLes habitants attendent des bus le soir.\n",
        "utf-8",
    )
    ingestor.run([tmp_path])
    hits = _index(store, tmp_path).search("l'enquête de Meurthe-et-Moselle", 2)
    assert hits[0].meta["source"].endswith("enquete.md")
    assert hits[0].text == "Les habitants attendent des horaires d'ouverture plus larges le samedi."
