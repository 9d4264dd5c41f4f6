"""A burst of questions through the real app: each participant gets the answer to their own
question (the query embeddings of questions arriving together share model calls)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from gradio_client import Client

from tests.ui_harness import App, run_cli

pytest_plugins = ["tests.ui_fixtures"]

QUESTIONS = [
    "Combien de France Services ?",
    "Quels sont les horaires des France Services le samedi ?",
    "Que propose le scénario 2 ?",
    "Quelles sont les limites du scénario 1 ?",
    "How many France Services are there?",
    "Comment fonctionne le transport à la demande ?",
    "Quels leviers pour le numérique ?",
    "Quel est l'intérêt du scénario 3 ?",
    "Qui anime les ateliers numériques ?",
    "Combien de bus itinérants ?",
]


def test_a_burst_gets_each_participant_their_own_answer(ui_app: App, tmp_path: Path) -> None:
    clients = [Client(ui_app.url, verbose=False) for _ in QUESTIONS]
    results: dict[int, Any] = {}
    start = threading.Barrier(len(QUESTIONS))

    def ask(i: int) -> None:
        start.wait()
        try:
            results[i] = clients[i].predict(QUESTIONS[i], None, api_name="/ask")
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(i,), daemon=True) for i in range(len(QUESTIONS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads), "a participant never got an answer"
    for i, question in enumerate(QUESTIONS):
        answer = results[i]
        assert isinstance(answer, dict), answer
        assert answer["question"] == question
    answered = [results[i] for i in range(len(QUESTIONS)) if results[i]["answerable"]]
    assert answered and all(a["citations"] for a in answered)
    # The same questions asked one by one by the command line, in its own process (the app
    # remembers query vectors): the same answers; a vector handed to the wrong caller would
    # answer another question. int8 vectors depend a little on their batchmates, so a
    # borderline passage may change places: most answers, not all, must be identical.
    batch = tmp_path / "questions.txt"
    batch.write_text("\n".join(QUESTIONS) + "\n", encoding="utf-8")
    lines = run_cli(ui_app.home, "ask", "--batch", str(batch), "--json").stdout.splitlines()
    alone = [json.loads(line) for line in lines if line.strip()]
    assert [a["question"] for a in alone] == QUESTIONS
    same = sum(a["answer"] == results[i]["answer"] for i, a in enumerate(alone))
    assert same >= len(QUESTIONS) - 2, f"only {same} of {len(QUESTIONS)} answers were the same"


def test_the_load_script_asks_as_the_page_does(ui_app: App) -> None:
    """evals/load_app.py's light participants (plain HTTP to Gradio's queue): each gets
    the answer to its own question, in one session across its questions."""
    import httpx

    from evals.load_app import ask_fn_index, load, raw_ask

    base, fn_index = ask_fn_index(ui_app.url)
    with httpx.Client(timeout=120) as http:
        first = raw_ask(http, base, fn_index, "phone-1", QUESTIONS[0])
        second = raw_ask(http, base, fn_index, "phone-1", QUESTIONS[1])
    assert (first["question"], second["question"]) == (QUESTIONS[0], QUESTIONS[1])
    result = load(ui_app.url, QUESTIONS, participants=5, each=2)
    assert result["errors"] == 0 and result["requests"] == 10, result["error_samples"]
    assert result["client_cpu_ms_per_answer"] is not None
