"""The workshop commands — compare, draft, box: parse, wire, call, print. No logic of their own."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .cli_common import Add, emit
from .config import Settings
from .errors import AssistantError


def _wired(settings: Settings) -> Any:
    from . import wiring

    embedder = wiring.make_embedder(settings)
    store = wiring.make_store(settings, embedder)
    return wiring.make_ask_task(settings, wiring.make_retriever(settings, store, embedder))


def _workshop(args: argparse.Namespace, settings: Settings) -> Path:
    from .workshop import default_path

    return Path(args.workshop) if args.workshop else default_path(settings.home)


def _cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    from .limits import check_aspects
    from .tables import comparison_json, comparison_markdown, comparison_text
    from .tasks.compare import compare

    check_aspects(args.aspect or [], settings.max_aspects, settings.max_query_chars)
    task = _wired(settings)
    if args.per_cell < 1:
        raise AssistantError("--per-cell must be 1 or more")
    comparison = compare(
        task.retriever, task.extractive, task.checker,
        scenarios=args.scenario, aspects=args.aspect, per_cell=args.per_cell,
    )  # fmt: skip
    if not comparison.scenarios:
        from .structure_report import require_scenarios

        require_scenarios(task.retriever.store)
        raise AssistantError("no scenario matches the choice")
    human = comparison_markdown if args.format == "md" else comparison_text
    emit(args, comparison_json(comparison), lambda: human(comparison).rstrip("\n"))
    return 0


def _cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    from . import exports
    from .tasks.draft import draft, section_names
    from .workshop import load_box

    section_names(args.section)  # an unknown section fails before any work
    if args.format == "docx" and not args.out:
        raise AssistantError("--format docx writes a file: add --out FILE")
    path = _workshop(args, settings)
    box = load_box(path) if args.workshop or path.exists() else None
    task = _wired(settings)
    from .tasks.draft_llm import rewriter_for

    rewriter = rewriter_for(task.generated, settings.llm_draft_timeout)
    result = draft(
        task.retriever, task.extractive, task.checker, box, args.section, rewriter=rewriter
    )
    out = Path(args.out) if args.out else None
    if args.format == "docx" and out is not None:
        exports.draft_docx(result, out)
        text = f"wrote {out}"
    else:
        text = (exports.draft_audit_csv if args.format == "csv" else exports.draft_markdown)(result)
        if out is not None:
            exports.write_text(text, out, bom=args.format == "csv")
            text = f"wrote {out}"
    payload = exports.draft_json(result)
    if out is not None:
        payload["out"] = str(out)
    emit(args, payload, lambda: text.rstrip("\n"))
    return 0


def _cmd_box(args: argparse.Namespace, settings: Settings) -> int:
    from . import workshop as ws
    from .tables import box_text

    path = _workshop(args, settings)
    action = args.box_action
    if action == "build":
        from .tasks.box import build_box
        from .tasks.topics import DEFAULT_THEMES

        old = ws.load_box(path) if path.exists() else None
        if old is not None and not args.force:
            raise AssistantError(
                f"{path} already exists ({sum(c.mark != 'unmarked' for c in old.cells)} marked "
                f"cell(s), {len(old.decisions)} decision(s)): add --force to rebuild it "
                "(marks are reset, decisions are kept)"
            )
        task = _wired(settings)
        themes = args.theme or DEFAULT_THEMES
        box = build_box(task.retriever, task.extractive, themes=themes, scenarios=args.scenario)
        if old is not None:
            box = ws.keep_decisions(box, old)
        ws.save_box(box, path)
    elif action == "show":
        box = ws.load_box(path)
    elif action == "mark":
        box = ws.update_box(path, lambda b: ws.set_mark(b, args.theme, args.scenario, args.mark))
    elif action == "decide":
        box = ws.update_box(path, lambda b: ws.add_decision(b, args.text, args.author, args.theme))
    else:  # undecide
        box = ws.update_box(path, lambda b: ws.remove_decision(b, args.id))
    emit(args, {"path": str(path), **ws.box_json(box)}, lambda: f"{path}\n{box_text(box)}")
    return 0


def register(add: Add, common: argparse.ArgumentParser) -> None:
    """Add `compare`, `draft` and `box` to the command line."""
    scenario_help = "number, id or part of a title; repeatable (default: all)"
    p = add("compare", _cmd_compare, "contrast scenarios: a scenarios x aspects matrix of cited "
            "sentences, and the tensions between them")  # fmt: skip
    p.add_argument("--scenario", action="append", default=[], metavar="S", help=scenario_help)
    p.add_argument(
        "--aspect", action="append", default=[], metavar="A",
        help="a part of the scenarios (récit, leviers, intérêt, limites) or a free topic "
        "(santé, mobilité, 'personnes âgées'...); repeatable (default: the four parts); at "
        "most $ASSISTANT_MAX_ASPECTS (8) free aspects",
    )  # fmt: skip
    p.add_argument("--per-cell", type=int, default=2, metavar="N", help="sentences per cell")
    p.add_argument("--format", choices=["text", "md"], default="text", help="table (text) or md")

    p = add("draft", _cmd_draft, "draft the normative scenario from the box's kept and adapted "
            "cells and the diagnostics; every sentence cited and checked. With a chat model "
            "($ASSISTANT_ANSWERER openai or llamacpp) each section is a paragraph, its "
            "unsupported sentences removed; without one, or when the model fails, the "
            "quotes themselves")  # fmt: skip
    p.add_argument(
        "--workshop", metavar="FILE",
        help="workshop file (default: <store>/workshop.json; without one, or before any cell "
        "is marked, drafts as if every cell were kept, and says so)",
    )  # fmt: skip
    p.add_argument(
        "--section", action="append", default=[], metavar="NAME",
        help="Vision, Orientations, 'Leviers retenus', 'Points de vigilance', 'Indicateurs de "
        "suivi'; repeatable (default: all)",
    )  # fmt: skip
    p.add_argument(
        "--format", choices=["md", "docx", "csv"], default="md",
        help="Markdown, Word (needs --out), or the CSV citation audit (default: md)",
    )  # fmt: skip
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")

    p = add("box", _cmd_box, "the morphological box (themes x scenarios): build it, show it, "
            "mark cells keep/adapt/drop, record the group's decisions")  # fmt: skip
    actions = p.add_subparsers(dest="box_action", metavar="ACTION", required=True)

    def action(name: str, help_: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, parents=[common], help=help_, description=help_)
        a.add_argument("--workshop", metavar="FILE", help="default: <store>/workshop.json")
        return a

    a = action("build", "build the box from the store (themes x scenarios, cited statements)")
    a.add_argument("--theme", action="append", default=[], metavar="T", help="row; repeatable "
                   "(default: Accueil du public, Information, Numérique, Santé, Solidarités "
                   "locales, Mobilité)")  # fmt: skip
    a.add_argument("--scenario", action="append", default=[], metavar="S", help=scenario_help)
    a.add_argument("--force", action="store_true", help="replace an existing workshop file")
    action("show", "print the box, its marks and the decisions")
    a = action("mark", "mark a cell: THEME (name, part of it, or row number) and SCENARIO")
    a.add_argument("theme", metavar="THEME")
    a.add_argument("scenario", metavar="SCENARIO")
    a.add_argument("mark", choices=["keep", "adapt", "drop", "unmarked"], metavar="MARK",
                   help="keep, adapt, drop or unmarked")  # fmt: skip
    a = action("decide", "record a decision of the group, in its own words")
    a.add_argument("text", metavar="TEXT")
    a.add_argument("--author", required=True, metavar="NAME", help="who speaks for the group")
    a.add_argument("--theme", metavar="T", help="the theme it is about (optional)")
    a = action("undecide", "remove a decision recorded by mistake")
    a.add_argument("id", type=int, metavar="ID")
