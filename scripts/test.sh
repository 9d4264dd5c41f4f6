#!/usr/bin/env bash
# Set up with the test tools, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# `llm`: the local chat model and its server, so that the real-model tests run (see
# tests/test_llm_real.py; ASSISTANT_REQUIRE_LLM=1 makes their absence a failure).
bash scripts/setup.sh app,test,llm
# The browser tests drive Debian's Chromium (Playwright's own download cannot work offline).
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
  else
    sudo apt-get install -y -qq chromium >/dev/null
  fi
fi
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ASSISTANT_REQUIRE_BROWSER=1 ASSISTANT_REQUIRE_LLM=1
.venv/bin/ruff check assistant tests evals scripts
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
