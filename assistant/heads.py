"""Choosing a scenario text's scenario headings among what the detectors found, with the
warnings a facilitator should see (repeated numbers, a single heading)."""

from __future__ import annotations

import re

from .layouts import SCENARIO_WORDS, clean_title, detect_titles, identifier_number
from .text_norm import fold, slugify, strip_marks
from .types import Scenario


def unique_ids(
    scenarios: list[tuple[int, Scenario]], first_line: int = 1
) -> tuple[dict[int, Scenario], list[str]]:
    """Scenarios keyed by line, each id made unique; a warning per repeated number."""
    out: dict[int, Scenario] = {}
    warnings: list[str] = []
    seen_ids: set[str] = set()
    by_number: dict[int, int] = {}
    for line, s in scenarios:
        if s.number in by_number:
            warnings.append(
                f"two scenarios numbered {s.number} (lines {by_number[s.number] + first_line} and "
                f"{line + first_line}): both kept, `--scenario {s.number}` selects both"
            )
        by_number.setdefault(s.number, line)
        sid, n = s.id, 2
        while sid in seen_ids:
            sid, n = f"{s.id}-{n}", n + 1
        seen_ids.add(sid)
        out[line] = Scenario(s.number, sid, s.title)
    return out, warnings


_MD = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_ID_FIRST = re.compile(r"^(?P<id>\d{1,3}|[IVX]{1,5}|[A-Z])\s*[.)–—-]\s+(?P<rest>\S.*)$")


def children_of_scenarios_heading(lines: list[str]) -> list[tuple[int, Scenario]]:
    """When no title line names a scenario: the headings right under a heading that
    speaks of scenarios (`# Les quatre scénarios` then `## Génération frugale`…)."""
    headings = [
        (i, len(m.group(1)), m.group(2)) for i, t in enumerate(lines) if (m := _MD.match(t))
    ]
    for n, (_i, level, text) in enumerate(headings):
        if not SCENARIO_WORDS & set(re.findall(r"\w+", fold(text))):
            continue
        children: list[tuple[int, str]] = []
        for j, lv, child in headings[n + 1 :]:
            if lv <= level:
                break
            if lv == level + 1:
                children.append((j, child))
        if len(children) < 2:
            continue
        out: list[tuple[int, Scenario]] = []
        for running, (j, child) in enumerate(children, start=1):
            match = _ID_FIRST.match(child)
            number = identifier_number(match.group("id"), running) if match else running
            title = clean_title(match.group("rest") if match else child) or child
            out.append((j, Scenario(number, f"s{number}-{slugify(title, 40)}", title)))
        return out
    return []


def choose_heads(
    explicit: list[tuple[int, Scenario]],
    lines: list[str],
    set_apart: set[int],
    first_line: int = 1,
) -> tuple[dict[int, Scenario], list[str]]:
    """The scenario headings: the explicit ones (Markdown, the seed's), or the title-line
    pattern the document repeats — it reads identifiers better (`Scénario A – X`), so it
    wins on the same lines, and beside explicit headings only a scenario-word pattern may
    win (not `Étape 1, 2, 3`) — else the headings under a heading that names scenarios."""
    learnt = detect_titles(lines, set_apart, first_line)
    same = set(learnt.heads) == {i for i, _ in explicit}
    more = len(learnt.heads) > len(explicit) and (not explicit or learnt.label in SCENARIO_WORDS)
    chosen = list(learnt.heads.items()) if same or more else explicit
    if not chosen and not learnt.warnings:
        chosen = children_of_scenarios_heading(lines) or listed_then_sections(lines)
    heads, warnings = unique_ids(chosen, first_line)
    warnings = learnt.warnings + warnings
    if len(heads) == 1:
        (only,) = heads.values()
        warnings.append(f"only one scenario heading found ('{only.title}')")
    return heads, warnings


_ITEM = re.compile(
    r"^\s*(?:#{1,6}\s+)?(?:[-•*–]\s*)?(?:(?P<id>\d{1,2}|[IVX]{1,4}|[A-Z])\s*[.)–—-]\s+)?"
    r"(?P<title>\S.*)$"
)
_LEAD = re.compile(
    r"^\s*(?:#{1,6}\s+)?(?:[-•*–]\s*)?(?:(?:\d{1,2}|[IVX]{1,4}|[A-Z])\s*[.)–—-]\s+)?"
)
MAX_ITEM_WORDS = 12


def _item(text: str) -> tuple[str | None, str] | None:
    """A list item's identifier (or None for a bullet) and title; None if not an item."""
    stripped = text.strip()
    bullet = stripped[:1] in "-•*–" and not stripped.startswith("**")
    match = _ITEM.match(strip_marks(text) if not bullet else text)
    if not match or not (match.group("id") or bullet):
        return None
    title = clean_title(match.group("title")).rstrip(" :.")
    if not title or len(title.split()) > MAX_ITEM_WORDS or _MD.match(text):
        return None
    return match.group("id"), title


def _bare(text: str) -> str:
    """A line without its heading marks, list mark, number or bold: for comparing titles."""
    return fold(clean_title(strip_marks(_LEAD.sub("", text))).rstrip(" :."))


def listed_then_sections(lines: list[str]) -> list[tuple[int, Scenario]]:
    """A list of the scenarios' titles (numbered or bulleted, no scenario word), then one
    section each, starting with a line that repeats its title: the section lines."""
    runs: list[list[tuple[int, str | None, str]]] = [[]]
    for i, text in enumerate(lines):
        if not text.strip():
            continue  # blank lines do not end a list
        item = _item(text)
        if item is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((i, item[0], item[1]))
    for run in runs:
        if len(run) < 2:
            continue
        after = run[-1][0] + 1
        bare = [(i, _bare(t)) for i, t in enumerate(lines) if i >= after and t.strip()]
        found: list[tuple[int, Scenario]] = []
        for running, (_i, ident, title) in enumerate(run, start=1):
            want = fold(title)
            at = next((i for i, b in bare if b == want and (not found or i > found[-1][0])), None)
            if at is None:
                break
            number = identifier_number(ident, running) if ident else running
            found.append((at, Scenario(number, f"s{number}-{slugify(title, 40)}", title)))
        if len(found) == len(run):
            ends = [i for i, _ in found[1:]] + [len(lines)]
            if all(
                any(lines[k].strip() for k in range(i + 1, e))
                for (i, _), e in zip(found, ends, strict=True)
            ):
                return found
    return []
