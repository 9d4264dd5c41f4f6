"""Apply the session-17 hand labels (labels-s17.py) to support_labels.json; drop the
unlabelled items `--collect` added (sentences not labelled: the model's copy of a prompt
placeholder, duplicates)."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE.parent / "support_labels.json"
scope: dict = {}
exec((HERE / "labels-s17.py").read_text(encoding="utf-8"), scope)
data = json.loads(LABELS.read_text(encoding="utf-8"))
for item in data["items"]:
    if not item["label"] and item["sentence"] in scope["LABELS"]:
        item["label"], item["why"] = scope["LABELS"][item["sentence"]]
data["items"] = [i for i in data["items"] if i["label"]]
LABELS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(len(data["items"]), "labelled items")
