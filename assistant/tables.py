"""The comparison matrix and the morphological box as JSON, terminal tables and Markdown."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .exports import md_escape, place, reference
from .render import citation_json, scenario_json
from .tasks.compare import NOT_COVERED, Comparison, aspect_label
from .tasks.tensions import describe
from .workshop import Box

NOT_COVERED_TEXT = "— non couvert"
MARK_SIGNS = {"keep": "[garder]", "adapt": "[adapter]", "drop": "[écarter]", "unmarked": ""}


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The matrix as `assistant compare --json` prints it."""
    return {
        "scenarios": [scenario_json(s) for s in comparison.scenarios],
        "aspects": list(comparison.aspects),
        "labels": {a: aspect_label(a) for a in comparison.aspects},
        "cells": [
            {
                "scenario": scenario_json(c.scenario),
                "aspect": c.aspect,
                "status": c.status,
                "sentences": [
                    {
                        "text": s.text,
                        "citations": list(s.citations),
                        "support": s.support,
                        "verdict": s.verdict,
                    }
                    for s in c.sentences
                ],
            }
            for c in comparison.cells
        ],
        "tensions": [
            {
                "aspect": t.aspect,
                "axis": t.axis,
                "explanation": t.explanation,
                "sides": [
                    {
                        "scenario": scenario_json(side.scenario),
                        "pole": side.pole,
                        "cues": list(side.cues),
                        "citations": list(side.citations),
                    }
                    for side in t.sides
                ],
            }
            for t in comparison.tensions
        ],
        "citations": [citation_json(c) for c in comparison.citations],
    }


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """A plain-text table whose cells wrap inside their columns."""
    first = min(max(len(r[0]) for r in [header, *rows]), 22)
    rest = max((width - first - 3 * len(header) - 1) // max(len(header) - 1, 1), 12)
    widths = [first] + [rest] * (len(header) - 1)
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: Sequence[str]) -> list[str]:
        wrapped = [
            [piece for para in cell.split("\n") for piece in (textwrap.wrap(para, w) or [""])]
            for cell, w in zip(cells, widths, strict=True)
        ]
        height = max(len(w) for w in wrapped)
        return [
            "| "
            + " | ".join(
                (w[i] if i < len(w) else "").ljust(widths[j]) for j, w in enumerate(wrapped)
            )
            + " |"
            for i in range(height)
        ]

    out = [rule, *line(header), rule.replace("-", "=")]
    for row in rows:
        out += [*line(row), rule]
    return "\n".join(out)


def comparison_text(comparison: Comparison, width: int | None = None) -> str:
    """The matrix as a terminal table, then the tensions and the references."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    header = ["Aspect", *(f"{s.number}. {s.title}" for s in comparison.scenarios)]
    rows = []
    for aspect in comparison.aspects:
        row = [aspect_label(aspect)]
        for scenario in comparison.scenarios:
            cell = comparison.cell(scenario, aspect)
            if cell.status == NOT_COVERED:
                row.append(NOT_COVERED_TEXT)
            else:
                parts = [f"{' '.join(s.text.split())} [{s.citations[0]}]" for s in cell.sentences]
                row.append("\n".join(parts))
        rows.append(row)
    lines = [_grid(header, rows, width)]
    if comparison.tensions:
        lines += ["", "Tensions :"] + [f"  - {t.explanation}" for t in comparison.tensions]
    lines += ["", "Références :"]
    lines += [
        f"  [{c.n}] {c.label} — {place(c)} ({c.doc_id}, {c.start}–{c.end})"
        for c in comparison.citations
    ]
    return "\n".join(lines)


def comparison_markdown(comparison: Comparison) -> str:
    """The matrix as a Markdown table with footnote citations."""
    head = ["Aspect", *(f"Scénario {s.number} — {s.title}" for s in comparison.scenarios)]
    lines = [
        "| " + " | ".join(md_escape(h) for h in head) + " |",
        "|" + "---|" * len(head),
    ]
    for aspect in comparison.aspects:
        cells = [md_escape(aspect_label(aspect))]
        for scenario in comparison.scenarios:
            cell = comparison.cell(scenario, aspect)
            if cell.status == NOT_COVERED:
                cells.append(f"_{NOT_COVERED_TEXT}_")
            else:
                parts = [
                    md_escape(s.text) + "".join(f"[^{n}]" for n in s.citations)
                    for s in cell.sentences
                ]
                cells.append(" <br> ".join(parts))
        lines.append("| " + " | ".join(cells) + " |")
    if comparison.tensions:
        lines += ["", "**Tensions**", ""]
        for t in comparison.tensions:
            text = describe(
                t.aspect,
                [replace(s, cues=tuple(map(md_escape, s.cues))) for s in t.sides],
                "[^{}]".format,
            )
            lines.append(f"- {text}")
    lines.append("")
    for c in comparison.citations:
        text = reference(c).split("] ", 1)[1]
        lines.append(f"[^{c.n}]: {md_escape(text)}")
    return "\n".join(lines) + "\n"


def box_text(box: Box, width: int | None = None) -> str:
    """The morphological box as a terminal table, then the decisions."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    header = ["Thème", *(f"{s.number}. {s.title}" for s in box.scenarios)]
    rows = []
    for theme in box.themes:
        row = [theme]
        for scenario in box.scenarios:
            cell = box.cell(theme, scenario)
            text = " ".join(cell.statement.split()) if not cell.empty else "—"
            row.append(f"{MARK_SIGNS[cell.mark]} {text}".strip())
        rows.append(row)
    lines = [_grid(header, rows, width)]
    lines += ["", "Décisions de l'atelier :" if box.decisions else "Aucune décision enregistrée."]
    for d in box.decisions:
        theme = f" [{d.theme}]" if d.theme else ""
        lines.append(f"  {d.id}. {d.author}, {d.time}{theme} : « {d.text} »")
    return "\n".join(lines)
