"""`assistant structure …`: show what was detected in the scenario texts and correct it.
Parse, wire, call, print; the work is in structure_edit.py."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .cli_common import Add
from .config import Settings
from .types import KINDS


def _editor(settings: Settings) -> Any:
    from . import wiring
    from .structure_edit import Editor

    embedder = wiring.make_embedder(settings)
    store = wiring.make_store(settings, embedder)
    ingestor = wiring.make_ingestor(settings, store, embedder)
    assert ingestor.corrections is not None
    return Editor(store, ingestor, ingestor.corrections)


def _cmd_structure(args: argparse.Namespace, settings: Settings) -> int:
    from .indexed import SECTION_LABELS
    from .structure_edit import find_document
    from .structure_report import structure_json, structure_text, structures, text_structure

    editor = _editor(settings)
    action = args.structure_action
    note = ""
    report = None
    if action == "rename":
        report = editor.rename(args.doc, args.scenario, args.title)
    elif action == "merge":
        report = editor.merge(args.doc, args.scenario, args.into)
    elif action == "split":
        report = editor.split(args.doc, args.line, args.title or "", args.number or 0)
    elif action == "map":
        report = editor.map_label(args.doc, args.label, args.part)
    elif action == "mark":
        report = editor.mark(args.file, args.kind)
        args.doc = args.file
    elif action == "undo":
        undone, report = editor.undo(args.doc)
        note = f"undone: {undone.describe()}"
    if args.doc:
        record = find_document(editor.store, args.doc)
        found = [text_structure(editor.store, record, editor.book)]
    else:
        found = structures(editor.store, editor.book)
    warnings = [f"warning: {w.path}: {w.warning}" for w in report.warnings] if report else []
    payload = structure_json(found)
    if report is not None:
        payload["warnings"] = [{"path": w.path, "warning": w.warning} for w in report.warnings]
    human = "\n".join([*([note] if note else []), structure_text(found, SECTION_LABELS), *warnings])
    print(json.dumps(payload, ensure_ascii=False) if args.json else human)
    return 0


def register(add: Add, common: argparse.ArgumentParser) -> None:
    """Add `structure` and its actions to the command line."""
    p = add(
        "structure",
        _cmd_structure,
        "show the scenarios and parts detected in the scenario texts, and correct them; "
        "corrections are kept in the store folder and re-applied at every ingest",
    )
    actions = p.add_subparsers(dest="structure_action", metavar="ACTION", required=True)

    def action(name: str, help_: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=help_, description=help_)

    doc_help = "doc id, or a part of the file's path that names only it"
    scenario_help = "number, id, or a part of the title that names only it"
    a = action("show", "per scenario text: scenarios (number, title, line, first words), "
               "parts with sizes, and the corrections made")  # fmt: skip
    a.add_argument("doc", nargs="?", metavar="DOC", help=f"{doc_help} (default: all)")
    a = action("rename", "give a scenario another title")
    a.add_argument("doc", metavar="DOC", help=doc_help)
    a.add_argument("scenario", metavar="SCENARIO", help=scenario_help)
    a.add_argument("title", metavar="TITLE", help="the new title")
    a = action("merge", "make SCENARIO's text part of INTO (two scenarios detected for one)")
    a.add_argument("doc", metavar="DOC", help=doc_help)
    a.add_argument("scenario", metavar="SCENARIO", help=f"the one merged away: {scenario_help}")
    a.add_argument("into", metavar="INTO", help=f"the one kept: {scenario_help}")
    a = action("split", "start a new scenario at LINE (a heading that was missed)")
    a.add_argument("doc", metavar="DOC", help=doc_help)
    a.add_argument("line", type=int, metavar="LINE",
                   help="1-based line of the canonical text (see `structure show`)")  # fmt: skip
    a.add_argument("--title", metavar="T", help="its title (default: the line's text)")
    a.add_argument("--number", type=int, metavar="N", help="its number (default: the next one)")
    a = action("map", "make the lines that start with LABEL a part of their scenario")
    a.add_argument("doc", metavar="DOC", help=doc_help)
    a.add_argument("label", metavar="LABEL", help="as written, e.g. 'Revers de la médaille'")
    a.add_argument("part", metavar="PART", help="narrative, levers, interest, limits (or "
                   "récit, leviers, intérêt, limites…), or a name of its own")  # fmt: skip
    a = action("mark", "mark a file as a text of a kind (default: a scenario text) and ingest it")
    a.add_argument("file", metavar="FILE", help="a file's path, or a stored document")
    a.add_argument("--kind", choices=KINDS, default="scenario", help="default: %(default)s")
    a = action("undo", "forget the document's last correction")
    a.add_argument("doc", metavar="DOC", help=doc_help)
