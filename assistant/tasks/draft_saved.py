"""A saved draft read back: the JSON of `assistant draft --json` (as the journal keeps the
workshop's latest draft, edits included) as a `Draft`, so that the facilitator can go on
editing it after a page reload. The inverse of `exports.draft_json`: sentences keep their
verdicts (an edited, unchecked one stays "unverified"), citations their exact spans."""

from __future__ import annotations

from typing import Any

from ..errors import AssistantError
from ..render import citation_from_json
from ..types import Scenario
from ..workshop import Decision
from .draft import Draft, DraftSection, DraftSentence


def draft_from_json(data: Any) -> Draft:
    """The draft `exports.draft_json` wrote; AssistantError when it is malformed."""
    try:
        return Draft(
            sections=tuple(_section(s) for s in data["sections"]),
            citations=tuple(citation_from_json(c) for c in data["citations"]),
            decisions=tuple(_decision(d) for d in data["decisions"]),
            assumed_all_kept=bool(data["assumed_all_kept"]),
            notes=tuple(str(n) for n in data.get("notes", [])),
            writer=str(data.get("writer", "extractive")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AssistantError(f"the saved draft is malformed: {type(exc).__name__} {exc}") from None


def _section(raw: dict[str, Any]) -> DraftSection:
    return DraftSection(
        name=str(raw["name"]),
        sentences=tuple(_sentence(s) for s in raw["sentences"]),
        decisions=tuple(_decision(d) for d in raw.get("decisions", [])),
        reason=str(raw.get("reason", "")),
        writer=str(raw.get("writer", "extractive")),
        removed=int(raw.get("removed", 0)),
        cited=tuple(int(n) for n in raw.get("cited", [])),
        cut=int(raw.get("cut", 0)),
    )


def _sentence(raw: dict[str, Any]) -> DraftSentence:
    scenario = raw.get("scenario")
    return DraftSentence(
        text=str(raw["text"]),
        citations=tuple(int(n) for n in raw["citations"]),
        support=float(raw["support"]),
        verdict=str(raw["verdict"]),
        theme=str(raw.get("theme", "")),
        scenario=Scenario(**scenario) if scenario else None,
        mark=str(raw.get("mark", "")),
        label=str(raw.get("label", "")),
        edited=bool(raw.get("edited", False)),
    )


def _decision(raw: dict[str, Any]) -> Decision:
    theme = raw.get("theme")
    return Decision(
        int(raw["id"]), str(raw["text"]), str(raw["author"]), str(raw["time"]),
        str(theme) if theme is not None else None,
    )  # fmt: skip
