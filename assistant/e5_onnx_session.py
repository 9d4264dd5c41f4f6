"""The ONNX Runtime session of the int8 e5 model, its graph optimised once, not at every start.

ONNX Runtime optimises a model's graph (fusing attention, layer norms, the quantised
MatMuls) each time it opens it: about 0.2 s of a cold `assistant ask`. `prepare_optimized`
(run by `assistant models prepare`, offline) lets ONNX Runtime save the graph it optimised
(`SessionOptions.optimized_model_filepath`, at the portable "extended" level, with no
hardware-specific layout) into a folder beside the int8 build; `open_session` then loads
that graph with optimisations off (`ORT_DISABLE_ALL`). It is the very graph ONNX Runtime
would have built, so every vector is the same, bit for bit (`tests/test_e5_onnx.py`).

An optimised graph belongs to the ONNX Runtime version that wrote it: the marker records it,
and a folder that is missing, partial, from another version or from another int8 build is
ignored (the int8 model is then optimised at load, as before) until `models prepare`
writes it again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .e5_model import _file_sizes, _sha256, building, publish

OPTIMIZED_SUFFIX = "-optimized"
OPTIMIZED_FILENAME = "model-int8-optimized.onnx"
MARKER_FILENAME = "e5_onnx_optimized.json"
_FORMAT_VERSION = 1


def optimized_dir(onnx_folder: Path) -> Path:
    """Where the optimised graph of an int8 build lives (beside it)."""
    return onnx_folder.with_name(onnx_folder.name + OPTIMIZED_SUFFIX)


def _onnx_version() -> str:
    import onnxruntime as ort

    return str(ort.__version__)


def _source_digest(onnx_folder: Path) -> str:
    """The int8 build's own marker (its source's digest and its file sizes): cheap to hash."""
    from .e5_onnx import MARKER_FILENAME as ONNX_MARKER

    return _sha256(onnx_folder / ONNX_MARKER)


def _sizes(root: Path) -> dict[str, int]:
    return {k: v for k, v in _file_sizes(root).items() if k != MARKER_FILENAME}


def is_optimized(dest: Path, onnx_folder: Path) -> bool:
    """Whether dest holds a complete optimised graph of the int8 build in `onnx_folder`, as
    it is now, written by the installed ONNX Runtime."""
    try:
        marker = json.loads((dest / MARKER_FILENAME).read_text(encoding="utf-8"))
        if marker.get("format") != _FORMAT_VERSION or not marker.get("files"):
            return False
        if _sizes(dest) != marker["files"]:
            return False
        if marker.get("onnxruntime") != _onnx_version():
            return False
        return bool(marker.get("source_sha256") == _source_digest(onnx_folder))
    except (OSError, ValueError, AttributeError):
        return False


def session_options(threads: int, spinning: bool, *, optimize: bool = True) -> Any:
    """The options of every e5 session (`optimize`: let ONNX Runtime optimise the graph)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(0, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Spinning idle threads cost ~30 % more CPU a passage on a busy machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    if not optimize:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return options


def prepare_optimized(onnx_folder: Path, dest: Path, *, force: bool = False) -> Path:
    """Save ONNX Runtime's optimised graph of the int8 model in onnx_folder to dest."""
    import onnxruntime as ort

    from .e5_onnx import ONNX_FILENAME

    if not force and is_optimized(dest, onnx_folder):
        return dest
    with building(dest) as work:
        build = work / "build"
        build.mkdir()
        options = session_options(0, False)
        # "extended": every fusion, but no layout tied to this machine's instruction set
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(build / OPTIMIZED_FILENAME)
        ort.InferenceSession(
            str(onnx_folder / ONNX_FILENAME), options, providers=["CPUExecutionProvider"]
        )
        marker = {
            "format": _FORMAT_VERSION,
            "onnxruntime": _onnx_version(),
            "source_sha256": _source_digest(onnx_folder),
            "optimization": "ORT_ENABLE_EXTENDED, saved once; loaded with ORT_DISABLE_ALL",
            "files": _sizes(build),
        }
        publish(build, dest, work, marker, MARKER_FILENAME)
    return dest


def open_session(
    onnx_folder: Path, optimized: Path | None, *, threads: int, spinning: bool
) -> tuple[Any, bool]:
    """A session of the int8 model: from its optimised graph when `optimized` holds a valid
    one, else from the int8 file, optimised at load; and whether the saved graph was used."""
    import onnxruntime as ort

    from .e5_onnx import ONNX_FILENAME

    path, options = onnx_folder / ONNX_FILENAME, session_options(threads, spinning)
    saved = optimized is not None and is_optimized(optimized, onnx_folder)
    if optimized is not None and saved:
        path = optimized / OPTIMIZED_FILENAME
        options = session_options(threads, spinning, optimize=False)
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session, saved
