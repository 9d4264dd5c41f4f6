"""What a question points at: scenarios by number, ordinal or title words; parts; follow-ups."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from assistant.intent import intent_of, named_scenarios, numbers_named
from assistant.loaders import load_file
from assistant.part_cues import Part, corpus_parts
from assistant.structure import detect, parse_scenario_heading
from assistant.types import Scenario

from .conftest import CORPUS


def _corpus_scenarios() -> list[Scenario]:
    """The four scenarios of the bundled scenario text, with the ids ingest gives them."""
    text = (CORPUS / "scenarios" / "scenarios-exploratoires.md").read_text("utf-8")
    headings = re.findall(r"^## (\d+\) Sc.nario .*)$", text, flags=re.M)
    found = [parse_scenario_heading(h, i) for i, h in enumerate(headings, start=1)]
    return [s for s in found if s is not None]


SCENARIOS = _corpus_scenarios()


def _corpus_parts() -> list[Part]:
    """The parts of the bundled scenario text, learnt as the retriever learns them."""
    loaded = load_file(CORPUS / "scenarios" / "scenarios-exploratoires.md")
    segments, _ = detect(loaded, "scenario")
    chunks = [
        (loaded.text[s.start : s.end], {"section": s.section, "scenario_id": s.scenario.id,
                                        "doc_id": "d", "start": s.start})
        for s in segments
        if s.scenario is not None
    ]  # fmt: skip
    return corpus_parts(chunks, lambda _: loaded.text)


PARTS = _corpus_parts()


def _numbers(question: str, history: tuple[str, ...] = ()) -> list[int]:
    by_id = {s.id: s.number for s in SCENARIOS}
    return [by_id[i] for i in intent_of(question, SCENARIOS, history).scenario_ids]


def test_the_bundled_titles_are_the_four_scenarios() -> None:
    assert [s.number for s in SCENARIOS] == [1, 2, 3, 4]
    assert SCENARIOS[0].title == "Le numérique, l'avenir des services !"
    assert SCENARIOS[3].title == "Une réponse adaptée passe par des expérimentations locales !"


# -- scenarios named ------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("scénario 3", [3]),
        ("Que dit le Scénario 3 ?", [3]),
        ("SCÉNARIO 4", [4]),
        ("le scénario3", [3]),
        ("scénarios 2 et 4", [2, 4]),
        ("compare scenarios 1, 2 and 3", [1, 2, 3]),
        ("scenarios 1 & 3", [1, 3]),
        ("scenario n°1", [1]),
        ("le scénario n° 2", [2]),
        ("scenario no 3", [3]),
    ],
)
def test_scenarios_named_by_number(question: str, numbers: list[int]) -> None:
    assert _numbers(question) == numbers


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("le premier scénario", [1]),
        ("Le 1er scénario", [1]),
        ("the first scenario", [1]),
        ("le deuxième scénario", [2]),
        ("le second scénario", [2]),
        ("le troisième scénario", [3]),
        ("what about the third scenario?", [3]),
        ("le quatrième scénario", [4]),
        ("the fourth scenario", [4]),
        ("le dernier scénario", [4]),
        ("the last scenario", [4]),
    ],
)
def test_scenarios_named_by_ordinal(question: str, numbers: list[int]) -> None:
    assert _numbers(question) == numbers


def test_last_means_the_highest_number_there_is() -> None:
    three = SCENARIOS[:3]
    assert named_scenarios("le dernier scénario", three) == [three[2]]
    assert named_scenarios("le dernier scénario", []) == []


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("le scénario numérique", [1]),
        ("que propose le scénario du numérique ?", [1]),
        ("le scénario partenariat", [2]),
        ("le scénario de la mise en réseau", [2]),
        ("le scénario de l'information", [3]),
        ("le scénario des expérimentations locales", [4]),
        ("le scénario des expérimentations", [4]),
    ],
)
def test_scenarios_named_by_title_words(question: str, numbers: list[int]) -> None:
    assert _numbers(question) == numbers


@pytest.mark.parametrize(
    "question",
    [
        "le scénario des services",  # in three titles, and generic: names none
        "le numérique est-il une solution ?",  # title words without the word scénario
        "combien de médecins dans la haute vallée ?",
        "",
    ],
)
def test_questions_that_name_no_scenario(question: str) -> None:
    assert _numbers(question) == []


def test_a_number_wins_over_title_words() -> None:
    assert _numbers("le scénario 3 est-il plus numérique que les autres ?") == [3]


class _Similar:
    """A stand-in for the embedding model: one title close to any description, others not."""

    def __init__(self, favourite: int, best: float = 0.86, others: float = 0.8) -> None:
        self.favourite, self.best, self.others = favourite, best, others
        self.calls: list[str] = []

    def __call__(self, text: str, titles: Sequence[str]) -> list[float]:
        self.calls.append(text)
        return [
            self.best if n == self.favourite else self.others for n in range(1, len(titles) + 1)
        ]


def test_an_english_description_names_the_closest_title() -> None:
    similarity = _Similar(2)
    by_id = {s.id: s.number for s in SCENARIOS}
    question = "In the partnership scenario, what would the local health points be?"
    intent = intent_of(question, SCENARIOS, (), similarity)
    assert [by_id[i] for i in intent.scenario_ids] == [2]
    assert similarity.calls == ["partnership"]  # the description only, not the whole question
    # without the model, "local" matches a word of scenario 4's title
    assert _numbers(question) == [4]


@pytest.mark.parametrize(
    ("question", "similarity"),
    [
        ("What are the limits of the other scenario?", _Similar(2)),  # not a description
        ("What levers does the digital scenario list?", _Similar(1, best=0.82)),  # too far
        ("What levers does the digital scenario list?", _Similar(1, others=0.85)),  # no margin
    ],
)
def test_a_vague_description_names_no_scenario(question: str, similarity: _Similar) -> None:
    intent = intent_of(question, SCENARIOS, (), similarity)
    assert intent.scenario_ids == ()


def test_a_number_or_an_ordinal_wins_over_a_description() -> None:
    similarity = _Similar(2)
    assert [s.number for s in named_scenarios("The third scenario", SCENARIOS, similarity)] == [3]
    assert similarity.calls == []


def test_first_inside_a_compound_word_is_not_an_ordinal() -> None:
    assert numbers_named("Why is the information-first scenario good?") == set()
    assert numbers_named("Why is the first scenario good?") == {1}


# -- parts asked for ----------------------------------------------------------


def _sections(question: str) -> list[str]:
    return list(intent_of(question, SCENARIOS, parts=PARTS).sections)


def test_the_bundled_parts_are_learnt_with_their_headings() -> None:
    names = {p.key: p.names for p in PARTS}
    assert set(names) == {"narrative", "levers", "interest", "limits"}
    assert names["levers"][0] == "Leviers" and names["limits"][0] == "Limites"  # `### Limites`
    assert "Intérêt" in names["interest"]


@pytest.mark.parametrize(
    ("question", "sections"),
    [
        ("Quelles sont les limites du scénario 2 ?", ["limits"]),
        ("What are the drawbacks?", ["limits"]),
        ("Quels sont les risques ?", ["limits"]),
        ("les inconvénients du numérique", ["limits"]),
        ("quels sont ses atouts ?", ["interest"]),
        ("ses points forts", ["interest"]),
        ("quel intérêt ?", ["interest"]),
        ("quels leviers ?", ["levers"]),
        ("quelles actions concrètes ?", ["levers"]),
        ("le récit du scénario 1", ["narrative"]),
        ("atouts et limites", ["interest", "limits"]),
        ("combien de médecins généralistes ?", []),
        ("", []),
    ],
)
def test_parts_asked_for_by_their_names(question: str, sections: list[str]) -> None:
    assert _sections(question) == sections


@pytest.mark.parametrize(
    "question",
    [
        "Combien de médecins par rapport à 2020 ?",
        "Quelles sont les réactions des habitants ?",
        "Un accès illimité au haut débit ?",
        "Show me the figures for the piémont",
        "How many volunteer drivers keep the schemes going?",  # "how" asks for no part
        "Comment ont évolué les maisons de santé ?",
    ],
)
def test_words_that_are_not_part_names_ask_for_no_part(question: str) -> None:
    assert _sections(question) == []


def test_without_parts_nothing_is_asked() -> None:
    assert intent_of("Quelles sont les limites du scénario 2 ?", SCENARIOS).sections == ()


# -- follow-ups and missing scenarios -----------------------------------------


def test_a_follow_up_inherits_the_last_named_scenario() -> None:
    history = ["Parle-moi du scénario 2", "merci"]
    intent = intent_of("et ses limites ?", SCENARIOS, history, parts=PARTS)
    assert intent.scenario_ids == (SCENARIOS[1].id,) and intent.sections == ("limits",)
    latest = ("Parle-moi du scénario 2", "et le scénario 4 ?")
    assert _numbers("et ses limites ?", latest) == [4]  # the most recent one
    assert _numbers("et le scénario 3 ?", latest) == [3]  # its own scenario comes first
    assert _numbers("et ses limites ?") == []
    assert _numbers("et ses limites ?", ("combien de médecins ?",)) == []


@pytest.mark.parametrize(
    ("question", "numbers", "missing"),
    [
        ("le cinquième scénario", [], (5,)),
        ("Que dit le scénario 5 ?", [], (5,)),
        ("the fifth scenario", [], (5,)),
        ("scénarios 4 et 7", [4], (7,)),
        ("scénario 12", [], (12,)),
        ("scénario 4", [4], ()),
        ("le dernier scénario", [4], ()),
    ],
)
def test_missing_scenario_numbers(
    question: str, numbers: list[int], missing: tuple[int, ...]
) -> None:
    intent = intent_of(question, SCENARIOS)
    assert _numbers(question) == numbers and intent.missing == missing


def test_nothing_is_missing_when_no_scenario_is_known() -> None:
    assert intent_of("le scénario 5", []).missing == ()
    assert intent_of("le scénario 5", []).scenario_ids == ()


def test_numbers_named() -> None:
    assert numbers_named("scénarios 2 et 4") == {2, 4}
    assert numbers_named("the fifth scenario") == {5}
    assert numbers_named("le troisième scénario et le scénario 1") == {1, 3}
    assert numbers_named("En 2022, combien de médecins ?") == set()


def test_a_figure_after_a_scenario_number_is_not_a_scenario() -> None:
    intent = intent_of("Selon le scénario 3, 6 ans suffiront-ils ?", SCENARIOS)
    assert intent.scenario_ids == (SCENARIOS[2].id,)
    assert intent.missing == ()
