#!/usr/bin/env bash
# The main job: set up, ingest the bundled corpus (unchanged files are skipped), then serve
# the web app on http://127.0.0.1:7860 (arguments go to `assistant serve`, e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
.venv/bin/assistant ingest corpus
.venv/bin/assistant sources
.venv/bin/assistant serve "$@"
