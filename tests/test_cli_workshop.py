"""`assistant compare`, `box` and `draft` in a subprocess: JSON contract, files, errors."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from assistant.cli import main

from .conftest import CORPUS, cli_env


def run(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=cli_env(home),
        timeout=300,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def as_json(home: Path, *args: str) -> Any:
    return json.loads(run(home, *args, "--json").stdout)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose `store/` holds the bundled corpus (the fake embedder)."""
    folder = tmp_path_factory.mktemp("cli")
    assert as_json(folder, "ingest", str(CORPUS))["ingested"] == 6
    return folder


def _exact(citations: list[dict[str, Any]]) -> None:
    for c in citations:
        if c["source"].endswith(".md"):
            text = Path(c["source"]).read_text(encoding="utf-8")
            assert text[c["start"] : c["end"]] == c["quote"]


def test_compare_json_is_four_scenarios_by_four_parts(home: Path) -> None:
    out = as_json(home, "compare")
    assert [s["number"] for s in out["scenarios"]] == [1, 2, 3, 4]
    assert out["aspects"] == ["narrative", "levers", "interest", "limits"]
    assert len(out["cells"]) == 16 and {c["status"] for c in out["cells"]} == {"covered"}
    numbers = {c["n"] for c in out["citations"]}
    for cell in out["cells"]:
        for s in cell["sentences"]:
            assert s["citations"] and set(s["citations"]) <= numbers
    _exact(out["citations"])
    out = as_json(home, "compare", "--aspect", "personnes âgées", "--scenario", "2")
    assert [c["status"] for c in out["cells"]] == ["not_covered"] and out["citations"] == []


def test_compare_tables(home: Path) -> None:
    text = run(home, "compare", "--aspect", "santé").stdout
    assert "non couvert" in text and "Références" in text
    md = run(home, "compare", "--format", "md").stdout
    assert md.startswith("| Aspect | Scénario 1") and "[^1]:" in md


def test_box_mark_decide_then_draft_cites_only_kept_cells(home: Path, tmp_path: Path) -> None:
    workshop = str(tmp_path / "w.json")
    box = as_json(home, "box", "build", "--workshop", workshop)
    assert len(box["cells"]) == 24 and box["path"] == workshop
    as_json(home, "box", "mark", "accueil", "2", "keep", "--workshop", workshop)
    as_json(home, "box", "mark", "information", "3", "adapt", "--workshop", workshop)
    as_json(home, "box", "mark", "numérique", "1", "drop", "--workshop", workshop)
    box = as_json(home, "box", "decide", "Un guichet humain d'abord.", "--author", "Marie",
                  "--theme", "accueil", "--workshop", workshop)  # fmt: skip
    assert box["decisions"][0]["author"] == "Marie"
    assert json.loads(Path(workshop).read_text(encoding="utf-8")) == {
        k: v for k, v in box.items() if k != "path"
    }
    shown = run(home, "box", "show", "--workshop", workshop).stdout
    assert "[garder]" in shown and "[écarter]" in shown and "Un guichet humain" in shown
    out = as_json(home, "draft", "--workshop", workshop)
    assert out["assumed_all_kept"] is False and out["writer"] == "extractive"
    kept = [c for c in box["cells"] if c["mark"] in ("keep", "adapt")]
    allowed = {x["chunk_id"] for c in kept for k in ("citations", "vision", "vigilance")
               for x in c[k]}  # fmt: skip
    by_n = {c["n"]: c for c in out["citations"]}
    for section in out["sections"]:
        for s in section["sentences"]:
            assert s["citations"]
            for n in s["citations"]:
                assert by_n[n]["kind"] == "diagnostic" or by_n[n]["chunk_id"] in allowed
    _exact(out["citations"])
    assert out["decisions"][0]["text"] == "Un guichet humain d'abord."


def test_draft_without_a_workshop_file_says_all_cells_were_assumed_kept(home: Path) -> None:
    out = as_json(home, "draft", "--section", "vision")
    assert out["assumed_all_kept"] is True and out["notes"]
    assert [s["name"] for s in out["sections"]] == ["Vision"]
    md = run(home, "draft").stdout
    assert "comme si toutes étaient retenues" in md and "## Références" in md


def test_draft_files_docx_and_csv(home: Path, tmp_path: Path) -> None:
    docx_file, csv_file = tmp_path / "d.docx", tmp_path / "d.csv"
    out = as_json(home, "draft", "--format", "docx", "--out", str(docx_file))
    assert out["out"] == str(docx_file)
    text = "\n".join(" ".join(p.text.split()) for p in Document(str(docx_file)).paragraphs)
    for c in out["citations"]:
        assert f"« {' '.join(c['quote'].split())} »" in text
    assert run(home, "draft", "--format", "csv", "--out", str(csv_file)).stdout.startswith("wrote")
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    uses = sum(len(s["citations"]) for sec in out["sections"] for s in sec["sentences"])
    assert len(rows) == uses


def test_mistakes_are_one_line_errors(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process (each subprocess costs seconds): exit code and a single stderr line."""
    store, workshop = str(home / "store"), str(tmp_path / "w.json")

    def fails(*args: str, code: int = 1) -> None:
        with pytest.raises(SystemExit) if code == 2 else contextlib.nullcontext():
            assert main([*args, "--store", store]) == code, args
        err = capsys.readouterr().err
        assert "Traceback" not in err and (code == 2 or err.count("\n") == 1), (args, err)

    fails("draft", "--format", "docx")
    fails("draft", "--section", "Budget")
    fails("draft", "--workshop", workshop)
    fails("box", "show", "--workshop", workshop)
    fails("compare", "--scenario", "zzz")
    fails("compare", "--per-cell", "0")
    assert main(["box", "build", "--workshop", workshop, "--theme", "Santé", "--store", store]) == 0
    capsys.readouterr()
    fails("box", "build", "--workshop", workshop)
    fails("box", "mark", "tourisme", "1", "keep", "--workshop", workshop)
    fails("box", "mark", "santé", "3", "keep", "--workshop", workshop)  # an empty cell
    fails("box", "decide", "x", "--author", " ", "--workshop", workshop)
    fails("box", "undecide", "4", "--workshop", workshop)
    fails("box", "mark", "x", "1", "maybe", code=2)  # argparse: not a mark


def test_help_documents_the_workshop_commands(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["box", "--help"], ["box", "mark", "--help"], ["draft", "--help"]):
        with pytest.raises(SystemExit):
            main(args)
    out = capsys.readouterr().out
    for word in ("compare", "draft", "box", "build", "show", "mark", "decide", "undecide"):
        assert word in out
    assert "keep, adapt, drop" in out and "--format {md,docx,csv}" in out
