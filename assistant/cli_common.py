"""What every `assistant` sub-command module shares: the handler and `add` types, the
one way to print a result (one JSON object with --json, else the human text), and SIGTERM
handled as Ctrl-C by the commands that serve."""

from __future__ import annotations

import argparse
import json
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
