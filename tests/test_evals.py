"""The evaluation sets stay valid against the bundled corpus (`evals/check_suite.py`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "flags"),
    [("suite", []), ("heldout", ["--heldout"]), ("blind", ["--heldout"]), ("fresh", ["--heldout"])],
)
def test_every_evaluation_set_passes_its_checks(name: str, flags: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "evals/check_suite.py", f"evals/{name}.jsonl", *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "OK: every check passed" in done.stdout


def test_a_broken_gold_quote_is_caught(tmp_path: Path) -> None:
    line = (ROOT / "evals" / "heldout.jsonl").read_text("utf-8").splitlines()[0]
    broken = tmp_path / "broken.jsonl"
    broken.write_text(line.replace('"quote": "', '"quote": "XYZ ', 1) + "\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "evals/check_suite.py", str(broken), "--heldout"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
