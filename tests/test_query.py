"""The question understood once (issue 14, item 3): one `Query` that retrieval and the
writers read, built from the store's own vocabulary (scenario titles and numbers, the
corpus's terms and breakdown values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import retrieval
from assistant.config import Settings
from assistant.query import read_question
from assistant.store import ChromaStore
from assistant.tasks.features import SENTENCE
from assistant.tasks.judge import NEVER
from assistant.wiring import make_ask_task, make_ingestor, make_retriever

from .conftest import CountingEmbedder, task_over


def test_one_query_carries_what_the_question_asks(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, corpus_copy: Path
) -> None:
    assert not make_ingestor(settings, store, embedder).run([corpus_copy]).failed
    task = make_ask_task(settings, make_retriever(settings, store, embedder))
    reader = task.extractive.reader
    ids = {s.number: s.id for s in task.retriever.lexical.scenarios()}

    both = read_question(task.retriever, reader, "Quelle différence entre le scénario 2 et le 4 ?")
    assert both.compares and not both.defines
    assert both.asked.intent.scenario_ids == (ids[2], ids[4])
    assert both.asked.lang == "fr" and both.text == both.asked.question

    history = [("Que propose le scénario 2 ?", "…")]
    follow = read_question(task.retriever, reader, "et ses limites ?", history)
    assert follow.text.startswith(history[0][0])  # the elliptic turn borrows the topic
    assert follow.asked.intent.scenario_ids == (ids[2],)
    assert follow.asked.intent.sections == ("limits",)
    assert follow.asked.follow_up and not follow.compares

    define = read_question(task.retriever, reader, "C'est quoi un scénario normatif ?")
    assert define.defines and define.asked.defined == ("scenario", "normat")

    figure = read_question(task.retriever, reader, "Combien de médecins dans le piémont en 2023 ?")
    assert figure.asked.facets.kind == "count"
    assert ("piemont",) in figure.asked.facets.restrictions  # a breakdown value of the corpus
    assert figure.asked.numbers == frozenset({"2023"})


def test_an_answer_reads_the_question_once(
    settings: Settings,
    store: ChromaStore,
    embedder: CountingEmbedder,
    corpus_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Retrieval takes the query's intent: asking, comparison included, parses the
    question's scenarios and parts once."""
    assert not make_ingestor(settings, store, embedder).run([corpus_copy]).failed
    task = make_ask_task(settings, make_retriever(settings, store, embedder))
    task.extractive.refuse_at = NEVER
    calls: list[str] = []
    real = retrieval.intent_of

    def counted(question, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(question)
        return real(question, *args, **kwargs)

    monkeypatch.setattr(retrieval, "intent_of", counted)
    answer = task.ask("Quelle différence entre le scénario 2 et le scénario 4 ?", top_k=1)
    assert answer.answerable
    assert calls == ["Quelle différence entre le scénario 2 et le scénario 4 ?"]


def test_a_number_in_a_title_name_is_not_a_figure_asked(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, tmp_path: Path
) -> None:
    """ "la démarche prospective PACA 2030" names a document (real-dev r060): 2030 is part
    of the name its title gives, not a figure the answer must give; "en 2030" is."""
    paca = (
        "# Des signes de rupture (démarche prospective PACA 2030)\n\n"
        "La démarche identifie la rupture climatique et la rupture énergétique.\n"
    )
    task = task_over({"paca.md": paca}, settings, store, embedder, tmp_path)
    reader = task.extractive.reader
    named = read_question(task.retriever, reader, "Quels signes de rupture la démarche PACA 2030 ?")
    assert named.asked.numbers == frozenset()
    # ... but still a name the passage must hold, like a capitalised one
    assert ("pac", "2030") in named.asked.names
    dated = read_question(task.retriever, reader, "Quelles ruptures sont attendues en 2030 ?")
    assert dated.asked.numbers == frozenset({"2030"})
    assert ("pac", "2030") not in dated.asked.names


def test_a_year_after_a_lower_case_word_is_asked_and_a_title_may_give_it(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, tmp_path: Path
) -> None:
    """ "à l'horizon 2050" asks for 2050: a lower-case word before a year makes no name,
    even where a title of the corpus says "à l'horizon 2050" (real-scen s038 was refused:
    "horizon 2040" was a name its answer's passage did not hold). The sentences of a study
    titled with the year take it (`features.scoping_years`); a passage "à l'horizon 2070"
    still does not answer a question on 2050 (real-dev r088)."""
    files = {
        "normandie.md": "# La Normandie à l'horizon 2070\n\n"
        "En 2070, la Normandie ne compterait plus que 2,9 millions d'habitants.\n\n"
        "La Normandie vieillirait nettement.\n",
        "centre.md": "# La population du Centre-Val de Loire à l'horizon 2050\n\n"
        "La population de la région atteindrait 2,6 millions d'habitants.\n",
    }
    task = task_over(files, settings, store, embedder, tmp_path)
    writer = task.extractive
    found = task.gather("Combien d'habitants en Normandie à l'horizon 2050 ?")
    assert found.asked.numbers == frozenset({"2050"})
    assert ("horizon", "2050") not in found.asked.names
    vector = task.retriever.embed_query(found.query)
    picks, rows = writer.scored(found.asked, vector, found.passages)
    texts = [found.passages[p.passage].text[p.start : p.end][:11] for p in picks]
    value = {t: dict(zip(SENTENCE, row, strict=True)) for t, row in zip(texts, rows, strict=True)}
    assert value["La populati"]["numbers_missing"] == 0.0  # its title's year
    assert value["La populati"]["names_missing"] == 1.0  # but not Normandie
    assert value["En 2070, la"]["numbers_missing"] == 1.0  # a year of its own
    assert value["La Normandi"]["numbers_missing"] == 1.0  # its title's year is 2070
