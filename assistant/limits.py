"""Bounds on the work one request may ask for: how long a query is, how many free aspects
a comparison has.

The command line and the web app share them (settings `max_query_chars` and
`max_aspects`), so a 1 MB query or thirty free aspects are refused at once, with the
reason, before any retrieval, wherever they come from.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import AssistantError


class TooMuch(AssistantError):
    """A request asks for more work than the settings allow."""


def check_query(text: str, max_chars: int, what: str = "query") -> str:
    """The text, if it is at most `max_chars` characters long."""
    if len(text) > max_chars:
        raise TooMuch(
            f"the {what} is too long ({len(text):,} characters; {max_chars:,} at most, "
            "ASSISTANT_MAX_QUERY_CHARS)"
        )
    return text


def check_aspects(aspects: Sequence[str], max_free: int, max_chars: int) -> None:
    """Refuse more than `max_free` free aspects (the four scenario parts are not counted)
    or an aspect longer than a query may be."""
    from .tasks.compare import PARTS, aspect_key

    for aspect in aspects:
        check_query(aspect, max_chars, "aspect")
    free = {aspect_key(a) for a in aspects if a.strip()} - set(PARTS)
    if len(free) > max_free:
        raise TooMuch(
            f"{len(free)} free aspects: {max_free} free aspects at most (ASSISTANT_MAX_ASPECTS)"
        )
