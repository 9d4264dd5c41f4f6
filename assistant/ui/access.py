"""Who may open what in the app: the roles, their passwords, and a per-client brake on
failed logins.

Roles: the facilitator (every view), the evaluator (the evaluation view over every
answer and the draft), and participants (no password: they check their own answers
only). A role lives in the session's server-side state, set by a login; every handler
checks it again, so a client that claims a role it never logged in as gets nothing.

After `max_failures` failed logins in a row, a client (its IP address) is locked out for
`lockout_seconds`, doubled at each new lockout (up to 16 times): during a lockout even the
right password is refused, without being checked. A success clears the client's record.
Failures and lockouts are logged with the client's address.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError

FACILITATOR = "facilitator"
EVALUATOR = "evaluator"
MAX_CLIENTS = 10_000  # records kept; the oldest unlocked ones go first
log = logging.getLogger("assistant.access")


class Forbidden(AssistantError):
    """A session tried something its role does not open."""


class LockedOut(AssistantError):
    """Too many failed logins from this client: wait `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"too many failed logins: try again in {seconds:.0f} s")
        self.seconds = seconds


def require_facilitator(role: str) -> None:
    """Refuse unless the session logged in as facilitator."""
    if role != FACILITATOR:
        raise Forbidden("reserved to facilitators: log in first")


def can_evaluate(role: str) -> bool:
    """Whether the role opens every answer and the draft (evaluators and facilitators)."""
    return role in (FACILITATOR, EVALUATOR)


def role_of(password: str, facilitator: str, evaluator: str) -> str:
    """The role a password opens, or '' (an empty configured password opens nothing)."""
    for role, expected in ((FACILITATOR, facilitator), (EVALUATOR, evaluator)):
        if expected and hmac.compare_digest(password.encode(), expected.encode()):
            return role
    return ""


@dataclass
class _Client:
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


class LoginGuard:
    """Counts failed logins per client and locks a client out after too many."""

    def __init__(
        self,
        max_failures: int,
        lockout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self._clients: dict[str, _Client] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise LockedOut while the client is locked out."""
        with self._lock:
            record = self._clients.get(client)
            wait = record.locked_until - self.clock() if record else 0.0
        if wait > 0:
            log.warning("login refused from %s: locked out for %.1f s more", client, wait)
            raise LockedOut(wait)

    def failed(self, client: str) -> None:
        """Note a failed login; lock the client out when it has failed too often."""
        with self._lock:
            if client not in self._clients and len(self._clients) >= MAX_CLIENTS:
                self._forget_unlocked()
            record = self._clients.setdefault(client, _Client())
            record.failures += 1
            failures = record.failures
            if failures >= self.max_failures:
                record.lockouts += 1
                seconds = self.lockout_seconds * 2 ** min(record.lockouts - 1, 4)
                record.locked_until = self.clock() + seconds
                record.failures = 0
        log.warning("failed login from %s (%d in a row)", client, failures)
        if failures >= self.max_failures:
            log.warning("login locked for %s during %.0f s", client, seconds)

    def succeeded(self, client: str) -> None:
        """Forget the client's failures."""
        with self._lock:
            self._clients.pop(client, None)

    def _forget_unlocked(self) -> None:
        now = self.clock()
        for key in [k for k, r in self._clients.items() if r.locked_until <= now]:
            del self._clients[key]


def new_password() -> str:
    """A password easy to read aloud: four groups of letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def stored_password(
    configured: str | None, path: Path, who: str, announce: Callable[[str], None]
) -> str:
    """The configured password, or the one generated at first start in `path` (announced
    once)."""
    if configured:
        return configured
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = new_password()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    announce(f"{who} password (shown once; kept in {path}): {password}")
    return password
