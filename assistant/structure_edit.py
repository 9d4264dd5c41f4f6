"""Making a facilitator's structure correction: find the document and the scenario it
names, check that it applies to the file as it is now, keep it, re-ingest the file.

Shared by `assistant structure …` and the Corpus tab. A correction that would not apply
(an unknown scenario, an empty line, a line that already starts a scenario) is refused
with the reason, and nothing is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .corrections import Correction, CorrectionBook
from .errors import AssistantError, NotFound
from .ingest import Ingestor, IngestReport
from .ingest_files import resolve_kind
from .layouts import clean_title
from .loaders import load_file
from .store import ChromaStore
from .structure import detect, part_key
from .structure_report import scenario_lines
from .text_norm import fold
from .types import KINDS, DocumentRecord, Scenario

CANONICAL_PARTS = ("narrative", "levers", "interest", "limits")


def find_document(store: ChromaStore, ref: str) -> DocumentRecord:
    """A stored document by id, or by a part of its path that names only it."""
    records = store.records()
    for r in records:
        if r.doc_id == ref:
            return r
    hits = [r for r in records if ref and (ref in r.source or ref in r.path)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise NotFound(f"no document '{ref}' in the store (see `assistant sources`)")
    names = ", ".join(r.source for r in hits[:5])
    raise AssistantError(f"'{ref}' names {len(hits)} documents ({names}): give its doc id")


def find_scenario(record: DocumentRecord, ref: str) -> Scenario:
    """A scenario of the document by number, id, or a part of its title naming only it."""
    ref = ref.strip()
    found = [s for s in record.scenarios if ref.isdigit() and s.number == int(ref)]
    found = found or [s for s in record.scenarios if s.id == ref]
    found = found or [s for s in record.scenarios if fold(ref) == fold(s.title)]
    found = found or [s for s in record.scenarios if ref and fold(ref) in fold(s.title)]
    if len(found) == 1:
        return found[0]
    known = "; ".join(f"{s.number}: {s.title}" for s in record.scenarios) or "none"
    if not found:
        raise NotFound(f"no scenario '{ref}' in {record.source} (scenarios: {known})")
    raise AssistantError(f"'{ref}' names {len(found)} scenarios of {record.source}: {known}")


def part_name(part: str) -> str:
    """A part a label maps to: a canonical one by key or French/English name, else its own."""
    name = part.strip()
    if not name:
        raise AssistantError("give the part the label maps to")
    if name in CANONICAL_PARTS:
        return name
    return part_key(name) or name


@dataclass
class Editor:
    """Makes corrections for one store."""

    store: ChromaStore
    ingestor: Ingestor
    book: CorrectionBook

    def rename(self, doc: str, scenario: str, title: str) -> IngestReport:
        """Give a scenario another title."""
        record = find_document(self.store, doc)
        s = find_scenario(record, scenario)
        if not title.strip():
            raise AssistantError("the new title is empty")
        line = scenario_lines(self.store, record).get(s.id, 0)
        return self._add(record, Correction("rename", line, s.title, title.strip()))

    def merge(self, doc: str, scenario: str, into: str) -> IngestReport:
        """Make one scenario's text part of another's."""
        record = find_document(self.store, doc)
        gone, kept = find_scenario(record, scenario), find_scenario(record, into)
        if gone.id == kept.id:
            raise AssistantError("a scenario cannot be merged into itself")
        lines = scenario_lines(self.store, record)
        c = Correction(
            "merge", lines.get(gone.id, 0), gone.title, kept.title, lines.get(kept.id, 0)
        )
        return self._add(record, c)

    def split(self, doc: str, line: int, title: str = "", number: int = 0) -> IngestReport:
        """Start a new scenario at a line of the text."""
        record = find_document(self.store, doc)
        lines = (self.store.get_text(record.doc_id) or "").split("\n")
        if not 1 <= line <= len(lines):
            raise AssistantError(f"line {line} is outside the text (1..{len(lines)})")
        text = lines[line - 1].strip()
        if not text:
            raise AssistantError(f"line {line} is empty: split at a line with text")
        numbers = [s.number for s in record.scenarios]
        number = number or max(numbers, default=0) + 1
        name = title.strip() or clean_title(text.lstrip("#").strip())[:80] or f"Scénario {number}"
        return self._add(record, Correction("split", line, text, name, number=number))

    def map_label(self, doc: str, label: str, part: str) -> IngestReport:
        """Make the lines starting with a label a part (canonical or named)."""
        record = find_document(self.store, doc)
        label = label.strip().rstrip(":").strip()
        if not label:
            raise AssistantError("the label is empty")
        return self._add(record, Correction("map", label=label, to=part_name(part)))

    def mark(self, file: str, kind: str = "scenario") -> IngestReport:
        """Mark a file (stored or not yet) as a text of this kind, and ingest it."""
        if kind not in KINDS:
            raise AssistantError(f"unknown kind '{kind}' (use {', '.join(KINDS)})")
        path = Path(file)
        target = str(path.absolute()) if path.is_file() else find_document(self.store, file).path
        fixes = [c for c in self.book.get(target) if c.op != "mark"]
        self.book.set(target, [*fixes, Correction("mark", to=kind)])
        return self._ingest(target, kind)

    def undo(self, doc: str) -> tuple[Correction, IngestReport]:
        """Forget the document's last correction, and re-ingest it."""
        record = find_document(self.store, doc)
        fixes = self.book.get(record.path)
        if not fixes:
            raise NotFound(f"no correction to undo for {record.source}")
        self.book.set(record.path, fixes[:-1])
        return fixes[-1], self._ingest(record.path, record.kind)

    def _add(self, record: DocumentRecord, c: Correction) -> IngestReport:
        fixes = [*self.book.get(record.path), c]
        why = self._would_fail(record, fixes)
        if why:
            raise AssistantError(f"cannot {c.describe()}: {why}")
        self.book.set(record.path, fixes)
        return self._ingest(record.path, record.kind)

    def _would_fail(self, record: DocumentRecord, fixes: list[Correction]) -> str:
        path = Path(record.path)
        if not path.is_file():
            raise NotFound(f"the file of {record.source} is gone ({record.path})")
        loaded = load_file(path, max_bytes=self.ingestor.max_bytes, limits=self.ingestor.limits)
        marked = [c.to for c in fixes if c.op == "mark"]
        kind = marked[-1] if marked else resolve_kind(loaded.meta.get("kind"), path, record.kind)
        if kind != "scenario":
            return f"{record.source} is not a scenario text (mark it first)"
        _segments, warnings = detect(loaded, kind, fixes)
        prefix = f"correction {len(fixes)} ("
        failed = [w for w in warnings if w.startswith(prefix)]
        return failed[0].partition(" no longer applies: ")[2] if failed else ""

    def _ingest(self, path: str, kind: str) -> IngestReport:
        report = self.ingestor.run([Path(path)], kind=kind)
        if report.failed:
            raise AssistantError(f"the correction is kept, but {report.failed[0].error}")
        return report
