"""Themes drawn from the scenario texts themselves, for comparing scenarios that only have
a narrative: the content words (stems) that two scenarios or more use, most shared first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..analysis import analyze
from ..retrieval import Retriever
from ..types import Scenario

_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*")
# Stems that say nothing about a scenario's content.
_VOID = frozenset(
    analyze(
        "scénario scénarios second premier troisième quatrième dernier chaque autre autres "
        "ensemble également notamment toujours repose reposer passe faire devoir pouvoir "
        "ainsi aussi avant tout toute toutes leurs cette comme entre"
    )
)


def text_themes(retriever: Retriever, scenarios: Sequence[Scenario], limit: int = 4) -> list[str]:
    """Up to `limit` words found in the narratives of two scenarios or more (of the only
    one when there is one), shown as the text writes them."""
    if not scenarios:
        return []
    where = {
        "$and": [{"scenario_id": {"$in": [s.id for s in scenarios]}}, {"section": "narrative"}]
    }
    per_scenario: dict[str, set[str]] = {s.id: set() for s in scenarios}
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for _cid, text, meta in retriever.store.chunks_where(where):
        sid = str(meta["scenario_id"])
        for word in _WORD.findall(text):
            stems = analyze(word)
            if len(stems) != 1 or len(stems[0]) < 5 or stems[0] in _VOID:
                continue
            stem = stems[0]
            per_scenario.setdefault(sid, set()).add(stem)
            counts[stem] += 1
            if stem not in shown or len(word) < len(shown[stem]):
                shown[stem] = word.lower()
    spread = Counter(stem for stems in per_scenario.values() for stem in stems)
    need = 1 if len(scenarios) == 1 else 2
    ranked = sorted(
        (s for s, n in spread.items() if n >= need), key=lambda s: (-spread[s], -counts[s], s)
    )
    return [shown[s] for s in ranked[:limit]]
