"""What a command imports: the real CLI in a subprocess under `python -X importtime`.

`sources`, `quote` and `box show` read the store only: no torch, transformers,
sentence-transformers or gradio. With the ONNX backend (the default), even `ask` and
`search` run without torch (a slow test: it needs the prepared model)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, cli_env

HEAVY = {"torch", "transformers", "sentence_transformers", "gradio"}


def imported(tmp_path: Path, *args: str, **env: str) -> tuple[set[str], str]:
    """Top-level packages the command imported (from -X importtime), and its stdout."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path, **env),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    assert "assistant" in names  # the hook did report
    return names, proc.stdout


def run(tmp_path: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("startup")
    run(tmp, "ingest", str(CORPUS))
    run(tmp, "box", "build")
    return tmp


def test_sources_imports_no_model_runtime_nor_gradio(store: Path) -> None:
    names, out = imported(store, "sources", "--json")
    assert json.loads(out)["documents"]
    assert not names & HEAVY, sorted(names & HEAVY)
    assert "langchain_text_splitters" not in names  # the ingest pipeline is not needed
    assert "bm25s" not in names


def test_quote_imports_no_model_runtime_nor_gradio(store: Path) -> None:
    doc_id = json.loads(run(store, "sources", "--json"))["documents"][0]["doc_id"]
    names, out = imported(store, "quote", doc_id, "0", "20", "--json")
    assert json.loads(out)["text"]
    assert not names & HEAVY, sorted(names & HEAVY)


def test_box_show_imports_no_model_runtime_nor_gradio(store: Path) -> None:
    names, out = imported(store, "box", "show")
    assert out.strip()
    assert not names & HEAVY, sorted(names & HEAVY)


@pytest.mark.slow
def test_ask_with_the_onnx_backend_imports_no_torch(store: Path, tmp_path: Path) -> None:
    from assistant.config import DEFAULT_MODEL, Settings
    from assistant.e5_onnx import is_onnx_prepared, onnx_dir

    models = Settings().models_dir
    if not is_onnx_prepared(onnx_dir(models, DEFAULT_MODEL), models / DEFAULT_MODEL):
        pytest.skip("the ONNX model is not prepared: run `assistant models prepare`")
    real = {"ASSISTANT_EMBEDDING_MODEL": DEFAULT_MODEL, "ASSISTANT_EMBEDDING_BACKEND": "onnx"}
    subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(CORPUS)],
        env=cli_env(tmp_path, **real),
        check=True,
        capture_output=True,
        timeout=600,
    )
    names, out = imported(tmp_path, "ask", "Combien de France Services ?", "--json", **real)
    assert json.loads(out)["answerable"]
    assert "onnxruntime" in names
    assert not names & {"torch", "transformers", "sentence_transformers"}, sorted(names & HEAVY)
