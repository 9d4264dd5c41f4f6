"""The facilitator's tools in the app: comparison matrix, morphological box, draft, exports.

Every handler checks the session's role on the server; the panel is only shown after login.
"""

from __future__ import annotations

from html import escape
from typing import Any

import gradio as gr

from ..errors import AssistantError
from .i18n import tr
from .services import FACILITATOR, Services


def compare_json(services: Services, scenarios: list[str], aspects: list[str]) -> dict[str, Any]:
    """The comparison matrix as `assistant compare --json` prints it."""
    from ..tasks.compare import compare, comparison_json

    asker = services.asker
    checker = asker.checker
    assert checker is not None
    return comparison_json(
        compare(services.retriever, asker.extractive, checker, scenarios=scenarios, aspects=aspects)
    )


def matrix_html(data: dict[str, Any], lang: str) -> str:
    """The comparison matrix as an HTML table (scrolls sideways inside itself on phones)."""
    by_n = {c["n"]: c for c in data["citations"]}
    head = "".join(
        f"<th>{escape(str(s['number']))}. {escape(s['title'])}</th>" for s in data["scenarios"]
    )
    rows = []
    for aspect in data["aspects"]:
        cells = []
        for s in data["scenarios"]:
            cell = next(
                (
                    c
                    for c in data["cells"]
                    if c["aspect"] == aspect and c["scenario"]["id"] == s["id"]
                ),
                None,
            )
            if cell is None or cell["status"] != "covered":
                cells.append('<td class="not-covered">—</td>')
                continue
            body = "".join(
                f"<p>{escape(x['text'])} "
                + "".join(f"<sup>[{n}]</sup>" for n in x["citations"] if n in by_n)
                + "</p>"
                for x in cell["sentences"]
            )
            cells.append(f"<td>{body}</td>")
        rows.append(f"<tr><th>{escape(aspect)}</th>{''.join(cells)}</tr>")
    tensions = "".join(
        f"<li>{escape(str(t.get('aspect', '')))} : {escape(str(t.get('summary', t)))}</li>"
        for t in data.get("tensions", [])
    )
    return (
        f'<div class="table-wrap"><table class="matrix"><tr><th></th>{head}</tr>{"".join(rows)}'
        f"</table></div>" + (f"<ul class='tensions'>{tensions}</ul>" if tensions else "")
    )


def build_facilitator(services: Services, role: gr.State, lang: gr.State, i18n: gr.I18n) -> None:
    """The facilitator panel's sections (inside the panel shown after login)."""
    gr.Markdown(f"### {tr('compare', 'fr')} / {tr('compare', 'en')}")
    aspects = gr.Textbox(label=i18n("aspects"), elem_id="aspects")
    run_compare = gr.Button(i18n("compare"), elem_id="compare")
    matrix = gr.HTML(elem_id="matrix")

    def on_compare(r: str, extra: str, code: str) -> str:
        if r != FACILITATOR:
            return tr("login_needed", code)
        chosen = [a.strip() for a in (extra or "").split(",") if a.strip()]
        try:
            data = compare_json(
                services, [], ["narrative", "levers", "interest", "limits", *chosen]
            )
        except AssistantError as exc:
            return f"<p>{escape(str(exc))}</p>"
        return matrix_html(data, code)

    run_compare.click(on_compare, [role, aspects, lang], [matrix], api_visibility="private")
