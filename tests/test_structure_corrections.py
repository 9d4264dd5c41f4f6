"""The facilitator's structure corrections, through the real CLI in a subprocess on a real
Chroma store: rename, map a label, split, merge, undo, mark; kept beside the document in the
store folder, re-applied on a re-ingest of the same or an edited file, refused with a clear
reason when they cannot apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.corrections import FILE_NAME, FORMAT
from assistant.errors import AssistantError
from assistant.ingest_files import discover

from .test_cli import run

TEXT = (
    "Scénario 1 : Repli\nLes villages se vident.\n\nRevers :\nL'isolement des aînés.\n\n"
    "Scénario 2 : Ouverture\nLes bourgs accueillent.\n\nRevers :\nLa saturation des écoles.\n\n"
    "Un troisième temps\nLa suite arrive avec le numérique.\n"
)


def _structure(home: Path, doc: str = "") -> dict:  # type: ignore[type-arg]
    out = json.loads(run(home, "structure", "show", *([doc] if doc else []), "--json").stdout)
    (text,) = out["scenario_texts"]
    return text  # type: ignore[no-any-return]


def _titles(text: dict) -> list[tuple[int, str]]:  # type: ignore[type-arg]
    return [(s["number"], s["title"]) for s in text["scenarios"]]


def test_corrections_apply_survive_reingest_and_edits(tmp_path: Path) -> None:
    doc = tmp_path / "s.txt"
    doc.write_text(TEXT, "utf-8")
    run(tmp_path, "ingest", str(doc), "--kind", "scenario")
    before = _structure(tmp_path)
    assert _titles(before) == [(1, "Repli"), (2, "Ouverture")]
    assert [s["line"] for s in before["scenarios"]] == [1, 7]
    assert {p["section"] for p in before["scenarios"][0]["parts"]} == {"narrative", "Revers"}

    run(tmp_path, "structure", "rename", "s.txt", "2", "Ouverture large")
    run(tmp_path, "structure", "map", "s.txt", "Revers", "limites")
    split = json.loads(run(tmp_path, "structure", "split", "s.txt", "13", "--json").stdout)
    (after,) = split["scenario_texts"]
    assert _titles(after) == [(1, "Repli"), (2, "Ouverture large"), (3, "Un troisième temps")]
    assert [p["section"] for p in after["scenarios"][1]["parts"]] == ["narrative", "limits"]
    assert after["scenarios"][2]["first_words"].startswith("Un troisième temps La suite")
    assert len(after["corrections"]) == 3
    # kept in the store folder, keyed by the document's path, never next to the file
    book = json.loads((tmp_path / "store" / FILE_NAME).read_text("utf-8"))
    assert list(book["documents"]) == [str(doc)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.txt", "store"]
    # the search filter knows the new title
    hits = json.loads(
        run(tmp_path, "search", "numérique", "--scenario", "troisième", "--json").stdout
    )
    assert {p["scenario"]["number"] for p in hits["passages"]} == {3}

    # an unchanged file is skipped and keeps them; an edited one gets them again
    again = json.loads(run(tmp_path, "ingest", str(doc), "--kind", "scenario", "--json").stdout)
    assert again["skipped"] == 1 and again["warnings"] == []
    doc.write_text("Préambule de la démarche.\n\n" + TEXT, "utf-8")
    edited = json.loads(run(tmp_path, "ingest", str(doc), "--kind", "scenario", "--json").stdout)
    assert edited["ingested"] == 1 and edited["warnings"] == []
    shifted = _structure(tmp_path)
    assert _titles(shifted) == _titles(after)
    assert [s["line"] for s in shifted["scenarios"]] == [3, 9, 15]

    # a title changed in the file: that correction no longer applies, and says so
    doc.write_text(TEXT.replace("Ouverture", "Accueil"), "utf-8")
    changed = json.loads(run(tmp_path, "ingest", str(doc), "--kind", "scenario", "--json").stdout)
    assert changed["warnings"] == [
        {
            "path": str(doc),
            "warning": "correction 1 (rename 'Ouverture' (line 7) to 'Ouverture large') no "
            "longer applies: no scenario titled 'Ouverture'",
        }
    ]
    assert _titles(_structure(tmp_path)) == [
        (1, "Repli"),
        (2, "Accueil"),
        (3, "Un troisième temps"),
    ]

    # merge, then undo it
    merged = _structure(tmp_path, "s.txt")
    run(tmp_path, "structure", "merge", "s.txt", "3", "Repli")
    assert _titles(_structure(tmp_path)) == [(1, "Repli"), (2, "Accueil")]
    undo = run(tmp_path, "structure", "undo", "s.txt").stdout
    assert undo.startswith("undone: merge 'Un troisième temps' (line 13) into 'Repli'")
    assert _titles(_structure(tmp_path)) == _titles(merged)


def test_bad_corrections_are_refused_with_the_reason_and_change_nothing(tmp_path: Path) -> None:
    doc = tmp_path / "s.txt"
    doc.write_text(TEXT, "utf-8")
    run(tmp_path, "ingest", str(doc), "--kind", "scenario")
    book = tmp_path / "store" / FILE_NAME
    cases = [
        (["rename", "s.txt", "9", "X"],
         f"no scenario '9' in {doc} (scenarios: 1: Repli; 2: Ouverture)"),
        (["rename", "nowhere", "1", "X"], "no document 'nowhere' in the store"),
        (["rename", "s.txt", "1", "  "], "the new title is empty"),
        (["merge", "s.txt", "1", "Repli"], "a scenario cannot be merged into itself"),
        (["split", "s.txt", "3"], "line 3 is empty: split at a line with text"),
        (["split", "s.txt", "99"], "line 99 is outside the text (1..15)"),
        (["split", "s.txt", "7"], "cannot split at line 7 ('Scénario 2 : Ouverture') as "
         "scenario 3: line 7 already starts a scenario"),
        (["map", "s.txt", "Inconnu", "limits"], "cannot map label 'Inconnu' to part 'limits': "
         "no line of a scenario starts with 'Inconnu'"),
        (["undo", "s.txt"], f"no correction to undo for {doc}"),
    ]  # fmt: skip
    for args, message in cases:
        proc = run(tmp_path, "structure", *args, ok=False)
        assert proc.returncode == 1, args
        assert proc.stderr.strip().startswith(f"assistant: error: {message}"), proc.stderr
        assert not book.exists(), args
    usage = run(tmp_path, "structure", "split", "s.txt", "deux", ok=False)
    assert usage.returncode == 2 and "invalid int value: 'deux'" in usage.stderr
    assert "rename" in run(tmp_path, "structure", "--help").stdout


def test_mark_makes_a_file_a_scenario_text_and_the_book_is_never_a_document(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "diagnostics"
    folder.mkdir()
    doc = folder / "prospective.txt"
    doc.write_text(TEXT, "utf-8")
    (folder / FILE_NAME).write_text("{}", "utf-8")  # a stray copy of the book in a corpus
    files, _ = discover([folder])
    assert files == [doc]
    named, refused = discover([folder / FILE_NAME])
    assert (
        named == []
        and refused[0].error == "the facilitator's structure corrections, not a document"
    )
    report = json.loads(run(tmp_path, "ingest", str(folder), "--json").stdout)
    assert report["ingested"] == 1 and report["failed"] == []
    docs = json.loads(run(tmp_path, "sources", "--json").stdout)["documents"]
    assert [d["kind"] for d in docs] == ["diagnostic"]
    marked = json.loads(run(tmp_path, "structure", "mark", str(doc), "--json").stdout)
    (text,) = marked["scenario_texts"]
    assert _titles(text) == [(1, "Repli"), (2, "Ouverture")]
    docs = json.loads(run(tmp_path, "sources", "--json").stdout)["documents"]
    assert [d["kind"] for d in docs] == ["scenario"]
    # the folder still says diagnostic, the mark wins at every ingest
    run(tmp_path, "ingest", str(folder))
    docs = json.loads(run(tmp_path, "sources", "--json").stdout)["documents"]
    assert [d["kind"] for d in docs] == ["scenario"]


def _services(home: Path) -> Any:
    from assistant.config import Settings
    from assistant.wiring import make_services

    settings = Settings(home=home, embedding_model="fake", facilitator_password="f")
    return make_services(settings, announce=lambda _m: None)


def test_the_workshop_export_carries_the_corrections_and_the_import_applies_them(
    tmp_path: Path,
) -> None:
    from assistant.ui.services import FACILITATOR
    from assistant.ui.workshop_ops import Workshop

    doc = tmp_path / "s.txt"
    doc.write_text(TEXT, "utf-8")
    here = _services(tmp_path / "here")
    here.correct(FACILITATOR, lambda e: e.ingestor.run([doc], kind="scenario"))
    warnings = here.correct(FACILITATOR, lambda e: e.rename(str(doc), "2", "Ouverture large"))
    assert warnings == []
    exported = json.loads(here.export_workshop(FACILITATOR))
    assert exported["structure"]["documents"] == {
        str(doc): [{"op": "rename", "line": 7, "title": "Ouverture", "to": "Ouverture large"}]
    }
    saved = tmp_path / "atelier.json"
    saved.write_text(json.dumps(exported), "utf-8")

    there = _services(tmp_path / "there")  # another store, the same file, not corrected
    there.correct(FACILITATOR, lambda e: e.ingestor.run([doc], kind="scenario"))
    (record,) = there.store.records()
    assert [s.title for s in record.scenarios] == ["Repli", "Ouverture"]
    broken = {**exported, "structure": {"format": FORMAT, "documents": {"x": [{"op": "zap"}]}}}
    bad = tmp_path / "casse.json"
    bad.write_text(json.dumps(broken), "utf-8")
    with pytest.raises(AssistantError, match="structure corrections in the file"):
        Workshop(there).import_file(FACILITATOR, str(bad))
    assert there.corrections.all() == {}
    said = Workshop(there).import_file(FACILITATOR, str(saved))
    assert "corrections de structure (1 document(s), réindexés)" in said
    (record,) = there.store.records()
    assert [s.title for s in record.scenarios] == ["Repli", "Ouverture large"]
    assert [s.title for s in there.retriever.lexical.scenarios()] == ["Repli", "Ouverture large"]


def test_a_scenario_of_an_announced_list_or_a_table_is_renamed_and_merged(tmp_path: Path) -> None:
    # the Insee text's scenarios have no title of their own: the facilitator gives one
    real = Path(__file__).parent / "fixtures" / "real-scenarios" / "insee-bretagne-2040.txt"
    doc = tmp_path / "insee.txt"
    doc.write_text(real.read_text("utf-8"), "utf-8")
    run(tmp_path, "ingest", str(doc), "--kind", "scenario")
    run(tmp_path, "structure", "rename", "insee", "4", "Ralentissement économique")
    titles = _titles(_structure(tmp_path))
    assert titles[3] == (4, "Ralentissement économique") and titles[0][0] == 1
    again = json.loads(run(tmp_path, "ingest", str(doc), "--kind", "scenario", "--json").stdout)
    assert (
        again["skipped"] == 1 and _titles(_structure(tmp_path))[3][1] == "Ralentissement économique"
    )

    table = tmp_path / "table.md"
    table.write_text(
        "| | Scénario 1 : Repli | Scénario 2 : Ouverture |\n|---|---|---|\n"
        "| Récit | Les villages se vident. | Les bourgs accueillent. |\n",
        "utf-8",
    )
    run(tmp_path, "ingest", str(table), "--kind", "scenario")
    run(tmp_path, "structure", "merge", "table.md", "2", "1")
    shown = json.loads(run(tmp_path, "structure", "show", "table.md", "--json").stdout)
    (text,) = shown["scenario_texts"]
    assert _titles(text) == [(1, "Repli")]
    assert text["scenarios"][0]["parts"] == [
        {
            "section": "narrative",
            "chars": len("Les villages se vident.") + len("Les bourgs accueillent."),
        }
    ]
