"""Acronyms the corpus defines: found, and used both ways by BM25 and the extractive writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.analysis import analyze
from assistant.glossary import acronyms, long_form
from assistant.ingest import Ingestor
from assistant.lexical import LexicalIndex
from assistant.store import ChromaStore


@pytest.mark.parametrize(
    ("text", "acronym", "form"),
    [
        ("Un service de transport à la demande (TAD) existe.", "TAD", "transport à la demande"),
        (
            "Les 9 Maisons de services au public (MSAP) de 2019.",
            "MSAP",
            "Maisons de services au public",
        ),
        ("Les centres médico-sociaux (CMS) signalent.", "CMS", "centres médico-sociaux"),
        ("19 espaces publics numériques (EPN) en 2024.", "EPN", "espaces publics numériques"),
    ],
)
def test_an_acronym_defined_in_parentheses_is_found_with_its_long_form(
    text: str, acronym: str, form: str
) -> None:
    assert acronyms([text]) == {acronym: form}


def test_parentheses_that_define_nothing_are_ignored() -> None:
    assert acronyms(["Le bus passe le mardi (sauf en août).", "Les élus (EPCI) décident."]) == {}
    assert long_form(["la", "ligne", "de", "bus"], "TAD") is None
    # a long form never reaches back over punctuation or another parenthesis
    assert acronyms(["l'assurance maladie (CPAM) et protection sociale agricole (MSA)"]) == {}


def test_either_form_finds_the_passage_using_the_other(
    ingestor: Ingestor, store: ChromaStore, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "mobilite.md").write_text(
        "# Mobilité\n\nUn service de transport à la demande (TAD) couvre 6 intercommunalités.\n\n"
        "## Usagers\n\nEn 2023, 68 % des usagers du TAD ont 60 ans ou plus.\n",
        "utf-8",
    )
    (docs / "sante.md").write_text("# Santé\n\nLa demande de soins augmente.\n", "utf-8")
    ingestor.run([docs])
    index = LexicalIndex(store, tmp_path / "lexical", check_every=0)
    texts = [hit.text for hit in index.search("qui prend le transport à la demande ?", 5)]
    assert any("usagers du TAD" in t for t in texts)
    assert set(index.expand(analyze("le TAD"))) == {"tad", "transport", "demand"}
    assert set(index.expand(analyze("transport à la demande"))) == {"tad", "transport", "demand"}
    assert index.expand(analyze("la demande de soins")) == analyze("la demande de soins")
