"""Every renderer of the app escapes text that comes from documents or people."""

from __future__ import annotations

from assistant.ui.html import answer_html, evaluation_html, in_context, transcript_html, wall_html
from assistant.ui.i18n import STRINGS, tr, translations
from assistant.ui.workshop_html import box_html, draft_html, matrix_html

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'
SCEN = {"number": 1, "id": "s1", "title": EVIL}


def citation(n: int = 1) -> dict[str, object]:
    return {"n": n, "chunk_id": "c", "doc_id": "d", "source": f"/srv/x/{EVIL}.md",
            "kind": "scenario", "scenario": SCEN, "section": f"a > {EVIL}", "start": 0,
            "end": 5, "quote": EVIL, "page": None, "label": "hypothèse"}  # fmt: skip


def assert_inert(html: str) -> None:
    assert "<script" not in html and "<img" not in html and 'onerror="' not in html
    assert "&lt;script&gt;" in html


def test_answers_cards_and_transcripts_escape_everything() -> None:
    answer = {"question": EVIL, "language": "fr", "answerable": True, "answer": "…",
              "sentences": [{"text": EVIL, "citations": [1], "support": 1.0,
                             "verdict": "supported"}],
              "citations": [citation()], "passages": []}  # fmt: skip
    assert_inert(answer_html(answer, "fr"))
    assert_inert(transcript_html([{"question": EVIL, "answer": answer}], "en"))
    assert_inert(transcript_html([{"question": EVIL, "answer": None, "partial": EVIL}], "fr"))
    refusal = {**answer, "answerable": False, "answer": EVIL}
    assert_inert(answer_html(refusal, "fr"))
    assert "/srv/x/" not in answer_html(answer, "fr")  # the file's name, not the server path
    noted = answer_html({**answer, "note": f"Le modèle de langue n'a pas répondu {EVIL}"}, "fr")
    assert_inert(noted)
    assert '<p class="note" role="status">Le modèle de langue' in noted
    assert "coupée" not in answer_html(answer, "fr")
    cut = answer_html({**answer, "removed_sentences": 1, "cut_sentences": 1}, "en")
    assert "cut at its length limit: its unfinished last sentence is removed" in cut


def test_wall_and_evaluation_escape_everything() -> None:
    class Entry:
        theme, question, answerable = EVIL, EVIL, False

    assert_inert(wall_html([(EVIL, 1)], [Entry()], "fr"))
    sentences = [{"text": EVIL, "citations": [1], "support": 0.2, "verdict": "weak"}]
    html = evaluation_html(sentences, [citation()], "en", lambda _d: EVIL * 3)
    assert_inert(html)
    assert "<mark>&lt;scri</mark>" in html  # the span [0, 5) highlighted, as text
    assert in_context("abcdef", 2, 4).count("<mark>cd</mark>") == 1


def test_matrix_box_and_draft_escape_everything() -> None:
    matrix = {"scenarios": [SCEN], "aspects": [EVIL], "labels": {EVIL: EVIL},
              "cells": [{"scenario": SCEN, "aspect": EVIL, "status": "covered",
                         "sentences": [{"text": EVIL, "citations": [1]}]}],
              "tensions": [{"aspect": EVIL, "sides": [{"scenario": SCEN, "pole": EVIL}]}],
              "citations": [citation()]}  # fmt: skip
    assert_inert(matrix_html(matrix, "fr"))
    box = {"themes": [EVIL], "scenarios": [SCEN],
           "cells": [{"theme": EVIL, "scenario": "s1", "statement": EVIL, "mark": "keep",
                      "citations": [citation()]}],
           "decisions": [{"text": EVIL, "author": EVIL, "time": "2026-11-26T10:00:00+00:00",
                          "theme": EVIL}]}  # fmt: skip
    assert_inert(box_html(box, "fr"))
    draft = {"notes": [EVIL], "citations": [citation()],
             "sections": [{"name": EVIL, "sentences": [{"text": EVIL, "citations": [1],
                                                        "verdict": "supported"}],
                           "decisions": [{"text": EVIL, "author": EVIL,
                                          "time": "2026-11-26"}]}]}  # fmt: skip
    assert_inert(draft_html(draft, "en"))


def test_every_string_has_both_languages() -> None:
    tables = translations()
    assert set(tables) == {"fr", "en"} and len(tables["fr"]) == len(STRINGS)
    for key, (fr, en) in STRINGS.items():
        assert fr and en, key
        assert tr(key, "fr") == fr and tr(key, "en") == en and tr(key, "de") == fr


def test_the_draft_shows_labels_verdicts_reasons_and_decisions_escaped() -> None:
    sentence = {"text": EVIL, "citations": [1], "label": f"Scénario 1 — LBL {EVIL}"}
    draft = {"notes": [], "citations": [citation()],
             "sections": [
                 {"name": "Vision", "writer": "qwen", "removed": 2, "decisions": [],
                  "sentences": [{**sentence, "verdict": "supported"},
                                {**sentence, "verdict": "unverified"}]},
                 {"name": "Leviers retenus", "writer": "extractive", "reason": EVIL,
                  "sentences": [], "decisions": [{"text": EVIL, "author": "Groupe A",
                                                  "time": "2026-11-26"}]},
                 {"name": "Points", "writer": "extractive", "decisions": [],
                  "sentences": [{**sentence, "verdict": "weak"}]},
             ]}  # fmt: skip
    html = draft_html(draft, "fr")
    assert_inert(html)
    vision, levers, points = html.split("<h4>")[1:]
    assert '<p class="paragraph">' in vision and "LBL" not in vision  # no labels
    assert vision.count("⚠") == 1 and "⚠ non vérifiée" in vision  # supported: no badge
    assert "2 phrase(s) du modèle retirée(s)" in vision
    cut = draft_html({**draft, "sections": [{**draft["sections"][0], "cut": 1}]}, "fr")
    assert "1 phrase(s) du modèle retirée(s) : les passages" in cut
    assert "1 phrase du modèle retirée : inachevée, coupée par la limite de longueur" in cut
    assert 'class="note reason">&lt;script' in levers
    assert "Le groupe a retenu : « &lt;script" in levers and "Groupe A" in levers
    assert "<b>Scénario 1 — LBL &lt;script" in points and "⚠ faible" in points
