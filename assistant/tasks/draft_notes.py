"""What a draft says about itself: where each quoted item comes from, why a section is
empty, and which quotes the stored documents no longer hold."""

from __future__ import annotations

from collections.abc import Sequence

from ..indexed import SECTION_LABELS
from ..retrieval import Retriever
from ..types import Citation
from ..workshop import BoxCell


def label_of(c: Citation) -> str:
    """Where a quoted item comes from: "Scénario 2 — Leviers", or "Constat"."""
    if c.scenario is None:
        return "Constat"
    part = SECTION_LABELS.get(c.section, c.section)
    return f"Scénario {c.scenario.number} — {part}" if part else f"Scénario {c.scenario.number}"


_PARTS = {"Leviers retenus": "un levier", "Points de vigilance": "une limite",
          "Vision": "un récit"}  # fmt: skip


def reason(name: str, kept: Sequence[BoxCell], planned: int) -> str:
    """Why a section has nothing to quote, in words a facilitator can act on."""
    if not kept:
        return "Aucune cellule retenue ou adaptée : marquez des cellules de la boîte."
    if planned:
        return (
            "Les passages prévus pour cette section viennent de cellules écartées ou ne "
            "correspondent plus aux sources."
        )
    cells = ", ".join(
        f"{c.theme} — scénario {c.scenario.number} ({label_of(c.citations[0]).split(' — ')[-1]})"
        for c in kept
    )
    if name in _PARTS:
        return (
            f"Aucune cellule retenue ou adaptée ne cite {_PARTS[name]} de son scénario "
            f"(cellules retenues : {cells}) ; retenez une cellule qui en cite, ou notez la "
            "décision du groupe."
        )
    return f"Les diagnostics ne disent rien sur les thèmes retenus ({cells}) pour cette section."


def stale(retriever: Retriever, citations: Sequence[Citation]) -> list[str]:
    """Notes on quotes of the box that the stored documents no longer hold at their span
    (a document changed or removed since the box was built): shown, never silently kept."""
    texts: dict[str, str | None] = {}
    notes = []
    for c in citations:
        if c.doc_id not in texts:
            texts[c.doc_id] = retriever.store.get_text(c.doc_id)
        text = texts[c.doc_id]
        if text is None or text[c.start : c.end] != c.quote:
            notes.append(
                f"[{c.n}] ne correspond plus au texte actuel de {c.source} (modifié ou retiré "
                "depuis la construction de la boîte) : reconstruisez la boîte."
            )
    return notes
