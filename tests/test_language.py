"""Which language a question is in, read from the asker's own words."""

from __future__ import annotations

import pytest

from assistant.language import detect


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        # an English question quoting the document's French words
        ("What is Lower Normandy's 'référentiel des territoires' designed to be?", "en"),
        ("Who wrote the novel Les Misérables?", "en"),
        ("What does the scenario « Tout numérique » say about the buses?", "en"),
        ("Who is the mayor of Valmont?", "en"),
        # French elisions and French questions quoting anything
        ("Qu'est-ce qu'un scénario normatif ?", "fr"),
        ("C'est quoi un scénario normatif ?", "fr"),
        ("Que dit le scénario « Tout numérique » des bus ?", "fr"),
        ("Que veut dire « the digital divide » dans l'étude ?", "fr"),
        ("Combien de France Services ?", "fr"),
    ],
)
def test_the_language_is_read_from_the_askers_words_not_from_what_they_quote(
    question: str, lang: str
) -> None:
    assert detect(question) == lang


def test_a_question_made_only_of_a_quote_is_read_whole() -> None:
    assert detect("« Quels leviers pour les jeunes ? »") == "fr"
    assert detect('"Which levers for young people?"') == "en"
