"""The facilitator's corrections of what was detected in a scenario text: rename a
scenario, merge two, split at a line, map a label to a part, mark a file as a scenario text.

Corrections are kept in the store folder (`structure-corrections.json`), keyed by the
document's absolute path, never next to the file: a corpus folder holds only documents.
They are re-applied at every ingest of the file, in the order they were made, by title
(the line disambiguates, and finds the line of a split): an edited file keeps them while
the titles they name are still there; one that no longer applies is a warning in the
ingest report, and is kept (the facilitator removes it with `assistant structure undo`).
This module holds the corrections and their file; `corrections_apply.py` applies them.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import AssistantError
from .types import KINDS

FILE_NAME = "structure-corrections.json"
FORMAT = "assistant-structure-corrections/1"
OPS = ("rename", "merge", "split", "map", "mark")


@dataclass(frozen=True)
class Correction:
    """One correction. `line` is 1-based in the document's canonical text."""

    op: str
    line: int = 0  # rename, merge: the scenario's heading line; split: the line cut at
    title: str = ""  # rename, merge: the scenario's title; split: the line's text
    to: str = ""  # rename, split: the new title; merge: the title kept; map: the part; mark: kind
    to_line: int = 0  # merge: the kept scenario's heading line
    label: str = ""  # map: the label as written
    number: int = 0  # split: the new scenario's number

    def describe(self) -> str:
        """The correction in a few words, for warnings and listings."""
        if self.op == "rename":
            return f"rename '{self.title}' (line {self.line}) to '{self.to}'"
        if self.op == "merge":
            return f"merge '{self.title}' (line {self.line}) into '{self.to}'"
        if self.op == "split":
            return f"split at line {self.line} ('{self.title}') as scenario {self.number}"
        if self.op == "map":
            return f"map label '{self.label}' to part '{self.to}'"
        return f"mark as a {self.to} text"


def from_json(data: Any) -> Correction:
    """A correction from its JSON form; AssistantError when it is not one."""
    if not isinstance(data, dict) or data.get("op") not in OPS:
        raise AssistantError(f"not a structure correction: {str(data)[:80]!r}")
    try:
        c = Correction(
            op=str(data["op"]),
            line=int(data.get("line", 0)),
            title=str(data.get("title", "")),
            to=str(data.get("to", "")),
            to_line=int(data.get("to_line", 0)),
            label=str(data.get("label", "")),
            number=int(data.get("number", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise AssistantError(f"malformed structure correction: {exc}") from None
    if c.op == "mark" and c.to not in KINDS:
        raise AssistantError(f"a mark correction needs a kind among {', '.join(KINDS)}")
    return c


def to_json(c: Correction) -> dict[str, Any]:
    """The JSON form, without empty fields."""
    return {k: v for k, v in asdict(c).items() if v or k == "op"}


def digest(corrections: list[Correction]) -> str:
    """What the ingest's version depends on (empty when there is none)."""
    return json.dumps([to_json(c) for c in corrections], sort_keys=True) if corrections else ""


def marked_kind(corrections: list[Correction]) -> str | None:
    """The kind the last `mark` correction gives, if any."""
    kinds = [c.to for c in corrections if c.op == "mark"]
    return kinds[-1] if kinds else None


class CorrectionBook:
    """The corrections file of one store: absolute path -> corrections."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, list[Correction]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AssistantError(f"cannot read {self.path}: {exc}") from None
        return parse_documents(data)

    def all(self) -> dict[str, list[Correction]]:
        """Every document's corrections."""
        return self._read()

    def get(self, doc_path: str | Path) -> list[Correction]:
        """The corrections of the document at this absolute path."""
        return self._read().get(str(doc_path), [])

    def set(self, doc_path: str | Path, corrections: list[Correction]) -> None:
        """Replace one document's corrections."""
        book = self._read()
        if corrections:
            book[str(doc_path)] = corrections
        else:
            book.pop(str(doc_path), None)
        self.replace(book)

    def replace(self, book: dict[str, list[Correction]]) -> None:
        """Write the whole file atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = documents_json(book)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".corrections-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)


def documents_json(book: dict[str, list[Correction]]) -> dict[str, Any]:
    """The file's (and the workshop export's) JSON form."""
    return {
        "format": FORMAT,
        "documents": {p: [to_json(c) for c in cs] for p, cs in sorted(book.items()) if cs},
    }


def parse_documents(data: Any) -> dict[str, list[Correction]]:
    """Check a corrections object whole; AssistantError naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise AssistantError(f"not a structure corrections object (expected format {FORMAT})")
    docs = data.get("documents")
    if not isinstance(docs, dict) or not all(isinstance(v, list) for v in docs.values()):
        raise AssistantError("the structure corrections have no documents")
    return {str(p): [from_json(c) for c in cs] for p, cs in docs.items()}
