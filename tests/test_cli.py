"""The real `assistant` command in a subprocess: JSON contract, spans, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, cli_env


def run(
    tmp_path: Path, *args: str, ok: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path, **env),
        timeout=300,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture
def ingested(tmp_path: Path) -> Path:
    report = json.loads(run(tmp_path, "ingest", str(CORPUS), "--json").stdout)
    assert report["failed"] == [] and report["ingested"] == 6
    assert set(report) >= {"ingested", "skipped", "failed", "chunks", "seconds"}
    return tmp_path


def test_sources_lists_the_four_seed_scenarios(ingested: Path) -> None:
    docs = json.loads(run(ingested, "sources", "--json").stdout)["documents"]
    assert {"doc_id", "source", "kind", "title", "scenarios", "chunks", "ingested_at"} <= set(
        docs[0]
    )
    (scen,) = [d for d in docs if d["kind"] == "scenario"]
    assert [s["title"] for s in scen["scenarios"]] == [
        "Le numérique, l'avenir des services !",
        "Le partenariat et la mise en réseau, LA solution pour améliorer les services !",
        "Sans information, pas de services !",
        "Une réponse adaptée passe par des expérimentations locales !",
    ]


def test_search_spans_are_the_files_own_text(ingested: Path) -> None:
    queries = ["accueil de proximité", "haut débit fibre", "médecins généralistes", "limites"]
    for q in queries:
        out = json.loads(run(ingested, "search", q, "--top-k", "8", "--json").stdout)
        assert out["query"] == q and len(out["passages"]) == 8
        for p in out["passages"]:
            if p["source"].endswith((".md", ".txt")):
                file_text = Path(p["source"]).read_text(encoding="utf-8")
                assert file_text[p["start"] : p["end"]] == p["text"]
        for p in out["passages"][:1]:  # one `quote` per query: each call starts a process
            quoted = json.loads(
                run(ingested, "quote", p["doc_id"], str(p["start"]), str(p["end"]), "--json").stdout
            )
            assert quoted["text"] == p["text"]


def test_search_filters_by_scenario_and_kind(ingested: Path) -> None:
    out = json.loads(
        run(ingested, "search", "services", "--scenario", "INFORMATION", "--json").stdout
    )
    assert {p["scenario"]["number"] for p in out["passages"]} == {3}
    out = json.loads(
        run(ingested, "search", "services", "--scenario", "1", "--scenario", "s4", "--json").stdout
    )
    assert {p["scenario"]["number"] for p in out["passages"]} <= {1, 4}
    out = json.loads(run(ingested, "search", "services", "--kind", "diagnostic", "--json").stdout)
    assert out["passages"] and {p["kind"] for p in out["passages"]} == {"diagnostic"}
    by_id = json.loads(run(ingested, "sources", "--json").stdout)["documents"]
    sid = next(d for d in by_id if d["kind"] == "scenario")["scenarios"][1]["id"]
    out = json.loads(run(ingested, "search", "réseau", "--scenario", sid, "--json").stdout)
    assert {p["scenario"]["id"] for p in out["passages"]} == {sid}


def test_batch_prints_one_json_line_per_question_in_order(ingested: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text(
        'Quels sont les leviers ?\n\n{"id": "q2", "question": "fibre optique"}\ntélémédecine\n',
        encoding="utf-8",
    )
    lines = run(ingested, "search", "--batch", str(batch), "--json").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["query"] for r in rows] == [
        "Quels sont les leviers ?",
        "fibre optique",
        "télémédecine",
    ]
    assert rows[1]["id"] == "q2" and "id" not in rows[0]


def test_user_mistakes_give_one_line_and_nonzero_exit(ingested: Path, tmp_path: Path) -> None:
    cases = [
        ("search", "x", "--scenario", "zzz"),
        ("quote", "nope", "0", "5"),
        ("search", "--batch", str(tmp_path / "absent.txt")),
        ("search",),
    ]
    for args in cases:
        proc = run(ingested, *args, ok=False)
        assert proc.returncode == 1 and proc.stderr.count("\n") == 1, (args, proc.stderr)
    doc_id = json.loads(run(ingested, "sources", "--json").stdout)["documents"][0]["doc_id"]
    assert run(ingested, "quote", doc_id, "5", "10**9", ok=False).returncode == 2  # argparse
    assert run(ingested, "quote", doc_id, "5", "999999999", ok=False).returncode == 1
    proc = run(ingested, "search", "x", ok=False, ASSISTANT_CHUNK_TOKENS="many")
    assert proc.returncode == 1 and "chunk_tokens" in proc.stderr


def test_ingest_exit_code_is_nonzero_only_when_nothing_was_ingested(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xyz"
    bad.write_text("x", encoding="utf-8")
    proc = run(tmp_path, "ingest", str(bad), "--json", ok=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["failed"][0]["error"].startswith("unsupported file type")
    good = tmp_path / "good.md"
    good.write_text("# T\n\nDu texte.\n", encoding="utf-8")
    proc = run(tmp_path, "ingest", str(bad), str(good), "--json")
    assert json.loads(proc.stdout)["ingested"] == 1


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    proc = run(
        tmp_path,
        "search",
        "x",
        ok=False,
        ASSISTANT_EMBEDDING_MODEL="multilingual-e5-small",
        ASSISTANT_DATA_DIR=str(tmp_path / "nothing"),
    )
    assert proc.returncode == 1 and "assistant models prepare" in proc.stderr


def test_help_lists_only_what_exists(tmp_path: Path) -> None:
    out = run(tmp_path, "--help").stdout
    for command in ("ingest", "sources", "search", "quote", "serve", "models"):
        assert command in out


ANSWER_KEYS = {"question", "language", "answerable", "answer", "sentences", "citations", "passages"}


def test_ask_prints_the_spec_json(ingested: Path) -> None:
    out = json.loads(
        run(ingested, "ask", "Combien de France Services compte le département ?", "--json").stdout
    )
    assert set(out) >= ANSWER_KEYS and out["language"] == "fr"
    for s in out["sentences"]:
        assert {"text", "citations", "support", "verdict"} <= set(s) and s["citations"]
    for c in out["citations"]:
        keys = {"n", "chunk_id", "doc_id", "source", "kind", "scenario", "section", "start", "end"}
        assert keys | {"quote", "page", "label"} <= set(c)
        if c["source"].endswith(".md"):
            assert (
                Path(c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
            )


def test_ask_batch_keeps_order_ids_and_conversations(ingested: Path) -> None:
    batch = ingested / "questions.jsonl"
    lines = [
        {"id": "a", "question": "Quel est le temps d'accès aux urgences en haute vallée ?",
         "conversation": "c1"},
        {"id": "b", "question": "et dans le piémont ?", "conversation": "c1"},
        {"id": "c", "question": "Qui a gagné le match de rugby hier soir ?"},
    ]  # fmt: skip
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    out = run(ingested, "ask", "--batch", str(batch), "--json").stdout.splitlines()
    answers = [json.loads(line) for line in out]
    assert [a["id"] for a in answers] == ["a", "b", "c"]
    assert set(answers[1]) >= ANSWER_KEYS
    assert answers[2]["answerable"] is False


def test_ask_errors_are_one_line(ingested: Path) -> None:
    proc = run(ingested, "ask", "limites ?", "--scenario", "zzz", ok=False)
    assert proc.returncode == 1 and "no scenario matches 'zzz'" in proc.stderr
    proc = run(ingested, "ask", ok=False)
    assert proc.returncode == 1 and "give a question" in proc.stderr


def test_eval_runs_the_ci_subset_and_writes_a_report(ingested: Path) -> None:
    report = ingested / "report.json"
    out = json.loads(run(ingested, "eval", "--subset", "ci", "--out", str(report), "--json").stdout)
    metrics = out["metrics"]
    assert metrics["questions"] == 16 and set(metrics["retrieval"]) == {
        "hybrid",
        "dense",
        "lexical",
        "sentence",
    }
    assert metrics["exact_quote_rate"] == 1.0
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert len(saved["questions"]) == 16 and saved["metrics"] == metrics


def test_eval_without_the_corpus_says_what_to_do(tmp_path: Path) -> None:
    proc = run(tmp_path, "eval", "--subset", "ci", ok=False)
    assert proc.returncode == 1 and "ingest the bundled corpus first" in proc.stderr


def test_the_quick_exit_of_ask_and_search_writes_everything(
    ingested: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """From the terminal, `ask` and `search` end without freeing what they loaded
    (`cli_common.exit_now`): every answer is still written, to a pipe too, with exit code 0,
    the same as `main([...])` prints in-process (which returns, as tests need)."""
    from assistant.cli import main

    batch = ingested / "questions.txt"
    questions = ["Combien de France Services ?", "télémédecine", "fibre optique"] * 3
    batch.write_text("\n".join(questions), encoding="utf-8")
    for command in ("ask", "search"):
        piped = run(ingested, command, "--batch", str(batch), "--json").stdout
        assert len(piped.splitlines()) == len(questions)
        for name, value in cli_env(ingested).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        assert main([command, "--batch", str(batch), "--json"]) == 0
        assert capsys.readouterr().out == piped
