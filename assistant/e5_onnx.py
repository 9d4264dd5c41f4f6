"""multilingual-e5-small on ONNX Runtime: exported once from the rebuilt folder, int8, no torch.

`prepare_onnx` (run by `assistant models prepare`, offline) exports the prepared
sentence-transformers folder's BertModel with mean pooling and L2 normalisation inside the
graph (torch's own exporter), then quantises it dynamically to int8 with ONNX Runtime's own
helper (`onnxruntime.quantization.quantize_dynamic`): per-channel weights for every MatMul and
the embedding table, except the FFN output projections, which keep float32 as in the torch
int8 path (GELU outliers; cosine to float32 >= 0.998 instead of 0.995).

`OnnxEmbedder` then needs only `onnxruntime`, `tokenizers` and numpy: a query never imports
torch, transformers or sentence-transformers. It opens the graph ONNX Runtime optimised once
at `models prepare` when there is one (`e5_onnx_session.py`).
"""

from __future__ import annotations

import json
import shutil
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .e5_model import MARKER_FILENAME as SOURCE_MARKER
from .e5_model import MAX_SEQ_LENGTH, PROMPTS, _file_sizes, _sha256, building, publish
from .errors import ModelNotReady

ONNX_DIRNAME_SUFFIX = "-onnx-int8"
ONNX_FILENAME = "model-int8.onnx"
MARKER_FILENAME = "e5_onnx.json"
_FORMAT_VERSION = 1
_PAD_ID = 1  # XLM-R's <pad>
# Rows x tokens of one call: long passages go 8 at a time, short texts up to the batch size.
# It bounds the activations ONNX Runtime keeps in its arena (32 x 512 tokens: +350 MB RSS).
TOKENS_PER_CALL = 4096


def onnx_dir(models_dir: Path, model_dirname: str) -> Path:
    """Where the ONNX build of a prepared model folder lives (beside it)."""
    return models_dir / f"{model_dirname}{ONNX_DIRNAME_SUFFIX}"


def _source_digest(source: Path) -> str:
    """The source folder's own marker (its build's digest and file sizes): cheap to hash."""
    return _sha256(source / SOURCE_MARKER)


def _sizes(root: Path) -> dict[str, int]:
    return {k: v for k, v in _file_sizes(root).items() if k != MARKER_FILENAME}


def is_onnx_prepared(dest: Path, source: Path) -> bool:
    """Whether dest holds a complete ONNX build of the model folder `source` as it is now."""
    try:
        marker = json.loads((dest / MARKER_FILENAME).read_text(encoding="utf-8"))
        if marker.get("format") != _FORMAT_VERSION or not marker.get("files"):
            return False
        if _sizes(dest) != marker["files"]:
            return False
        return bool(marker.get("source_sha256") == _source_digest(source))
    except (OSError, ValueError, AttributeError):
        return False


def _export(source: Path, out: Path) -> None:
    """Export the folder's BertModel + mean pooling + normalisation to a float32 ONNX file."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    bert = AutoModel.from_pretrained(str(source), local_files_only=True).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    ids = torch.tensor([[0, 1000, 2000, 2], [0, 3000, 2, _PAD_ID]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    dynamic = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            Pooled(bert),
            (ids, mask),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={**dynamic, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def _quantize(float_model: Path, out: Path) -> None:
    """Dynamic int8 with ONNX Runtime's helper; the FFN output projections stay float32."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(float_model), load_external_data=False).graph
    ffn_out = [
        n.name
        for n in graph.node
        if n.op_type == "MatMul"
        and n.name.endswith("/output/dense/MatMul")
        and "/attention/" not in n.name
    ]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # "consider pre-processing" is printed at WARNING
    try:
        quantize_dynamic(
            str(float_model),
            str(out),
            per_channel=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Gather"],
            nodes_to_exclude=ffn_out,
        )
    finally:
        root.setLevel(level)


def prepare_onnx(source: Path, dest: Path, *, force: bool = False) -> Path:
    """Build dest (an int8 ONNX model + tokenizer) from a prepared e5 folder; return dest."""
    if not force and is_onnx_prepared(dest, source):
        return dest
    with building(dest) as work:
        build = work / "build"
        build.mkdir()
        _export(source, work / "float32.onnx")
        _quantize(work / "float32.onnx", build / ONNX_FILENAME)
        shutil.copyfile(source / "tokenizer.json", build / "tokenizer.json")
        marker = {
            "format": _FORMAT_VERSION,
            "source_sha256": _source_digest(source),
            "quantization": "dynamic int8, per channel, FFN output projections float32",
            "files": _sizes(build),
        }
        publish(build, dest, work, marker, MARKER_FILENAME)
    return dest


class OnnxEmbedder:
    """The int8 ONNX e5 model: loaded once, on first use; thread-safe (ONNX Runtime is)."""

    def __init__(
        self,
        folder: Path,
        *,
        name: str,
        batch_size: int = 32,
        threads: int = 0,
        spinning: bool = False,
        optimized: Path | None = None,
    ) -> None:
        self.folder = Path(folder)
        # the graph ONNX Runtime optimised once (`e5_onnx_session.py`); None: optimise at load
        self.optimized = optimized
        self.optimized_used = False  # whether the loaded session came from it
        self.name = name
        self.batch_size = batch_size
        self.threads = threads  # ONNX Runtime intra-op threads; 0: one per core
        self.spinning = spinning  # idle threads spin (ONNX Runtime's default) or sleep
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                from tokenizers import Tokenizer

                from .e5_onnx_session import open_session

                model = self.folder / ONNX_FILENAME
                if not model.is_file():
                    raise ModelNotReady(f"no {ONNX_FILENAME} in {self.folder}")
                tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_SEQ_LENGTH)
                tokenizer.no_padding()
                self._tokenizer = tokenizer
                self._session, self.optimized_used = open_session(
                    self.folder, self.optimized, threads=self.threads, spinning=self.spinning
                )
            return self._session, self._tokenizer

    def embed(self, texts: Sequence[str], *, query: bool) -> list[list[float]]:
        """Embed with e5's `query: ` / `passage: ` prompts, in batches of similar lengths
        (at most `batch_size` texts and about TOKENS_PER_CALL tokens per call)."""
        if not texts:
            return []
        session, tokenizer = self._load()
        prompt = PROMPTS["query" if query else "passage"]
        encodings = tokenizer.encode_batch([prompt + t for t in texts])
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(texts), 0), dtype=np.float32)
        lo = 0
        while lo < len(order):
            width = len(encodings[order[lo]].ids)  # the longest left (sorted longest first)
            rows = min(self.batch_size, max(1, TOKENS_PER_CALL // width))
            batch, lo = order[lo : lo + rows], lo + rows
            ids = np.full((len(batch), width), _PAD_ID, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            vectors = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out.shape[1] == 0:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        vectors_list: list[list[float]] = out.tolist()
        return vectors_list
