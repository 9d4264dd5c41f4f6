"""Answers people can read: sentence candidates without the source's furniture (page lines,
headings, placeholders, lone markers), and quotes grouped under labels (issue 14, item 5)."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.render import answer_json
from assistant.store import ChromaStore
from assistant.tasks.judge import NEVER
from assistant.tasks.layout import arrange, defined_terms, label
from assistant.tasks.quotable import clean, heading_before, page_lines
from assistant.types import PageSpan, Passage, Scenario
from assistant.ui.html import answer_html
from assistant.wiring import make_ask_task, make_ingestor, make_retriever

from .conftest import CountingEmbedder


def _paged(*pages: str) -> tuple[str, list[PageSpan]]:
    text, spans = "", []
    for page in pages:
        if text:
            text += "\n\n"
        spans.append(PageSpan(len(spans) + 1, len(text), len(text) + len(page)))
        text += page
    return text, spans


def _quotable(text: str, noise: list[tuple[int, int]] | None = None) -> list[str]:
    from assistant.citations import sentence_spans

    noise = page_lines(text, []) if noise is None else noise
    out = []
    for s, e in sentence_spans(text):
        kept = clean(text, s, e, noise)
        if kept:
            out.append(text[kept[0] : kept[1]])
    return out


def test_a_footer_that_repeats_with_its_page_number_is_cut_out_of_sentences() -> None:
    text, pages = _paged(
        "Rapport sur les services\nLa part est de 18 % chez les jeunes et de 42 %\n"
        "Rapport fictif - page 1/3",
        "chez les aînés.\nLe bus passe le jeudi.\nRapport fictif - page 2/3",
        "Les mairies restent le premier recours.\nRapport fictif - page 3/3",
    )
    noise = page_lines(text, pages)
    assert [text[s:e] for s, e in noise] == [f"Rapport fictif - page {n}/3" for n in (1, 2, 3)]
    quotes = _quotable(text, noise)
    assert "La part est de 18 % chez les jeunes et de 42 %" in quotes
    assert not any("page" in q for q in quotes), quotes
    # a line that appears once, or a document of one page, is not a page line
    assert page_lines(text, pages[:1]) == []
    assert page_lines("Titre\nUn texte.\n\nAutre titre\nUn autre texte.", pages[:2]) == []


def test_placeholders_lone_markers_and_headings_are_not_candidates() -> None:
    text = (
        "### Leviers\n\n(partie à compléter avec typologie des actions repérées)\n\n"
        "- Coordination territoriale entre les services\n- Médiation numérique ?\n- etc.\n\n"
        "Caractéristique Répondants Part\nCentre 498 41 %\n"
        "5. Santé et déplacements\n23 % des répondants ont renoncé à des soins.\n"
        "Le questionnaire (en ligne ou papier) comptait 32 questions."
    )
    assert _quotable(text) == [
        "Coordination territoriale entre les services",
        "Médiation numérique ?",
        "Centre 498 41 %",
        "23 % des répondants ont renoncé à des soins.",
        "Le questionnaire (en ligne ou papier) comptait 32 questions.",
    ]
    assert heading_before(text, text.index("23 %")) == "Santé et déplacements"


def _passage(i: int, kind: str, section: str, scenario: Scenario | None = None) -> Passage:
    source = f"corpus/{kind}.md"
    return Passage(i, 0.9, f"c{i}", f"d{i}", source, kind, scenario, section, 0, 9, "…")


def test_labels_come_from_the_metadata_in_the_question_language() -> None:
    two = Scenario(2, "s2", "Le partenariat")
    title = {"d3": "Enquête auprès des habitants"}.get
    assert label(_passage(1, "scenario", "limits", two), 0, "fr", str) == "Scénario 2 — Limites"
    assert label(_passage(1, "scenario", "limits", two), 0, "en", str) == "Scenario 2 — Limits"
    diagnostic = _passage(2, "diagnostic", "Diagnostic territorial > Santé")
    assert label(diagnostic, 0, "fr", str) == "Diagnostic — Santé"
    assert label(_passage(3, "diagnostic", ""), 0, "en", lambda d: title(d) or "") == (
        "Diagnostic — Enquête auprès des habitants"
    )


def test_parts_keep_their_order_and_named_scenarios_theirs() -> None:
    one, four = Scenario(1, "s1", "Numérique"), Scenario(4, "s4", "Local")
    passages = [
        _passage(0, "scenario", "limits", one),
        _passage(1, "scenario", "interest", one),
        _passage(2, "scenario", "limits", four),
        _passage(3, "method", "Méthode > Le scénario normatif"),
    ]
    chosen = [(0, 0), (2, 0), (1, 0), (0, 5)]
    labels = [label(passages[i], 0, "fr", str) for i, _ in chosen]
    assert arrange(chosen, passages, labels) == [[2], [0, 3], [1]]  # interest, then limits
    assert arrange(chosen, passages, labels, scenario_order=("s4", "s1")) == [[1], [2], [0, 3]]
    with_method = [*chosen, (3, 0)]
    labels.append(label(passages[3], 0, "fr", str))
    assert arrange(with_method, passages, labels, method_first=True)[0] == [4]


def test_definition_questions_name_their_term() -> None:
    assert defined_terms("C'est quoi un scénario normatif ?") == ["scenario", "normat"]
    assert defined_terms("Qu'est-ce que la médiation numérique ?") == ["mediat", "numer"]
    assert defined_terms("Un scénario normatif, c'est quoi ?") == ["scenario", "normat"]
    assert defined_terms("What is a normative scenario?")
    assert defined_terms("Combien de France Services en 2024 ?") == []
    assert defined_terms("What is the median time to the emergency room?") == []


def test_the_answer_carries_its_labels_and_the_quotes_stay_exact(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, corpus_copy: Path
) -> None:
    assert not make_ingestor(settings, store, embedder).run([corpus_copy]).failed
    task = make_ask_task(settings, make_retriever(settings, store, embedder))
    task.extractive.refuse_at = NEVER  # the fake embedder: structure only, no refusal
    answer = task.ask("Quelles sont les limites du scénario 1 ?")
    assert answer.answerable and answer.sentences
    for s in answer.sentences:
        assert s.label.startswith("Scénario ") or " — " in s.label
        assert f"{s.label} :" in answer.answer
        for n in s.citations:
            c = answer.citations[n - 1]
            assert store.get_text(c.doc_id)[c.start : c.end] == c.quote == s.text  # type: ignore[index]
    out = answer_json(answer)
    assert [s["label"] for s in out["sentences"]] == [s.label for s in answer.sentences]
    html = answer_html(out, "fr")
    assert f'<p class="group">{answer.sentences[0].label}</p>' in html
    # the bundled PDF's footer is found from the document's structure, for every page
    pdf = next(r for r in store.records() if r.source.endswith(".pdf"))
    lines = page_lines(store.get_text(pdf.doc_id) or "", pdf.pages)
    text = store.get_text(pdf.doc_id) or ""
    assert [text[s:e] for s, e in lines] == [
        f"Exemple fictif - Vallée-Haute - page {n}/3" for n in (1, 2, 3)
    ]


def test_a_comparison_quotes_each_named_scenario_within_the_filter(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, corpus_copy: Path
) -> None:
    assert not make_ingestor(settings, store, embedder).run([corpus_copy]).failed
    task = make_ask_task(settings, make_retriever(settings, store, embedder))
    task.extractive.refuse_at = NEVER  # the fake embedder: structure only, no refusal
    question = "Quelle différence entre le scénario 2 et le scénario 4 ?"
    both = task.ask(question, top_k=1)  # one passage retrieved: the other one is fetched
    assert {c.scenario.number for c in both.citations if c.scenario} == {2, 4}
    assert {c.chunk_id for c in both.citations} <= {p.chunk_id for p in both.passages}
    assert [s.label.split(" — ")[0] for s in both.sentences][0] == "Scénario 2"  # as named
    only = task.ask(question, scenarios=["2"])
    assert {c.scenario.number for c in only.citations if c.scenario} == {2}


REAL_DEV = Path(__file__).resolve().parent.parent / "evals" / "real-dev" / "docs"


def test_source_furniture_of_real_pages_is_never_a_candidate(
    settings: Settings, store: ChromaStore, embedder: CountingEmbedder, tmp_path: Path
) -> None:
    """Real-dev pages open with "Source : https://…" and "Éditeur : …" lines (issue 14,
    item 5): the URL line has no words but its label, and the "Éditeur :" label heads
    every document of the corpus. Neither is quoted; the pages' own sentences are."""
    docs = tmp_path / "real"
    docs.mkdir()
    for name in ("ameli-maintien-a-domicile.md", "arcep-fibre-completude-2024.md"):
        (docs / name).write_text((REAL_DEV / name).read_text(encoding="utf-8"), "utf-8")
    assert not make_ingestor(settings, store, embedder).run([docs]).failed
    task = make_ask_task(settings, make_retriever(settings, store, embedder))
    passages = task.retriever.search("maintien à domicile des personnes âgées fibre", top_k=20)
    heads = [p for p in passages if "Source :" in p.text]
    assert len(heads) == 2, "the documents' first chunks are retrieved"
    vector = task.retriever.embed_query("maintien à domicile")
    q = "maintien à domicile"
    picks = task.extractive.candidates(q, q, vector, passages)
    quotes = [passages[k.passage].text[k.start : k.end] for k in picks]
    assert quotes and any("maintien à domicile" in q for q in quotes), quotes
    for q in quotes:
        assert "https://" not in q and "Source :" not in q and "Éditeur" not in q, q


def test_a_url_line_is_furniture_but_a_sentence_with_a_url_is_not() -> None:
    from assistant.tasks.quotable import url_lines

    text = (
        "Source : https://www.example.fr/page\n"
        "Le guide est en ligne sur https://www.example.fr/guide depuis 2021.\n"
        "https://www.example.fr/autre\n"
    )
    assert [text[s:e] for s, e in url_lines(text)] == [
        "Source : https://www.example.fr/page",
        "https://www.example.fr/autre",
    ]


def test_long_titles_make_short_labels() -> None:
    doc = _passage(4, "diagnostic", "")
    long_title = (
        "« France Services incarne le retour du service public de l’État au cœur des territoires »"
    )
    assert label(doc, 0, "fr", lambda _: long_title) == (
        "Diagnostic — France Services incarne le retour du service public de l’État…"
    )
    report = "B. Définir un programme d'actions (rapport d’information n° 577, 2021-2022)"
    assert label(doc, 0, "fr", lambda _: report) == "Diagnostic — B. Définir un programme d'actions"
    titled = "La loi d’orientation des mobilités : ce qui change pour les territoires ruraux"
    assert label(doc, 0, "fr", lambda _: titled) == (
        "Diagnostic — La loi d’orientation des mobilités"
    )
    numbered = "Enjeu 1 : l'accès aux soins"  # a numbered heading keeps what it names
    assert label(doc, 0, "fr", lambda _: numbered) == "Diagnostic — Enjeu 1 : l'accès aux soins"
