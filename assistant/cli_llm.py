"""The `llm serve` command: the packaged chat model behind llama.cpp's OpenAI-compatible
server on loopback. Parse, check, start, wait."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import httpx

from .config import Settings

Handler = Callable[[argparse.Namespace, Settings], int]
Add = Callable[[str, Handler, str], argparse.ArgumentParser]
READY_SECONDS = 300.0


def _cmd_llm(args: argparse.Namespace, settings: Settings) -> int:
    from .local_llm import LLM_ALIAS, server_command

    command = server_command(
        settings.llm_gguf, port=args.port, threads=args.threads, n_ctx=args.ctx, host=args.host
    )
    base = f"http://{args.host}:{args.port}/v1"
    print(f"Loading {settings.llm_gguf.name} ({args.threads} threads) …", flush=True)
    process = subprocess.Popen(command)
    try:
        if wait_ready(base, process, READY_SECONDS):
            print(
                f"Serving {LLM_ALIAS} on {base} (Ctrl-C to stop). Point the app at it with:\n"
                f"  ASSISTANT_ANSWERER=openai ASSISTANT_LLM_BASE_URL={base} "
                f"ASSISTANT_LLM_MODEL={LLM_ALIAS}",
                flush=True,
            )
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        print("assistant: model server stopped", file=sys.stderr)
        return 130


def wait_ready(base_url: str, process: subprocess.Popen[bytes] | None, seconds: float) -> bool:
    """Whether `GET <base_url>/models` answers within `seconds` (False if the process ends)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            if httpx.get(f"{base_url}/models", timeout=2.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def register(add: Add) -> None:
    """Add the `llm` command to the parser."""
    p = add(
        "llm",
        _cmd_llm,
        "serve the packaged local chat model (prepared by `models prepare --llm`) through "
        "llama.cpp's OpenAI-compatible server; needs the optional `llm` extra",
    )
    p.add_argument("action", choices=["serve"])
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    p.add_argument("--port", type=int, default=8080, help="port (default: %(default)s)")
    p.add_argument(
        "--threads", type=int, default=2, help="CPU threads of the model (default: %(default)s)"
    )
    p.add_argument(
        "--ctx",
        type=int,
        default=4096,
        help="context size in tokens: five passages, the rules and the answer (default: "
        "%(default)s)",
    )
