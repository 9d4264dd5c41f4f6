"""The facilitator edits a drafted section: an edited sentence is unverified until checked."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.errors import AssistantError
from assistant.exports import draft_audit_csv, draft_json, draft_markdown
from assistant.tasks.box import build_box
from assistant.tasks.draft import Draft, draft
from assistant.tasks.draft_edit import UNVERIFIED, check_section, edit_section, section_text
from assistant.ui.access import FACILITATOR, Forbidden
from assistant.ui.workshop_ops import Workshop
from assistant.workshop import set_mark

from .workshop_helpers import Wired, assert_exact, wire


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Wired:
    return wire(tmp_path_factory.mktemp("edit") / "store")


@pytest.fixture(scope="module")
def made(wired: Wired) -> Draft:
    box = build_box(wired.retriever, wired.extractive)
    box = set_mark(set_mark(box, "Accueil", "2", "keep"), "Information", "3", "adapt")
    return draft(wired.retriever, wired.extractive, wired.checker, box)


def _levers(d: Draft):  # type: ignore[no-untyped-def]
    return next(s for s in d.sections if s.name == "Leviers retenus")


def test_an_unchanged_text_keeps_every_verdict(made: Draft) -> None:
    levers = _levers(made)
    assert levers.cited and levers.sentences
    again = edit_section(made, levers.name, section_text(levers))
    assert _levers(again).sentences == levers.sentences


def test_an_edited_sentence_is_unverified_until_checked(wired: Wired, made: Draft) -> None:
    levers = _levers(made)
    first, *rest = section_text(levers).splitlines()
    n = levers.sentences[0].citations[0]
    edited_text = "\n".join(
        [f"Le département crée des licornes de proximité [{n}]", *rest,
         "Une phrase ajoutée sans numéro sur les points d'accueil.", "[99] [98]"]
    )  # fmt: skip
    edited = edit_section(made, levers.name, edited_text)
    sentences = _levers(edited).sentences
    assert [s.verdict for s in sentences[1:-1]] == [s.verdict for s in levers.sentences[1:]]
    new, added = sentences[0], sentences[-1]
    assert new.verdict == added.verdict == UNVERIFIED and new.support == 0.0
    assert new.citations == (n,) and added.citations == ()  # [99]: not the section's: dropped
    assert new.edited and added.edited and not any(s.edited for s in sentences[1:-1])
    assert new.label == levers.sentences[0].label and added.label == ""
    md = draft_markdown(edited)
    assert "« Le département crée" not in md  # not a verbatim quote: not in « »
    assert "(modifiée par l'animation)** : Le département crée des licornes" in md
    assert "⚠ non vérifiée" in md
    rows = list(csv.DictReader(io.StringIO(draft_audit_csv(edited))))
    assert any(r["sentence"] == added.text and r["verdict"] == UNVERIFIED for r in rows)
    out = draft_json(edited)["sections"]
    assert UNVERIFIED in [s["verdict"] for sec in out for s in sec["sentences"]]

    checked = _levers(check_section(edited, levers.name, wired.checker))
    invented, *_, joined = checked.sentences
    assert invented.verdict in ("weak", "unsupported") and invented.citations == (n,)
    assert joined.verdict != UNVERIFIED and joined.citations  # tied to the section's best quote
    assert set(joined.citations) <= set(levers.cited) and joined.label.startswith("Scénario")
    assert all(s.verdict != UNVERIFIED for s in checked.sentences)
    assert_exact(wired.store, made.citations)


def test_editing_an_unknown_section_or_too_much_text_is_refused(made: Draft) -> None:
    with pytest.raises(AssistantError, match="no section 'Budget'"):
        edit_section(made, "Budget", "x")
    with pytest.raises(AssistantError, match="too long"):
        edit_section(made, "Vision", "x" * 20_001)


def test_only_a_facilitator_edits_or_checks_the_draft(
    wired: Wired, made: Draft, tmp_path: Path
) -> None:
    """The server checks the session's role, as for the other box operations."""
    from assistant.journal import Journal

    services = SimpleNamespace(
        settings=SimpleNamespace(home=tmp_path),
        checker=wired.checker,
        journal=Journal(tmp_path / "journal.db"),
    )
    shop = Workshop(services)  # type: ignore[arg-type]
    for role in ("", "participant", "evaluator"):
        with pytest.raises(Forbidden):
            shop.revise(role, made, "Vision", "Une phrase [1]")
        with pytest.raises(Forbidden):
            shop.revise(role, made, "Vision")
    edited = shop.revise(FACILITATOR, made, "Vision", "Une phrase [1]")
    assert edited.sections[0].sentences[0].verdict == UNVERIFIED
    checked = shop.revise(FACILITATOR, edited, "Vision")
    assert checked.sections[0].sentences[0].verdict != UNVERIFIED
    with pytest.raises(AssistantError, match="draft first"):
        shop.revise(FACILITATOR, None, "Vision", "x")


def test_an_edit_and_its_check_are_saved_in_the_journal(
    wired: Wired, made: Draft, tmp_path: Path
) -> None:
    """The edited draft is the workshop's latest draft: evaluators and the workshop export
    see the edit (unverified, then checked), not the draft as first written."""
    from assistant.journal import Journal

    journal = Journal(tmp_path / "journal.db")
    services = SimpleNamespace(
        settings=SimpleNamespace(home=tmp_path), checker=wired.checker, journal=journal
    )
    shop = Workshop(services)  # type: ignore[arg-type]
    edited = shop.revise(FACILITATOR, made, "Vision", "Une phrase écrite par le groupe [1]")
    latest = journal.latest_draft()
    assert latest is not None
    saved = latest[2]["sections"][0]["sentences"][0]
    assert saved["text"].startswith("Une phrase écrite par le groupe")
    assert saved["edited"] and saved["verdict"] == UNVERIFIED
    shop.revise(FACILITATOR, edited, "Vision")
    again = journal.latest_draft()
    assert again is not None and again[0] > latest[0]
    assert again[2]["sections"][0]["sentences"][0]["verdict"] != UNVERIFIED


def test_the_latest_saved_draft_reopens_as_it_was_saved(
    wired: Wired, made: Draft, tmp_path: Path
) -> None:
    """After a page reload the session has no draft: the facilitator's panel reopens the
    journal's latest one, edits and their "non vérifiée" state included, to edit further."""
    from assistant.journal import Journal

    journal = Journal(tmp_path / "journal.db")
    services = SimpleNamespace(
        settings=SimpleNamespace(home=tmp_path), checker=wired.checker, journal=journal
    )
    shop = Workshop(services)  # type: ignore[arg-type]
    assert shop.reopen(FACILITATOR) is None  # nothing drafted yet
    edited = shop.revise(FACILITATOR, made, "Vision", "Une phrase écrite par le groupe [1]")
    for role in ("", "participant", "evaluator"):
        with pytest.raises(Forbidden):
            shop.reopen(role)
    reopened = shop.reopen(FACILITATOR)
    assert reopened == edited  # every section, sentence, verdict, citation and decision
    assert reopened is not None and reopened.sections[0].sentences[0].verdict == UNVERIFIED
    again = shop.revise(FACILITATOR, reopened, "Vision")  # checked again, from the reload
    assert again.sections[0].sentences[0].verdict != UNVERIFIED
    journal.save_draft({"sections": "not a list"})
    with pytest.raises(AssistantError, match="saved draft"):
        shop.reopen(FACILITATOR)
