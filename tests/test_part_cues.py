"""The parts a question asks for are learnt from the corpus (issue 14, item 3): a corpus
whose scenarios name their parts their own way gets them found from a question using
those names, through the real ingest (real Chroma on disk, the fake embedder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest import Ingestor
from assistant.retrieval import Retriever
from assistant.store import ChromaStore
from assistant.wiring import make_retriever

from .conftest import CountingEmbedder

HEADINGS = """---
kind: scenario
title: Trois futurs pour la vallée
---

# Trois futurs pour la vallée

## Scénario 1 : La vallée connectée

Les habitants font leurs démarches en ligne depuis chez eux, à toute heure.

### Atouts

Des démarches possibles le soir et le week-end, sans trajet jusqu'à la sous-préfecture.

### Points de vigilance

Les personnes âgées sans ordinateur restent à l'écart des guichets en ligne.

### Actions possibles

Former un médiateur numérique dans chaque mairie du canton.

### Conditions de réussite

Une fibre optique qui arrive jusqu'aux hameaux les plus éloignés.

## Scénario 2 : Les guichets itinérants

Un bus de services passe chaque semaine dans les villages de la vallée.

### Atouts

Un accueil humain au plus près des habitants, sans rendez-vous.

### Points de vigilance

Le coût du carburant et des chauffeurs pèse sur le budget du département.

### Actions possibles

Fixer un calendrier de tournées affiché dans les commerces.

### Conditions de réussite

Des partenaires qui acceptent de partager le bus et ses permanences.
"""

LABELS = """---
kind: scenario
title: Deux futurs pour le plateau
---

Scénario 1 : Le plateau en réseau
Les communes mettent leurs secrétariats en commun.

Forces :
Un guichet ouvert tous les jours grâce aux secrétaires partagées.

Points d'attention :
Les élus craignent de perdre la main sur leur mairie.

Scénario 2 : Le plateau en ligne
Les démarches passent par un portail commun.

Forces :
Un portail unique pour toutes les communes du plateau.

Points d'attention :
La couverture mobile reste faible dans les fonds de vallée.
"""


def _retriever(
    folder: Path, text: str, settings: Settings, store: ChromaStore, ingestor: Ingestor,
    embedder: CountingEmbedder,
) -> Retriever:  # fmt: skip
    folder.mkdir()
    (folder / "futurs.md").write_text(text, encoding="utf-8")
    assert not ingestor.run([folder]).failed
    retriever = make_retriever(settings, store, embedder)
    # The fake embedder's vectors hash words: its sentence ranking (`sentence_index.py`) of
    # these one-sentence parts is noise that can outweigh the part's boost this file tests.
    retriever.sentence_ranking = False
    return retriever


@pytest.mark.parametrize(
    ("question", "number", "part"),
    [
        ("Quels sont les points de vigilance du scénario 2 ?", 2, "limits"),
        ("Quelles actions possibles pour le scénario 1 ?", 1, "levers"),
        ("Quels atouts pour le scénario 2 ?", 2, "interest"),
        ("Quelles conditions de réussite pour le scénario 1 ?", 1, "Conditions de réussite"),
    ],
)
def test_parts_named_their_own_way_are_found_from_their_names(
    tmp_path: Path,
    settings: Settings,
    store: ChromaStore,
    ingestor: Ingestor,
    embedder: CountingEmbedder,
    question: str,
    number: int,
    part: str,
) -> None:
    retriever = _retriever(tmp_path / "docs", HEADINGS, settings, store, ingestor, embedder)
    names = {p.key: p.names for p in retriever.parts()}
    assert names["limits"][0] == "Points de vigilance"  # the text's own heading first
    assert names["Conditions de réussite"] == ("Conditions de réussite",)
    intent = retriever.intent(question)
    assert intent.sections == (part,)
    (top,) = retriever.search(question, top_k=1, intent=intent)
    assert top.section == part and top.scenario is not None
    assert top.scenario.number == number


def test_labels_recurring_in_two_scenarios_are_parts_a_question_can_name(
    tmp_path: Path,
    settings: Settings,
    store: ChromaStore,
    ingestor: Ingestor,
    embedder: CountingEmbedder,
) -> None:
    retriever = _retriever(tmp_path / "docs", LABELS, settings, store, ingestor, embedder)
    keys = {p.key for p in retriever.parts()}
    assert {"Forces", "Points d'attention"} <= keys
    assert retriever.intent("Quelles forces pour le plateau en réseau ?").sections == ("Forces",)
    asked = retriever.intent("Et les points d'attention du scénario 2 ?")
    assert asked.sections == ("Points d'attention",)
    # words the corpus does not use for its parts ask for none of them
    assert retriever.intent("Quels sont les risques du scénario 2 ?").sections == ()


def test_a_corpus_without_scenarios_has_no_parts(
    tmp_path: Path,
    settings: Settings,
    store: ChromaStore,
    ingestor: Ingestor,
    embedder: CountingEmbedder,
) -> None:
    text = "---\nkind: diagnostic\n---\n# Diagnostic\n\n## Limites du réseau\n\nTrois bus.\n"
    retriever = _retriever(tmp_path / "docs", text, settings, store, ingestor, embedder)
    assert retriever.parts() == []
    assert retriever.intent("Quelles sont les limites du réseau ?").sections == ()
