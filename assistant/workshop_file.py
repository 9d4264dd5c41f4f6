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

from .corrections import Correction, CorrectionBook, parse_documents
from .errors import AssistantError
from .journal import Journal, parse_export
from .workshop import _locked, box_from_json, save_box


@dataclass(frozen=True)
class Imported:
    """What an import replaced."""

    questions: int
    drafts: int
    box: bool  # False: the file had no box, the workshop's own was kept
    corrections: tuple[str, ...] = ()  # paths whose structure corrections it replaced


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


def import_workshop(
    journal: Journal, box_path: Path, data: Any, book: CorrectionBook | None = None
) -> Imported:
    """Replace the journal (and the box, and the structure corrections, when the file has
    them) with an export."""
    export = parse_export(data)
    fixes: dict[str, list[Correction]] | None = None
    if book is not None and data.get("structure") is not None:
        try:
            fixes = parse_documents(data["structure"])
        except AssistantError as exc:
            raise AssistantError(f"the structure corrections in the file: {exc}") from None
    changed: tuple[str, ...] = ()
    if fixes is not None and book is not None:
        old = book.all()
        changed = tuple(sorted(p for p in set(old) | set(fixes) if old.get(p) != fixes.get(p)))
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
        if fixes is not None and book is not None:
            book.replace(fixes)

    journal.replace(export, then=write_box)
    return Imported(len(export.questions), len(export.drafts), box is not None, changed)
