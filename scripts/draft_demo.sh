#!/usr/bin/env bash
# The README's draft in prose from the bundled corpus, timed: a store ingested from
# `corpus/` (real embedding model), the box built and marked, two decisions, then
# `assistant --json draft` through the OpenAI-compatible client.
#   bash scripts/draft_demo.sh STORE_DIR BASE_URL [OUT.md]
# PREPARE_ONLY=1: the store and the box only. (Start the model server first: `assistant llm serve --port 8093 --threads 2`).
set -euo pipefail
store=${1:?store folder}
url=${2:?model server base URL, e.g. http://127.0.0.1:8093/v1}
out=${3:-scenario-normatif.md}
here=$(cd "$(dirname "$0")/.." && pwd)
run() { ${ASSISTANT:-assistant} "$@"; }  # ASSISTANT: e.g. ".venv/bin/python -m assistant"
export ASSISTANT_HOME="$store"
if [ -e "$store/workshop.json" ]; then  # prepared by an earlier run: draft only
  prepared=1
else
  prepared=0
fi
if [ "$prepared" = 0 ]; then
run ingest "$here/corpus" >/dev/null
run box build >/dev/null
for mark in "Accueil du public|2|keep" "Information|3|adapt" "Numérique|3|keep" \
  "Santé|2|keep" "Solidarités locales|4|keep" "Mobilité|3|adapt" "Numérique|1|drop"; do
  IFS='|' read -r theme scenario value <<<"$mark"
  run box mark "$theme" "$scenario" "$value" >/dev/null
done
run box decide --author "Groupe A" \
  "Garder un accueil humain dans chaque bassin de vie, en plus des services en ligne." >/dev/null
run box decide --author "Groupe B" \
  "Faire un bilan des leviers chaque année avec les habitants." >/dev/null
fi
[ "${PREPARE_ONLY:-0}" = 1 ] && exit 0
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
ASSISTANT_ANSWERER=openai ASSISTANT_LLM_BASE_URL="$url" \
  ASSISTANT_LLM_MODEL=qwen2.5-coder-1.5b-instruct \
  run --json draft --out "$out"
end=$(date +%s.%N)
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "draft: $(echo "$end - $start" | bc) s wall-clock"
