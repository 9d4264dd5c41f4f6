"""The workshop journal: participants' questions and answers, and drafts, in SQLite.

One file, `<store>/journal.db`, in WAL mode (readers never block the writer), so the web
app's data survives a restart. Answers and drafts are stored as the CLI's JSON, so that
what an evaluator reviews later is exactly what a participant saw. A workshop exports to
one JSON file (with the morphological box, when there is one) and imports from it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import AssistantError

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at TEXT NOT NULL,
    session TEXT NOT NULL,
    question TEXT NOT NULL,
    language TEXT NOT NULL,
    theme TEXT NOT NULL,
    answerable INTEGER NOT NULL,
    answer TEXT NOT NULL  -- the answer as `assistant ask --json` prints it
);
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    written_at TEXT NOT NULL,
    draft TEXT NOT NULL  -- the draft as `assistant draft --json` prints it
);
"""
EXPORT_FORMAT = "scenario-assistant-workshop/1"


@dataclass(frozen=True)
class Entry:
    """A question asked in the app, with its answer."""

    id: int
    asked_at: str
    session: str
    question: str
    language: str
    theme: str
    answerable: bool
    answer: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Journal:
    """Questions, answers and drafts of one workshop, in `<store>/journal.db`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise AssistantError(f"cannot open the workshop journal {path}: {exc}") from exc

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # -- questions -----------------------------------------------------------------
    def record(self, session: str, theme: str, answer: dict[str, Any]) -> int:
        """Save a question and its answer (CLI JSON); returns its id."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO questions (asked_at, session, question, language, theme, answerable,"
                " answer) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    session,
                    answer["question"],
                    answer["language"],
                    theme,
                    int(bool(answer["answerable"])),
                    json.dumps(answer, ensure_ascii=False),
                ),
            )
            return int(cur.lastrowid or 0)

    def entries(self, limit: int = 500, session: str | None = None) -> list[Entry]:
        """The latest questions first (only those of one session, when given)."""
        if session is not None:
            return self._select("WHERE session = ? ORDER BY id DESC LIMIT ?", (session, limit))
        return self._select("ORDER BY id DESC LIMIT ?", (limit,))

    def entry(self, entry_id: int) -> Entry | None:
        """One question by id."""
        found = self._select("WHERE id = ?", (entry_id,))
        return found[0] if found else None

    def _select(self, clause: str, args: tuple[int | str, ...]) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, asked_at, session, question, language, theme, answerable, answer"
                f" FROM questions {clause}",
                args,
            ).fetchall()
        return [
            Entry(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), json.loads(r[7])) for r in rows
        ]

    def themes(self) -> list[tuple[str, int]]:
        """(theme, number of questions), most asked first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT theme, COUNT(*) FROM questions GROUP BY theme ORDER BY COUNT(*) DESC, theme"
            ).fetchall()
        return [(str(t), int(n)) for t, n in rows]

    # -- drafts --------------------------------------------------------------------
    def save_draft(self, draft: dict[str, Any]) -> int:
        """Save a draft (CLI JSON); returns its id."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO drafts (written_at, draft) VALUES (?, ?)",
                (_now(), json.dumps(draft, ensure_ascii=False)),
            )
            return int(cur.lastrowid or 0)

    def latest_draft(self) -> tuple[int, str, dict[str, Any]] | None:
        """(id, written_at, draft) of the latest draft."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, written_at, draft FROM drafts ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return (int(row[0]), str(row[1]), json.loads(row[2])) if row else None

    # -- one file ------------------------------------------------------------------
    def export(self, box: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole workshop as one JSON object."""
        with self._lock:
            questions = self._db.execute(
                "SELECT asked_at, session, question, language, theme, answerable, answer"
                " FROM questions ORDER BY id"
            ).fetchall()
            drafts = self._db.execute("SELECT written_at, draft FROM drafts ORDER BY id").fetchall()
        return {
            "format": EXPORT_FORMAT,
            "exported_at": _now(),
            "questions": [
                {
                    "asked_at": q[0],
                    "session": q[1],
                    "question": q[2],
                    "language": q[3],
                    "theme": q[4],
                    "answerable": bool(q[5]),
                    "answer": json.loads(q[6]),
                }
                for q in questions
            ],
            "drafts": [{"written_at": d[0], "draft": json.loads(d[1])} for d in drafts],
            "box": box,
        }

    def import_(self, data: Any) -> tuple[int, int]:
        """Replace the journal's contents with an export; (questions, drafts) imported."""
        export = parse_export(data)
        self.replace(export)
        return len(export.questions), len(export.drafts)

    def replace(self, export: Export, then: Callable[[], None] | None = None) -> None:
        """Replace the journal's contents in one transaction; `then` runs inside it, before
        the commit (if it raises, nothing changes)."""
        with self._tx() as db:
            db.execute("DELETE FROM questions")
            db.execute("DELETE FROM drafts")
            db.executemany(
                "INSERT INTO questions (asked_at, session, question, language, theme, answerable,"
                " answer) VALUES (?, ?, ?, ?, ?, ?, ?)",
                export.questions,
            )
            db.executemany("INSERT INTO drafts (written_at, draft) VALUES (?, ?)", export.drafts)
            if then is not None:
                then()


@dataclass(frozen=True)
class Export:
    """A checked workshop export: the rows to insert."""

    questions: list[tuple[str, str, str, str, str, int, str]]
    drafts: list[tuple[str, str]]


ANSWER_KEYS = ("question", "language", "answerable", "answer", "sentences", "citations")


def parse_export(data: Any) -> Export:
    """Check a whole workshop export (every question and draft); its rows, or a one-line
    reason (AssistantError) naming the first problem."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise AssistantError(f"not a workshop export (expected format {EXPORT_FORMAT})")
    questions, drafts = data.get("questions"), data.get("drafts")
    if not isinstance(questions, list) or not isinstance(drafts, list):
        raise AssistantError("the workshop export has no list of questions or of drafts")
    rows = [_question_row(n, q) for n, q in enumerate(questions, 1)]
    kept = []
    for n, d in enumerate(drafts, 1):
        if not isinstance(d, dict) or not isinstance(d.get("draft"), dict) or "written_at" not in d:
            raise AssistantError(f"draft {n} of the file is incomplete")
        kept.append((str(d["written_at"]), json.dumps(d["draft"], ensure_ascii=False)))
    return Export(rows, kept)


def _question_row(n: int, q: Any) -> tuple[str, str, str, str, str, int, str]:
    try:
        answer = q["answer"]
        missing = [k for k in ANSWER_KEYS if k not in answer]
        if missing or not isinstance(answer["sentences"], list):
            raise KeyError(missing[0] if missing else "sentences")
        return (
            str(q["asked_at"]), str(q["session"]), str(q["question"]), str(q["language"]),
            str(q["theme"]), int(bool(q["answerable"])), json.dumps(answer, ensure_ascii=False),
        )  # fmt: skip
    except KeyError as exc:
        raise AssistantError(
            f"question {n} of the file is incomplete: no {exc.args[0]!r}"
        ) from None
    except TypeError:
        raise AssistantError(f"question {n} of the file is malformed") from None
