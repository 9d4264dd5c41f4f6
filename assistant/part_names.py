"""The names a scenario text gives its parts, and the canonical part each known one maps
to (levers, interest, limits, narrative): the language's words, not a corpus's."""

from __future__ import annotations

from .text_norm import fold

NARRATIVE = "narrative"

# Folded (lower-case, accent-free) part names -> canonical section keys.
_PARTS: dict[str, str] = {
    "leviers": "levers",
    "levier": "levers",
    "leviers d'action": "levers",
    "leviers d'actions": "levers",
    "actions possibles": "levers",
    "actions": "levers",
    "levers": "levers",
    "actions and levers": "levers",
    "interet": "interest",
    "interets": "interest",
    "avantages": "interest",
    "atouts": "interest",
    "points forts": "interest",
    "interest": "interest",
    "benefits": "interest",
    "limites": "limits",
    "limite": "limits",
    "inconvenients": "limits",
    "points faibles": "limits",
    "points de vigilance": "limits",
    "risques": "limits",
    "limits": "limits",
    "risks": "limits",
    "drawbacks": "limits",
    "recit": NARRATIVE,
    "narratif": NARRATIVE,
    "narrative": NARRATIVE,
    "description": NARRATIVE,
}


def part_key(name: str) -> str | None:
    """The canonical section key of a scenario part name (`Leviers` -> `levers`)."""
    return _PARTS.get(fold(name).strip(" :"))


def names_of(key: str) -> tuple[str, ...]:
    """The names (folded) the language gives a known part (`levers` -> `leviers`, …)."""
    return tuple(name for name, part in _PARTS.items() if part == key)
