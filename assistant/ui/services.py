"""What the web app does, as plain functions over the core objects (no Gradio here).

Every function that changes the corpus or reads workshop exports takes the caller's role
and refuses unless it is the facilitator: hiding a button is not access control, and the
app's event handlers can be called directly over HTTP.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..citations import SupportChecker
from ..config import Settings
from ..corrections import FILE_NAME as CORRECTIONS_FILE
from ..corrections import CorrectionBook, documents_json
from ..errors import AssistantError
from ..ingest import IngestCallbacks, Ingestor
from ..journal import Journal
from ..limits import check_query
from ..render import answer_json, passage_json, record_json
from ..retrieval import Retriever
from ..store import ChromaStore
from ..structure import fold
from ..tasks.answer import AskTask
from ..tasks.topics import GROUPS
from . import uploads
from .access import EVALUATOR as EVALUATOR  # the names the UI and tests use, re-exported
from .access import FACILITATOR as FACILITATOR
from .access import Forbidden as Forbidden
from .access import LockedOut as LockedOut
from .access import LoginGuard, role_of, stored_password
from .access import require_facilitator as require_facilitator
from .uploads import UPLOAD_TYPES, UploadJob, safe_name

__all__ = [
    "EVALUATOR",
    "FACILITATOR",
    "UPLOAD_TYPES",
    "Forbidden",
    "LockedOut",
    "Services",
    "require_facilitator",
    "safe_name",
]


@dataclass
class Services:
    """The core objects the app works with, built once by `wiring.make_services`."""

    settings: Settings
    store: ChromaStore
    retriever: Retriever
    asker: AskTask
    new_ingestor: Callable[[IngestCallbacks], Ingestor]
    journal: Journal
    password: str
    evaluator_password: str = ""  # empty: no evaluator login (the facilitator's still works)
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    upload_job: UploadJob | None = None
    _job_lock: threading.Lock = field(default_factory=threading.Lock)
    guard: LoginGuard = field(init=False)

    def __post_init__(self) -> None:
        self.guard = LoginGuard(
            self.settings.login_max_failures, self.settings.login_lockout_seconds
        )

    @property
    def checker(self) -> SupportChecker:
        """The citation checker the answers use."""
        return self.asker.checker or SupportChecker(idf=self.retriever.lexical.idf)

    @property
    def upload_dir(self) -> Path:
        """Where uploaded files are kept (inside the store folder, always)."""
        return (self.settings.home / "uploads").resolve()

    # -- participants ------------------------------------------------------------
    def ask(
        self,
        question: str,
        scenarios: Sequence[str] = (),
        history: Sequence[tuple[str, str]] = (),
        *,
        session: str = "api",
        on_text: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Answer a question as `assistant ask --json` does, and note it on the wall."""
        question = (question or "").strip()
        if not question:
            raise AssistantError("the question is empty")
        if len(question) > 1000:
            raise AssistantError("the question is too long (1000 characters at most)")
        answer = answer_json(
            self.asker.ask(question, history=history, scenarios=scenarios, on_text=on_text)
        )
        self.journal.record(session, theme_of(question), answer)
        return answer

    def search(self, query: str, scenarios: Sequence[str] = (), top_k: int = 5) -> dict[str, Any]:
        """Retrieval only, as `assistant search --json`."""
        check_query(query or "", self.settings.max_query_chars)
        passages = self.retriever.search(query, top_k=max(1, min(top_k, 50)), scenarios=scenarios)
        return {"query": query, "passages": [passage_json(p) for p in passages]}

    def scenario_choices(self) -> list[tuple[str, str]]:
        """(label, id) of every stored scenario, for the filter."""
        return [(f"{s.number}. {s.title}", s.id) for s in self.retriever.lexical.scenarios()]

    def text_of(self, doc_id: str) -> str | None:
        """A document's canonical text."""
        return self.store.get_text(doc_id)

    # -- facilitators --------------------------------------------------------------
    def login(self, password: str, client: str = "local") -> str:
        """The role a password opens ('facilitator', 'evaluator'), or '' for a wrong one;
        LockedOut while this client (an IP address) has failed too often."""
        self.guard.check(client)
        role = role_of(password, self.password, self.evaluator_password)
        if role:
            self.guard.succeeded(client)
        else:
            self.guard.failed(client)
        return role

    def documents(self) -> list[dict[str, Any]]:
        """The stored documents, as `assistant sources --json` lists them."""
        return [record_json(r) for r in self.store.records()]

    def upload(
        self, role: str, files: Sequence[str], on_file: Callable[[str, str], None] | None = None
    ) -> dict[str, Any]:
        """Copy uploaded files into the store folder and ingest them; a per-file report."""
        return self.start_upload(role, files, on_file).wait()

    def start_upload(
        self, role: str, files: Sequence[str], on_file: Callable[[str, str], None] | None = None
    ) -> UploadJob:
        """Check and copy the uploads, then ingest them in the background (one upload at a
        time); the job tells how far it is, can be cancelled and holds the report."""
        require_facilitator(role)
        with self._job_lock:
            if self.upload_job is not None and not self.upload_job.finished.is_set():
                raise AssistantError("an upload is still being ingested: wait or cancel it")
            report, accepted = uploads.accept(
                files, self.upload_dir, self.settings.max_upload_mb, self.store
            )

            def new_ingestor(callbacks: IngestCallbacks) -> Ingestor:
                ingestor = self.new_ingestor(callbacks)
                ingestor.write_lock = self.ingest_lock  # held for store writes only
                return ingestor

            def on_done() -> None:
                self.retriever.refresh()

            self.upload_job = uploads.start(report, accepted, new_ingestor, on_file, on_done)
            return self.upload_job

    def cancel_upload(self, role: str) -> bool:
        """Stop the running upload's ingest after its current file or batch; False if none."""
        require_facilitator(role)
        job = self.upload_job
        if job is None or job.finished.is_set():
            return False
        job.cancel()
        return True

    def remove(self, role: str, doc_id: str) -> str:
        """Remove a document (and its uploaded copy); returns its source."""
        require_facilitator(role)
        record = self.store.get_record(doc_id)
        if record is None:
            raise AssistantError(f"no document '{doc_id}'")
        with self.ingest_lock:
            self.store.remove(doc_id)
            path = Path(record.path).resolve()
            if path.parent == self.upload_dir:
                path.unlink(missing_ok=True)
        # an upload may be embedding its sentences: the removal does not wait for it
        self.retriever.refresh(wait=False)
        return record.source

    def export_workshop(self, role: str, box: dict[str, Any] | None = None) -> str:
        """The whole workshop as one JSON text (journal, box, structure corrections)."""
        require_facilitator(role)
        data = self.journal.export(box)
        data["structure"] = documents_json(self.corrections.all())
        return json.dumps(data, ensure_ascii=False, indent=1)

    # -- structure corrections -------------------------------------------------------
    @property
    def corrections(self) -> CorrectionBook:
        """The facilitator's structure corrections (in the store folder)."""
        return CorrectionBook(self.settings.home / CORRECTIONS_FILE)

    def structure(self, role: str) -> list[Any]:
        """What was detected in each scenario text, with the corrections made."""
        from ..structure_report import structures

        require_facilitator(role)
        return structures(self.store, self.corrections)

    def correct(self, role: str, change: Callable[[Any], Any]) -> list[str]:
        """Make a correction with the structure editor (`change(editor)` returns an ingest
        report), under the ingest lock; the ingest's warnings."""
        from ..structure_edit import Editor

        require_facilitator(role)
        with self._job_lock:
            if self.upload_job is not None and not self.upload_job.finished.is_set():
                raise AssistantError("an upload is still being ingested: wait or cancel it")
            ingestor = self.new_ingestor(IngestCallbacks())
            ingestor.write_lock = self.ingest_lock
            report = change(Editor(self.store, ingestor, self.corrections))
        self.retriever.refresh()
        return [w.warning for w in report.warnings]

    def reingest(self, role: str, paths: Sequence[str]) -> list[str]:
        """Ingest again the stored documents at these paths (their corrections changed)."""
        require_facilitator(role)
        stored = {r.path: r for r in self.store.records()}
        warnings: list[str] = []
        for path in paths:
            record = stored.get(path)
            if record is not None and Path(path).is_file():
                kind = record.kind

                def again(editor: Any, path: str = path, kind: str = kind) -> Any:
                    return editor.ingestor.run([Path(path)], kind=kind)

                warnings += self.correct(role, again)
        return warnings


WALL_CUES = {  # words participants use beyond the topics' own cues
    "sante": ("urgence", "emergency", "doctor", "health", "hospital", "dentist"),
    "accueil": ("france services", "mairie", "guichet", "reception", "desk"),
    "numerique": ("fibre", "broadband", "online", "illectronisme"),
    "mobilite": ("bus", "tad", "transport a la demande", "covoit"),
}


def theme_of(question: str) -> str:
    """The wall's theme for a question (the first topic whose cue it contains)."""
    text = f" {fold(question)} "
    for key, (_, cues) in GROUPS.items():
        if any(cue in text for cue in (*cues, *WALL_CUES.get(key, ()))):
            return key
    return "autres"


def facilitator_password(settings: Settings, announce: Callable[[str], None]) -> str:
    """The configured password, or the one generated at first start (announced once)."""
    path = settings.home / "facilitator-password"
    return stored_password(settings.facilitator_password, path, "Facilitator", announce)


def evaluator_password(settings: Settings, announce: Callable[[str], None]) -> str:
    """The evaluators' password: configured, or generated at first start (announced once)."""
    path = settings.home / "evaluator-password"
    return stored_password(settings.evaluator_password, path, "Evaluator", announce)
