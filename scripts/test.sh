#!/usr/bin/env bash
# Set up with the test tools, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
.venv/bin/ruff check assistant tests evals scripts
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
