"""Helpers to run the REAL web app in a subprocess for the app tests and the load script.

Not a test module. The app is started exactly as a user would (`python -m assistant serve`)
on a free loopback port, over a store where the bundled corpus was ingested first with
`python -m assistant ingest`, with the real embedding model. The subprocess gets an
explicit environment: the test process's `ASSISTANT_*` variables (the fake embedder set by
tests/conftest.py, for one) are not passed on.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PYTHON = sys.executable
PASSWORD = "atelier-7q2k-test"  # the facilitator password the app is started with
EVALUATOR_PASSWORD = "evaluation-3m8p-test"  # the evaluators' password
START_TIMEOUT = 180.0  # seconds: model load + warm-up question on a slow machine
DEFAULT_MODEL = "multilingual-e5-small"

# A diagnostic whose one sentence about a unique topic carries markup that must stay inert.
XSS_TOPIC = "marché nocturne de Saint-Ours"
XSS_QUESTION = "Que se passe-t-il au marché nocturne de Saint-Ours ?"
XSS_FILE = "diagnostics/marche-nocturne-saint-ours.md"
XSS_DOC = """# Le marché nocturne de Saint-Ours

## Fréquentation

Le marché nocturne de Saint-Ours réunit chaque vendredi soir quarante producteurs \
<script>window.__xss=1</script> et artisans <img src=x onerror="window.__xss=2"> \
de la haute vallée.

Les habitants de Saint-Ours y viennent surtout en été.
"""


def model_ready() -> tuple[bool, str]:
    """Whether the default embedding model is prepared (the app tests need it), and why not."""
    from assistant.config import Settings
    from assistant.e5_model import is_prepared

    settings = Settings()
    path = settings.models_dir / DEFAULT_MODEL
    if is_prepared(path):
        if getattr(settings, "embedding_backend", "torch") != "onnx":
            return True, ""
        from assistant.e5_onnx import is_onnx_prepared, onnx_dir

        folder = onnx_dir(settings.models_dir, DEFAULT_MODEL)
        if is_onnx_prepared(folder, path):
            return True, ""
        path = folder
    return False, f"the embedding model is not prepared in {path}: run `assistant models prepare`"


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(home: Path, password: str = PASSWORD, **extra: str) -> dict[str, str]:
    """The environment of the app's processes: this one's, minus the ASSISTANT_* variables
    (the fake embedder tests/conftest.py sets, a Chroma server, another answerer...) except
    where the prepared models live, plus the store, the password and the offline switches."""
    keep = {"ASSISTANT_DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") or k in keep}
    env.update(
        ASSISTANT_HOME=str(home),
        ASSISTANT_FACILITATOR_PASSWORD=password,
        ASSISTANT_EVALUATOR_PASSWORD=EVALUATOR_PASSWORD,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_cli(home: Path, *args: str, timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
    """Run `python -m assistant ARGS` with the app's environment (real model)."""
    return subprocess.run(
        [PYTHON, "-m", "assistant", *args],
        cwd=ROOT,
        env=app_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def prepare_store(root: Path, extra_docs: dict[str, str] | None = None) -> tuple[Path, Path]:
    """Copy the bundled corpus under `root` (plus `extra_docs`: relative path -> text),
    ingest it into `root/store`; returns (store folder, corpus copy)."""
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    for rel, text in (extra_docs or {}).items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    home = root / "store"
    done = run_cli(home, "ingest", str(corpus), "--json")
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["failed"] or not report["ingested"]:
        raise RuntimeError(f"ingest incomplete: {report}")
    return home, corpus


def quote(home: Path, doc_id: str, start: int, end: int) -> str:
    """The canonical text span, as `assistant quote DOC START END --json` prints it."""
    done = run_cli(home, "quote", doc_id, str(start), str(end), "--json", timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"quote failed: {done.stderr[-2000:]}")
    return str(json.loads(done.stdout)["text"])


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The HTTP status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


GUARD_SETTINGS = {  # the guarded app's bounds, small so that the tests run fast
    "ASSISTANT_LOGIN_MAX_FAILURES": "3",
    "ASSISTANT_LOGIN_LOCKOUT_SECONDS": "3",
    "ASSISTANT_MAX_UPLOAD_MB": "1",
    "ASSISTANT_UPLOAD_BUDGET_MB": "3",
    "ASSISTANT_CACHE_MAX_AGE_SECONDS": "4",
}

FAULT_MARK = "PANNE-INJECTEE"  # a question with this word fails inside the answerer
FAULT_SITE = f"""# Loaded at interpreter start (sitecustomize): an unexpected error in the answerer
import assistant.tasks.answer as _answer

_ask = _answer.AskTask.ask


def _failing_ask(self, question, *args, **kwargs):
    if {FAULT_MARK!r} in question:
        raise RuntimeError("injected fault for the tests")
    return _ask(self, question, *args, **kwargs)


_answer.AskTask.ask = _failing_ask
"""


def fault_env(folder: Path) -> dict[str, str]:
    """Environment that makes the app's answerer raise a RuntimeError (not an
    AssistantError) on any question containing FAULT_MARK: a `sitecustomize` on the path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(FAULT_SITE, encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}


@dataclass
class App:
    """The real app (`python -m assistant serve`) over one store, in a subprocess."""

    home: Path
    log_dir: Path
    password: str = PASSWORD
    env: dict[str, str] = field(default_factory=dict)  # more environment (settings, ...)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.log_dir / "serve-0.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = START_TIMEOUT) -> App:
        """Start the app on a free loopback port; return once `/` answers HTTP 200."""
        if self.proc is not None:
            raise RuntimeError("the app is already running")
        self.port = free_port()
        self.starts += 1
        self.log_path = self.log_dir / f"serve-{self.starts}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [PYTHON, "-m", "assistant", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=app_env(self.home, self.password, **self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so that stop() reaches any child it spawned
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise RuntimeError(f"the app exited with {code} at start:\n{self.log_tail()}")
            if http_status(self.url) == 200:
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the app did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, grace: float = 10.0) -> None:
        """Terminate the app (SIGTERM to its process group), then kill it if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace)

    def restart(self) -> App:
        """Stop the app and start it again over the same store (a new port)."""
        self.stop()
        return self.start()

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the current server log."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def __enter__(self) -> App:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
