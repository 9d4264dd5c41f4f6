"""Facets: the kind of figure a question asks for, the zone or place it is about, and what a
count counts; learnt from the corpus, checked on sentences."""

from __future__ import annotations

import pytest

from assistant.analysis import analyze
from assistant.facets import CorpusFacets, Facets, facets_of, learn, table_header

CORPUS = [
    "Le taux est de 15 % dans le centre, de 20 % dans le piémont et de 28 % dans la haute vallée.",
    "La part est de 12 % dans le centre, de 18 % dans le piémont et de 30 % dans la haute vallée.",
    "Elle atteint 9 % dans le centre, 11 % dans le piémont et 17 % dans la haute vallée.",
    "Le département compte 118 médecins généralistes, contre 139 en 2019.",
    "Six réseaux fonctionnent grâce à 240 chauffeurs bénévoles.",
    "5. Santé et déplacements\n23 % des répondants ont renoncé à des soins.",
    "La sous-préfecture est Bourg-la-Roche ; le bus passe à Castelroc.",
    "Le département de la Vallée-Haute est rural.",
]
KNOWN = {t for text in CORPUS for t in analyze(text)}


def facets(question: str) -> Facets:
    return facets_of(question, learn(CORPUS), KNOWN.__contains__)


def test_the_corpus_teaches_its_breakdowns_and_what_it_counts() -> None:
    learnt = learn(CORPUS)
    assert learnt.places == {("centr",), ("piemont",), ("haut", "valle")}
    assert {"medecin", "chauffeur", "benevol", "reseau"} <= learnt.countables
    assert "deplac" not in learnt.countables  # "5. Santé et déplacements" is a heading
    assert "reponds" not in learnt.countables and "repond" not in learnt.countables  # "23 %"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Combien coûte le bus chaque année ?", "money"),
        ("How much does the bus cost?", "money"),
        ("Quelle part des ménages n'a pas internet ?", "share"),
        ("What percentage of homes have fibre?", "share"),
        ("En quelle année la cabine a-t-elle ouvert ?", "date"),
        ("Quand peut-on utiliser la cabine ?", ""),  # "quand" asks for hours, conditions...
        ("nb de trajets TAD en 2024 ?", "count"),
        ("How many GPs are left?", "count"),
        ("Que propose le scénario 2 ?", ""),
        # the question word decides: a reason or a meaning is asked, though a figure is named
        # (real-dev r068, r070 were refused: no sentence "gave the share asked for")
        ("Pourquoi le taux de couverture d'une commune peut-il être surestimé ?", ""),
        ("Que mesure le taux de couverture FttH d'une commune ?", ""),
        ("Qu'est-ce que le budget participatif ?", ""),
        ("Why does the cost of the bus keep rising?", ""),
        ("How is the share of homes with fibre measured?", ""),
        ("Comment savoir combien coûte le bus ?", "money"),  # "combien" asks for the figure
        ("Quel est le taux de couverture, et pourquoi baisse-t-il ?", "share"),
        ("How much does the bus cost, and why?", "money"),
    ],
)
def test_the_kind_of_figure_asked_for(question: str, kind: str) -> None:
    assert facets(question).kind == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "D’ici 2026, 200 millions d’euros alloués par la Banque des Territoires.",
        "Le plan mobilise 1,5 milliard d'euros.",
        "Un budget de 3 M€ par an.",
        "Le trajet coûte 2 euros.",
    ],
)
def test_an_amount_in_millions_of_euros_gives_the_money_asked(sentence: str) -> None:
    # "200 millions d'euros" was no amount (real-dev r054 refused: no sentence "fitted")
    asked = facets("Quel montant la Banque des Territoires alloue-t-elle au programme ?")
    assert asked.kind == "money" and asked.gives(sentence) and asked.fits(sentence)
    assert not asked.gives("Le programme concerne 1 600 communes.")


def test_a_zone_figure_is_not_the_departement_s() -> None:
    asked = facets("Quel est le taux d'illectronisme des plus de 75 ans dans le piémont ?")
    assert asked.restrictions == (("piemont",),)
    assert not asked.honours("Il atteint 57 % chez les 75 ans ou plus.")
    assert asked.honours("Il est de 15 % dans le centre et de 20 % dans le piémont.")
    # a comparison names two zones: a sentence about either one answers part of it
    both = facets("Combien de médecins dans le centre et dans la haute vallée ?")
    assert both.honours("Dans la haute vallée, 10 médecins exercent.")


def test_paraphrased_places_are_not_held_against_an_answer() -> None:
    asked = facets("Combien de temps pour les urgences depuis les villages de montagne ?")
    assert asked.kind == "count" and asked.restrictions == () and asked.counted == ()
    assert asked.gives("Dans la haute vallée, le temps médian est de 58 minutes.")


def test_a_named_place_must_be_named_by_the_figure() -> None:
    asked = facets("Combien coûte l'inscription sur Covoit'Vallée ?")
    assert asked.restrictions == ()  # unknown to this corpus: the writer refuses it elsewhere
    asked = facets("Combien d'habitants vivent à Bourg-la-Roche ?")
    assert asked.restrictions == (("bourg", "roch"),)
    assert not asked.honours("Le chef-lieu compte 31 200 habitants.")


def test_a_count_must_count_the_thing_asked_about() -> None:
    asked = facets("Le dispositif, il mobilise combien de bénévoles ?")
    assert asked.counted == ("benevol",)
    assert not asked.gives("Lancé en 2022 dans 12 communes, il repose sur des bénévoles.")
    assert asked.gives("Six réseaux fonctionnent grâce à 240 chauffeurs bénévoles.")
    # what the corpus never counts is not required ("combien de déplacements": any count)
    assert facets("Nombre de déplacements en 2023 ?").counted == ()
    assert facets("Combien de minutes jusqu'à la pharmacie ?").counted == ()
    # "combien de chauffeurs et de réseaux": a count of either answers
    both = facets("Combien de chauffeurs et de réseaux ?")
    assert both.counted == ("chauffeur", "reseau")
    assert both.gives("Six réseaux fonctionnent.")


def test_a_cost_needs_an_amount_and_a_share_a_proportion() -> None:
    cost = facets("Combien coûte le trajet ?")
    assert cost.gives("Le trajet coûte 2 €.") and cost.gives("Le trajet coûte 2 euros.")
    assert not cost.gives("Le bus dessert 18 communes.")
    share = facets("Quelle part des habitants a 65 ans ou plus ?")
    assert share.gives("Plus d'un habitant sur trois a 65 ans ou plus.")
    assert share.gives("La part est de 37,6 %.") and not share.gives("Il y a 12 communes.")


def test_a_table_row_is_read_with_its_header() -> None:
    table = "Intro.\n\n| Service | Centre | Piémont |\n|---|---|---|\n| Urgences | 12 | 27 |"
    row = table.index("| Urgences")
    assert table_header(table, row) == "| Service | Centre | Piémont |"
    assert table_header(table, 0) == ""


def test_the_figure_and_what_it_is_for_must_be_in_one_clause() -> None:
    asked = facets("Combien de téléconsultations la cabine a-t-elle permis en 2021 ?")
    two = "En 2021, une cabine a été installée ; elle a permis 410 téléconsultations en 2023."
    assert not asked.fits(two, numbers=frozenset({"2021"}))  # 2021 is not the count's year
    assert asked.fits(two, numbers=frozenset({"2023"}))
    where = facets("Combien d'habitants vivent à Bourg-la-Roche ?")
    town = "Le chef-lieu compte 31 200 habitants ; la sous-préfecture est Bourg-la-Roche."
    assert not where.fits(town)
    record = "indicateur : Habitants ; zone : Bourg-la-Roche ; valeur : 5400 ; annee : 2021"
    assert where.fits(record)  # a record's fields are one clause


def test_a_name_asked_may_be_held_by_the_passage_address_a_zone_may_not() -> None:
    """ "Combien … selon le rapport du Sénat ?": the Sénat's report need not name the Sénat in
    the sentence that gives the count; its source or title does (real-dev r055). A
    breakdown value (a zone) must still be in the sentence itself."""
    corpus = CorpusFacets(frozenset({("piemont",)}), frozenset({"territoir"}))
    question = "Combien de territoires réclame le rapport du Sénat ?"
    asked = facets_of(question, corpus, lambda _: True)
    assert asked.kind == "count" and asked.names == (("senat",),)
    sentence = "Ils appellent à un programme pour 1 000 territoires de commerces."
    assert not asked.fits(sentence)
    assert asked.fits(sentence, where={"senat", "rapport"})
    zone = facets_of("Combien de territoires dans le piémont ?", corpus, lambda _: True)
    assert zone.names == () and not zone.fits(sentence, where={"piemont"})
