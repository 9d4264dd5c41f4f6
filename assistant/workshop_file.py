"""Importing a whole workshop (the journal's questions and drafts, and the box) from the
one JSON file the app exports.

The file is checked whole before anything changes: JSON, format, every question, every
draft, the box. Then the journal is replaced in one SQLite transaction, and the box file
is written (atomically, under its lock) inside that transaction, before its commit: if the
box cannot be written, the journal rolls back. A bad file changes nothing and says why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AssistantError
from .journal import Journal, parse_export
from .workshop import _locked, box_from_json, save_box


@dataclass(frozen=True)
class Imported:
    """What an import replaced."""

    questions: int
    drafts: int
    box: bool  # False: the file had no box, the workshop's own was kept


def read_export(path: Path, max_bytes: int) -> Any:
    """The JSON of an exported workshop file; a one-line reason when it is not one."""
    try:
        if path.stat().st_size > max_bytes:
            raise AssistantError(f"the file is larger than {max_bytes / 1024 / 1024:g} MB")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssistantError(f"cannot read the file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AssistantError("not a workshop file: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise AssistantError(f"not a workshop file: not valid JSON (line {exc.lineno})") from None


def import_workshop(journal: Journal, box_path: Path, data: Any) -> Imported:
    """Replace the journal (and the box, when the file has one) with an export."""
    export = parse_export(data)
    box = None
    if data.get("box") is not None:
        try:
            box = box_from_json(data["box"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AssistantError(f"the box in the file is malformed: {exc!r}") from None

    def write_box() -> None:
        if box is not None:
            with _locked(box_path):
                save_box(box, box_path)

    journal.replace(export, then=write_box)
    return Imported(len(export.questions), len(export.drafts), box is not None)
