"""The ONNX Runtime embedder: close to the float32 model, its own index, prepared once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.config import DEFAULT_MODEL, Settings
from assistant.e5_model import is_prepared
from assistant.e5_onnx import MARKER_FILENAME, OnnxEmbedder, is_onnx_prepared, onnx_dir
from assistant.e5_onnx_session import (
    OPTIMIZED_FILENAME,
    is_optimized,
    optimized_dir,
    prepare_optimized,
)
from assistant.errors import ModelNotReady
from assistant.wiring import index_name, make_embedder

from .conftest import cli_env

TEXTS = [
    "En 2024, le département compte 14 France Services : 12 sites fixes et 2 bus itinérants.",
    "Le transport à la demande dessert les communes rurales le mardi et le jeudi matin.",
    "Les habitants regrettent la fermeture du guichet de la mairie le samedi.",
    "Seules 3 France Services sur 14 sont ouvertes le samedi matin.",
    "The mobile bus visits each village twice a month.",
    "La téléconsultation médicale est proposée à la maison de santé pluridisciplinaire.",
]
QUERIES = ["Combien de France Services ?", "Quand passe le bus ?", "mobilité des jeunes"]


def _folders() -> tuple[Path, Path]:
    models = Settings().models_dir
    source = models / DEFAULT_MODEL
    folder = onnx_dir(models, DEFAULT_MODEL)
    if not is_prepared(source) or not is_onnx_prepared(folder, source):
        pytest.skip("the ONNX model is not prepared: run `assistant models prepare`")
    return source, folder


@pytest.fixture(scope="module")
def folders() -> tuple[Path, Path]:
    return _folders()


@pytest.fixture(scope="module")
def float32(folders: tuple[Path, Path]) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folders[0]), device="cpu", local_files_only=True)


@pytest.mark.slow
@pytest.mark.parametrize("query", [False, True])
def test_onnx_vectors_are_close_to_the_float32_model(
    folders: tuple[Path, Path], float32: Any, query: bool
) -> None:
    texts = QUERIES if query else TEXTS
    onnx = np.asarray(OnnxEmbedder(folders[1], name="x", batch_size=4).embed(texts, query=query))
    ref = float32.encode(
        texts, prompt_name="query" if query else "passage", normalize_embeddings=True
    )
    cosines = (onnx * ref).sum(axis=1)
    assert cosines.min() >= 0.99, cosines
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_batching_and_order_keep_each_text_its_vector(folders: tuple[Path, Path]) -> None:
    embedder = OnnxEmbedder(folders[1], name="x", batch_size=2)
    together = np.asarray(embedder.embed(TEXTS, query=False))
    alone = np.asarray([embedder.embed([t], query=False)[0] for t in TEXTS])
    assert ((together * alone).sum(axis=1) >= 0.995).all()  # int8: batchmates matter a little


@pytest.mark.slow
def test_each_backend_has_its_own_index(folders: tuple[Path, Path], tmp_path: Path) -> None:
    onnx = Settings(home=tmp_path, embedding_model=DEFAULT_MODEL, embedding_backend="onnx")
    torch = Settings(home=tmp_path, embedding_model=DEFAULT_MODEL, embedding_backend="torch")
    a, b = make_embedder(onnx), make_embedder(torch)
    assert isinstance(a, OnnxEmbedder) and not isinstance(b, OnnxEmbedder)
    assert a.name != b.name
    assert index_name(onnx, a) != index_name(torch, b)


def test_a_missing_or_partial_onnx_build_is_not_prepared(tmp_path: Path) -> None:
    source, dest = tmp_path / "src", tmp_path / "dest"
    source.mkdir()
    (source / "e5_prepared.json").write_text("{}")
    assert not is_onnx_prepared(dest, source)
    dest.mkdir()
    (dest / "model-int8.onnx").write_bytes(b"half")
    marker = {"format": 1, "source_sha256": "0" * 64, "files": {"model-int8.onnx": 99}}
    (dest / MARKER_FILENAME).write_text(json.dumps(marker))
    assert not is_onnx_prepared(dest, source)


@pytest.mark.slow
def test_the_onnx_backend_asks_for_models_prepare(tmp_path: Path) -> None:
    folders = _folders()
    data = tmp_path / "data"
    (data / "models").mkdir(parents=True)
    shutil.copytree(folders[0], data / "models" / DEFAULT_MODEL)  # no ONNX build beside it
    settings = Settings(home=tmp_path, data_dir=data, embedding_model=DEFAULT_MODEL)
    with pytest.raises(ModelNotReady, match="models prepare"):
        make_embedder(settings)


@pytest.mark.slow
def test_sleeping_threads_give_the_same_vectors_as_spinning_ones(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    """`embed_spinning` changes how idle threads wait, never a vector (issue 12)."""
    spin = OnnxEmbedder(folders[1], name="x", batch_size=4, threads=2, spinning=True)
    sleep = OnnxEmbedder(folders[1], name="x", batch_size=4, threads=2, spinning=False)
    for query, texts in ((False, TEXTS), (True, QUERIES)):
        assert np.array_equal(
            np.asarray(spin.embed(texts, query=query)), np.asarray(sleep.embed(texts, query=query))
        )
    default = make_embedder(Settings(home=tmp_path, embedding_model=DEFAULT_MODEL))
    assert isinstance(default, OnnxEmbedder) and default.spinning is False
    assert default.optimized == optimized_dir(folders[1])
    chosen = Settings(home=tmp_path, embedding_model=DEFAULT_MODEL, embed_spinning=True)
    assert getattr(make_embedder(chosen), "spinning", None) is True


# -- the graph optimised once (`e5_onnx_session.py`) ----------------------------------------


@pytest.fixture(scope="module")
def optimized(folders: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the prepared int8 build (linked) and its optimised graph, saved offline."""
    models = tmp_path_factory.mktemp("models")
    onnx = models / folders[1].name
    onnx.symlink_to(folders[1], target_is_directory=True)
    return prepare_optimized(onnx, optimized_dir(onnx))


@pytest.mark.slow
def test_the_saved_graph_is_used_and_gives_the_very_same_vectors(
    folders: tuple[Path, Path], optimized: Path
) -> None:
    onnx = optimized.with_name(folders[1].name)
    assert is_optimized(optimized, onnx) and (optimized / OPTIMIZED_FILENAME).is_file()
    saved = OnnxEmbedder(onnx, name="x", batch_size=4, optimized=optimized)
    plain = OnnxEmbedder(onnx, name="x", batch_size=4)
    for query, texts in ((False, TEXTS), (True, QUERIES)):
        assert np.array_equal(
            np.asarray(saved.embed(texts, query=query)), np.asarray(plain.embed(texts, query=query))
        )
    assert saved.optimized_used and not plain.optimized_used
    assert prepare_optimized(onnx, optimized) == optimized  # prepared: nothing redone


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["missing", "truncated", "other onnxruntime", "other build"])
def test_a_missing_or_stale_saved_graph_falls_back_to_optimising_at_load(
    folders: tuple[Path, Path], optimized: Path, tmp_path: Path, damage: str
) -> None:
    onnx = optimized.with_name(folders[1].name)
    dest = tmp_path / "optimized"
    if damage != "missing":
        shutil.copytree(optimized, dest)
    marker_path = dest / "e5_onnx_optimized.json"
    if damage == "truncated":
        with (dest / OPTIMIZED_FILENAME).open("r+b") as fh:
            fh.truncate(1000)
    elif damage in ("other onnxruntime", "other build"):
        marker = json.loads(marker_path.read_text())
        key = "onnxruntime" if damage == "other onnxruntime" else "source_sha256"
        marker[key] = "0.0.0" if key == "onnxruntime" else "0" * 64
        marker_path.write_text(json.dumps(marker))
    assert not is_optimized(dest, onnx)
    fallback = OnnxEmbedder(onnx, name="x", batch_size=4, optimized=dest)
    plain = OnnxEmbedder(onnx, name="x", batch_size=4)
    assert np.array_equal(
        np.asarray(fallback.embed(TEXTS, query=False)), np.asarray(plain.embed(TEXTS, query=False))
    )
    assert not fallback.optimized_used


@pytest.mark.slow
def test_models_prepare_saves_the_optimised_graph_offline(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    """`assistant models prepare` (the real command, offline) writes the saved graph beside
    an int8 build prepared by an older version, which lacks it."""
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    for folder in folders:  # already prepared: linked, never rebuilt
        (models / folder.name).symlink_to(folder, target_is_directory=True)
    env = cli_env(tmp_path, ASSISTANT_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "models", "prepare", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dest = Path(json.loads(proc.stdout)["onnx_optimized"])
    assert dest == optimized_dir(models / folders[1].name)
    assert is_optimized(dest, models / folders[1].name)


def test_a_saved_graph_is_checked_against_its_build_and_runtime(tmp_path: Path) -> None:
    onnx, dest = tmp_path / "int8", tmp_path / "int8-optimized"
    onnx.mkdir()
    (onnx / MARKER_FILENAME).write_text("{}")
    assert not is_optimized(dest, onnx)  # missing
    dest.mkdir()
    (dest / OPTIMIZED_FILENAME).write_bytes(b"graph")
    import hashlib

    import onnxruntime

    marker = {
        "format": 1,
        "onnxruntime": onnxruntime.__version__,
        "source_sha256": hashlib.sha256(b"{}").hexdigest(),
        "files": {OPTIMIZED_FILENAME: 5},
    }
    (dest / "e5_onnx_optimized.json").write_text(json.dumps(marker))
    assert is_optimized(dest, onnx)
    (onnx / MARKER_FILENAME).write_text('{"rebuilt": true}')  # another int8 build
    assert not is_optimized(dest, onnx)
