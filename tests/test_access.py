"""The pieces behind the app's hardening, without a server: the login brake (a fake clock),
roles, the query and aspect bounds, and the all-or-nothing workshop import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.journal import Journal
from assistant.limits import TooMuch, check_aspects, check_query
from assistant.ui.access import EVALUATOR, FACILITATOR, Forbidden, LockedOut, LoginGuard, role_of
from assistant.wiring import make_services
from assistant.workshop_file import import_workshop


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_login_guard_locks_out_after_n_failures_then_lets_in() -> None:
    clock = Clock()
    guard = LoginGuard(max_failures=3, lockout_seconds=10, clock=clock)
    for _ in range(3):
        guard.check("10.0.0.1")
        guard.failed("10.0.0.1")
    with pytest.raises(LockedOut) as locked:
        guard.check("10.0.0.1")
    assert locked.value.seconds == pytest.approx(10)
    guard.check("10.0.0.2")  # another client is not concerned
    clock.now += 10.5
    guard.check("10.0.0.1")  # over: let in
    for _ in range(3):  # a second lockout lasts twice as long
        guard.failed("10.0.0.1")
    clock.now += 15
    with pytest.raises(LockedOut):
        guard.check("10.0.0.1")
    clock.now += 6
    guard.check("10.0.0.1")
    guard.succeeded("10.0.0.1")  # a success forgets everything
    guard.failed("10.0.0.1")
    guard.check("10.0.0.1")


def test_roles_open_by_password_only_when_set() -> None:
    assert role_of("f", "f", "e") == FACILITATOR and role_of("e", "f", "e") == EVALUATOR
    assert role_of("", "f", "") == "" and role_of("x", "f", "e") == ""


def test_bounds_on_queries_and_aspects() -> None:
    assert check_query("x" * 2000, 2000) == "x" * 2000
    with pytest.raises(TooMuch, match="too long"):
        check_query("x" * 2001, 2000)
    check_aspects(
        ["narrative", "Leviers", "limites", "intérêt", *[f"a{i}" for i in range(8)]], 8, 50
    )
    with pytest.raises(TooMuch, match="8 free aspects at most"):
        check_aspects([f"a{i}" for i in range(9)], 8, 50)
    with pytest.raises(TooMuch, match="aspect is too long"):
        check_aspects(["santé" * 20], 8, 50)


def _answer(question: str) -> dict[str, Any]:
    return {"question": question, "language": "fr", "answerable": True, "answer": "Oui.",
            "sentences": [], "citations": [], "passages": []}  # fmt: skip


def _export(journal: Journal) -> dict[str, Any]:
    return journal.export(None)


def test_an_import_whose_box_cannot_be_written_changes_nothing(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.db")
    journal.record("s1", "sante", _answer("Avant ?"))
    before = _export(journal)
    data = {**before, "questions": [], "drafts": [],
            "box": {"format": 1, "created": "t", "updated": "t", "themes": [], "scenarios": [],
                    "cells": []}}  # fmt: skip
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "workshop.json").mkdir()  # a folder where the box file should go: cannot write
    with pytest.raises(AssistantError):
        import_workshop(journal, folder / "workshop.json", data)
    assert _export(journal)["questions"] == before["questions"]  # rolled back

    done = import_workshop(journal, tmp_path / "workshop.json", data)
    assert (done.questions, done.drafts, done.box) == (0, 0, True)
    assert _export(journal)["questions"] == []
    assert json.loads((tmp_path / "workshop.json").read_text(encoding="utf-8"))["format"] == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"questions": [{"asked_at": "t", "session": "s", "question": "q", "language": "fr",
                         "theme": "x", "answerable": True, "answer": {"question": "q"}}]},
         "question 1"),
        ({"drafts": [{"written_at": "t"}]}, "draft 1"),
        ({"questions": "none"}, "list"),
        ({"box": {"format": 1}}, "box"),
    ],
)  # fmt: skip
def test_a_bad_part_anywhere_refuses_the_whole_import(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    journal = Journal(tmp_path / "journal.db")
    journal.record("s1", "sante", _answer("Avant ?"))
    before = _export(journal)
    with pytest.raises(AssistantError, match=reason):
        import_workshop(journal, tmp_path / "workshop.json", {**before, **change})
    assert _export(journal)["questions"] == before["questions"]
    assert not (tmp_path / "workshop.json").exists()


def test_the_evaluation_handlers_show_a_participant_only_their_own_answers(
    tmp_path: Path,
) -> None:
    from assistant.ui.evaluate import checkable, choices

    settings = Settings(home=tmp_path / "store", embedding_model="fake", facilitator_password="f")
    services = make_services(settings, announce=lambda _m: None)
    mine = services.journal.record("sid-a", "sante", _answer("La mienne ?"))
    theirs = services.journal.record("sid-b", "sante", _answer("La leur ?"))
    services.journal.save_draft({"sections": [], "citations": []})
    assert [v for _, v in choices(services, "", "sid-a")] == [str(mine)]
    assert choices(services, "", "") == []  # a session that never loaded owns nothing
    assert [v for _, v in choices(services, EVALUATOR, "")] == ["draft", str(theirs), str(mine)]
    checkable(services, str(mine), "", "sid-a")
    refused = [("", "sid-a", str(theirs)), ("", "sid-a", "draft"),
               ("participant", "", str(mine)), ("Evaluator", "sid-b", "draft")]  # fmt: skip
    for role, sid, value in refused:
        with pytest.raises(Forbidden):
            checkable(services, value, role, sid)
    for role in (EVALUATOR, FACILITATOR):
        checkable(services, str(theirs), role, "")
        checkable(services, "draft", role, "")
    with pytest.raises(LookupError):
        checkable(services, "../../etc", EVALUATOR, "")
