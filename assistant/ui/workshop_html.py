"""HTML for the facilitator's views: the comparison matrix, the box and the draft. Every
text from a document or a workshop member is escaped."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ..exports import removed_note
from .html import chip
from .i18n import tr

MARK_LABELS = {"keep": "✔ garder", "adapt": "✎ adapter", "drop": "✘ écarter", "unmarked": "·"}


def matrix_html(data: dict[str, Any], lang: str) -> str:
    """The comparison matrix as an HTML table (it scrolls sideways inside itself on phones)."""
    by_n = {c["n"]: c for c in data["citations"]}
    head = "".join(
        f"<th>{escape(str(s['number']))}. {escape(s['title'])}</th>" for s in data["scenarios"]
    )
    labels = data.get("labels", {})
    rows = []
    for aspect in data["aspects"]:
        cells = []
        for s in data["scenarios"]:
            cell = next(
                (c for c in data["cells"]
                 if c["aspect"] == aspect and c["scenario"]["id"] == s["id"]),
                None,
            )  # fmt: skip
            if cell is None or cell["status"] != "covered":
                cells.append('<td class="not-covered">—</td>')
                continue
            body = "".join(
                f"<p>{escape(x['text'])} "
                + "".join(chip(by_n[n], lang) for n in x["citations"] if n in by_n)
                + "</p>"
                for x in cell["sentences"]
            )
            cells.append(f"<td>{body}</td>")
        label = escape(str(labels.get(aspect, aspect)))
        rows.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    tensions = "".join(f"<li>{escape(_tension_text(t))}</li>" for t in data.get("tensions", []))
    return (
        f'<div class="table-wrap"><table class="matrix"><tr><th></th>{head}</tr>{"".join(rows)}'
        "</table></div>"
        + (f"<h4>Tensions</h4><ul class='tensions'>{tensions}</ul>" if tensions else "")
    )


def _tension_text(t: dict[str, Any]) -> str:
    sides = " ↔ ".join(
        f"{side.get('scenario', {}).get('number', '?')}: {side.get('pole', '')}"
        for side in t.get("sides", [])
    )
    return f"{t.get('aspect', '')} — {sides}" if sides else json.dumps(t, ensure_ascii=False)


def box_html(box: dict[str, Any], lang: str) -> str:
    """The morphological box: themes (rows) x scenarios (columns), marks and decisions."""
    scen = box["scenarios"]
    head = "".join(f"<th>{escape(str(s['number']))}. {escape(s['title'])}</th>" for s in scen)
    rows = []
    for theme in box["themes"]:
        cells = []
        for s in scen:
            cell = next(c for c in box["cells"] if c["theme"] == theme and c["scenario"] == s["id"])
            if not cell["citations"]:
                cells.append('<td class="not-covered">—</td>')
                continue
            chips = "".join(chip(c, lang) for c in cell["citations"])
            mark = escape(MARK_LABELS.get(cell["mark"], cell["mark"]))
            cells.append(
                f'<td class="mark-{escape(cell["mark"])}"><b>{mark}</b> '
                f"<p>{escape(cell['statement'])} {chips}</p></td>"
            )
        rows.append(f"<tr><th>{escape(theme)}</th>{''.join(cells)}</tr>")
    decisions = "".join(
        f"<li>« {escape(d['text'])} » — {escape(d['author'])}, {escape(d['time'][:16])}"
        + (f" ({escape(d['theme'])})" if d.get("theme") else "")
        + "</li>"
        for d in box["decisions"]
    )
    return (
        f'<div class="table-wrap"><table class="matrix box"><tr><th></th>{head}</tr>'
        f"{''.join(rows)}</table></div>"
        + (
            f"<h4>Décisions de l'atelier / Workshop decisions</h4><ul>{decisions}</ul>"
            if decisions
            else ""
        )
    )


def draft_html(draft: dict[str, Any], lang: str) -> str:
    """The normative draft: sections (a paragraph when the model wrote it, else labelled
    quotes), each sentence with its chips and, unless supported, its verdict; why a section
    is empty; the group's decisions quoted as decisions, never as sources."""
    by_n = {c["n"]: c for c in draft["citations"]}
    out = []
    for note in draft.get("notes", []):
        out.append(f'<p class="note"><i>{escape(str(note))}</i></p>')
    for section in draft["sections"]:
        out.append(f"<h4>{escape(section['name'])}</h4>")
        prose = section.get("writer", "extractive") != "extractive"
        body = []
        for s in section["sentences"]:
            chips = "".join(chip(by_n[n], lang) for n in s["citations"] if n in by_n)
            verdict = str(s["verdict"])
            badge = (
                ""
                if verdict == "supported"
                else f' <span class="verdict">⚠ {escape(tr(verdict, lang))}</span>'
            )
            label = "" if prose or not s.get("label") else f"<b>{escape(s['label'])}</b> : "
            body.append(
                f'<span class="sentence verdict-{escape(verdict)}">{label}'
                f'<span class="text">{escape(s["text"])}</span> {chips}{badge}</span>'
            )
        if prose:
            out.append(f'<p class="paragraph">{" ".join(body)}</p>')
        else:
            out += [f"<div>{b}</div>" for b in body]
        if section.get("removed"):
            why = removed_note(int(section["removed"]), int(section.get("cut") or 0))
            out.append(f'<p class="note">{escape(why)}</p>')
        if not section["sentences"] and section.get("reason"):
            out.append(f'<p class="note reason">{escape(section["reason"])}</p>')
        for d in section.get("decisions", []):
            out.append(
                f"<p class='decision'>Le groupe a retenu : « {escape(d['text'])} » (décision de "
                f"l'atelier, {escape(d['author'])}, {escape(d['time'][:10])})</p>"
            )
    return "".join(out)
