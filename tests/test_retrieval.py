"""Hybrid retrieval over the bundled corpus: exact passages, filters, balance, modes, intent."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from assistant.analysis import analyze
from assistant.config import Settings
from assistant.embeddings import HashEmbedder
from assistant.errors import NotFound
from assistant.ingest import Ingestor
from assistant.intent import Intent
from assistant.retrieval import Retriever
from assistant.store import ChromaStore
from assistant.types import KINDS, Passage
from assistant.wiring import make_ingestor, make_retriever, make_store

from .conftest import CORPUS

QUERIES = [
    "scénario",
    "Quelles sont les limites du scénario numérique ?",
    "médecins généralistes et télémédecine",
    "accueil de proximité",
    "taux d'illectronisme",
    "How many digital advisers are left?",
]
MODES = ("hybrid", "dense", "lexical", "sentence")


@dataclass
class Indexed:
    """The bundled corpus ingested once (read-only for every test of this module)."""

    settings: Settings
    store: ChromaStore
    retriever: Retriever

    def scenario_id(self, number: int) -> str:
        (scenario,) = [s for s in self.retriever.lexical.scenarios() if s.number == number]
        return scenario.id


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """The bundled corpus, copied, ingested with the fake embedder, and a retriever over it."""
    root = tmp_path_factory.mktemp("retrieval")
    shutil.copytree(CORPUS, root / "corpus")
    settings = Settings(home=root / "store", embedding_model="fake", chroma_url=None)
    embedder = HashEmbedder()
    store = make_store(settings, embedder)
    report = make_ingestor(settings, store, embedder).run([root / "corpus"])
    assert report.failed == [] and len(report.ingested) == 6
    retriever = make_retriever(settings, store, embedder)
    retriever.lexical.check_every = 0
    return Indexed(settings, store, retriever)


def _exact(store: ChromaStore, passages: Sequence[Passage]) -> None:
    """Each passage is a verbatim span of its document's active text, ranked 1..n."""
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
    for p in passages:
        text = store.get_text(p.doc_id)
        assert text is not None
        assert text[p.start : p.end] == p.text, p.chunk_id
        assert p.kind in KINDS
        assert p.scenario is None or p.kind == "scenario"
        assert -1.0 <= p.score <= 1.0


@pytest.mark.parametrize("mode", MODES)
def test_every_passage_is_its_documents_exact_text(indexed: Indexed, mode: str) -> None:
    for query in QUERIES:
        for balance in (False, True):
            passages = indexed.retriever.search(query, top_k=8, mode=mode, balance=balance)  # type: ignore[arg-type]
            assert passages or (mode == "lexical" and query.startswith("How")), (query, mode)
            _exact(indexed.store, passages)


def test_score_is_the_cosine_of_stored_vector_and_query_whichever_retriever(
    indexed: Indexed,
) -> None:
    retriever = indexed.retriever
    query = "médecins généralistes et télémédecine"
    vector = np.asarray(retriever.embedder.embed([query], query=True)[0])
    for mode in MODES:
        passages = retriever.search(query, top_k=6, mode=mode)  # type: ignore[arg-type]
        stored = indexed.store.vectors([p.chunk_id for p in passages])
        for p in passages:
            v = np.asarray(stored[p.chunk_id])
            cosine = float(v @ vector / (np.linalg.norm(v) * np.linalg.norm(vector)))
            assert p.score == pytest.approx(cosine, abs=1e-3), (mode, p.chunk_id)


def test_dense_mode_ranks_by_similarity(indexed: Indexed) -> None:
    for query in QUERIES:
        scores = [p.score for p in indexed.retriever.search(query, top_k=10, mode="dense")]
        assert scores == sorted(scores, reverse=True), query


# -- filters ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("wanted", "numbers"),
    [
        (["3"], {3}),
        (["numérique"], {1}),  # part of a title, accents and case ignored
        (["NUMERIQUE"], {1}),
        (["information"], {3}),
        (["s2"], {2}),
        (["1", "4"], {1, 4}),
    ],
)
def test_scenario_filter_returns_only_that_scenario(
    indexed: Indexed, mode: str, wanted: list[str], numbers: set[int]
) -> None:
    passages = indexed.retriever.search(
        "services accès habitants scénario",
        top_k=10,
        scenarios=wanted,
        mode=mode,  # type: ignore[arg-type]
    )
    if mode != "lexical":  # BM25 needs a query term in the scenario; dense always answers
        assert {p.scenario.number for p in passages if p.scenario} == numbers
    assert all(p.scenario is not None and p.scenario.number in numbers for p in passages)
    _exact(indexed.store, passages)


def test_a_title_word_shared_by_several_scenarios_selects_them_all(indexed: Indexed) -> None:
    filters = indexed.retriever.filters(scenarios=["information", "réseau"])
    assert set(filters.scenario_ids) == {indexed.scenario_id(3), indexed.scenario_id(2)}
    shared = indexed.retriever.filters(scenarios=["services"])  # in the titles of 1, 2 and 3
    assert set(shared.scenario_ids) == {indexed.scenario_id(n) for n in (1, 2, 3)}


@pytest.mark.parametrize("kind", KINDS)
def test_kind_filter(indexed: Indexed, kind: str) -> None:
    for mode in ("hybrid", "dense"):
        passages = indexed.retriever.search("services", top_k=10, kind=kind, mode=mode)  # type: ignore[arg-type]
        assert passages and {p.kind for p in passages} == {kind}


def test_source_filter_by_part_of_a_file_name(indexed: Indexed) -> None:
    retriever = indexed.retriever
    for wanted in (["enquete"], ["ENQUÊTE-habitants"], ["enquete-habitants.pdf"]):
        passages = retriever.search("habitants répondants", top_k=8, sources=wanted)
        assert passages
        assert {Path(p.source).name for p in passages} == {"enquete-habitants.pdf"}
        _exact(indexed.store, passages)
    both = retriever.search("habitants", top_k=20, sources=["enquete", "indicateurs"])
    assert {Path(p.source).name for p in both} == {"enquete-habitants.pdf", "indicateurs.csv"}
    doc_id = both[0].doc_id
    assert {p.doc_id for p in retriever.search("habitants", sources=[doc_id])} == {doc_id}


def test_filters_combine(indexed: Indexed) -> None:
    passages = indexed.retriever.search(
        "accueil de proximité", top_k=10, scenarios=["2"], kind="scenario"
    )
    assert passages and {p.scenario.number for p in passages if p.scenario} == {2}
    assert indexed.retriever.search("accueil", kind="diagnostic", scenarios=["2"]) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sources": ["rapport-inexistant"]}, "no document matches 'rapport-inexistant'"),
        ({"sources": ["  "]}, "no document matches"),
        ({"scenarios": ["9"]}, "no scenario matches '9'"),
        ({"scenarios": ["martien"]}, "no scenario matches 'martien'"),
        ({"kind": "roman"}, "unknown kind 'roman' (use scenario, diagnostic, method)"),
    ],
)
def test_unknown_filters_raise_not_found_naming_the_choices(
    indexed: Indexed, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(NotFound) as caught:
        indexed.retriever.search("services", **kwargs)  # type: ignore[arg-type]
    text = str(caught.value)
    assert message in text and "\n" not in text
    if "scenarios" in kwargs:  # the known scenarios are listed, by number and title
        assert "1 Le numérique, l'avenir des services !" in text
        assert "4 Une réponse adaptée" in text
    if "sources" in kwargs:
        assert "assistant sources" in text


# -- balance, modes, sizes ----------------------------------------------------


def _first_occurrences_come_first(groups: list[str]) -> bool:
    """Round-robin: every group's first passage comes before any group's second one."""
    seen: set[str] = set()
    repeated = False
    for group in groups:
        if group in seen:
            repeated = True
        elif repeated:
            return False
        seen.add(group)
    return True


def test_balance_interleaves_scenarios(indexed: Indexed) -> None:
    retriever = indexed.retriever
    top = retriever.search("scénario", top_k=4, balance=True)
    assert len({p.scenario.number for p in top if p.scenario}) >= 3
    only = retriever.search("scénario", top_k=4, balance=True, kind="scenario")
    assert sorted(p.scenario.number for p in only if p.scenario) == [1, 2, 3, 4]
    for query in QUERIES:
        passages = retriever.search(query, top_k=12, balance=True)
        groups = [p.scenario.id if p.scenario else "" for p in passages]
        assert _first_occurrences_come_first(groups), (query, groups)


def test_balance_changes_the_order_not_the_candidates(indexed: Indexed) -> None:
    retriever = indexed.retriever
    query = "Quelles sont les limites du scénario numérique ?"
    plain = retriever.search(query, top_k=500)  # every fused candidate
    balanced = retriever.search(query, top_k=500, balance=True)
    assert len(plain) == len(balanced) > 30
    assert {p.chunk_id for p in plain} == {p.chunk_id for p in balanced}
    unbalanced_top = [p.scenario.number if p.scenario else 0 for p in plain[:4]]
    balanced_top = [p.scenario.number if p.scenario else 0 for p in balanced[:4]]
    assert len(set(balanced_top)) >= len(set(unbalanced_top))


@pytest.mark.parametrize(
    "word", ["SDTAN", "illettrisme", "interopérabilité", "pluridisciplinaires", "Orsan"]
)
def test_lexical_mode_finds_a_chunk_by_a_rare_exact_word(indexed: Indexed, word: str) -> None:
    passages = indexed.retriever.search(word, top_k=3, mode="lexical")
    assert passages and word.casefold() in passages[0].text.casefold()
    (term,) = analyze(word)
    assert all(term in analyze(p.text) for p in passages)  # other hits share the stem


def test_lexical_mode_returns_nothing_for_words_the_corpus_lacks(indexed: Indexed) -> None:
    assert indexed.retriever.search("zorglub xylophone", mode="lexical") == []
    assert indexed.retriever.search("le la les de", mode="lexical") == []


@pytest.mark.parametrize("top_k", [1, 3, 7, 15, 30])
def test_top_k_is_respected_and_hybrid_results_are_unique(indexed: Indexed, top_k: int) -> None:
    for query in QUERIES:
        for balance in (False, True):
            passages = indexed.retriever.search(query, top_k=top_k, balance=balance)
            ids = [p.chunk_id for p in passages]
            assert len(ids) == top_k, (query, balance)  # the corpus has far more chunks
            assert len(set(ids)) == len(ids)


def test_empty_query_or_no_room_gives_nothing(indexed: Indexed) -> None:
    retriever = indexed.retriever
    for mode in MODES:
        assert retriever.search("", mode=mode) == []  # type: ignore[arg-type]
        assert retriever.search("   \n\t", mode=mode) == []  # type: ignore[arg-type]
        assert retriever.search("services", top_k=0, mode=mode) == []  # type: ignore[arg-type]


def test_empty_store_gives_nothing(settings: Settings, store: ChromaStore) -> None:
    retriever = make_retriever(settings, store, HashEmbedder())
    for mode in MODES:
        assert retriever.search("services", mode=mode) == []  # type: ignore[arg-type]
    assert retriever.intent("le scénario 2") == Intent()


# -- intent -------------------------------------------------------------------


def test_intent_reads_the_stored_scenarios(indexed: Indexed) -> None:
    retriever = indexed.retriever
    assert [s.number for s in retriever.lexical.scenarios()] == [1, 2, 3, 4]
    assert retriever.intent("le scénario numérique").scenario_ids == (indexed.scenario_id(1),)
    assert retriever.intent("et ses limites ?", ["parle-moi du scénario 3"]) == Intent(
        (indexed.scenario_id(3),), ("limits",)
    )
    assert retriever.intent("le cinquième scénario").missing == (5,)


def test_a_named_scenario_leads_the_hybrid_ranking(indexed: Indexed) -> None:
    retriever = indexed.retriever
    for question, number in [
        ("quelles sont les limites du scénario 2 ?", 2),
        ("les leviers du scénario 3", 3),
        ("les atouts du premier scénario", 1),
    ]:
        passages = retriever.search(question, top_k=5)
        numbers = [p.scenario.number if p.scenario else 0 for p in passages]
        assert numbers[0] == number and numbers.count(number) >= 3, (question, numbers)


def test_an_explicit_intent_boosts_the_named_part(indexed: Indexed) -> None:
    retriever = indexed.retriever
    query = "Coordination territoriale entre les services"  # a lever of scenarios 1, 2 and 3
    for number in (1, 2, 3):
        intent = Intent((indexed.scenario_id(number),), ("levers",))
        (top,) = retriever.search(query, top_k=1, intent=intent)
        assert top.scenario is not None and top.scenario.number == number
        assert top.section == "levers"


# -- wiring and keeping in step -----------------------------------------------


def test_make_retriever_keeps_its_index_beside_the_store(indexed: Indexed) -> None:
    retriever = indexed.retriever
    folder = indexed.settings.home / "lexical" / indexed.store.name
    assert retriever.lexical.folder == folder
    retriever.search("services")
    assert (folder / "chunks.json").is_file()


def test_retrieval_follows_a_replaced_document(
    settings: Settings, store: ChromaStore, ingestor: Ingestor, tmp_path: Path
) -> None:
    doc = tmp_path / "diagnostics" / "note.md"
    doc.parent.mkdir()
    doc.write_text("# Santé\n\nDeux médecins à Valfleur.\n", "utf-8")
    ingestor.run([doc])
    retriever = make_retriever(settings, store, ingestor.embedder)
    retriever.lexical.check_every = 0
    for mode in MODES:
        (hit,) = retriever.search("médecins Valfleur", mode=mode)  # type: ignore[arg-type]
        assert hit.text == "Deux médecins à Valfleur."
    doc.write_text("# Santé\n\nTrois pharmacies à Valfleur.\n", "utf-8")
    ingestor.run([doc])
    for mode in MODES:
        hits = retriever.search("pharmacies Valfleur", mode=mode)  # type: ignore[arg-type]
        assert [h.text for h in hits] == ["Trois pharmacies à Valfleur."]
        _exact(store, hits)
