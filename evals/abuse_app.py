"""Hostile-client figures against a real app (issue 10, items 7 and 8): how many login
guesses per second the app checks, whether the right password still works after them;
what 8 x 19 MB posted anonymously to Gradio's upload route leaves behind; how long a 1 MB
search query and a comparison with 30 free aspects take.

With --start it starts the app itself over --store (a store the corpus was ingested
into, e.g. by `assistant ingest corpus --store S`) with the default settings, like the app
tests; or give --url of a running app (then the Gradio folder is --gradio-dir). Prints one
line per figure, then one JSON line. Run from the project root:

    .venv/bin/python evals/abuse_app.py --start --store .assistant
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.ui_harness (how the app tests start the app)


def logins(url: str, password: str, attempts: int, seconds: float) -> dict[str, Any]:
    """Wrong guesses in one loop, then the right password."""
    import httpx

    from tests.test_app_api import _raw_call as raw_call  # the page's way of calling a handler

    config = httpx.get(url + "config", timeout=10).json()
    field = next(c["id"] for c in config["components"] if c["props"].get("elem_id") == "password")
    (dep,) = [d for d in config["dependencies"] if field in d["inputs"]]
    session = uuid.uuid4().hex[:11]

    def attempt(guess: str) -> str:
        data = [guess if i == field else None for i in dep["inputs"]]
        return json.dumps(raw_call(url, config, dep, data, session), ensure_ascii=False)

    checked = locked = 0
    started = time.monotonic()
    while checked + locked < attempts and time.monotonic() - started < seconds:
        reply = attempt(f"guess-{checked + locked}")
        if "incorrect" in reply:
            checked += 1
        else:
            locked += 1
    elapsed = time.monotonic() - started
    right = attempt(password)
    return {
        "login_attempts": checked + locked,
        "login_seconds": round(elapsed, 2),
        "login_attempts_per_s": round((checked + locked) / elapsed, 1),
        "login_guesses_checked": checked,
        "login_guesses_checked_per_s": round(checked / elapsed, 2),
        "right_password_after_works": "Connecté" in right,
    }


def uploads(url: str, files: int, mb: float, gradio_dir: Path | None) -> dict[str, Any]:
    """Post `files` files of `mb` MB each anonymously; what got in."""
    import httpx

    body = b"x" * int(mb * 1024 * 1024)
    started = time.monotonic()
    codes = []
    for n in range(files):
        sent = httpx.post(
            url.rstrip("/") + "/gradio_api/upload",
            files=[("files", (f"f{n}.md", body))],
            timeout=120,
        )
        codes.append(sent.status_code)
    elapsed = time.monotonic() - started
    stored = (
        sum(p.stat().st_size for p in gradio_dir.rglob("*") if p.is_file()) if gradio_dir else 0
    )
    return {
        "upload_codes": codes,
        "upload_seconds": round(elapsed, 2),
        "upload_mb_accepted": round(codes.count(200) * mb, 1),
        "gradio_dir_mb": round(stored / 1024 / 1024, 1) if gradio_dir else None,
    }


def timed(call: Any) -> tuple[float, str]:
    started = time.monotonic()
    try:
        call()
        outcome = "answered"
    except Exception as exc:  # noqa: BLE001 (the figure is the outcome)
        outcome = f"refused: {str(exc)[:90]}"
    return round(time.monotonic() - started, 2), outcome


def queries(url: str, aspects: int) -> dict[str, Any]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    long_query = "urgences " * 116_509  # ~1 MB
    q_s, q_outcome = timed(lambda: client.predict(long_query, None, 5, api_name="/search"))
    free = [f"aspect libre {n}" for n in range(aspects)]
    a_s, a_outcome = timed(lambda: client.predict(None, free, api_name="/compare"))
    return {
        "query_1mb_seconds": q_s, "query_1mb": q_outcome,
        f"compare_{aspects}_aspects_seconds": a_s, f"compare_{aspects}_aspects": a_outcome,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--start", action="store_true", help="start the app over --store")
    parser.add_argument("--store", type=Path, help="an ingested store (with --start)")
    parser.add_argument("--password", default=None, help="the facilitator password")
    parser.add_argument("--gradio-dir", type=Path, default=None)
    parser.add_argument("--attempts", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    def run(url: str, password: str, gradio_dir: Path | None) -> dict[str, Any]:
        figures = logins(url, password, args.attempts, args.seconds)
        figures.update(uploads(url, 8, 19, gradio_dir))
        figures.update(queries(url, 30))
        return figures

    if not args.start:
        figures = run(args.url, args.password or "", args.gradio_dir)
    else:
        from tests.ui_harness import PASSWORD, App

        if args.store is None:
            parser.error("--start needs --store")
        with tempfile.TemporaryDirectory(prefix="abuse-app-") as tmp:
            gradio_dir = Path(tmp) / "gradio"
            env = {"GRADIO_TEMP_DIR": str(gradio_dir)}
            with App(home=args.store.resolve(), log_dir=Path(tmp), env=env) as app:
                figures = run(app.url, PASSWORD, gradio_dir)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
