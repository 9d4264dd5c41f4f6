"""The real CLI on a real store: every pathological file ends quickly, ingested or refused
with its reason, and a refused file changes nothing stored (SPEC guarantee 4).

Each run has a generous timeout to catch a hang (the files below took minutes before the
limits); `evals/bench_pathological.py` measures their time and memory."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from evals.bench_pathological import prose, write_docx, write_pdf

from .conftest import cli_env

HANG = 150  # seconds: far above what a refused file costs now, far below what it cost


def ingest(tmp_path: Path, *paths: Path, **env: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", *map(str, paths), "--json"],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path, **env),
        timeout=HANG,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    report: dict[str, object] = json.loads(proc.stdout)
    return report


def sources(tmp_path: Path) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "sources", "--json"],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=HANG,
    )
    documents: list[dict[str, object]] = json.loads(proc.stdout)["documents"]
    return documents


def _error(report: dict[str, object]) -> str:
    (failed,) = report["failed"]  # type: ignore[misc]
    return str(failed["error"])


def _docx(path: Path) -> Path:
    write_docx(path, ["Texte."] + [""] * 2_000_000)
    return path


def _pdf(path: Path) -> Path:
    write_pdf(path, " ".join(["service public"] * 150_000)[:2_000_000])
    return path


def _word(path: Path) -> Path:
    path.write_text("abcdefghij" * 900_000, encoding="utf-8")
    return path


def _markdown(path: Path) -> Path:
    path.write_text(prose(random.Random(1), 46_500_000), encoding="utf-8")
    return path


def _html(path: Path) -> Path:
    para = "<p>Le territoire accueille un service public de mobilité pour ses habitants.</p>\n"
    path.write_text(f"<html><body>{para * 120_000}</body></html>", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("paragraphes.docx", _docx, "too many paragraphs"),
        ("ligne.pdf", _pdf, "line 1 is too long"),
        ("mot.txt", _word, "too much text"),
        ("gros.md", _markdown, "too much text"),
        ("gros.html", _html, "too much HTML"),
    ],
)
def test_a_pathological_file_is_refused_quickly_and_changes_nothing(
    tmp_path: Path, name: str, make: object, reason: str
) -> None:
    path = tmp_path / "in" / name
    path.parent.mkdir()
    first = path.with_suffix(".md")
    first.write_text("# Note\n\nLe zeppelin survole la vallée.\n", encoding="utf-8")
    assert ingest(tmp_path, first)["ingested"] == 1
    before = sources(tmp_path)
    make(path)  # type: ignore[operator]
    report = ingest(tmp_path, path)
    assert report["ingested"] == 0 and reason in _error(report), report
    assert sources(tmp_path) == before


def test_a_new_version_over_the_limits_keeps_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Note\n\nLe zeppelin survole la vallée.\n", encoding="utf-8")
    assert ingest(tmp_path, path)["ingested"] == 1
    before = sources(tmp_path)
    path.write_text("# Note\n\n" + "zeppelin" * 5000 + "\n", encoding="utf-8")
    report = ingest(tmp_path, path, ASSISTANT_MAX_LINE_CHARS="1000")
    assert _error(report) == "line 3 is too long (40 000 characters > 1 000 limit)"
    assert sources(tmp_path) == before


def test_the_chunk_limit_is_checked_before_embedding(tmp_path: Path) -> None:
    path = tmp_path / "long.md"
    paragraphs = [f"Paragraphe {i} sur le service public de la vallée." * 8 for i in range(60)]
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    report = ingest(tmp_path, path, ASSISTANT_MAX_CHUNKS_PER_FILE="20")
    assert "too many chunks" in _error(report) and "> 20 limit" in _error(report)
    assert ingest(tmp_path, path)["ingested"] == 1  # the default limit lets it in


def test_a_file_that_is_slow_to_split_is_stopped_by_the_time_budget(tmp_path: Path) -> None:
    path = tmp_path / "mots.txt"  # long runs without spaces are split character by character
    path.write_text("\n".join(["abcdefghij" * 1900] * 40), encoding="utf-8")
    report = ingest(tmp_path, path, ASSISTANT_MAX_FILE_SECONDS="1")
    assert "took longer than the 1 s allowed for one file" in _error(report)
    assert sources(tmp_path) == []


def test_a_large_legitimate_docx_is_ingested(tmp_path: Path) -> None:
    path = tmp_path / "rapport.docx"
    write_docx(path, [f"Paragraphe {i} sur le service public." for i in range(5000)])
    report = ingest(tmp_path, path)
    assert report["ingested"] == 1 and report["failed"] == []
