"""What every `assistant` sub-command module shares: the handler and `add` types, the
one way to print a result (one JSON object with --json, else the human text), and SIGTERM
handled as Ctrl-C by the commands that serve, and the quick exit of `ask` and `search`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from .config import Settings

Handler = Callable[[argparse.Namespace, Settings], int]
Add = Callable[[str, Handler, str], argparse.ArgumentParser]


def emit(args: argparse.Namespace, payload: dict[str, Any], human: Callable[[], str]) -> None:
    """Print `payload` as one JSON line with --json, else the text `human()` returns."""
    print(json.dumps(payload, ensure_ascii=False) if args.json else human())


def interrupt(signum: int, frame: object) -> None:
    """A signal handler: a service manager's SIGTERM stops us as Ctrl-C does."""
    raise KeyboardInterrupt


def exit_now(args: argparse.Namespace) -> None:
    """End a command run from the terminal as soon as its output is written, without
    freeing what it loaded (measured: freeing the tokenizer's 250,002 pieces alone takes
    0.35-0.44 s of a cold `ask`). As a normal exit does, it first waits for the threads
    that are not daemons and flushes the output and the logs; only the freeing is skipped.
    `args.quick_exit` is set by `main` when it runs as the command (never when called with
    arguments, as tests and scripts do)."""
    if not getattr(args, "quick_exit", False):
        return
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    sys.stdout.flush()  # a closed pipe raises here: `main` then ends the usual way
    sys.stderr.flush()
    logging.shutdown()
    os._exit(0)
