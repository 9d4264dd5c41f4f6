"""HTML for the app. Every piece of text that comes from a document, a question or a
workshop member is escaped here: a document containing `<script>` shows as text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from ..tasks.answer import FRAMING
from .i18n import tr

THEMES = {  # wall theme keys -> (français, English)
    "accueil": ("Accueil du public", "Reception of the public"),
    "information": ("Information", "Information"),
    "numerique": ("Numérique", "Digital"),
    "sante": ("Santé", "Health"),
    "solidarite": ("Solidarités locales", "Local solidarity"),
    "mobilite": ("Mobilité", "Mobility"),
    "personnes agees": ("Personnes âgées", "Older people"),
    "cout": ("Coût", "Cost"),
    "autres": ("Autres questions", "Other questions"),
}
CONTEXT_CHARS = 320  # characters shown on each side of a highlighted quote


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def citation_card(c: dict[str, Any], lang: str) -> str:
    """The card a citation chip opens: label, document, scenario, section, quote."""
    name = str(c["source"]).replace("\\", "/").rsplit("/", 1)[-1]  # not the server's path
    where = [f"<b>{_e(tr('document', lang))}</b> {_e(name)}"]
    if c.get("page"):
        where[0] += f", {_e(tr('page', lang))} {_e(c['page'])}"
    if c.get("scenario"):
        s = c["scenario"]
        where.append(f"<b>{_e(tr('scenario', lang))} {_e(s['number'])}</b> {_e(s['title'])}")
    if c.get("section"):
        section = str(c["section"]).split(" > ")[-1]  # the nearest heading is enough here
        where.append(f"<b>{_e(tr('section', lang))}</b> {_e(section)}")
    label = c.get("label", "")
    return (
        f'<div class="card"><span class="label label-{_e(label)}">{_e(tr(label, lang))}</span>'
        f'<div class="where">{"<br>".join(where)}</div>'
        f'<blockquote class="quote">{_e(c["quote"])}</blockquote></div>'
    )


def chip(c: dict[str, Any], lang: str) -> str:
    """A tappable `[n]` that opens its passage inline (no hover needed)."""
    return (
        f'<details class="cite" data-n="{_e(c["n"])}"><summary>[{_e(c["n"])}]</summary>'
        f"{citation_card(c, lang)}</details>"
    )


def answer_html(answer: dict[str, Any], lang: str) -> str:
    """An answer: each sentence followed by its chips; or a plain refusal."""
    if not answer.get("answerable"):
        return (
            f'<div class="refusal"><span class="badge">{_e(tr("not_in_sources", lang))}</span>'
            f"<p>{_e(answer['answer'])}</p></div>"
        )
    by_n = {c["n"]: c for c in answer["citations"]}
    framing = FRAMING.get(answer.get("language", "fr"), "")
    parts = [f'<p class="framing">{_e(framing)}</p>'] if framing else []
    if answer.get("note"):  # e.g. the language model failed: the extractive answer instead
        parts.insert(0, f'<p class="note" role="status">{_e(answer["note"])}</p>')
    if answer.get("cut_sentences"):  # the model hit its token limit mid-sentence
        parts.insert(0, f'<p class="note cut" role="status">{_e(tr("cut_off", lang))}</p>')
    previous = None
    for s in answer["sentences"]:
        chips = "".join(chip(by_n[n], lang) for n in s["citations"] if n in by_n)
        if s.get("label") and s["label"] != previous:  # a group: "Scénario 2 — Limites"
            parts.append(f'<p class="group">{_e(s["label"])}</p>')
        previous = s.get("label")
        added = " added" if s.get("added") else ""  # a quote the generated answer left out
        parts.append(
            f'<div class="sentence verdict-{_e(s["verdict"])}{added}"><span class="text">'
            f"{_e(s['text'])}</span> {chips}</div>"
        )
    return "".join(parts)


def transcript_html(turns: Sequence[dict[str, Any]], lang: str) -> str:
    """The conversation, latest turn last."""
    if not turns:
        return f'<div class="transcript empty"><p>{_e(tr("empty_chat", lang))}</p></div>'
    out = ['<div class="transcript">']
    for turn in turns:
        out.append(f'<div class="bubble user"><p>{_e(turn["question"])}</p></div>')
        if turn.get("answer"):
            body = answer_html(turn["answer"], lang)
        elif turn.get("failure"):
            body = f'<p class="failure" role="alert">{_e(turn["failure"])}</p>'
        else:
            body = f'<p class="pending">{_e(turn.get("partial") or tr("thinking", lang))}</p>'

        out.append(f'<div class="bubble bot">{body}</div>')
    out.append("</div>")
    return "".join(out)


def wall_html(themes: Sequence[tuple[str, int]], entries: Sequence[Any], lang: str) -> str:
    """Participants' questions grouped by theme, with counts, most asked theme first."""
    if not entries:
        return f'<div class="wall"><p>{_e(tr("no_questions", lang))}</p></div>'
    out = ['<div class="wall">']
    for theme, count in themes:
        items = [e for e in entries if e.theme == theme][:12]
        lis = "".join(
            f'<li class="{"" if e.answerable else "unanswered"}">{_e(e.question)}</li>'
            for e in items
        )
        label = THEMES.get(theme, (theme, theme))[1 if lang == "en" else 0]
        out.append(
            f'<section class="theme"><h4>{_e(label)} <span class="count">{count} '
            f"{_e(tr('questions_n' if count > 1 else 'question_1', lang))}</span></h4>"
            f"<ul>{lis}</ul></section>"
        )
    out.append("</div>")
    return "".join(out)


def in_context(text: str, start: int, end: int) -> str:
    """The quote highlighted inside its document, with some text either side."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    return (
        f'<div class="context">{"…" if lo else ""}{_e(text[lo:start])}'
        f"<mark>{_e(text[start:end])}</mark>{_e(text[end:hi])}{'…' if hi < len(text) else ''}</div>"
    )


def evaluation_html(
    sentences: Sequence[dict[str, Any]],
    citations: Sequence[dict[str, Any]],
    lang: str,
    text_of: Callable[[str], str | None],
) -> str:
    """Each sentence beside its cited passages, highlighted in the full document text."""
    by_n = {c["n"]: c for c in citations}
    out = ['<div class="evaluation">']
    for number, s in enumerate(sentences, start=1):
        verdict = s.get("verdict", "")
        out.append(
            f'<article class="check verdict-{_e(verdict)}"><h4>({number}) {_e(s["text"])}</h4>'
            f'<p class="verdict">{_e(tr(verdict, lang) if verdict else "")} — '
            f"{float(s.get('support', 0)):.2f}</p>"
        )
        for n in s.get("citations", []):
            c = by_n.get(n)
            if c is None:
                continue
            text = text_of(c["doc_id"])
            context = in_context(text, c["start"], c["end"]) if text else ""
            out.append(f'<div class="evidence">[{_e(n)}] {citation_card(c, lang)}')
            out.append(f"<details open><summary>{_e(tr('context', lang))}</summary>{context}")
            out.append("</details></div>")
        out.append("</article>")
    out.append("</div>")
    return "".join(out)
