"""Build the morphological box from the store: each scenario's option for each theme.

For each scenario and theme, the theme is retrieved within that scenario and only
sentences that mention it count (see `topics.py`). The statement is taken from the
scenario's levers first, else from the rest of the scenario (never from its limits); a
sentence already stating another theme of the same scenario is used again only when
nothing else is left. Each cell also carries context for the draft: a narrative sentence
on the theme (`vision`) and a limit (`vigilance`: one on the theme, else the scenario's
most representative limit). A scenario with no sentence on a theme gets an empty cell.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import NotFound
from ..retrieval import Retriever
from ..retrieval_filters import known_scenarios, resolve_scenarios
from ..structure_report import require_scenarios
from ..workshop import Box, BoxCell, now
from .evidence import Evidence, section_evidence, topic_evidence
from .extractive import ExtractiveWriter
from .topics import DEFAULT_THEMES, topic_of

STATEMENT_CHARS = 220  # a statement holds its best sentence, and a second one if both fit


def _statement(tier: Sequence[Evidence], per_cell: int) -> list[Evidence]:
    chosen: list[Evidence] = []
    for ev in tier:
        if chosen and (
            len(chosen) >= per_cell
            or sum(len(c.text) for c in chosen) + len(ev.text) > STATEMENT_CHARS
        ):
            break
        chosen.append(ev)
    return sorted(chosen, key=lambda ev: ev.key)


def _joined(texts: Sequence[str]) -> str:
    """Sentences as one statement; list items (no final stop) separated by semicolons."""
    out = texts[0]
    for text in texts[1:]:
        out += (" " if out.rstrip()[-1:] in ".!?…" else " ; ") + text
    return out


def build_box(
    retriever: Retriever,
    extractive: ExtractiveWriter,
    *,
    themes: Sequence[str] = DEFAULT_THEMES,
    scenarios: Sequence[str] = (),
    per_cell: int = 2,
) -> Box:
    """A fresh, unmarked box of the themes (rows) x the scenarios (columns) of the store."""
    chosen = (
        resolve_scenarios(retriever.store, scenarios)
        if scenarios
        else known_scenarios(retriever.store)
    )
    if not chosen:
        require_scenarios(retriever.store)
    names = tuple(dict.fromkeys(" ".join(t.split()) for t in themes if t.strip()))
    if not names:
        raise NotFound("the box needs at least one theme")
    cells: list[BoxCell] = []
    for scenario in chosen:
        used: set[tuple[str, int, int]] = set()
        limits = section_evidence(retriever, extractive, scenario.id, "limits")[:1]
        for theme in names:
            found = topic_evidence(
                retriever, extractive, topic_of(theme), scenario_id=scenario.id, top_k=12
            )
            options = [ev for ev in found if ev.passage.section != "limits"]
            tier = [ev for ev in options if ev.passage.section == "levers"] or options
            statement = _statement([ev for ev in tier if ev.key not in used] or tier, per_cell)
            if not statement:
                cells.append(BoxCell(theme, scenario))
                continue
            used.update(ev.key for ev in statement)
            keys = {ev.key for ev in statement}
            vision = [
                ev for ev in found if ev.passage.section == "narrative" and ev.key not in keys
            ][:1]
            vigilance = [ev for ev in found if ev.passage.section == "limits"][:1] or limits
            cells.append(
                BoxCell(
                    theme,
                    scenario,
                    _joined([ev.text for ev in statement]),
                    tuple(ev.citation(i) for i, ev in enumerate(statement, 1)),
                    tuple(ev.citation(1) for ev in vision),
                    tuple(ev.citation(1) for ev in vigilance),
                )
            )
    return Box(names, tuple(chosen), tuple(cells), (), now(), now())
